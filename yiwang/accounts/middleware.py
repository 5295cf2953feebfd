"""An expired staff password allows nothing but changing it (等保: password lifetime)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import passwords

# Pages an expired password still reaches: the change page itself, logging out, static files.
_ALLOWED_NAMES = ("accounts:password-expired", "accounts:logout")


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and passwords.is_expired(user)
            and not self._allowed(request.path)
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        return path.startswith("/static/") or path in {reverse(n) for n in _ALLOWED_NAMES}

    @staticmethod
    def _refuse(request) -> HttpResponse:
        change = reverse("accounts:password-expired")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "about:blank",
                    "title": _("Your password has expired. Change it on the website first."),
                    "status": 403,
                    "code": "password_expired",
                },
                status=403,
                content_type="application/problem+json",
            )
        target = f"{change}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
