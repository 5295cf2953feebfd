"""The item editor's form builder: one formset row per application form field.

Rows are a plain Django formset (ordering and deletion included), so the builder works
without JavaScript; ``static/catalog/editor.js`` adds rows, moves them up and down and hides
the settings a field type does not use. The formset turns its rows into the JSON Schema the
platform already uses (:mod:`yiwang.catalog.forms_schema`), and :func:`rows_from_schema`
turns a schema back into rows. Keywords a row has no setting for (``default``, an ``enum`` of
numbers …) ride along unchanged in the row's hidden ``extra``.

Each field's rules are checked by :func:`yiwang.catalog.forms_schema.schema_errors`, the same
check as the raw JSON and the actions, and its messages are shown on the row.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import personal_formats
from .forms_schema import field_order, schema_errors
from .schema_meta import KEY_RE, MAX_PROPERTIES

KINDS = [
    ("text", _("Text")),
    ("textarea", _("Long text")),
    ("integer", _("Whole number")),
    ("number", _("Number")),
    ("date", _("Date")),
    ("choice", _("Choice (one)")),
    ("multichoice", _("Multiple choice")),
    ("checkbox", _("Tick box")),
]
FORMAT_CHOICES = [
    ("", _("None")),
    (personal_formats.RESIDENT_ID, _("Resident ID number")),
    (personal_formats.USCC, _("Unified social credit code")),
    (personal_formats.MOBILE, _("Mobile number")),
    (personal_formats.PHONE, _("Phone number (mobile or fixed line)")),
    (personal_formats.BANK_ACCOUNT, _("Bank account number")),
    (personal_formats.PERSON_NAME, _("Person's name")),
]
TYPE_OF = {
    "text": "string",
    "textarea": "string",
    "integer": "integer",
    "number": "number",
    "date": "string",
    "choice": "string",
    "multichoice": "array",
    "checkbox": "boolean",
}
# The row settings that apply to each field type (the template shows them accordingly).
SETTING_KINDS = {
    "format": ("text",),
    "choices": ("choice", "multichoice"),
    "min_length": ("text", "textarea"),
    "max_length": ("text", "textarea"),
    "pattern": ("text", "textarea"),
    "minimum": ("integer", "number"),
    "maximum": ("integer", "number"),
}
_COMMON = {"type", "title", "description"}
# The schema keywords each type's settings produce; anything else is kept in ``extra``.
MANAGED = {
    "text": _COMMON | {"format", "maxLength", "minLength", "pattern"},
    # An explicit "x-widget" stays in extra: long text is also implied by maxLength > 200.
    "textarea": _COMMON | {"maxLength", "minLength", "pattern"},
    "integer": _COMMON | {"minimum", "maximum"},
    "number": _COMMON | {"minimum", "maximum"},
    "date": _COMMON | {"format"},
    "choice": _COMMON | {"enum"},
    "multichoice": _COMMON | {"items", "uniqueItems"},
    "checkbox": _COMMON | {"const"},
}
CONTENT = ("key", "title", "description", "choices")
TEXTAREA_FROM = 200


def _number(value):
    """A JSON number from a form's Decimal: 3 rather than 3.0."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def kind_of(prop: dict) -> str:
    """The builder's field type for a schema property."""
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        if "enum" in prop:
            return "choice"
        if prop.get("x-widget") == "textarea" or (prop.get("maxLength") or 0) > TEXTAREA_FROM:
            return "textarea"
        return "text"
    return {"integer": "integer", "number": "number", "boolean": "checkbox"}.get(
        str(kind), "multichoice" if kind == "array" else "text"
    )


def row_from_prop(key: str, prop: dict, required: bool) -> dict:
    """The builder row (initial values) of one schema property."""
    kind = kind_of(prop)
    extra = {k: v for k, v in prop.items() if k not in MANAGED[kind]}
    choices = prop.get("enum") if kind == "choice" else (prop.get("items") or {}).get("enum")
    return {
        "key": key,
        "title": prop.get("title", ""),
        "kind": kind,
        "required": prop.get("const") is True if kind == "checkbox" else required,
        "format": prop.get("format", "") if kind == "text" else "",
        "description": prop.get("description", ""),
        "choices": "\n".join(str(c) for c in choices or []),
        "min_length": prop.get("minLength"),
        "max_length": prop.get("maxLength"),
        "pattern": prop.get("pattern", ""),
        "minimum": prop.get("minimum"),
        "maximum": prop.get("maximum"),
        "extra": json.dumps(extra, ensure_ascii=False) if extra else "",
        "extra_data": extra,
    }


def rows_from_schema(schema) -> list[dict]:
    """Builder rows for a schema; an unusable schema gives no rows."""
    if not isinstance(schema, dict) or not schema or schema_errors(schema):
        return []
    props = schema["properties"]
    required = set(schema.get("required") or [])
    return [row_from_prop(key, props[key], key in required) for key in field_order(schema)]


def prop_from_row(row: dict) -> dict:
    """The schema property a row describes (``row`` as cleaned by :class:`FieldRowForm`)."""
    kind = row["kind"]
    prop = dict(row.get("extra_data") or {})
    prop.update({"type": TYPE_OF[kind], "title": row["title"]})
    if row.get("description"):
        prop["description"] = row["description"]
    if kind != "textarea":
        prop.pop("x-widget", None)
    elif (row.get("max_length") or 0) <= TEXTAREA_FROM:
        prop["x-widget"] = "textarea"
    if kind == "date":
        prop["format"] = "date"
    elif row.get("format"):
        prop["format"] = row["format"]
    for setting, word in (
        ("min_length", "minLength"),
        ("max_length", "maxLength"),
        ("pattern", "pattern"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
    ):
        if row.get(setting) not in (None, ""):
            prop[word] = _number(row[setting])
    choices = [line.strip() for line in (row.get("choices") or "").splitlines() if line.strip()]
    if kind == "choice":
        prop["enum"] = choices
    elif kind == "multichoice":
        prop["items"] = {"type": "string", "enum": choices}
        prop["uniqueItems"] = True
    elif kind == "checkbox" and row.get("required"):
        prop["const"] = True
    return prop


def schema_from_rows(rows: list[dict], base: dict | None = None) -> dict:
    """The schema of ``rows`` (in order); the form's own title and description kept from ``base``."""
    if not rows:
        return {}
    schema = {k: v for k, v in (base or {}).items() if k in ("title", "description")}
    schema["type"] = "object"
    schema["properties"] = {row["key"]: prop_from_row(row) for row in rows}
    schema["required"] = [r["key"] for r in rows if r.get("required") and r["kind"] != "checkbox"]
    schema["x-order"] = [row["key"] for row in rows]
    return schema


class FieldRowForm(forms.Form):
    """One field of the application form. A row with no name, label or choices is ignored."""

    key = forms.CharField(
        label=_("Field name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    title = forms.CharField(label=_("Label (Chinese)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=KINDS, initial="text")
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    format = forms.ChoiceField(
        label=_("Personal data"),
        choices=FORMAT_CHOICES,
        required=False,
    )
    description = forms.CharField(label=_("Help text"), max_length=200, required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    min_length = forms.IntegerField(label=_("Minimum length"), min_value=0, required=False)
    max_length = forms.IntegerField(
        label=_("Maximum length"), min_value=1, max_value=5000, required=False
    )
    pattern = forms.CharField(
        label=_("Pattern (regular expression)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "mono"}),
    )
    minimum = forms.DecimalField(label=_("Minimum"), required=False, max_digits=20)
    maximum = forms.DecimalField(label=_("Maximum"), required=False, max_digits=20)
    extra = forms.CharField(required=False, widget=forms.HiddenInput)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in CONTENT)

    def clean_extra(self):
        text = (self.cleaned_data.get("extra") or "").strip()
        try:
            extra = json.loads(text) if text else {}
        except (json.JSONDecodeError, RecursionError):
            extra = None
        if not isinstance(extra, dict):
            raise forms.ValidationError(gettext("The field's other settings are not readable."))
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.is_blank() or self.errors:
            return data
        kind = data.get("kind")
        if not str(data.get("title") or "").strip():
            self.add_error("title", gettext("Give the field a label shown to applicants."))
        key = (data.get("key") or "").strip()
        data["key"] = key
        if key and not KEY_RE.match(key):
            self.add_error(
                "key",
                gettext(
                    "Use 1–50 latin letters, digits or underscores, starting with a letter "
                    "(e.g. holder_id)."
                ),
            )
        for setting, kinds in SETTING_KINDS.items():
            if kind not in kinds and data.get(setting) not in (None, ""):
                self.add_error(
                    setting,
                    gettext("Does not apply to this type of field: clear it or change the type."),
                )
        if kind in ("choice", "multichoice") and not (data.get("choices") or "").strip():
            self.add_error("choices", gettext("List the choices, one per line."))
        if kind == "integer":
            for setting in ("minimum", "maximum"):
                value = data.get(setting)
                if value is not None and value != value.to_integral_value():
                    self.add_error(setting, gettext("A whole-number field needs a whole number."))
        extra = data.get("extra")
        data["extra_data"] = json.loads(extra) if extra else {}
        return data


class BaseFieldFormSet(forms.BaseFormSet):
    """The rows in their order; after ``is_valid()``, ``schema`` is the form they describe."""

    base_schema: dict | None = None
    schema: dict | None = None

    def rows(self) -> list[dict]:
        """Cleaned rows that are kept (not deleted, not blank), in their order."""
        kept = [
            (i, form)
            for i, form in enumerate(self.forms)
            if getattr(form, "cleaned_data", None) is not None
            and not (self.can_delete and form.cleaned_data.get(forms.formsets.DELETION_FIELD_NAME))
            and not form.is_blank()
        ]

        def position(entry):
            order = entry[1].cleaned_data.get(forms.formsets.ORDERING_FIELD_NAME)
            return (order is None, order or 0, entry[0])

        return [dict(form.cleaned_data, _form=form) for _, form in sorted(kept, key=position)]

    def clean(self):
        self.schema = None
        if any(self.errors):
            return
        rows = self.rows()
        if len(rows) > MAX_PROPERTIES:
            raise forms.ValidationError(
                gettext("The form may have at most %(n)d fields.") % {"n": MAX_PROPERTIES}
            )
        used = {row["key"] for row in rows if row["key"]}
        seen: set[str] = set()
        n = 0
        for row in rows:
            if not row["key"]:  # a name for rows left without one: field_1, field_2 …
                n += 1
                while f"field_{n}" in used:
                    n += 1
                row["key"] = f"field_{n}"
                used.add(row["key"])
            elif row["key"] in seen:
                row["_form"].add_error(
                    "key",
                    gettext("The field name “%(key)s” is used twice; names must be unique.")
                    % {"key": row["key"]},
                )
            seen.add(row["key"])
        for row in rows:
            for message in schema_errors({"properties": {row["key"]: prop_from_row(row)}}):
                row["_form"].add_error(None, message)
        if any(self.errors):
            return
        self.schema = schema_from_rows(rows, self.base_schema)


FieldFormSet: type[BaseFieldFormSet] = forms.formset_factory(  # type: ignore[assignment]
    FieldRowForm,
    formset=BaseFieldFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=MAX_PROPERTIES,
    validate_max=True,
)
