"""The rules of an item's own fields, checked together by ``clean_item_fields``.

Each step reads and cleans ``check.data`` and adds messages keyed by field, so callers can
show every problem at once; the actions raise them as one ``ValidationError``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from yiwang.regions.models import Level

from ..forms_schema import normalize_schema, schema_errors
from ..models import Audience, CaseRegionSource, HandlingKind, NodeLevel, OnlineDepth, ServiceItem
from ._common import ItemCheck
from .references import check_parent, check_unique, resolve_references

ITEM_FIELDS = (
    "parent",
    "node_level",
    "handling_kind",
    "name",
    "aliases",
    "item_type",
    "main_number",
    "sub_number",
    "level_code",
    "competent_department",
    "department",
    "region",
    "legal_basis",
    "audience",
    "scope",
    "conditions",
    "procedure",
    "statutory_limit",
    "promised_limit",
    "fees",
    "fee_basis",
    "online_depth",
    "visits",
    "consult_phone",
    "complaint_phone",
    "location",
    "channels",
    "county_wide",
    "cross_region",
    "form_schema",
    "downloads",
    "case_region_from",
    "case_region_field",
)
# Fields that make up the item's codes; a published item keeps them (withdraw it to change).
IDENTITY_FIELDS = (
    "item_type",
    "main_number",
    "sub_number",
    "level_code",
    "department",
    "region",
    "handling_kind",
    "node_level",
)
CHANNELS = ("PC端", "移动端", "自助终端", "窗口")
LEVEL_BY_REGION = {
    Level.PROVINCE: "2",
    Level.CITY: "3",
    Level.COUNTY: "4",
    Level.TOWN: "5",
    Level.VILLAGE: "5",
}
TEXT_LIMITS = {
    "name": 200,
    "fees": 200,
    "fee_basis": 300,
    "consult_phone": 100,
    "complaint_phone": 100,
    "location": 300,
    "aliases": 2000,
    "legal_basis": 5000,
    "scope": 5000,
    "conditions": 5000,
}
LABELS = {
    "name": "事项名称",
    "item_type": "事项类型",
    "main_number": "主项编号",
    "sub_number": "子项编号",
    "level_code": "行使层级",
    "department": "实施机关",
    "competent_department": "主管部门",
    "region": "实施区划",
    "legal_basis": "设定和实施依据",
    "statutory_limit": "法定办结时限",
    "promised_limit": "承诺办结时限",
    "visits": "到现场次数",
    "fees": "收费标准",
    "fee_basis": "收费依据",
    "consult_phone": "咨询方式",
    "complaint_phone": "监督投诉电话",
    "location": "办理地点和时间",
    "aliases": "别名",
    "scope": "受理范围",
    "conditions": "受理条件",
}
CHOICES = {
    "node_level": NodeLevel.values,
    "handling_kind": HandlingKind.values,
    "audience": Audience.values,
    "case_region_from": CaseRegionSource.values,
}


def clean_item_fields(
    fields: dict[str, Any], instance: ServiceItem | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check ``fields`` (merged over ``instance`` for an update).

    Returns ``(cleaned values for the given fields, {field: [messages]})``. Foreign keys may
    be given as instances or natural codes (item type code, USCC, division code, parent pk).
    """
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown service item fields: {', '.join(sorted(unknown))}")
    check = ItemCheck(fields, instance)
    resolve_references(check)
    if check.creating:
        _creation_defaults(check)
    for step in (
        _texts,
        _required,
        _code_numbers,
        _choices,
        _time_limits,
        _small_numbers,
        _channels,
        _flags,
        _procedure,
        _downloads,
        _form_schema,
        _case_region,
        check_parent,
    ):
        step(check)
    if not check.errors:
        check_unique(check)
    return check.data, dict(check.errors)


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _creation_defaults(check: ItemCheck) -> None:
    """Defaults that depend on other fields: the agency's region and competent department,
    the level of the region, no sub-item."""
    data = check.data
    dept = data.get("department")
    if dept is not None:
        data.setdefault("competent_department", dept)
        if data.get("region") is None and "region" not in check.errors:
            data["region"] = dept.region
    region = data.get("region")
    if region is not None and not data.get("level_code"):
        data["level_code"] = LEVEL_BY_REGION.get(region.level, "4")
    data.setdefault("sub_number", "000")


def _texts(check: ItemCheck) -> None:
    for field, limit in TEXT_LIMITS.items():
        if field not in check.data:
            continue
        value = "" if check.data[field] is None else str(check.data[field]).strip()
        if field == "aliases":
            value = ",".join(a.strip() for a in re.split(r"[,，、;；\n]", value) if a.strip())
        if len(value) > limit:
            check.add(
                field,
                gettext("“%(label)s” is too long: at most %(n)d characters.")
                % {"label": LABELS[field], "n": limit},
            )
        check.data[field] = value


def _required(check: ItemCheck) -> None:
    for field in ("name", "legal_basis"):
        if (check.creating or field in check.data) and not check.final(field):
            check.add(field, gettext("“%(label)s” is required.") % {"label": LABELS[field]})
    for field in ("item_type", "department", "competent_department", "region"):
        if (
            (check.creating or field in check.data)
            and check.final(field) is None
            and field not in check.errors
        ):
            check.add(field, gettext("“%(label)s” is required.") % {"label": LABELS[field]})


def _code_numbers(check: ItemCheck) -> None:
    """Main number 5 digits, sub-item number 3 digits, level code 1–5."""
    data = check.data
    if "main_number" in data or check.creating:
        value = str(data.get("main_number") or "").strip()
        if not re.fullmatch(r"\d{5}", value):
            check.add(
                "main_number",
                gettext(
                    "The main item number must be exactly 5 digits (e.g. 00012); got “%(value)s”."
                )
                % {"value": value},
            )
        data["main_number"] = value
    if "sub_number" in data:
        value = str(data.get("sub_number") or "").strip()
        if not re.fullmatch(r"\d{3}", value):
            check.add(
                "sub_number",
                gettext(
                    "The sub-item number must be exactly 3 digits (000 when "
                    "there is no sub-item); got “%(value)s”."
                )
                % {"value": value},
            )
        data["sub_number"] = value
    if "level_code" in data and str(data["level_code"]) not in "12345":
        check.add("level_code", gettext("The level code must be 1 (national) to 5 (town)."))


def _choices(check: ItemCheck) -> None:
    for field, allowed in CHOICES.items():
        if field in check.data and check.data[field] not in allowed:
            check.add(
                field,
                gettext("“%(value)s” is not a valid choice; use one of %(choices)s.")
                % {"value": check.data[field], "choices": ", ".join(allowed)},
            )


def _whole_number(check: ItemCheck, field: str, *, lo: int, hi: int, message: str) -> None:
    """``data[field]`` as an int in ``lo..hi`` (digits in a string accepted), else None."""
    value = check.data.get(field)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        check.add(field, message)
        value = None
    check.data[field] = value


def _time_limits(check: ItemCheck) -> None:
    """Both limits whole working days; the promise no longer than the statutory limit."""
    for field in ("statutory_limit", "promised_limit"):
        if field in check.data or check.creating:
            _whole_number(
                check,
                field,
                lo=0,
                hi=3650,
                message=gettext(
                    "“%(label)s” must be a whole number of working days (0 for 即办件)."
                )
                % {"label": LABELS[field]},
            )
    statutory, promised = check.final("statutory_limit"), check.final("promised_limit")
    if (
        isinstance(statutory, int)
        and isinstance(promised, int)
        and promised > statutory
        and not check.errors.get("promised_limit")
    ):
        check.add(
            "promised_limit",
            gettext(
                "The promised limit (%(promised)d working days) cannot exceed the statutory limit "
                "(%(statutory)d working days); shorten the promised limit."
            )
            % {"promised": promised, "statutory": statutory},
        )


def _small_numbers(check: ItemCheck) -> None:
    """Visits 0–2 and the online depth 1–3."""
    if "visits" in check.data:
        _whole_number(
            check, "visits", lo=0, hi=2, message=gettext("Visits required must be 0, 1 or 2.")
        )
    if "online_depth" in check.data:
        _whole_number(
            check,
            "online_depth",
            lo=1,
            hi=3,
            message=gettext(
                "Online depth must be 1 (window), 2 (online pre-review) or 3 (fully online)."
            ),
        )
        depth = check.data["online_depth"]
        if depth is not None and depth not in OnlineDepth.values:
            check.add("online_depth", gettext("Unknown online depth."))


def _channels(check: ItemCheck) -> None:
    """Known channels (a list, or text separated by commas), kept in the canonical order."""
    if "channels" not in check.data:
        return
    channels = check.data["channels"] or []
    if isinstance(channels, str):
        channels = [c.strip() for c in re.split(r"[,，、]", channels) if c.strip()]
    bad = [c for c in channels if c not in CHANNELS] if isinstance(channels, list) else [channels]
    if bad:
        check.add(
            "channels",
            gettext("Unknown channels: %(bad)s; use %(allowed)s.")
            % {"bad": "、".join(map(str, bad)), "allowed": "、".join(CHANNELS)},
        )
    else:
        check.data["channels"] = [c for c in CHANNELS if c in channels]


def _flags(check: ItemCheck) -> None:
    for field in ("county_wide", "cross_region"):
        if field in check.data and not isinstance(check.data[field], bool):
            check.add(field, gettext("Must be yes or no."))


def _procedure(check: ItemCheck) -> None:
    """A list of ``{"name", "description"}``; plain strings become names."""
    if "procedure" not in check.data:
        return
    value = check.data["procedure"]
    out: list[dict[str, str]] = []
    if value in (None, ""):
        pass
    elif not isinstance(value, list):
        check.add("procedure", gettext("The procedure must be a list of steps."))
    else:
        for i, step in enumerate(value, start=1):
            if isinstance(step, str):
                step = {"name": step, "description": ""}
            if (
                not isinstance(step, dict)
                or not str(step.get("name") or "").strip()
                or set(step) - {"name", "description"}
            ):
                check.add(
                    "procedure",
                    gettext("Procedure step %(n)d needs a name (and optionally a description).")
                    % {"n": i},
                )
                continue
            out.append(
                {
                    "name": str(step["name"]).strip()[:50],
                    "description": str(step.get("description") or "").strip(),
                }
            )
    check.data["procedure"] = out


def _downloads(check: ItemCheck) -> None:
    """A list of ``{"name", "url"}`` with web or site-relative addresses."""
    if "downloads" not in check.data:
        return
    value = check.data["downloads"]
    out: list[dict[str, str]] = []
    if value in (None, ""):
        pass
    elif not isinstance(value, list):
        check.add("downloads", gettext("Forms to download must be a list of {name, url}."))
    else:
        for i, entry in enumerate(value, start=1):
            name = str(entry.get("name") or "").strip() if isinstance(entry, dict) else ""
            url = str(entry.get("url") or "").strip() if isinstance(entry, dict) else ""
            if not name or not (url.startswith(("https://", "http://", "/")) and " " not in url):
                check.add(
                    "downloads",
                    gettext(
                        "Download %(n)d needs a name and an address starting "
                        "with https://, http:// or /."
                    )
                    % {"n": i},
                )
                continue
            out.append({"name": name[:100], "url": url[:500]})
    check.data["downloads"] = out


def _form_schema(check: ItemCheck) -> None:
    if "form_schema" not in check.data:
        return
    schema = check.data["form_schema"] or {}
    problems = schema_errors(schema)
    for message in problems:
        check.add("form_schema", message)
    if not problems:
        check.data["form_schema"] = normalize_schema(schema)


def _case_region(check: ItemCheck) -> None:
    """A form field naming the town is one of the item's form fields, and the premises
    source needs one (the choice itself is checked with the other choices)."""
    data = check.data
    if "case_region_field" in data:
        data["case_region_field"] = str(data["case_region_field"] or "").strip()
    if not {"case_region_field", "case_region_from", "form_schema"} & set(data):
        return
    key = check.final("case_region_field") or ""
    schema = check.final("form_schema")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        properties = {}  # a malformed schema has its own errors
    if key and key not in properties:
        check.add(
            "case_region_field",
            gettext("The application form has no field “%(key)s” to read the town from.")
            % {"key": key},
        )
    elif not key and check.final("case_region_from") == CaseRegionSource.PREMISES:
        check.add(
            "case_region_field",
            gettext("Name the application form field that holds the town of the premises."),
        )
