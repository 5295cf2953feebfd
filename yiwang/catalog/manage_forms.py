"""Forms of the catalogue back-office list: filters, bulk publish/withdraw and the import upload.

They only parse input; ``catalog.actions`` and ``catalog.import_jobs`` validate and write.
"""

from __future__ import annotations

import re

from django import forms
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.choices import use_grouped_departments
from yiwang.orgs.models import Department

from .actions import BULK_LIMIT
from .models import HANDLING_SUFFIX, ItemStatus, ItemType, NodeLevel, ServiceItem
from .permissions import manageable_departments

SORTS = {
    "code": ("item_type__code", "main_number", "sub_number", "id"),
    "name": ("name", "id"),
    "updated": ("-updated_at", "-id"),
}
SORT_CHOICES = [
    ("code", _("Code")),
    ("name", _("Name")),
    ("updated", _("Last changed")),
]
PUBLISH, WITHDRAW = "publish", "withdraw"
SELECTED, MATCHING = "selected", "matching"
_CODE_LIKE = re.compile(r"^[0-9A-Za-z]+$")


def implementation_code():
    """The implementation code (``ServiceItem.implementation_code``) as an SQL expression,
    so that the list can match part of it in the database (same on SQLite and PostgreSQL)."""
    suffix = Case(
        *[
            When(Q(node_level=NodeLevel.HANDLING, handling_kind=kind), then=Value(code))
            for kind, code in HANDLING_SUFFIX.items()
        ],
        default=Value("00"),
        output_field=CharField(),
    )
    return Concat(
        F("item_type__code"),
        F("main_number"),
        F("sub_number"),
        F("level_code"),
        Substr(F("region__code"), 1, 6),
        F("department__uscc"),
        suffix,
        output_field=CharField(),
    )


class ManageFilterForm(forms.Form):
    """The list's filters (GET). Every field is optional; invalid values are ignored."""

    q = forms.CharField(
        label=_("Name, code or alias"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    department = forms.ModelChoiceField(
        label=_("Implementing agency"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("All departments"),
    )
    item_type = forms.ModelChoiceField(
        label=_("Item type"),
        required=False,
        queryset=ItemType.objects.order_by("code"),
        empty_label=_("All types"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ItemStatus.choices]
    )
    changed = forms.BooleanField(label=_("Changed since publication"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)  # declared above
        department.queryset = manageable_departments(user)
        use_grouped_departments(department, empty_label=gettext("All departments"))

    @property
    def data_or_empty(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}

    def filter(self, qs: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
        """``qs`` narrowed by the filters and sorted."""
        data = self.data_or_empty
        if data.get("department") is not None:
            qs = qs.filter(department=data["department"])
        if data.get("item_type") is not None:
            qs = qs.filter(item_type=data["item_type"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("changed"):
            qs = qs.filter(status=ItemStatus.PUBLISHED, changed_since_publish=True)
        text = (data.get("q") or "").strip()
        if text:
            match = Q(name__icontains=text) | Q(aliases__icontains=text)
            if _CODE_LIKE.match(text):  # part of a code: compared upper-case, as codes are
                qs = qs.annotate(code=implementation_code())
                match |= Q(code__contains=text.upper())
            qs = qs.filter(match)
        return qs.order_by(*SORTS[data.get("sort") or "code"])


class IdsField(forms.Field):
    """Item ids ticked in the list (``<input type=checkbox name=ids>``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids = []
        for raw in values:
            if not str(raw).isdigit():
                raise forms.ValidationError(gettext("The selection is not valid; reload the page."))
            ids.append(int(raw))
        if len(ids) > BULK_LIMIT:
            raise forms.ValidationError(
                gettext("At most %(n)d items can be changed at once.") % {"n": BULK_LIMIT}
            )
        return list(dict.fromkeys(ids))


class BulkForm(forms.Form):
    """Publish or withdraw the ticked items, or every item matching the list's filters."""

    operation = forms.ChoiceField(
        choices=[(PUBLISH, _("Publish")), (WITHDRAW, _("Withdraw"))],
        error_messages={"required": _("Choose publish or withdraw.")},
    )
    scope = forms.ChoiceField(
        choices=[(SELECTED, _("The ticked items")), (MATCHING, _("All items matching the filter"))],
        initial=SELECTED,
        widget=forms.RadioSelect,
    )
    ids = IdsField(required=False)
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    filters = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean() or {}
        if data.get("scope") == SELECTED and not data.get("ids") and not self.errors:
            raise forms.ValidationError(gettext("Tick at least one item, or choose all matching."))
        return data


class UploadForm(forms.Form):
    """The import page's upload: the workbook and whether only to check it."""

    file = forms.FileField(label=_("Excel workbook (.xlsx)"), required=False)
    dry_run = forms.BooleanField(label=_("Only check the workbook, do not import"), required=False)


__all__ = [
    "MATCHING",
    "PUBLISH",
    "SELECTED",
    "SORTS",
    "WITHDRAW",
    "BulkForm",
    "IdsField",
    "ManageFilterForm",
    "UploadForm",
    "implementation_code",
]
