"""The Django admin behind the platform's own login and second factor.

Django's admin has its own login form, which would skip the lockout, the throttles and
the audit log of the platform login. Here ``/admin/login/`` is the platform login:
a GET is redirected to ``accounts:login``, a POST is handled by the platform's login
view itself, and the admin admits only sessions whose login (or a later step-up)
passed the second factor. Registrations with ``admin.site`` / ``@admin.register``
are unchanged: this class is the default site (``admin_apps.AdminConfig``).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import login_flow
from .views import login_view


class YiwangAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and login_flow.second_factor_passed(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.method == "POST":
            # Credentials posted to the admin go through the platform login, nothing else.
            return login_view(request)
        target = login_flow.safe_next(request, request.GET.get("next")) or reverse(
            "admin:index", current_app=self.name
        )
        if request.user.is_authenticated:
            if not login_flow.second_factor_passed(request):
                return redirect(login_flow.step_up_url(target))
            if not super().has_permission(request):
                raise PermissionDenied
            return redirect(target)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
