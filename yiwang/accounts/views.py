"""Login (password and SMS code), logout, registration, the profile page, act-as, reveal."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.orgs.models import Post

from . import actions, login_flow, mfa, throttle
from .captchas import FIELD_NAME, render_widget
from .forms import (
    ActAsForm,
    CaptchaForm,
    ChangePasswordForm,
    LoginForm,
    RegisterForm,
    SmsCodeForm,
    attach_errors,
)
from .models import Kind, User
from .preferences import remember_elder_mode
from .queries import ACTING_ENTERPRISE_SESSION_KEY, agent_memberships, current_enterprise
from .typing import AuthenticatedRequest, HtmxRequest

SMS_PHONE_SESSION_KEY = "sms_login_phone"
SMS_CAPTCHA_PREFIX = "sms"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _reverse_or_root(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return "/"


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def redirect_after_login(request: HttpRequest, user: User) -> str:
    """A safe ``next`` wins; otherwise staff go to the workbench and everyone else to their cases."""
    target = _safe_next(request)
    if target:
        return target
    if user.kind == Kind.STAFF or user.is_superuser:
        return _reverse_or_root("cases:workbench")
    return _reverse_or_root("cases:mine")


def _login_context(
    request, *, password_form=None, sms_form=None, sms_status=None, sms_captcha=None
):
    phone = request.session.get(SMS_PHONE_SESSION_KEY, "")
    return {
        "form": password_form or LoginForm(request),
        "sms_form": sms_form or SmsCodeForm(initial={"phone": phone}),
        "sms_captcha": sms_captcha or CaptchaForm(prefix=SMS_CAPTCHA_PREFIX),
        "sms_status": sms_status,
        "next": _safe_next(request) or "",
        "lock_minutes": settings.YIWANG_LOGIN_LOCK_MINUTES,
        "max_failures": settings.YIWANG_LOGIN_MAX_FAILURES,
    }


def _finish_login(request: HttpRequest, user: User, method: str) -> HttpResponse:
    """The first factor is verified: log in, or go on to the second step (``login_flow``)."""
    request.session.pop(SMS_PHONE_SESSION_KEY, None)
    target = redirect_after_login(request, user)
    second_step = login_flow.begin(request, user, method=method, next_url=target)
    if second_step is not None:
        return second_step
    login_flow.complete(request, user, method=method)
    return login_flow.landing(user, target)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            return _finish_login(request, form.get_user(), "password")
        return render(
            request, "accounts/login.html", _login_context(request, password_form=form), status=400
        )
    if request.user.is_authenticated:
        return redirect(redirect_after_login(request, request.user))
    return render(request, "accounts/login.html", _login_context(request))


@csrf_protect
@never_cache
@require_POST
def sms_send(request: HtmxRequest) -> HttpResponse:
    """Ask for a login code. htmx gets a status fragment; without JS the login page is redrawn.

    The CAPTCHA comes first: without the right answer nothing is sent or counted. The
    per-address, per-number and daily caps are applied by ``actions.send_login_code``.
    """
    form = SmsCodeForm(request.POST)
    captcha = CaptchaForm(request.POST, prefix=SMS_CAPTCHA_PREFIX)
    status: str | None = None  # set only once a code went out (or would have)
    if all([form.is_valid(), captcha.is_valid()]):  # both, so every error shows at once
        try:
            actions.send_login_code(phone=form.cleaned_data["phone"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            request.session[SMS_PHONE_SESSION_KEY] = form.cleaned_data["phone"]
            status = _(
                "If this number belongs to an account, a 6-digit code is on its way. "
                "Enter it below within 5 minutes."
            )
    ok = status is not None
    if request.htmx:
        return render(
            request,
            "accounts/_sms_status.html",
            # The picture was used up: the fragment brings a new one (out of band).
            {"sms_status": status, "sms_form": form, "ok": ok, "sms_captcha": captcha},
            status=200 if ok else 400,
        )
    if status is not None:
        messages.info(request, status)
        login_url = reverse("accounts:login")
        nxt = _safe_next(request)
        query = f"?{urlencode({'next': nxt})}" if nxt else ""
        return redirect(f"{login_url}{query}#sms")
    return render(
        request,
        "accounts/login.html",
        _login_context(request, sms_form=form, sms_captcha=captcha),
        status=400,
    )


@csrf_protect
@never_cache
@require_POST
def sms_login(request: HttpRequest) -> HttpResponse:
    """Log in with a texted code; failures count like wrong passwords, keyed by the phone."""
    form = SmsCodeForm(request.POST)
    if form.is_valid():
        attempt = throttle.LoginAttempt(
            throttle.client_ip(request), throttle.account_key(form.cleaned_data["phone"])
        )
        refusal = throttle.login_refusal(attempt)
        if refusal is not None:
            form.add_error(None, refusal)
        else:
            try:
                user = actions.verify_login_code(
                    phone=form.cleaned_data["phone"], code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                throttle.login_failed(attempt)
                attach_errors(form, exc)
            else:
                throttle.login_succeeded(attempt)
                return _finish_login(request, user, "sms")
    return render(
        request, "accounts/login.html", _login_context(request, sms_form=form), status=400
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.register_logout(request.user)
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2", "id_number")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        # The CAPTCHA and the formats first (nothing counted), then the daily caps.
        ip = throttle.client_ip(request)
        refusal = throttle.registration_refusal(ip) if form.is_valid() else None
        if refusal is not None:
            form.add_error(None, refusal)
        elif form.is_valid():
            user = form.save()
            if user is not None or form.duplicate:
                throttle.registration_tried(ip, created=user is not None)
            if user is not None:
                auth_login(request, user, backend=MODEL_BACKEND)
                actions.register_successful_login(user, method="registration")
                messages.success(
                    request,
                    _("Welcome, %(name)s. Your account is ready.") % {"name": user.display_name},
                )
                return redirect(_safe_next(request) or reverse("accounts:profile"))
        return render(
            request,
            "accounts/register.html",
            {"form": form, "next": _safe_next(request) or ""},
            status=400,
        )
    return render(
        request, "accounts/register.html", {"form": form, "next": _safe_next(request) or ""}
    )


@never_cache
@require_http_methods(["GET"])
def captcha_refresh(request: HttpRequest) -> HttpResponse:
    """A new CAPTCHA picture and key for the field ``?name=`` (htmx swaps the widget in)."""
    name = request.GET.get("name", "captcha")
    if not FIELD_NAME.fullmatch(name):
        return HttpResponse(
            _("Unknown CAPTCHA field."), status=400, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(render_widget(name))


def _profile_context(
    request: AuthenticatedRequest, *, password_form: ChangePasswordForm | None = None
) -> dict[str, object]:
    user = request.user
    return {
        "memberships": agent_memberships(user, valid_only=False),
        "acting": current_enterprise(request),
        # Shown with their hall and window (scope's own posts load neither).
        "posts": Post.objects.filter(user_id=user.pk, active=True)
        .select_related("department", "region", "hall", "window__hall")
        .order_by("id"),
        "password_form": password_form or ChangePasswordForm(user=user),
        "mfa": mfa.status(user),
    }


@never_cache
@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _profile_context(request))


@sensitive_post_parameters("old", "new1", "new2")
@never_cache
@login_required
@require_POST
def change_password(request: AuthenticatedRequest) -> HttpResponse:
    form = ChangePasswordForm(request.POST, user=request.user)
    if form.is_valid() and form.save():
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/profile.html", _profile_context(request, password_form=form), status=400
    )


@login_required
@require_POST
def elder_mode(request: AuthenticatedRequest) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    actions.set_elder_mode(actor=request.user, enabled=enabled)
    messages.success(
        request, _("Elder-friendly mode is on.") if enabled else _("Elder-friendly mode is off.")
    )
    return remember_elder_mode(
        redirect(_safe_next(request) or reverse("accounts:profile")), enabled
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def act_as(request: AuthenticatedRequest) -> HttpResponse:
    form = ActAsForm(
        request.POST or None,
        user=request.user,
        initial={"enterprise": request.session.get(ACTING_ENTERPRISE_SESSION_KEY)},
    )
    if request.method == "POST" and form.is_valid():
        enterprise = form.chosen()
        try:
            actions.start_acting_for(actor=request.user, enterprise=enterprise)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(
                "enterprise", exc.messages if isinstance(exc, ValidationError) else str(exc)
            )
        else:
            if enterprise is None:
                request.session.pop(ACTING_ENTERPRISE_SESSION_KEY, None)
                messages.success(request, _("You are now acting for yourself."))
            else:
                request.session[ACTING_ENTERPRISE_SESSION_KEY] = enterprise.pk
                messages.success(
                    request,
                    _("You are now acting for %(enterprise)s.") % {"enterprise": enterprise.name},
                )
            return redirect(_safe_next(request) or reverse("accounts:profile"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/act_as.html",
        {"form": form, "acting": current_enterprise(request), "next": _safe_next(request) or ""},
        status=status,
    )


@never_cache
@login_required
@require_POST
def reveal(request: AuthenticatedRequest, field: str) -> HttpResponse:
    """Show the signed-in person their own full ID number or phone (audited). htmx gets the
    value in place. Staff reveal other people's data only through a case or a ticket."""
    subject = request.user
    try:
        value = actions.reveal_personal_data(actor=request.user, subject=subject, field=field)
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    context = {
        "subject": subject,
        "field": field,
        "value": value,
        "back": _safe_next(request) or "",
    }
    if request.htmx:
        return render(request, "accounts/_revealed.html", context)
    return render(request, "accounts/reveal.html", context)
