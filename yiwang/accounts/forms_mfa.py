"""Forms of the second-factor pages: one code field, and the administrator's reset form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_(
            "6 digits, a new one every 30 seconds. Lost your phone? Enter a recovery code."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )


class EnrolForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("Code shown by the app for this account")
        self.fields["code"].help_text = _("6 digits; it proves the app is set up correctly.")


class SmsCodeForm(forms.Form):
    sms_code = forms.CharField(
        label=_("Code from the text message"),
        max_length=10,
        required=False,  # empty when only asking for a code; the action checks the format
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ResetForm(forms.Form):
    username = forms.CharField(
        label=_("User name of the staff member"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Recorded in the audit log, e.g. phone lost, identity confirmed by telephone."),
    )
