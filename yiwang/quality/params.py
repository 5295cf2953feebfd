"""Checking a rule's column and parameters before it is saved.

Rules apply to the *published* data items (the hub table's columns come from them), so the
column must be one of the published version's items, and typed parameters (a range's bounds,
allowed values) are converted with the item's type exactly as ingestion converts a cell.
Every problem is reported at once, keyed by the form field it belongs to: ``kind``,
``column``, ``pattern``, ``min``, ``max``, ``values``, ``reference``, ``grace_days``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.datahub.choices import DataType
from yiwang.datahub.hub.values import BadValue, as_text, column_of, convert
from yiwang.datahub.models import Resource
from yiwang.datahub.queries import IN_CATALOGUE

from .choices import RESOURCE_KINDS, RuleKind

MAX_PATTERN = 300
MAX_VALUES = 500
MAX_VALUE_LENGTH = 200
MAX_GRACE_DAYS = 366
DEFAULT_GRACE_DAYS = 1
_ORDERED_TYPES = (DataType.INTEGER, DataType.DECIMAL, DataType.DATE, DataType.DATETIME)


@dataclass(frozen=True)
class CleanRule:
    kind: str
    column: str
    params: dict[str, Any]


def published_items(resource: Resource) -> dict[str, dict]:
    """The published version's items by column (empty before the first publication)."""
    version = resource.current_version
    if version is None:
        return {}
    return {item["column"]: item for item in version.snapshot.get("items", [])}


def require_published(resource: Resource) -> None:
    if resource.current_version_id is None:
        raise ValidationError(
            _("Rules check published data items: resource %(code)s has not been published yet.")
            % {"code": resource.code},
            code="not_published",
        )


def _type_label(item: dict) -> str:
    try:
        return str(DataType(item["data_type"]).label)
    except ValueError:
        return str(item["data_type"])


def _text(params: dict, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def _pattern(params: dict, errors: dict[str, list[str]]) -> dict:
    pattern = _text(params, "pattern")
    if not pattern:
        errors.setdefault("pattern", []).append(_("Write the pattern the values must match."))
        return {}
    if len(pattern) > MAX_PATTERN:
        errors.setdefault("pattern", []).append(
            _("The pattern is longer than %(max)d characters.") % {"max": MAX_PATTERN}
        )
        return {}
    try:
        re.compile(pattern)
    except re.error as error:
        errors.setdefault("pattern", []).append(
            _("Not a valid regular expression: %(error)s.") % {"error": str(error)}
        )
        return {}
    return {"pattern": pattern}


def _bound(item: dict, params: dict, name: str, errors: dict[str, list[str]]) -> Any:
    text = _text(params, name)
    if not text:
        return None
    try:
        return convert(text, column_of(item))
    except BadValue as error:
        errors.setdefault(name, []).append(str(error))
        return None


def _range(item: dict, params: dict, errors: dict[str, list[str]]) -> dict:
    if item["data_type"] not in _ORDERED_TYPES:
        errors.setdefault("column", []).append(
            _("A range applies to numbers and dates; “%(name)s” is %(type)s.")
            % {"name": item["name"], "type": _type_label(item)}
        )
        return {}
    if not _text(params, "min") and not _text(params, "max"):
        errors.setdefault("min", []).append(_("Give a minimum, a maximum or both."))
        return {}
    low = _bound(item, params, "min", errors)
    high = _bound(item, params, "max", errors)
    if low is not None and high is not None and low > high:
        errors.setdefault("max", []).append(
            _("The minimum %(min)s is greater than the maximum %(max)s.")
            % {"min": as_text(low), "max": as_text(high)}
        )
        return {}
    return {
        "min": None if low is None else as_text(low),
        "max": None if high is None else as_text(high),
    }


def _values(item: dict, params: dict, errors: dict[str, list[str]]) -> dict:
    raw = params.get("values")
    lines = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    column = column_of(item)
    values: list[str] = []
    for line in lines:
        text = "" if line is None else str(line).strip()
        if not text:
            continue
        if len(text) > MAX_VALUE_LENGTH:
            errors.setdefault("values", []).append(
                _("“%(value)s…” is longer than %(max)d characters.")
                % {"value": text[:20], "max": MAX_VALUE_LENGTH}
            )
            continue
        try:
            value = as_text(convert(text, column))
        except BadValue as error:
            errors.setdefault("values", []).append(
                _("“%(value)s”: %(problem)s") % {"value": text, "problem": str(error)}
            )
            continue
        if value not in values:
            values.append(value)
    if not values and "values" not in errors:
        errors.setdefault("values", []).append(_("List at least one allowed value, one per line."))
    if len(values) > MAX_VALUES:
        errors.setdefault("values", []).append(
            _("At most %(max)d allowed values.") % {"max": MAX_VALUES}
        )
    return {"values": values}


def _reference(params: dict, errors: dict[str, list[str]]) -> dict:
    code = _text(params, "reference")[:20]
    if not code:
        errors.setdefault("reference", []).append(
            _("Give the code of the resource whose keys the values must be.")
        )
        return {}
    target = (
        Resource.objects.filter(IN_CATALOGUE, code=code).select_related("current_version").first()
    )
    if target is None or target.current_version is None:
        errors.setdefault("reference", []).append(
            _("No published resource %(code)s in the catalogue.") % {"code": code}
        )
        return {}
    if not target.current_version.snapshot.get("key_item"):
        errors.setdefault("reference", []).append(
            _("Resource %(code)s has no key item: its rows cannot be referred to.") % {"code": code}
        )
        return {}
    return {"resource": code}


def _grace(params: dict, errors: dict[str, list[str]]) -> dict:
    text = _text(params, "grace_days")
    if not text:
        return {"grace_days": DEFAULT_GRACE_DAYS}
    if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > MAX_GRACE_DAYS:
        errors.setdefault("grace_days", []).append(
            _("The days of grace are a whole number from 0 to %(max)d.") % {"max": MAX_GRACE_DAYS}
        )
        return {}
    return {"grace_days": int(text)}


def clean(resource: Resource, kind: str, column: str, params: dict | None) -> CleanRule:
    """The rule's kind, column and normalised parameters; ``ValidationError`` keyed by field
    (every problem at once) when they cannot be a rule of ``resource``."""
    require_published(resource)
    params = params or {}
    errors: dict[str, list[str]] = {}
    if kind not in RuleKind.values:
        raise ValidationError({"kind": [_("Choose a rule from the list.")]})
    if kind in RESOURCE_KINDS:
        grace = _grace(params, errors)
        if errors:
            raise ValidationError(errors)
        return CleanRule(kind, "", grace)
    column = (column or "").strip()
    items = published_items(resource)
    item = items.get(column)
    if not column:
        errors["column"] = [_("Choose the data item the rule checks.")]
    elif item is None:
        errors["column"] = [
            _("Resource %(code)s has no published data item “%(column)s”.")
            % {"code": resource.code, "column": column[:63]}
        ]
    if errors or item is None:
        raise ValidationError(errors)
    clean_params: dict[str, Any] = {}
    if kind in (RuleKind.ID_NUMBER, RuleKind.USCC) and item["data_type"] != DataType.STRING:
        errors["column"] = [
            _("Check digits apply to text items; “%(name)s” is %(type)s.")
            % {"name": item["name"], "type": _type_label(item)}
        ]
    elif kind == RuleKind.REGEX:
        clean_params = _pattern(params, errors)
    elif kind == RuleKind.RANGE:
        clean_params = _range(item, params, errors)
    elif kind == RuleKind.ENUM:
        clean_params = _values(item, params, errors)
    elif kind == RuleKind.REFERENCE:
        clean_params = _reference(params, errors)
    if errors:
        raise ValidationError(errors)
    return CleanRule(kind, column, clean_params)
