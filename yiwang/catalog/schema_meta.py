"""The subset of JSON Schema an application form may use, written as a JSON Schema.

``FORM_META`` describes what ``ServiceItem.form_schema`` may contain; ``jsonschema`` checks a
form's schema against it and :func:`meta_messages` turns each failure into the specific
message the back office shows. The rules that relate keywords to each other (minimum ≤
maximum, ``required`` names existing fields, keywords that belong to one field type …) are in
:func:`yiwang.catalog.forms_schema.schema_errors`.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext
from jsonschema import Draft202012Validator

from . import personal_formats

TYPES = ("string", "integer", "number", "boolean", "array")
FORMATS = ("date", *personal_formats.PERSONAL_FORMATS)
WIDGETS = ("textarea",)
KEY_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,49}$"
KEY_RE = re.compile(KEY_PATTERN)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_PROPERTIES = 60
MAX_CHOICES = 100
MAX_TEXT = 5000

_TEXT = {"type": "string", "maxLength": 200}
_CHOICES = {"type": "array", "minItems": 1, "maxItems": MAX_CHOICES}

PROPERTY_META = {
    "type": "object",
    "required": ["type", "title"],
    "properties": {
        "type": {"enum": list(TYPES)},
        "title": {**_TEXT, "pattern": r"\S"},
        "description": _TEXT,
        "enum": _CHOICES,
        "maxLength": {"type": "integer", "minimum": 0, "maximum": MAX_TEXT},
        "minLength": {"type": "integer", "minimum": 0},
        "pattern": {"type": "string", "maxLength": 200},
        "minimum": {"type": "number"},
        "maximum": {"type": "number"},
        "format": {"enum": list(FORMATS)},
        "default": {},
        "const": {"const": True},
        "items": {
            "type": "object",
            "required": ["type", "enum"],
            "properties": {"type": {"const": "string"}, "enum": _CHOICES},
            "additionalProperties": False,
        },
        "uniqueItems": {"const": True},
        "x-widget": {"enum": list(WIDGETS)},
    },
    "additionalProperties": False,
}

FORM_META = {
    "type": "object",
    "required": ["properties"],
    "properties": {
        "type": {"const": "object"},
        "title": _TEXT,
        "description": _TEXT,
        "properties": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_PROPERTIES,
            "propertyNames": {"pattern": KEY_PATTERN},
            "additionalProperties": PROPERTY_META,
        },
        "required": {"type": "array", "items": {"type": "string"}},
        "x-order": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
    "additionalProperties": False,
}

Draft202012Validator.check_schema(FORM_META)
META_VALIDATOR = Draft202012Validator(FORM_META)
PROPERTY_VALIDATOR = Draft202012Validator(PROPERTY_META)


def _words(obj: dict, allowed) -> str:
    return ", ".join(sorted(str(k) for k in set(obj) - set(allowed)))


def _top_message(error, schema) -> str:
    path = list(error.absolute_path)
    if not path:
        if error.validator == "type":
            return gettext(
                'The form schema must be a JSON object such as {"type": "object", '
                '"properties": {…}}.'
            )
        if error.validator == "additionalProperties":
            return gettext("The form schema uses unsupported keywords: %(words)s.") % {
                "words": _words(schema, FORM_META["properties"])
            }
        return gettext("The form schema needs “properties” with at least one field.")
    if path[0] == "type":
        return gettext("The form schema's “type” must be “object”.")
    if path[0] in ("title", "description"):
        return gettext("The form's “%(word)s” must be text of at most 200 characters.") % {
            "word": path[0]
        }
    if path[0] == "required":
        return gettext("“required” must be a list of field names.")
    if path[0] == "x-order":
        return gettext("“x-order” must list each field name at most once.")
    # path == ["properties"]
    if error.validator == "maxProperties":
        return gettext("The form may have at most %(n)d fields.") % {"n": MAX_PROPERTIES}
    if error.validator == "pattern":  # propertyNames: the instance is the key
        return gettext(
            "Field name “%(key)s” is not allowed: use 1–50 latin letters, digits or underscores, "
            "starting with a letter (put the Chinese name in “title”)."
        ) % {"key": error.instance}
    return gettext("The form schema needs “properties” with at least one field.")


def _field_message(key: str, prop, word: str | None, error) -> str:
    params = {"key": key, "word": word}
    if word is None:
        if error.validator == "type":
            return gettext('Field “%(key)s” must be an object such as {"type": "string"}.') % params
        if error.validator == "additionalProperties":
            return gettext("Field “%(key)s” uses unsupported keywords: %(words)s.") % {
                "key": key,
                "words": _words(prop, PROPERTY_META["properties"]),
            }
    if word == "type":
        return gettext(
            "Field “%(key)s” has type “%(type)s”; use one of string, integer, number, boolean, "
            'array (dates are strings with "format": "date").'
        ) % {"key": key, "type": prop.get("type")}
    if word == "title" and error.validator in ("pattern", "required"):
        return gettext("Field “%(key)s” needs a Chinese “title” shown to applicants.") % params
    if word in ("title", "description"):
        return gettext("Field “%(key)s”: “%(word)s” must be text of at most 200 characters.") % (
            params
        )
    if word == "maxLength" and error.validator == "maximum":
        return gettext("Field “%(key)s”: maxLength may be at most %(n)d.") % {
            "key": key,
            "n": MAX_TEXT,
        }
    if word in ("maxLength", "minLength"):
        return gettext("Field “%(key)s”: “%(word)s” must be a whole number ≥ 0.") % params
    if word in ("minimum", "maximum"):
        return gettext("Field “%(key)s”: “%(word)s” must be a number.") % params
    if word == "pattern":
        return (
            gettext(
                "Field “%(key)s”: “pattern” must be a regular expression of at most 200 characters."
            )
            % params
        )
    if word == "format":
        return gettext("Field “%(key)s”: the format must be one of %(formats)s.") % {
            "key": key,
            "formats": ", ".join(FORMATS),
        }
    if word == "enum":
        return (
            gettext(
                "Field “%(key)s”: “enum” must be a list of 1–100 non-empty values of the field's type."
            )
            % params
        )
    if word == "const":
        return (
            gettext(
                "Field “%(key)s”: only “const”: true on a boolean field is supported "
                "(a box the applicant must tick)."
            )
            % params
        )
    if word in ("items", "uniqueItems"):
        return (
            gettext(
                "Field “%(key)s”: a multiple-choice field needs its choices in "
                '“items”, e.g. {"type": "string", "enum": ["甲", "乙"]}.'
            )
            % params
        )
    return gettext("Field “%(key)s”: “x-widget” may only be “textarea”.") % params


def meta_messages(schema) -> list[str]:
    """The failures of ``schema`` against :data:`FORM_META`, as specific messages."""
    out = []
    for error in META_VALIDATOR.iter_errors(schema):
        path = list(error.absolute_path)
        if len(path) >= 2 and path[0] == "properties":
            key = str(path[1])
            prop = schema["properties"][path[1]]
            prop = prop if isinstance(prop, dict) else {}
            word = str(path[2]) if len(path) >= 3 else None
            if word is None and error.validator == "required":
                # One error per missing keyword: name it.
                for missing in error.validator_value:
                    if missing not in prop:
                        out.append(_field_message(key, prop, missing, error))
                continue
            out.append(_field_message(key, prop, word, error))
        else:
            out.append(_top_message(error, schema))
    return list(dict.fromkeys(out))
