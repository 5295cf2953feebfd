"""Filters of the auditors' pages."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class DisclosureFilterForm(forms.Form):
    staff = forms.CharField(
        label=_("Staff member"),
        required=False,
        max_length=150,
        help_text=_("Name (part of it) or exact user name."),
    )
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    subject = forms.CharField(required=False, max_length=70, widget=forms.HiddenInput)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    refused = forms.BooleanField(label=_("Refused reveals only"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(
                _("The start date %(start)s is after the end date %(end)s."),
                code="date_order",
                params={"start": start, "end": end},
            )
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "actor_id": data.get("actor"),
            "staff": (data.get("staff") or "").strip(),
            "subject_key": (data.get("subject") or "").strip(),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "refused_only": bool(data.get("refused")),
        }


class StaffFilterForm(forms.Form):
    staff = forms.CharField(
        label=_("Staff member"),
        required=False,
        max_length=150,
        help_text=_("Name (part of it) or exact user name."),
    )
