"""Application forms as a small, safe subset of JSON Schema.

An item's ``form_schema`` describes its online application form::

    {
      "type": "object",
      "properties": {
        "operator_name": {"type": "string", "title": "经营者名称", "maxLength": 100},
        "staff_count": {"type": "integer", "title": "从业人员数", "minimum": 1},
        "category": {"type": "string", "title": "经营项目", "enum": ["热食类食品制售", "冷食类食品制售"]},
        "opening_date": {"type": "string", "format": "date", "title": "拟开业日期"},
        "phone": {"type": "string", "title": "联系电话", "pattern": "^1\\\\d{10}$",
                  "description": "11 位手机号"}
      },
      "required": ["operator_name", "staff_count"],
      "x-order": ["operator_name", "staff_count", "category", "opening_date", "phone"]
    }

Supported keywords: at the top ``type`` (must be ``object``), ``title``, ``description``,
``properties``, ``required``, ``x-order``; per property ``type`` (string / integer / number /
boolean), ``title``, ``description``, ``enum``, ``maxLength``, ``minLength``, ``pattern``,
``minimum``, ``maximum``, ``format`` on strings (``date``, or one of the personal-data formats
``resident-id``, ``uscc``, ``mobile``, ``phone``, ``bank-account``, ``person-name`` of
:mod:`yiwang.catalog.personal_formats`, which are checked like window intake and stored
encrypted), ``default`` and ``const: true`` on booleans (a box that must be ticked). ``x-order`` keeps the field order (PostgreSQL ``jsonb``
does not keep object key order); :func:`normalize_schema` adds it. An empty schema ``{}``
means the item has no online form fields.

Public API:

- :func:`validate_schema` raises ``ValidationError`` listing every problem in the schema;
- :func:`validate_data` returns ``{field: message}`` for bad application data;
- :func:`clean_data` returns ``(cleaned JSON-safe data, errors)``;
- :func:`build_form` returns a bound or unbound ``django.forms.Form`` (a :class:`SchemaForm`)
  with labels, help texts, required flags and the same specific messages.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import personal_formats

TYPES = ("string", "integer", "number", "boolean")
FORMATS = ("date", *personal_formats.PERSONAL_FORMATS)
TOP_KEYWORDS = {"type", "title", "description", "properties", "required", "x-order"}
PROPERTY_KEYWORDS = {
    "type",
    "title",
    "description",
    "enum",
    "maxLength",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
    "format",
    "default",
    "const",
}
KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_RE = re.compile(r"^[+-]?\d+$")
MAX_PROPERTIES = 60
TEXTAREA_FROM = 200  # strings allowed to be longer than this get a textarea


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _fmt(value) -> str:
    """Numbers as people write them: 1 not 1.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


def _property_errors(key: str, prop) -> list[str]:
    errors: list[str] = []
    if not isinstance(key, str) or not KEY_RE.match(key):
        errors.append(
            gettext(
                "Field name “%(key)s” is not allowed: use 1–50 latin letters, digits or underscores, "
                "starting with a letter (put the Chinese name in “title”)."
            )
            % {"key": key}
        )
        return errors
    if not isinstance(prop, dict):
        errors.append(
            gettext('Field “%(key)s” must be an object such as {"type": "string"}.') % {"key": key}
        )
        return errors
    unknown = sorted(set(prop) - PROPERTY_KEYWORDS)
    if unknown:
        errors.append(
            gettext("Field “%(key)s” uses unsupported keywords: %(words)s.")
            % {"key": key, "words": ", ".join(unknown)}
        )
    kind = prop.get("type")
    if kind not in TYPES:
        errors.append(
            gettext(
                "Field “%(key)s” has type “%(type)s”; use one of string, integer, "
                'number, boolean (dates are strings with "format": "date").'
            )
            % {"key": key, "type": kind}
        )
        return errors
    for word in ("title", "description"):
        if word in prop and (not isinstance(prop[word], str) or len(prop[word]) > 200):
            errors.append(
                gettext("Field “%(key)s”: “%(word)s” must be text of at most 200 characters.")
                % {"key": key, "word": word}
            )
    if not str(prop.get("title") or "").strip():
        errors.append(
            gettext("Field “%(key)s” needs a Chinese “title” shown to applicants.") % {"key": key}
        )
    if kind != "string":
        for word in ("maxLength", "minLength", "pattern", "format"):
            if word in prop:
                errors.append(
                    gettext("Field “%(key)s”: “%(word)s” applies to strings only.")
                    % {"key": key, "word": word}
                )
    if kind not in ("integer", "number"):
        for word in ("minimum", "maximum"):
            if word in prop:
                errors.append(
                    gettext("Field “%(key)s”: “%(word)s” applies to numbers only.")
                    % {"key": key, "word": word}
                )
    if kind == "boolean" and "enum" in prop:
        errors.append(gettext("Field “%(key)s”: a yes/no field cannot have “enum”.") % {"key": key})
    if "const" in prop and (kind != "boolean" or prop["const"] is not True):
        errors.append(
            gettext(
                "Field “%(key)s”: only “const”: true on a boolean field is supported "
                "(a box the applicant must tick)."
            )
            % {"key": key}
        )
    for word in ("maxLength", "minLength"):
        if word in prop and (not _is_int(prop[word]) or prop[word] < 0):
            errors.append(
                gettext("Field “%(key)s”: “%(word)s” must be a whole number ≥ 0.")
                % {"key": key, "word": word}
            )
    if (
        _is_int(prop.get("maxLength"))
        and _is_int(prop.get("minLength"))
        and prop["minLength"] > prop["maxLength"]
    ):
        errors.append(
            gettext("Field “%(key)s”: minLength is larger than maxLength.") % {"key": key}
        )
    if "maxLength" in prop and _is_int(prop["maxLength"]) and prop["maxLength"] > 5000:
        errors.append(gettext("Field “%(key)s”: maxLength may be at most 5000.") % {"key": key})
    for word in ("minimum", "maximum"):
        if word in prop:
            ok = _is_int(prop[word]) if kind == "integer" else _is_number(prop[word])
            if not ok:
                errors.append(
                    gettext("Field “%(key)s”: “%(word)s” must be a number.")
                    % {"key": key, "word": word}
                )
    if (
        _is_number(prop.get("minimum"))
        and _is_number(prop.get("maximum"))
        and prop["minimum"] > prop["maximum"]
    ):
        errors.append(gettext("Field “%(key)s”: minimum is larger than maximum.") % {"key": key})
    if "pattern" in prop:
        if not isinstance(prop["pattern"], str) or len(prop["pattern"]) > 200:
            errors.append(
                gettext(
                    "Field “%(key)s”: “pattern” must be a regular expression of at most "
                    "200 characters."
                )
                % {"key": key}
            )
        else:
            try:
                re.compile(prop["pattern"])
            except re.error as exc:
                errors.append(
                    gettext(
                        "Field “%(key)s”: “pattern” is not a valid regular expression (%(error)s)."
                    )
                    % {"key": key, "error": exc}
                )
    if "format" in prop and prop["format"] not in FORMATS:
        errors.append(
            gettext("Field “%(key)s”: the format must be one of %(formats)s.")
            % {"key": key, "formats": ", ".join(FORMATS)}
        )
    if personal_formats.is_personal(prop):
        # Personal values must not be published in the schema itself.
        for word in ("enum", "default"):
            if word in prop:
                errors.append(
                    gettext("Field “%(key)s”: a personal-data field cannot have “%(word)s”.")
                    % {"key": key, "word": word}
                )
    if "enum" in prop:
        enum = prop["enum"]
        good = isinstance(enum, list) and 1 <= len(enum) <= 100
        if good:
            for value in enum:
                if (
                    (kind == "string" and not (isinstance(value, str) and value.strip()))
                    or (kind == "integer" and not _is_int(value))
                    or (kind == "number" and not _is_number(value))
                ):
                    good = False
        if not good:
            errors.append(
                gettext(
                    "Field “%(key)s”: “enum” must be a list of 1–100 non-empty values of "
                    "the field's type."
                )
                % {"key": key}
            )
        elif len({str(v) for v in enum}) != len(enum):
            errors.append(gettext("Field “%(key)s”: “enum” lists a value twice.") % {"key": key})
    if "default" in prop and not errors:
        problem = _value_error(key, prop, prop["default"])[1]
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
    if not isinstance(schema, dict):
        return [
            gettext(
                'The form schema must be a JSON object such as {"type": "object", '
                '"properties": {…}}.'
            )
        ]
    errors: list[str] = []
    unknown = sorted(set(schema) - TOP_KEYWORDS)
    if unknown:
        errors.append(
            gettext("The form schema uses unsupported keywords: %(words)s.")
            % {"words": ", ".join(unknown)}
        )
    if schema.get("type", "object") != "object":
        errors.append(gettext("The form schema's “type” must be “object”."))
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        errors.append(gettext("The form schema needs “properties” with at least one field."))
        return errors
    if len(props) > MAX_PROPERTIES:
        errors.append(gettext("The form may have at most %(n)d fields.") % {"n": MAX_PROPERTIES})
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        errors.append(gettext("“required” must be a list of field names."))
        required = []
    for name in required:
        if name not in props:
            errors.append(
                gettext("“required” names “%(key)s”, which is not among the fields.")
                % {"key": name}
            )
    order = schema.get("x-order", [])
    if (
        not isinstance(order, list)
        or any(k not in props for k in order)
        or len(set(order)) != len(order)
    ):
        errors.append(gettext("“x-order” must list each field name at most once."))
    for key, prop in props.items():
        errors.extend(_property_errors(key, prop))
    return errors


def validate_schema(schema) -> None:
    """Raise ``ValidationError`` (one message per problem) unless ``schema`` is supported."""
    errors = schema_errors(schema)
    if errors:
        raise ValidationError(errors, code="invalid_form_schema")


# --- data -------------------------------------------------------------------


def _label(key: str, prop: dict) -> str:
    return str(prop.get("title") or key)


def number_message(prop: dict, title: str) -> str:
    """“「从业人员数」须为不小于 1 的整数” and friends."""
    integer = prop.get("type") == "integer"
    lo, hi = prop.get("minimum"), prop.get("maximum")
    params = {"title": title, "min": _fmt(lo), "max": _fmt(hi)}
    if lo is not None and hi is not None:
        msg = (
            gettext("“%(title)s” must be a whole number from %(min)s to %(max)s.")
            if integer
            else gettext("“%(title)s” must be a number from %(min)s to %(max)s.")
        )
    elif lo is not None:
        msg = (
            gettext("“%(title)s” must be a whole number not less than %(min)s.")
            if integer
            else gettext("“%(title)s” must be a number not less than %(min)s.")
        )
    elif hi is not None:
        msg = (
            gettext("“%(title)s” must be a whole number not greater than %(max)s.")
            if integer
            else gettext("“%(title)s” must be a number not greater than %(max)s.")
        )
    else:
        msg = (
            gettext("“%(title)s” must be a whole number.")
            if integer
            else gettext("“%(title)s” must be a number.")
        )
    return msg % params


def required_message(title: str) -> str:
    return gettext("“%(title)s” is required.") % {"title": title}


def enum_message(prop: dict, title: str) -> str:
    return gettext("“%(title)s” must be one of: %(choices)s.") % {
        "title": title,
        "choices": "、".join(_fmt(v) for v in prop["enum"]),
    }


def pattern_message(prop: dict, title: str) -> str:
    if prop.get("description"):
        return gettext("“%(title)s” is not in the right format (%(hint)s).") % {
            "title": title,
            "hint": prop["description"],
        }
    return gettext("“%(title)s” is not in the right format.") % {"title": title}


def date_message(title: str) -> str:
    return gettext("“%(title)s” must be a valid date such as 2026-01-31.") % {"title": title}


def _coerce(prop: dict, value):
    """Convert ``value`` to the property's type; raise ValueError when impossible."""
    kind = prop["type"]
    if kind == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError
        text = value.strip() if isinstance(value, str) else _fmt(value)
        if prop.get("format") == "date":
            if isinstance(value, dt.date):
                return value.isoformat()
            if not DATE_RE.match(text):
                raise ValueError
            return dt.date.fromisoformat(text).isoformat()
        if personal_formats.is_personal(prop):
            return personal_formats.normalise(prop["format"], text)
        return text
    if kind == "integer":
        if _is_int(value):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and INT_RE.match(value.strip()):
            return int(value.strip())
        raise ValueError
    if kind == "number":
        if _is_number(value):
            return value
        if isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError from None
            if not number.is_finite():
                raise ValueError
            return int(number) if number == number.to_integral_value() else float(number)
        raise ValueError
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "on", "1", "yes", "是"}:
            return True
        if isinstance(value, str) and value.strip().lower() in {
            "false",
            "off",
            "0",
            "no",
            "否",
            "",
        }:
            return False
        raise ValueError
    raise ValueError


def _value_error(key: str, prop: dict, value):
    """(cleaned value, error message or None) for one present, non-empty value."""
    title = _label(key, prop)
    kind = prop["type"]
    if isinstance(value, dt.date) and kind == "string" and prop.get("format") == "date":
        value = value.isoformat()
    try:
        cleaned = _coerce(prop, value)
    except (ValueError, TypeError, OverflowError):
        if kind in ("integer", "number"):
            return None, number_message(prop, title)
        if kind == "boolean":
            return None, gettext("“%(title)s” must be yes or no.") % {"title": title}
        if prop.get("format") == "date":
            return None, date_message(title)
        return None, gettext("“%(title)s” must be text.") % {"title": title}
    if "enum" in prop and cleaned not in prop["enum"]:
        return None, enum_message(prop, title)
    if kind in ("integer", "number"):
        lo, hi = prop.get("minimum"), prop.get("maximum")
        if (lo is not None and cleaned < lo) or (hi is not None and cleaned > hi):
            return None, number_message(prop, title)
    if kind == "string":
        if "maxLength" in prop and len(cleaned) > prop["maxLength"]:
            return None, gettext(
                "“%(title)s” may be at most %(n)d characters long (it has %(len)d)."
            ) % {"title": title, "n": prop["maxLength"], "len": len(cleaned)}
        if "minLength" in prop and len(cleaned) < prop["minLength"]:
            return None, gettext("“%(title)s” must be at least %(n)d characters long.") % {
                "title": title,
                "n": prop["minLength"],
            }
        if "pattern" in prop and not re.search(prop["pattern"], cleaned):
            return None, pattern_message(prop, title)
        if personal_formats.is_personal(prop):
            cleaned, problem = personal_formats.check(prop["format"], cleaned)
            if problem:
                return None, gettext("“%(title)s”: %(error)s") % {"title": title, "error": problem}
    if kind == "boolean" and prop.get("const") is True and cleaned is not True:
        return None, gettext("Please tick “%(title)s”.") % {"title": title}
    return cleaned, None


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def clean_data(schema: dict | None, data: dict | None) -> tuple[dict, dict[str, str]]:
    """Validate ``data`` against ``schema``: (JSON-safe cleaned values, {field: message}).

    Unknown keys are dropped; empty optional fields are left out; dates become ISO strings.
    """
    data = data or {}
    cleaned: dict = {}
    errors: dict[str, str] = {}
    if not schema:
        return cleaned, errors
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    for key in field_order(schema):
        prop = props[key]
        value = data.get(key)
        if _is_empty(value):
            if key in required:
                errors[key] = required_message(_label(key, prop))
            elif prop["type"] == "boolean" and prop.get("const") is True:
                errors[key] = gettext("Please tick “%(title)s”.") % {"title": _label(key, prop)}
            continue
        value, problem = _value_error(key, prop, value)
        if problem:
            errors[key] = problem
        else:
            cleaned[key] = value
    return cleaned, errors


def validate_data(schema: dict | None, data: dict | None) -> dict[str, str]:
    """``{field: Chinese message}`` for every problem in ``data`` (empty dict: valid)."""
    return clean_data(schema, data)[1]


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

    def clean(self):
        cleaned = super().clean()
        # Re-check typed values with the schema rules so form and API say the same thing.
        if not self._errors:
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


def _form_field(key: str, prop: dict, required: bool) -> forms.Field:
    title = _label(key, prop)
    common = {
        "label": title,
        "help_text": prop.get("description", ""),
        "required": required,
        "error_messages": {"required": required_message(title)},
    }
    if "default" in prop:
        common["initial"] = prop["default"]
    kind = prop["type"]
    if "enum" in prop:
        choices = [(_fmt(v), _fmt(v)) for v in prop["enum"]]
        coerce = {"integer": int, "number": float}.get(kind, str)
        common["error_messages"]["invalid_choice"] = enum_message(prop, title)
        return forms.TypedChoiceField(
            choices=[("", _("— please choose —")), *choices],
            coerce=coerce,
            empty_value=None,
            **common,
        )
    if kind == "boolean":
        common["required"] = prop.get("const") is True
        common["error_messages"]["required"] = gettext("Please tick “%(title)s”.") % {
            "title": title
        }
        return forms.BooleanField(**common)
    if kind in ("integer", "number"):
        message = number_message(prop, title)
        for code in (
            "invalid",
            "min_value",
            "max_value",
            "max_digits",
            "max_decimal_places",
            "max_whole_digits",
        ):
            common["error_messages"][code] = message
        bounds = {"min_value": prop.get("minimum"), "max_value": prop.get("maximum")}
        if kind == "integer":
            return forms.IntegerField(**bounds, **common)
        return forms.FloatField(**bounds, **common)
    if prop.get("format") == "date":
        common["error_messages"]["invalid"] = date_message(title)
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            **common,
        )
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
    widget = forms.Textarea(attrs={"rows": 4}) if (max_length or 0) > TEXTAREA_FROM else None
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
