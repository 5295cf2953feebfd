"""Forms of the department's licence pages. They collect what was typed; the actions decide
(their ``ValidationError`` lands on the matching field through ``accounts.forms.attach_errors``).

A licence type's own fields (扩展业务信息) become form fields ``ext_0``, ``ext_1`` … in the
type's order: their keys are Chinese words, not names a form field can carry safely.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .holders import clean_holder_code
from .models import HolderKind, Licence, LicenceType, Status

REASON_MAX = 500  # LicenceEvent.reason
FIELD_MAX = 500
SEARCH_MAX = 100


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        **kwargs,
    )


class FilterForm(forms.Form):
    """The list's filters (GET); a value that is not a choice is ignored, not an error."""

    type = forms.TypedChoiceField(label=_("Licence type"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX,
        help_text=_("Licence number, identifier, holder name, ID number or USCC"),
    )

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["type"].choices = every + [(t.pk, t.name) for t in types]  # type: ignore[attr-defined]
        self.fields["status"].choices = every + list(Status.choices)  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The valid filters (a form bound to the query string)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})


class _ExtensionFields(forms.Form):
    """Adds one text field per field of ``licence_type``, filled with ``values``."""

    def add_extension(self, licence_type: LicenceType, values: dict[str, Any] | None) -> None:
        values = values or {}
        self.extension_keys: list[tuple[str, str]] = []
        for index, spec in enumerate(licence_type.fields):
            name = f"ext_{index}"
            self.fields[name] = forms.CharField(
                label=spec.get("label") or spec["key"],
                required=False,
                max_length=FIELD_MAX,
                initial=values.get(spec["key"], ""),
            )
            self.extension_keys.append((name, spec["key"]))

    def extension_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _key in self.extension_keys]

    def extension(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(name, "") for name, key in self.extension_keys}


class StatusForm(forms.Form):
    """Suspend, restore, revoke or cancel: the reason (the holder sees it) and a tick box."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The holder sees it, and it is signed with the event."),
        error_messages={"required": _("Give the reason; the holder sees it.")},
    )
    confirm = forms.BooleanField(
        label=_("I have checked the licence and the reason; the change is signed with the seal."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        if not reason_required:
            self.fields["reason"].label = _("Reason (optional)")


class RenewForm(_ExtensionFields):
    """A new version of a licence: its first day of validity and the type's fields."""

    valid_from = _date_field(_("Valid from"))
    confirm = forms.BooleanField(
        label=_("I understand: the new version replaces this licence, which stops being valid."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, licence: Licence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()
        self.add_extension(licence.licence_type, (licence.metadata or {}).get("extension"))
        self.order_fields(["valid_from", *[n for n, _k in self.extension_keys], "confirm"])


class ChooseTypeForm(forms.Form):
    """The first step of issuing by hand: which licence type (GET)."""

    type = forms.ModelChoiceField(
        label=_("Licence type"), queryset=LicenceType.objects.none(), empty_label=None
    )

    def __init__(self, *args, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = types  # type: ignore[attr-defined]


class IssueForm(_ExtensionFields):
    """Issuing a licence of one type by hand: the holder, the first day, the type's fields."""

    holder_code = forms.CharField(max_length=40)
    holder_name = forms.CharField(
        label=_("Holder name"),
        required=False,
        max_length=200,
        help_text=_(
            "As printed on the licence. Leave empty to use the name of the holder's account "
            "or enterprise record, when there is one."
        ),
    )
    valid_from = _date_field(_("Valid from"))

    def __init__(self, *args, licence_type: LicenceType, **kwargs):
        super().__init__(*args, **kwargs)
        self.licence_type = licence_type
        code = self.fields["holder_code"]
        if licence_type.holder_kind == HolderKind.PERSON:
            code.label = _("Resident ID number")
            code.help_text = _("18 characters as printed on the ID card; the last one may be X.")
        else:
            code.label = _("Unified social credit code")
            code.help_text = _("18 characters as printed on the business licence.")
        self.fields["valid_from"].initial = timezone.localdate()
        self.add_extension(licence_type, None)

    def clean_holder_code(self) -> str:
        try:
            return clean_holder_code(
                self.licence_type.holder_kind, self.cleaned_data["holder_code"]
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
