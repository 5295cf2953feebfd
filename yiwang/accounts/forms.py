"""Forms for logging in, registering and managing one's own account.

Forms only collect input; the rules live in ``actions``. Errors raised by an action
(keyed by field) are attached to the matching form field with ``attach_errors``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import actions, throttle
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


class LoginForm(AuthenticationForm):
    """Password login with per-account lockout and a per-address failure limit.

    The user name field also accepts the registered mobile number.
    """

    username = forms.CharField(
        label=_("User name or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

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
        if not identifier or not password:
            return self.cleaned_data
        ip = throttle.client_ip(self.request) if self.request else None
        if throttle.LOGIN_FAILURES.blocked(ip):
            raise ValidationError(
                _(
                    "Too many failed logins from your network. Wait %(minutes)d minutes and try again."
                ),
                code="ip_throttled",
                params={"minutes": throttle.LOGIN_FAILURES.minutes},
            )
        user = self._identify(identifier.strip())
        if user is not None and is_locked(user):
            raise ValidationError(actions.lock_message(user), code="locked")
        # An unknown name still runs the hasher, so timing does not tell who is registered.
        self.user_cache = authenticate(
            self.request, username=user.username if user else identifier, password=password
        )
        if self.user_cache is None:
            throttle.LOGIN_FAILURES.hit(ip)
            if user is not None and user.is_active:
                user = actions.register_failed_login(user)
                if is_locked(user):
                    raise ValidationError(actions.lock_message(user), code="locked")
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


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

    def clean(self):
        data = super().clean()
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
        """Register through ``actions.create_citizen``; on failure the errors land on the fields."""
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
            attach_errors(self, exc, {"password": "password1"})
            return None


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

    def clean(self):
        data = super().clean()
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
        self.fields["enterprise"].choices = [("", _("Myself (personal matters)"))] + [
            (m.enterprise_id, f"{m.enterprise.name}（{m.enterprise.uscc}）")
            for m in self.memberships
        ]

    def chosen(self):
        enterprise_id = self.cleaned_data.get("enterprise")
        for membership in self.memberships:
            if membership.enterprise_id == enterprise_id:
                return membership.enterprise
        return None
