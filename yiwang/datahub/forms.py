"""Forms of the catalogue pages. They only parse and render: the actions are the one
validator, and their keyed errors are attached back to these fields (``attach_errors``)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .choices import (
    DataType,
    Grade,
    Mask,
    OpenType,
    ResourceFormat,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from .models import Classification

MAX_ITEM_ROWS = 300
_ITEM_KEY = re.compile(r"^items-(\d+)-(\w+)$")


def _blank(choices, label=""):
    return [("", label or "—"), *choices]


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Resource name"), max_length=200, required=False)
    classification = forms.ChoiceField(label=_("Classification"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=_blank(ResourceFormat.choices), required=False
    )
    sharing_type = forms.ChoiceField(
        label=_("Sharing type"), choices=_blank(SharingType.choices), required=False
    )
    sharing_conditions = forms.CharField(
        label=_("Sharing conditions"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for conditional sharing and for not sharing."),
    )
    sharing_method = forms.ChoiceField(
        label=_("Sharing method"), choices=_blank(SharingMethod.choices), required=False
    )
    legal_basis = forms.CharField(
        label=_("Legal basis of sharing"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_(
            "The law or regulation and its article; required unless shared unconditionally."
        ),
    )
    open_type = forms.ChoiceField(
        label=_("Open type"), choices=_blank(OpenType.choices), required=False
    )
    update_cycle = forms.ChoiceField(
        label=_("Update cycle"), choices=_blank(UpdateCycle.choices), required=False
    )
    release_date = forms.CharField(
        label=_("Release date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty: the day it is published."),
    )
    key_item = forms.CharField(
        label=_("Key item (column)"),
        required=False,
        max_length=63,
        help_text=_("The column of the item that identifies a row, e.g. id_number."),
    )
    related = forms.CharField(
        label=_("Related resources"),
        required=False,
        max_length=500,
        help_text=_("Codes of related resources, separated by spaces."),
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        classes = Classification.objects.filter(level__gte=2).select_related("parent")
        groups: dict[str, list[tuple[str, str]]] = {}
        for node in classes:
            top = node.parent.name if node.parent else ""
            groups.setdefault(top, []).append((node.code, f"{node.code} {node.name}"))
        self.fields["classification"].choices = [("", "—"), *groups.items()]
        self.fields["provider"].choices = [
            ("", "—"),
            *((str(d.pk), d.name) for d in departments),
        ]

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        related = data.pop("related", "")
        key_item = data.pop("key_item", "")
        return {
            **data,
            "related": [c for c in re.split(r"[\s,，、]+", related) if c],
            "key_item": key_item.strip(),
        }


class ItemForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Data item name"), max_length=100, required=False)
    column = forms.CharField(label=_("Column"), max_length=63, required=False)
    data_type = forms.ChoiceField(
        label=_("Data type"), choices=DataType.choices, required=False, initial=DataType.STRING
    )
    max_length = forms.CharField(
        label=_("Maximum length"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}),
    )
    grade = forms.ChoiceField(label=_("Grade"), choices=_blank(Grade.choices), required=False)
    mask = forms.ChoiceField(
        label=_("Mask"), choices=_blank(Mask.choices, _("Grade default")), required=False
    )
    sharing_type = forms.ChoiceField(
        label=_("Sharing type"),
        choices=_blank(SharingType.choices, _("As the resource allows")),
        required=False,
    )
    personal = forms.BooleanField(label=_("Identifies a person"), required=False)
    description = forms.CharField(label=_("Item description"), max_length=500, required=False)
    samples = forms.CharField(
        label=_("Sample values (for the suggestion; not saved)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


ItemFormSet = formset_factory(
    ItemForm,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=MAX_ITEM_ROWS,
    absolute_max=MAX_ITEM_ROWS,
)


def item_specs(formset) -> tuple[list[dict], list[int]]:
    """The rows to save, in their order, and the formset index of each (for errors)."""
    rows = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        if not form.has_changed() and not data.get("id"):
            continue  # the untouched empty row
        order = data.get("ORDER")
        rows.append((order if order is not None else 10**6, index, data))
    rows.sort(key=lambda r: (r[0], r[1]))
    specs = []
    for _order, _index, data in rows:
        spec = {k: v for k, v in data.items() if k not in ("DELETE", "ORDER", "samples")}
        if spec.get("id") is None:
            spec.pop("id", None)
        specs.append(spec)
    return specs, [r[1] for r in rows]


def attach_errors(error: ValidationError, form, formset=None, index_map=()) -> None:
    """Put the action's keyed errors next to their inputs; the rest on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.message_dict.items():
        match = _ITEM_KEY.match(key)
        if match and formset is not None:
            position, field = int(match.group(1)), match.group(2)
            if position < len(index_map):
                target = formset.forms[index_map[position]]
                target.add_error(field if field in target.fields else None, errors)
                continue
        if key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, errors)
