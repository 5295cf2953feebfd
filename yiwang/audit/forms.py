"""Filters for the auditor's log page."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        help_text=_(
            "Exact action code, e.g. cases.accept; ending with a dot matches a whole app, e.g. cases."
        ),
    )
    actor = forms.CharField(label=_("Actor username"), required=False, max_length=150)
    object_type = forms.CharField(
        label=_("Object type"), required=False, max_length=60, help_text=_("e.g. cases.case")
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the start date as YYYY-MM-DD, e.g. 2026-03-01.")},
    )
    date_to = forms.DateField(
        label=_("To date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the end date as YYYY-MM-DD, e.g. 2026-03-31.")},
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(
                _(
                    "The start date %(start)s is after the end date %(end)s: swap them or correct one."
                ),
                code="date_order",
                params={"start": start.isoformat(), "end": end.isoformat()},
            )
        return data

    def filter(self, qs):
        """Apply the cleaned filters to an AuditEntry queryset (bound forms: after is_valid())."""
        data = self.cleaned_data if self.is_bound else {}
        action = data.get("action", "").strip()
        if action.endswith("."):
            qs = qs.filter(action__startswith=action)
        elif action:
            qs = qs.filter(action=action)
        if actor := data.get("actor", "").strip():
            qs = qs.filter(actor__username=actor)
        if object_type := data.get("object_type", "").strip():
            qs = qs.filter(object_type=object_type.lower())
        if object_id := data.get("object_id", "").strip():
            qs = qs.filter(object_id=object_id)
        tz = timezone.get_current_timezone()
        if start := data.get("date_from"):
            qs = qs.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
        if end := data.get("date_to"):
            next_day = end + dt.timedelta(days=1)
            qs = qs.filter(created_at__lt=dt.datetime.combine(next_day, dt.time.min, tzinfo=tz))
        if before := data.get("before"):
            qs = qs.filter(seq__lt=before)
        return qs
