"""Forms for logging in, registering and managing one's own account.

Forms only collect input; the rules live in ``actions``. Errors raised by an action
(keyed by field) are attached to the matching form field with ``attach_errors``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import actions, throttle
from .captchas import CaptchaField
from .models import (
    User,
    normalise_phone,
    normalise_resident_id,
    validate_mobile,
    validate_resident_id,
)
from .queries import agent_memberships, is_locked, user_by_phone


def attach_errors(
    form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put an action's ``ValidationError`` on the form, mapping action field names to form fields."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = field_map.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class CaptchaForm(forms.Form):
    """A CAPTCHA on its own, for a page whose other form must not depend on it (use a prefix)."""

    captcha = CaptchaField()


class LoginForm(AuthenticationForm):
    """Password login with the per-account lockout and the login throttles (``throttle``).

    The user name field also accepts the registered mobile number. A CAPTCHA field joins
    the form once the address or the account has had a few failures; a wrong or missing
    answer stops the attempt before the password is checked or anything is counted.
    Unknown names get the same answers, lockout included, as real accounts.
    """

    username = forms.CharField(
        label=_("User name or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.ip = throttle.client_ip(request) if request is not None else None
        account = None
        if self.is_bound:
            identifier = str(self.data.get("username") or "")[:150].strip()
            if identifier and "\x00" not in identifier:  # the field refuses NUL; so must we
                account = throttle.account_key(identifier, self._identify(identifier))
        if throttle.login_needs_captcha(self.ip, account):
            self.add_captcha()

    def add_captcha(self) -> None:
        if "captcha" not in self.fields:
            self.fields["captcha"] = CaptchaField()

    def _identify(self, identifier: str) -> User | None:
        user = User.objects.filter(username=identifier).first()
        if user is None:
            phone = normalise_phone(identifier)
            if len(phone) == 11 and phone.isdigit():
                user = user_by_phone(phone)
        return user

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            _(
                "Wrong user name or password (the password is case-sensitive). After %(max)d wrong "
                "passwords in a row the account is locked for %(minutes)d minutes; if you have "
                "forgotten it, log in with an SMS code instead."
            ),
            code="invalid_login",
            params={
                "max": settings.YIWANG_LOGIN_MAX_FAILURES,
                "minutes": settings.YIWANG_LOGIN_LOCK_MINUTES,
            },
        )

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not identifier or not password or self.has_error("captcha"):
            return self.cleaned_data
        identifier = identifier.strip()
        user = self._identify(identifier)
        known = user is not None and user.is_active
        attempt = throttle.LoginAttempt(self.ip, throttle.account_key(identifier, user))
        refusal = throttle.login_refusal(attempt)
        if refusal is not None:
            raise refusal
        if user is not None and is_locked(user):
            raise ValidationError(actions.lock_message(user), code="locked")
        if not known:
            until = throttle.unknown_account_locked_until(attempt.account)
            if until is not None:
                raise ValidationError(actions.lock_message_until(until), code="locked")
        # An unknown name still runs the hasher, so timing does not tell who is registered.
        self.user_cache = authenticate(
            self.request, username=user.username if user else identifier, password=password
        )
        if self.user_cache is None:
            self._failed(attempt, user if known else None)
        self.confirm_login_allowed(self.user_cache)
        throttle.login_succeeded(attempt)
        return self.cleaned_data

    def _failed(self, attempt: throttle.LoginAttempt, user: User | None) -> NoReturn:
        """Count a wrong password everywhere it counts, then raise the answer."""
        throttle.login_failed(attempt)
        if throttle.login_needs_captcha(attempt.ip, attempt.account):
            self.add_captcha()  # the redrawn form asks for one
        if user is not None:
            user = actions.register_failed_login(user)
            if is_locked(user):
                raise ValidationError(actions.lock_message(user), code="locked")
        else:
            until = throttle.unknown_account_failed(attempt.account)
            if until is not None:
                raise ValidationError(actions.lock_message_until(until), code="locked")
        raise self.get_invalid_login_error()


class SmsCodeForm(forms.Form):
    """One form, two buttons: "send code" (phone only) and "log in" (phone and code)."""

    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("6 digits, valid for 5 minutes."),
    )


class RegisterForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_(
            "Letters, digits and @ . + - _ ; you log in with it or with your mobile number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    real_name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        help_text=_("18 characters as printed on your ID card; the last one may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    captcha = CaptchaField()

    # Set by ``save`` when the ID number or phone is already registered.
    duplicate = False

    # Format checks here too, so every mistake shows at once; the action re-checks and adds
    # the uniqueness rules.
    def clean_id_number(self) -> str:
        number = normalise_resident_id(self.cleaned_data["id_number"])
        validate_resident_id(number)
        return number

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        validate_mobile(phone)
        return phone

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error(
                "password2",
                ValidationError(
                    _("The two passwords differ. Type the same password twice."),
                    code="password_mismatch",
                ),
            )
        return data

    def save(self) -> User | None:
        """Register through ``actions.create_citizen``; on failure the errors land on the fields.

        Whether an ID number or a phone is already registered is not told apart: both get
        one neutral answer, and only once everything else is right, so the form cannot be
        used to find out who has an account (the unique indexes still refuse the duplicate).
        """
        try:
            return actions.create_citizen(
                actor=None,
                username=self.cleaned_data["username"],
                password=self.cleaned_data["password1"],
                real_name=self.cleaned_data["real_name"],
                id_number=self.cleaned_data["id_number"],
                phone=self.cleaned_data["phone"],
            )
        except ValidationError as exc:
            others = _without_duplicates(exc)
            if others is not None:
                attach_errors(self, others, {"password": "password1"})
            else:
                self.duplicate = True
                self.add_error(None, ValidationError(NOT_REGISTRABLE, code="not_registrable"))
            return None


DUPLICATE_CODES = {"duplicate_id_number", "duplicate_phone", "duplicate"}
NOT_REGISTRABLE = _(
    "An account cannot be created with these details. If you have registered before, log in "
    "(with your password or an SMS code to your phone), or ask a service hall for help."
)


def _without_duplicates(exc: ValidationError) -> ValidationError | None:
    """``exc`` minus "ID number / phone already registered"; ``None`` when nothing else is left."""
    if not hasattr(exc, "error_dict"):
        return exc
    kept: dict[str, list[ValidationError]] = {}
    for field, errors in exc.error_dict.items():
        rest = [
            e for e in errors if not (field in ("id_number", "phone") and e.code in DUPLICATE_CODES)
        ]
        if rest:
            kept[field] = rest
    return ValidationError(kept) if kept else None


class ChangePasswordForm(forms.Form):
    old = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    new2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("new1") and data.get("new2") and data["new1"] != data["new2"]:
            self.add_error(
                "new2",
                ValidationError(
                    _("The two new passwords differ. Type the same password twice."),
                    code="password_mismatch",
                ),
            )
        return data

    def save(self) -> bool:
        try:
            actions.change_password(
                actor=self.user, old=self.cleaned_data["old"], new=self.cleaned_data["new1"]
            )
        except ValidationError as exc:
            attach_errors(self, exc, {"new": "new1"})
            return False
        return True


class ActAsForm(forms.Form):
    enterprise = forms.TypedChoiceField(
        label=_("Act for"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = agent_memberships(user)
        field = self.fields["enterprise"]
        assert isinstance(field, forms.ChoiceField)  # declared above; ``fields`` is typed loosely
        field.choices = [("", _("Myself (personal matters)"))] + [
            (m.enterprise_id, f"{m.enterprise.name}（{m.enterprise.uscc}）")
            for m in self.memberships
        ]

    def chosen(self):
        enterprise_id = self.cleaned_data.get("enterprise")
        for membership in self.memberships:
            if membership.enterprise_id == enterprise_id:
                return membership.enterprise
        return None
