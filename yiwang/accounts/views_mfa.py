"""Pages of the second factor: the second login step, set-up, removal, reset; expired passwords.

The second step and the set-up page serve two kinds of visitor: someone in the middle
of a login (``login_flow.pending``: the password is verified, nobody is logged in yet)
and a logged-in staff member (set-up from the profile page, or proving the factor
before the admin: a *step-up*).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from yiwang.orgs import scope
from yiwang.orgs.models import Role

from . import login_flow, mfa, mfa_sms, passwords
from .forms import ChangePasswordForm, attach_errors
from .forms_mfa import CodeForm, EnrolForm, ResetForm, SmsCodeForm
from .models import Kind, User
from .preferences import remember_elder_mode
from .typing import AuthenticatedRequest
from .views import _profile_context


def _visitor(request: HttpRequest) -> tuple[User | None, dict | None]:
    """(user, pending login data): a login waiting for its second step, else the logged-in user."""
    found = login_flow.pending(request)
    if found is not None:
        return found
    if request.user.is_authenticated:
        return request.user, None
    return None, None


def _next(request: HttpRequest, pending: dict | None) -> str:
    if pending is not None:
        return pending["next"]
    asked = request.POST.get("next") or request.GET.get("next")
    return login_flow.safe_next(request, asked) or reverse("accounts:profile")


def _expired_login(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("The login took too long and was cancelled. Please log in again."))
    return redirect("accounts:login")


def _is_locked_error(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("code", [])
    return any(error.code == "locked" for error in errors)


def _finish(request: HttpRequest, user: User, pending: dict | None, factor: str, target: str):
    if pending is not None:
        login_flow.complete(request, user, method=pending["method"], second_factor=factor)
        return login_flow.landing(user, target)
    login_flow.mark_passed(request, factor)
    return redirect(target)


def _check_code(request, user, pending, form, sms_form) -> str | None:
    """Run the action the second-step form asked for; the factor passed, or None."""
    action = request.POST.get("action", "code")
    stage = "login" if pending is not None else "step_up"
    try:
        if action == "send_sms":
            mfa_sms.send_sms_code(user=user)
            messages.info(request, _("A 6-digit code is on its way to your phone."))
        elif action == "sms":
            if sms_form.is_valid():
                return mfa_sms.verify_sms_code(user=user, code=sms_form.cleaned_data["sms_code"])
        elif form.is_valid():
            return mfa.verify(user=user, code=form.cleaned_data["code"], stage=stage)
    except ValidationError as exc:
        if action in {"send_sms", "sms"}:
            attach_errors(sms_form, exc, {"code": "sms_code"})
        else:
            attach_errors(form, exc)
        if _is_locked_error(exc):
            login_flow.cancel(request)
    return None


@sensitive_post_parameters("code", "sms_code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: the authenticator code, a recovery code or (if enabled) an SMS code."""
    user, pending = _visitor(request)
    if user is None:
        return _expired_login(request)
    target = _next(request, pending)
    if not mfa.is_enrolled(user):
        return redirect(f"{reverse('accounts:mfa-enrol')}?{urlencode({'next': target})}")
    action = request.POST.get("action", "code") if request.method == "POST" else None
    form = CodeForm(request.POST if action == "code" else None)
    sms_form = SmsCodeForm(request.POST if action in {"sms", "send_sms"} else None)
    status = 200
    if request.method == "POST":
        factor = _check_code(request, user, pending, form, sms_form)
        if factor is not None:
            return _finish(request, user, pending, factor, target)
        status = 400 if (form.errors or sms_form.errors) else 200
    context = {
        "form": form,
        "sms_form": sms_form,
        "pending": pending is not None,
        "next": "" if pending is not None else target,
        "status": mfa.status(user),
    }
    return render(request, "accounts/mfa_verify.html", context, status=status)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: QR code and secret, confirmed by a current code."""
    user, pending = _visitor(request)
    if user is None:
        return _expired_login(request)
    target = _next(request, pending)
    if mfa.is_enrolled(user):
        if pending is not None:
            return redirect("accounts:mfa-verify")
        if not login_flow.second_factor_passed(request):
            return redirect(login_flow.step_up_url(reverse("accounts:mfa-enrol")))
    device = mfa.start_enrolment(actor=user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = mfa.confirm_enrolment(actor=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                attach_errors(form, exc)
                if _is_locked_error(exc):
                    login_flow.cancel(request)
            else:
                response = _finish(request, user, pending, mfa.TOTP, target)
                return _show_recovery_codes(request, codes, response["Location"], user)
    context = {
        "form": form,
        "qr": mfa.qr_data_uri(mfa.provisioning_uri(user, device.secret)),
        "secret": mfa.grouped_secret(device.secret),
        "pending": pending is not None,
        "required": mfa.required_for(user),
        "next": "" if pending is not None else target,
    }
    return render(request, "accounts/mfa_enrol.html", context, status=status)


def _show_recovery_codes(request, codes: list[str], target: str, user: User) -> HttpResponse:
    """The one and only time the recovery codes are shown."""
    response = render(
        request, "accounts/mfa_recovery_codes.html", {"codes": codes, "continue_url": target}
    )
    return remember_elder_mode(response, user.elder_mode)


def _profile_with_error(request: AuthenticatedRequest, form: CodeForm) -> HttpResponse:
    context = _profile_context(request)
    context["mfa_form"] = form
    return render(request, "accounts/profile.html", context, status=400)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_POST
def disable(request: AuthenticatedRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            mfa.disable(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            request.session.pop(login_flow.PASSED_KEY, None)
            messages.success(request, _("The authenticator app is no longer asked for at login."))
            return redirect("accounts:profile")
    return _profile_with_error(request, form)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_POST
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            codes = mfa.renew_recovery_codes(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return _show_recovery_codes(
                request, codes, reverse("accounts:profile") + "#mfa", request.user
            )
    return _profile_with_error(request, form)


def _may_open_reset(user) -> bool:
    return user.is_superuser or scope.has_role(user, Role.AUTHORITY)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reset(request: AuthenticatedRequest) -> HttpResponse:
    """Administrators remove a staff member's authenticator (lost phone), with a reason."""
    if not _may_open_reset(request.user):
        raise PermissionDenied(
            _("Only a superuser or the data authority administrator can reset a second factor.")
        )
    if not login_flow.second_factor_passed(request):
        return redirect(login_flow.step_up_url(reverse("accounts:mfa-reset")))
    form = ResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            target = User.objects.filter(
                username=form.cleaned_data["username"].strip(), kind=Kind.STAFF
            ).first()
            if target is None:
                form.add_error(
                    "username",
                    ValidationError(
                        _("There is no staff account with this user name."), code="not_found"
                    ),
                )
            else:
                try:
                    mfa.reset(actor=request.user, user=target, reason=form.cleaned_data["reason"])
                except ValidationError as exc:
                    attach_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error("username", ValidationError(str(exc), code="forbidden"))
                    status = 403
                else:
                    messages.success(
                        request,
                        _(
                            "The second factor of %(name)s has been reset. They set up a new "
                            "authenticator at their next login."
                        )
                        % {"name": target.display_name},
                    )
                    return redirect("accounts:mfa-reset")
    return render(request, "accounts/mfa_reset.html", {"form": form}, status=status)


@sensitive_post_parameters("old", "new1", "new2")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_expired(request: AuthenticatedRequest) -> HttpResponse:
    """The forced change of an expired staff password (``middleware.PasswordExpiryMiddleware``)."""
    target = login_flow.safe_next(
        request, request.POST.get("next") or request.GET.get("next")
    ) or reverse("accounts:profile")
    limit = passwords.max_age()
    # No maximum age means nothing expires (``is_expired`` says so too).
    if limit is None or not passwords.is_expired(request.user):
        return redirect(target)
    form = ChangePasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and form.save():
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect(target)
    return render(
        request,
        "accounts/password_expired.html",
        {"form": form, "next": target, "max_age": limit.days},
        status=400 if request.method == "POST" else 200,
    )
