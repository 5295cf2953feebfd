"""Forms of the licence-use pages. They collect what was typed; the actions (``use``,
``copies``) check it and say what is wrong, next to the field, through
``accounts.forms.attach_errors``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yiwang.accounts.models import (
    normalise_resident_id,
    normalise_uscc,
    validate_enterprise_uscc,
    validate_resident_id,
)
from yiwang.orgs.models import Department

from .copies import COPY_HOURS_MAX
from .models import HolderKind, LicenceType
from .use import PURPOSE_MAX

_PURPOSE_HELP = _("Say what the licence is used for, e.g. “opening a bank account”.")


def _purpose_field() -> forms.CharField:
    # Longer than allowed on purpose: the action's message says by how much.
    return forms.CharField(
        label=_("Purpose of use"),
        required=False,
        max_length=PURPOSE_MAX * 2,
        help_text=_PURPOSE_HELP,
    )


class GrantForm(forms.Form):
    licence_type = forms.ModelChoiceField(
        queryset=LicenceType.objects.none(), label=_("Licence type"), required=False
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), label=_("Department"), required=False
    )
    purpose = _purpose_field()
    expires_on = forms.DateField(
        label=_("Allowed until (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most one year from today. You can withdraw the grant earlier."),
    )

    def __init__(self, *args, licence_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence_type"].queryset = licence_types  # type: ignore[attr-defined]


class ShareForm(forms.Form):
    purpose = _purpose_field()
    hours = forms.IntegerField(
        label=_("Opens for (hours)"),
        required=False,
        initial=24,
        widget=forms.NumberInput(attrs={"min": 1, "max": COPY_HOURS_MAX, "inputmode": "numeric"}),
        help_text=_("From 1 to 720 hours (30 days)."),  # COPY_HOURS_MAX
    )


class UseForm(forms.Form):
    """A department's reading: whose licence, which type, what for, on which case."""

    holder_code = forms.CharField(
        label=_("Holder's resident ID number or unified social credit code"), max_length=32
    )
    licence_type = forms.ModelChoiceField(
        queryset=LicenceType.objects.order_by("name"), label=_("Licence type")
    )
    purpose = _purpose_field()
    case_number = forms.CharField(
        label=_("Case number (optional)"),
        required=False,
        max_length=24,
        help_text=_(
            "A case of the holder your department handles allows the use without their grant."
        ),
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        licence_type = data.get("licence_type")
        if data.get("holder_code") and licence_type is not None:
            person = licence_type.holder_kind == HolderKind.PERSON
            normalise = normalise_resident_id if person else normalise_uscc
            validate = validate_resident_id if person else validate_enterprise_uscc
            code = normalise(data["holder_code"])
            try:
                validate(code)  # says what is wrong: length, characters, check digit
            except ValidationError as error:
                self.add_error("holder_code", error)
            else:
                data["holder_code"] = code
        return data
