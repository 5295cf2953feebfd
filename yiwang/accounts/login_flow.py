"""What happens after a password or SMS code has been verified: the second step, if any.

For staff who need a second factor (``mfa.needs_second_factor``) the session first
holds only a short-lived *pending* marker (user, first-factor method, where to go next)
under a fresh session key; nobody is logged in. The second page then asks for the
authenticator code (``views_mfa.verify``), or, for a required role without an
authenticator, sets one up (``views_mfa.enrol``). Only then ``complete`` logs the user
in and records in the session which second factor was passed; the admin site admits
only such sessions (``admin_site``).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from . import actions, mfa
from .models import User
from .preferences import remember_elder_mode

PENDING_KEY = "mfa_pending"
PASSED_KEY = "mfa_passed"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def safe_next(request: HttpRequest, target: str | None) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def begin(request: HttpRequest, user: User, *, method: str, next_url: str) -> HttpResponse | None:
    """Start the second step when ``user`` needs one (a redirect); ``None`` when not."""
    if not mfa.needs_second_factor(user):
        return None
    if request.user.is_authenticated:
        auth_logout(request)  # another account's session ends here, not after the second step
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "method": method,
        "next": next_url,
        "since": int(time.time()),
    }
    if mfa.is_enrolled(user):
        return redirect("accounts:mfa-verify")
    return redirect("accounts:mfa-enrol")


def pending(request: HttpRequest) -> tuple[User, dict] | None:
    """The user waiting for their second step in this session, while the marker is fresh."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if int(time.time()) - int(data.get("since", 0)) > settings.YIWANG_MFA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user_id = data.get("user")
    user = None if user_id is None else User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, data


def cancel(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def complete(request: HttpRequest, user: User, *, method: str, second_factor: str = "") -> None:
    """Log ``user`` in for real and audit it; remembers the second factor in the session."""
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=MODEL_BACKEND)
    actions.register_successful_login(user, method=method, second_factor=second_factor)
    if second_factor:
        mark_passed(request, second_factor)


def mark_passed(request: HttpRequest, factor: str) -> None:
    request.session[PASSED_KEY] = {"factor": factor, "at": int(time.time())}


def second_factor_passed(request: HttpRequest) -> bool:
    """Whether this session's login (or a later step-up) included the second factor."""
    return bool(getattr(request, "session", None) is not None and request.session.get(PASSED_KEY))


def landing(user: User, target: str) -> HttpResponse:
    """The redirect after a completed login; the elder-mode cookie now follows the account."""
    return remember_elder_mode(redirect(target), user.elder_mode)


def step_up_url(next_url: str) -> str:
    """Where a logged-in session proves its second factor before going on to ``next_url``."""
    return f"{reverse('accounts:mfa-verify')}?{urlencode({'next': next_url})}"
