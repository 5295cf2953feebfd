"""Application forms as JSON Schema, checked with the ``jsonschema`` library.

An item's ``form_schema`` describes its online application form::

    {
      "type": "object",
      "properties": {
        "operator_name": {"type": "string", "title": "经营者名称", "maxLength": 100},
        "staff_count": {"type": "integer", "title": "从业人员数", "minimum": 1},
        "category": {"type": "string", "title": "经营项目", "enum": ["热食类食品制售", "冷食类食品制售"]},
        "services": {"type": "array", "title": "附加服务", "uniqueItems": true,
                     "items": {"type": "string", "enum": ["外卖", "堂食"]}},
        "opening_date": {"type": "string", "format": "date", "title": "拟开业日期"},
        "holder_id": {"type": "string", "format": "resident-id", "title": "经营者身份号码"}
      },
      "required": ["operator_name", "staff_count"],
      "x-order": ["operator_name", "staff_count", "category", "services", "opening_date",
                  "holder_id"]
    }

The schemas the platform accepts are a subset of JSON Schema, itself written down as a JSON
Schema (``FORM_META`` in :mod:`yiwang.catalog.schema_meta`) plus the few rules that
relate keywords to each other (:func:`schema_errors`). Field types: ``string`` (``format``
``date`` or a personal-data format of :mod:`yiwang.catalog.personal_formats`; ``x-widget:
"textarea"`` for long text), ``integer``, ``number``, ``boolean`` (``const: true``: a box that
must be ticked) and ``array`` of strings from a list (multiple choice). ``x-order`` keeps the
field order (PostgreSQL ``jsonb`` does not keep object key order); :func:`normalize_schema`
adds it. An empty schema ``{}`` means the item has no online form fields.

Application data is validated by ``jsonschema`` against the item's schema itself, with a
:class:`~jsonschema.FormatChecker` that knows ``date`` and the personal-data formats (the
same validators as window intake). This module only turns form input into JSON values and
maps ``jsonschema``'s errors to the project's specific messages, one per field
(:mod:`yiwang.catalog.schema_messages`).

Public API:

- :func:`validate_schema` raises ``ValidationError`` listing every problem in the schema;
- :func:`validate_data` returns ``{field: message}`` for bad application data;
- :func:`clean_data` returns ``(cleaned JSON-safe data, errors)``;
- :func:`post_values` reads a form's values from a POST (lists for multiple choice);
- :func:`build_form` returns a bound or unbound ``django.forms.Form`` (a :class:`SchemaForm`)
  with labels, help texts, required flags and the same specific messages.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator, FormatChecker

from . import personal_formats
from .schema_messages import (
    choices_of,
    date_message,
    enum_message,
    fmt,
    keyword_message,
    label,
    number_message,
    pattern_message,
    rank,
    required_message,
    tick_message,
    value_text,
)
from .schema_meta import (
    DATE_RE,
    FORMATS,
    MAX_PROPERTIES,
    PROPERTY_VALIDATOR,
    TYPES,
    meta_messages,
)

__all__ = [
    "FORMATS",
    "MAX_PROPERTIES",
    "TYPES",
    "build_form",
    "choices_of",
    "clean_data",
    "field_order",
    "normalize_schema",
    "post_values",
    "schema_errors",
    "validate_data",
    "validate_schema",
    "value_text",
]

INT_RE = re.compile(r"^[+-]?\d+$")
TEXTAREA_FROM = 200  # strings allowed to be longer than this get a textarea
TRUE_WORDS = {"true", "on", "1", "yes", "是"}
FALSE_WORDS = {"false", "off", "0", "no", "否", ""}
# Keywords that belong to one kind of field: (keyword, kinds that may carry it).
OWNED_KEYWORDS = {
    "maxLength": ("string",),
    "minLength": ("string",),
    "pattern": ("string",),
    "format": ("string",),
    "x-widget": ("string",),
    "minimum": ("integer", "number"),
    "maximum": ("integer", "number"),
    "items": ("array",),
    "uniqueItems": ("array",),
    "enum": ("string", "integer", "number"),
    "const": ("boolean",),
}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


# --- schema -----------------------------------------------------------------


def field_order(schema: dict) -> list[str]:
    """Property names in display order: ``x-order`` first, then any others."""
    props = schema.get("properties") or {}
    order = [k for k in schema.get("x-order") or [] if k in props]
    return order + [k for k in props if k not in order]


def normalize_schema(schema: dict | None) -> dict:
    """A copy of a valid schema with ``type`` and ``x-order`` filled in ({} stays {})."""
    if not schema:
        return {}
    out = dict(schema)
    out.setdefault("type", "object")
    out["x-order"] = field_order(schema)
    return out


def _misplaced_message(word: str, kind: str) -> str:
    if word == "const":
        return gettext(
            "Field “%(key)s”: only “const”: true on a boolean field is supported "
            "(a box the applicant must tick)."
        )
    if word == "enum":
        if kind == "boolean":
            return gettext("Field “%(key)s”: a yes/no field cannot have “enum”.")
        return gettext(
            "Field “%(key)s”: a multiple-choice field lists its choices in “items”, not in “enum”."
        )
    if word in ("minimum", "maximum"):
        return gettext("Field “%(key)s”: “%(word)s” applies to numbers only.")
    if word in ("items", "uniqueItems"):
        return gettext("Field “%(key)s”: “%(word)s” applies to multiple-choice fields only.")
    return gettext("Field “%(key)s”: “%(word)s” applies to strings only.")


def _misplaced(key: str, prop: dict, kind: str) -> list[str]:
    """Keywords that belong to another type of field."""
    return [
        _misplaced_message(word, kind) % {"key": key, "word": word}
        for word, kinds in OWNED_KEYWORDS.items()
        if word in prop and kind not in kinds
    ]


def _enum_errors(key: str, kind: str, enum: list) -> list[str]:
    good = all(
        (kind == "string" and isinstance(v, str) and v.strip())
        or (kind == "integer" and _is_int(v))
        or (kind == "number" and _is_number(v))
        for v in enum
    )
    if not good:
        return [
            gettext(
                "Field “%(key)s”: “enum” must be a list of 1–100 non-empty values of "
                "the field's type."
            )
            % {"key": key}
        ]
    if len({str(v) for v in enum}) != len(enum):
        return [gettext("Field “%(key)s”: “enum” lists a value twice.") % {"key": key}]
    return []


def _related_errors(key: str, prop: dict) -> list[str]:
    """The rules between keywords of one field, which the meta-schema cannot say."""
    kind = prop["type"]
    errors = _misplaced(key, prop, kind)
    lo: Any = prop.get("minimum")
    hi: Any = prop.get("maximum")
    for word in ("minimum", "maximum"):
        value = prop.get(word)
        # JSON numbers include NaN and infinity for Python's json; integers need whole bounds.
        if isinstance(value, float) and (kind == "integer" or not math.isfinite(value)):
            errors.append(
                gettext("Field “%(key)s”: “%(word)s” must be a number.")
                % {"key": key, "word": word}
            )
    if _is_number(lo) and _is_number(hi) and lo > hi:
        errors.append(gettext("Field “%(key)s”: minimum is larger than maximum.") % {"key": key})
    short: Any = prop.get("minLength")
    long: Any = prop.get("maxLength")
    if _is_int(short) and _is_int(long) and short > long:
        errors.append(
            gettext("Field “%(key)s”: minLength is larger than maxLength.") % {"key": key}
        )
    if isinstance(prop.get("pattern"), str):
        try:
            re.compile(prop["pattern"])
        except re.error as exc:
            errors.append(
                gettext("Field “%(key)s”: “pattern” is not a valid regular expression (%(error)s).")
                % {"key": key, "error": exc}
            )
    if personal_formats.is_personal(prop):
        # Personal values must not be published in the schema itself.
        for word in ("enum", "default"):
            if word in prop:
                errors.append(
                    gettext("Field “%(key)s”: a personal-data field cannot have “%(word)s”.")
                    % {"key": key, "word": word}
                )
    enum = choices_of(prop) if kind == "array" else prop.get("enum")
    if isinstance(enum, list) and enum:
        errors += _enum_errors(key, "string" if kind == "array" else kind, enum)
    if kind == "array" and "items" not in prop:
        errors.append(
            gettext(
                "Field “%(key)s”: a multiple-choice field needs its choices in "
                '“items”, e.g. {"type": "string", "enum": ["甲", "乙"]}.'
            )
            % {"key": key}
        )
    if "default" in prop and not errors and PROPERTY_VALIDATOR.is_valid(prop):
        problem = clean_data({"properties": {key: prop}}, {key: prop["default"]})[1].get(key)
        if problem:
            errors.append(
                gettext("Field “%(key)s”: the default value is not valid (%(error)s).")
                % {"key": key, "error": problem}
            )
    return errors


def schema_errors(schema) -> list[str]:
    """Every problem in ``schema`` as a specific message (empty list: valid)."""
    if schema in (None, {}):
        return []
    errors = meta_messages(schema)
    if not isinstance(schema, dict):
        return errors
    props = schema.get("properties")
    if not isinstance(props, dict):
        return errors
    required = schema.get("required")
    if isinstance(required, list):
        for name in required:
            if isinstance(name, str) and name not in props:
                errors.append(
                    gettext("“required” names “%(key)s”, which is not among the fields.")
                    % {"key": name}
                )
    order = schema.get("x-order")
    if isinstance(order, list) and any(k not in props for k in order if isinstance(k, str)):
        errors.append(gettext("“x-order” must list each field name at most once."))
    for key, prop in props.items():
        if isinstance(prop, dict) and prop.get("type") in TYPES:
            errors += _related_errors(key, prop)
    return list(dict.fromkeys(errors))


def validate_schema(schema) -> None:
    """Raise ``ValidationError`` (one message per problem) unless ``schema`` is supported."""
    errors = schema_errors(schema)
    if errors:
        raise ValidationError(errors, code="invalid_form_schema")


# --- data: form input → JSON values -----------------------------------------------


def _number(text: str):
    """A finite int or float from form text, or None."""
    if INT_RE.match(text) and len(text) <= 30:
        return int(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number.adjusted() > 30:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _coerce(prop: dict, value):
    """``value`` as the JSON value the schema expects where it can be read as one.

    Anything that cannot be read is returned as it is, for ``jsonschema`` to report (its
    ``type`` error becomes the field's message).
    """
    kind = prop.get("type")
    if kind == "string":
        if isinstance(value, dt.date):
            return value.isoformat()
        if _is_number(value):
            return fmt(value)
        if not isinstance(value, str):
            return value
        text = value.strip()
        return (
            personal_formats.normalise(prop["format"], text)
            if personal_formats.is_personal(prop)
            else text
        )
    if kind in ("integer", "number"):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if isinstance(value, float) and value.is_integer() and kind == "integer":
            return int(value)
        if isinstance(value, str):
            number = _number(value.strip())
            return value if number is None else number
        return value
    if kind == "boolean" and isinstance(value, str):
        word = value.strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else value
    if kind == "array":
        items = [value] if isinstance(value, str) else value
        if isinstance(items, list | tuple):
            out: list = []
            for item in items:  # repeated ticks of one choice count once
                item = item.strip() if isinstance(item, str) else item
                if item not in out:
                    out.append(item)
            return out
    return value


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], ())


def _check_date(value) -> bool:
    if not isinstance(value, str):
        return True  # formats apply to strings; other types fail on "type"
    if not DATE_RE.match(value):
        return False
    dt.date.fromisoformat(value)  # ValueError (e.g. 30 February) is the failure
    return True


def _personal_check(name: str):
    def check(value) -> bool:
        if isinstance(value, str):
            personal_formats.CHECKS[name](value)  # raises the validator's ValidationError
        return True

    return check


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_check_date)
    for name in personal_formats.PERSONAL_FORMATS:
        checker.checks(name, raises=ValidationError)(_personal_check(name))
    return checker


FORMAT_CHECKER = _format_checker()


def clean_data(schema: dict | None, data: dict | None) -> tuple[dict, dict[str, str]]:
    """Validate ``data`` against ``schema``: (JSON-safe cleaned values, {field: message}).

    Accepts JSON values or form strings. Unknown keys are dropped; empty optional fields are
    left out; dates become ISO strings; personal values are normalised.
    """
    data = data or {}
    if not schema:
        return {}, {}
    props = schema.get("properties") or {}
    instance: dict = {}
    for key in field_order(schema):
        prop, value = props[key], data.get(key)
        if not _is_empty(value):
            instance[key] = _coerce(prop, value)
        elif prop.get("type") == "boolean" and prop.get("const") is True:
            instance[key] = False  # an unticked box that must be ticked fails on "const"
    found: dict[str, tuple[str, object]] = {}
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    for error in validator.iter_errors(instance):
        if error.validator == "required" and not error.absolute_path:
            keys = [k for k in error.validator_value if k not in error.instance and k in props]
        elif error.absolute_path and error.absolute_path[0] in props:
            keys = [error.absolute_path[0]]
        else:
            continue
        for key in keys:
            if key not in found or rank(error.validator) < rank(found[key][0]):
                found[key] = (error.validator, error)
    errors = {
        key: keyword_message(keyword, props[key], label(key, props[key]), error)
        for key, (keyword, error) in found.items()
    }
    ordered = {key: errors[key] for key in field_order(schema) if key in errors}
    cleaned = {key: value for key, value in instance.items() if key not in errors}
    return cleaned, ordered


def validate_data(schema: dict | None, data: dict | None) -> dict[str, str]:
    """``{field: Chinese message}`` for every problem in ``data`` (empty dict: valid)."""
    return clean_data(schema, data)[1]


def post_values(schema: dict | None, data, prefix: str = "") -> dict:
    """The form's values from a POST ``QueryDict``: lists for multiple choice, else text."""
    props = (schema or {}).get("properties") or {}
    out: dict = {}
    for key in field_order(schema or {}):
        name = f"{prefix}-{key}" if prefix else key
        if props[key].get("type") == "array":
            out[key] = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        else:
            out[key] = data.get(name, "")
    return out


# --- Django forms -----------------------------------------------------------


class SchemaForm(forms.Form):
    """A form generated from an item's schema; :meth:`json_data` gives storable values.

    Fields are added to ``self.fields`` (not declared on the class), so a property may be
    called anything the schema allows, even ``data`` or ``clean``.
    """

    def __init__(self, schema: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        props = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        for key in field_order(schema):
            self.fields[key] = _form_field(key, props[key], key in required)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # Re-check typed values with the schema rules so form and API say the same thing.
        if not self.errors:
            _, errors = clean_data(self.schema, self._raw_values(cleaned))
            for key, message in errors.items():
                self.add_error(key, message)
        return cleaned

    @staticmethod
    def _raw_values(cleaned: dict) -> dict:
        return {k: v for k, v in cleaned.items() if v is not None and v != ""}

    def json_data(self) -> dict:
        """The validated values as JSON-safe data (call after ``is_valid()``)."""
        return clean_data(self.schema, self._raw_values(self.cleaned_data))[0]


def _choice_field(prop: dict, kind: str, common: dict) -> forms.Field:
    choices = [(fmt(v), fmt(v)) for v in choices_of(prop)]
    common["error_messages"]["invalid_choice"] = enum_message(prop, common["label"])
    if kind == "array":
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    coerce: Callable[[Any], Any] = {"integer": int, "number": float}.get(kind, str)
    return forms.TypedChoiceField(
        choices=[("", _("— please choose —")), *choices],
        coerce=coerce,
        empty_value=None,
        **common,
    )


def _number_field(prop: dict, kind: str, common: dict) -> forms.Field:
    message = number_message(prop, common["label"])
    for code in (
        "invalid",
        "min_value",
        "max_value",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
    ):
        common["error_messages"][code] = message
    bounds: dict[str, Any] = {"min_value": prop.get("minimum"), "max_value": prop.get("maximum")}
    if kind == "integer":
        return forms.IntegerField(**bounds, **common)
    return forms.FloatField(**bounds, **common)


def _text_field(prop: dict, common: dict) -> forms.Field:
    title = common["label"]
    max_length = prop.get("maxLength")
    validators = []
    if "pattern" in prop:
        validators.append(RegexValidator(prop["pattern"], message=pattern_message(prop, title)))
    if max_length is not None:
        common["error_messages"]["max_length"] = gettext(
            "“%(title)s” may be at most %(n)d characters long."
        ) % {"title": title, "n": max_length}
    if "minLength" in prop:
        common["error_messages"]["min_length"] = gettext(
            "“%(title)s” must be at least %(n)d characters long."
        ) % {"title": title, "n": prop["minLength"]}
    widget: forms.Widget | None = None
    if prop.get("x-widget") == "textarea" or (max_length or 0) > TEXTAREA_FROM:
        widget = forms.Textarea(attrs={"rows": 4})
    if prop.get("format") in (personal_formats.MOBILE, personal_formats.PHONE):
        widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
    elif personal_formats.is_personal(prop):
        widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    return forms.CharField(
        max_length=max_length,
        min_length=prop.get("minLength"),
        validators=validators,
        widget=widget,
        **common,
    )


def _form_field(key: str, prop: dict, required: bool) -> forms.Field:
    title = label(key, prop)
    common: dict[str, Any] = {
        "label": title,
        "help_text": prop.get("description", ""),
        "required": required,
        "error_messages": {"required": required_message(title)},
    }
    if "default" in prop:
        common["initial"] = prop["default"]
    kind = prop["type"]
    if "enum" in prop or kind == "array":
        return _choice_field(prop, kind, common)
    if kind == "boolean":
        common["required"] = prop.get("const") is True
        common["error_messages"]["required"] = tick_message(title)
        return forms.BooleanField(**common)
    if kind in ("integer", "number"):
        return _number_field(prop, kind, common)
    if prop.get("format") == "date":
        common["error_messages"]["invalid"] = date_message(title)
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            **common,
        )
    return _text_field(prop, common)


def build_form(
    schema: dict | None,
    data=None,
    *,
    initial: dict | None = None,
    prefix: str | None = None,
    form_class: type[SchemaForm] = SchemaForm,
    **kwargs,
) -> SchemaForm:
    """A Django form for ``schema`` (bound when ``data`` is given).

    Labels are the properties' titles, help texts their descriptions; required fields are
    required; error messages are the same specific ones :func:`validate_data` gives.
    ``initial`` pre-fills fields (e.g. from the applicant's profile or e-licences). Extra
    keyword arguments (``files``, ``auto_id`` …) go to the form.
    """
    schema = schema or {}
    validate_schema(schema)
    return form_class(schema, data=data, initial=initial, prefix=prefix, **kwargs)
