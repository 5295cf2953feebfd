"""Validation of item fields and materials, shared by the actions, the back office and Excel.

Functions return errors keyed by field (or by material index) so callers can show every
problem at once; the actions raise them as one ``ValidationError``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from yiwang.orgs.models import Department
from yiwang.regions.models import Level, Region

from .forms_schema import normalize_schema, schema_errors
from .models import (
    Audience,
    HandlingKind,
    ItemType,
    MaterialForm,
    NodeLevel,
    OnlineDepth,
    Replaceable,
    ServiceItem,
)

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
FK_FIELDS = ("parent", "item_type", "competent_department", "department", "region")
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
MATERIAL_KEYS = {"id", "name", "form", "count", "required", "source", "replaceable_by", "notes"}


def _add(errors, field, message):
    errors[field].append(str(message))


def _resolve(field: str, value, errors):
    """Model instance for a foreign-key field given an instance, a code or a pk."""
    if value in (None, ""):
        return None
    if field == "item_type":
        if isinstance(value, ItemType):
            return value
        found = ItemType.objects.filter(code=str(value).strip().upper()).first()
        if found is None:
            _add(
                errors,
                field,
                gettext(
                    "There is no item type with the code “%(code)s”; use one of "
                    "the type codes (e.g. XK 行政许可)."
                )
                % {"code": value},
            )
        return found
    if field in ("department", "competent_department"):
        if isinstance(value, Department):
            return value
        text = str(value).strip().upper()
        qs = Department.objects.select_related("region")
        found = (
            qs.filter(uscc=text).first()
            if len(text) == 18
            else qs.filter(pk=int(text)).first()
            if text.isdigit()
            else None
        )
        if found is None:
            _add(
                errors,
                field,
                gettext("No department has the unified social credit code “%(code)s”.")
                % {"code": value},
            )
        return found
    if field == "region":
        if isinstance(value, Region):
            return value
        found = Region.objects.filter(code=str(value).strip()).first()
        if found is None:
            _add(
                errors,
                field,
                gettext("There is no region with the division code “%(code)s”.") % {"code": value},
            )
        return found
    if field == "parent":
        if isinstance(value, ServiceItem):
            return value
        found = ServiceItem.objects.filter(pk=value).first() if str(value).isdigit() else None
        if found is None:
            _add(errors, field, gettext("The parent item %(id)s does not exist.") % {"id": value})
        return found
    raise KeyError(field)


def _int(value, field, errors, *, lo: int, hi: int, message: str):
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        _add(errors, field, message)
        return None
    return value


def _procedure(value, errors):
    """A list of ``{"name", "description"}``; plain strings become names."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        _add(errors, "procedure", gettext("The procedure must be a list of steps."))
        return []
    out = []
    for i, step in enumerate(value, start=1):
        if isinstance(step, str):
            step = {"name": step, "description": ""}
        if (
            not isinstance(step, dict)
            or not str(step.get("name") or "").strip()
            or set(step) - {"name", "description"}
        ):
            _add(
                errors,
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
    return out


def _downloads(value, errors):
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        _add(errors, "downloads", gettext("Forms to download must be a list of {name, url}."))
        return []
    out = []
    for i, entry in enumerate(value, start=1):
        name = str(entry.get("name") or "").strip() if isinstance(entry, dict) else ""
        url = str(entry.get("url") or "").strip() if isinstance(entry, dict) else ""
        if not name or not (url.startswith(("https://", "http://", "/")) and " " not in url):
            _add(
                errors,
                "downloads",
                gettext(
                    "Download %(n)d needs a name and an address starting "
                    "with https://, http:// or /."
                )
                % {"n": i},
            )
            continue
        out.append({"name": name[:100], "url": url[:500]})
    return out


def clean_item_fields(fields: dict, instance: ServiceItem | None = None) -> tuple[dict, dict]:
    """Check ``fields`` (merged over ``instance`` for an update).

    Returns ``(cleaned values for the given fields, {field: [messages]})``. Foreign keys may
    be given as instances or natural codes (item type code, USCC, division code, parent pk).
    """
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown service item fields: {', '.join(sorted(unknown))}")
    errors: dict[str, list[str]] = defaultdict(list)
    data = dict(fields)
    for field in FK_FIELDS:
        if field in data:
            data[field] = _resolve(field, data[field], errors)
    # Defaults that depend on other fields (create only).
    if instance is None:
        dept = data.get("department")
        if dept is not None:
            data.setdefault("competent_department", dept)
            if data.get("region") is None and "region" not in errors:
                data["region"] = dept.region
        region = data.get("region")
        if region is not None and not data.get("level_code"):
            data["level_code"] = LEVEL_BY_REGION.get(region.level, "4")
        data.setdefault("sub_number", "000")

    def final(field):
        if field in data:
            return data[field]
        return getattr(instance, field) if instance is not None else None

    for field, limit in TEXT_LIMITS.items():
        if field in data:
            value = "" if data[field] is None else str(data[field]).strip()
            if field == "aliases":
                value = ",".join(a.strip() for a in re.split(r"[,，、;；\n]", value) if a.strip())
            if len(value) > limit:
                _add(
                    errors,
                    field,
                    gettext("“%(label)s” is too long: at most %(n)d characters.")
                    % {"label": LABELS[field], "n": limit},
                )
            data[field] = value
    for field in ("name", "legal_basis"):
        if (instance is None or field in data) and not final(field):
            _add(errors, field, gettext("“%(label)s” is required.") % {"label": LABELS[field]})
    for field in ("item_type", "department", "competent_department", "region"):
        if (instance is None or field in data) and final(field) is None and field not in errors:
            _add(errors, field, gettext("“%(label)s” is required.") % {"label": LABELS[field]})
    if "main_number" in data or instance is None:
        value = str(data.get("main_number") or "").strip()
        if not re.fullmatch(r"\d{5}", value):
            _add(
                errors,
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
            _add(
                errors,
                "sub_number",
                gettext(
                    "The sub-item number must be exactly 3 digits (000 when "
                    "there is no sub-item); got “%(value)s”."
                )
                % {"value": value},
            )
        data["sub_number"] = value
    if "level_code" in data and str(data["level_code"]) not in "12345":
        _add(errors, "level_code", gettext("The level code must be 1 (national) to 5 (town)."))
    choices = {
        "node_level": NodeLevel.values,
        "handling_kind": HandlingKind.values,
        "audience": Audience.values,
    }
    for field, allowed in choices.items():
        if field in data and data[field] not in allowed:
            _add(
                errors,
                field,
                gettext("“%(value)s” is not a valid choice; use one of %(choices)s.")
                % {"value": data[field], "choices": ", ".join(allowed)},
            )
    for field in ("statutory_limit", "promised_limit"):
        if field in data or instance is None:
            data[field] = _int(
                data.get(field),
                field,
                errors,
                lo=0,
                hi=3650,
                message=gettext(
                    "“%(label)s” must be a whole number of working days (0 for 即办件)."
                )
                % {"label": LABELS[field]},
            )
    statutory, promised = final("statutory_limit"), final("promised_limit")
    if (
        isinstance(statutory, int)
        and isinstance(promised, int)
        and promised > statutory
        and not errors.get("promised_limit")
    ):
        _add(
            errors,
            "promised_limit",
            gettext(
                "The promised limit (%(promised)d working days) cannot exceed the statutory limit "
                "(%(statutory)d working days); shorten the promised limit."
            )
            % {"promised": promised, "statutory": statutory},
        )
    if "visits" in data:
        data["visits"] = _int(
            data["visits"],
            "visits",
            errors,
            lo=0,
            hi=2,
            message=gettext("Visits required must be 0, 1 or 2."),
        )
    if "online_depth" in data:
        data["online_depth"] = _int(
            data["online_depth"],
            "online_depth",
            errors,
            lo=1,
            hi=3,
            message=gettext(
                "Online depth must be 1 (window), 2 (online pre-review) or 3 (fully online)."
            ),
        )
        if data["online_depth"] is not None and data["online_depth"] not in OnlineDepth.values:
            _add(errors, "online_depth", gettext("Unknown online depth."))
    if "channels" in data:
        channels = data["channels"] or []
        if isinstance(channels, str):
            channels = [c.strip() for c in re.split(r"[,，、]", channels) if c.strip()]
        bad = (
            [c for c in channels if c not in CHANNELS] if isinstance(channels, list) else [channels]
        )
        if bad:
            _add(
                errors,
                "channels",
                gettext("Unknown channels: %(bad)s; use %(allowed)s.")
                % {"bad": "、".join(map(str, bad)), "allowed": "、".join(CHANNELS)},
            )
        else:
            data["channels"] = [c for c in CHANNELS if c in channels]
    for field in ("county_wide", "cross_region"):
        if field in data and not isinstance(data[field], bool):
            _add(errors, field, gettext("Must be yes or no."))
    if "procedure" in data:
        data["procedure"] = _procedure(data["procedure"], errors)
    if "downloads" in data:
        data["downloads"] = _downloads(data["downloads"], errors)
    if "form_schema" in data:
        schema = data["form_schema"] or {}
        problems = schema_errors(schema)
        for message in problems:
            _add(errors, "form_schema", message)
        if not problems:
            data["form_schema"] = normalize_schema(schema)
    parent = final("parent")
    if parent is not None:
        if instance is not None and parent.pk == instance.pk:
            _add(errors, "parent", gettext("An item cannot be its own parent."))
        elif parent.node_level == NodeLevel.HANDLING:
            _add(
                errors,
                "parent",
                gettext("The parent must be a main item or a sub-item, not a handling item."),
            )
    if not errors:
        _check_unique(data, instance, errors)
    return data, dict(errors)


def _check_unique(data: dict, instance, errors) -> None:
    def final(field):
        return data[field] if field in data else getattr(instance, field, None)

    item_type, department = final("item_type"), final("department")
    if item_type is None or department is None:
        return
    clash = ServiceItem.objects.filter(
        item_type=item_type,
        main_number=final("main_number"),
        sub_number=final("sub_number"),
        department=department,
        handling_kind=final("handling_kind") or HandlingKind.NEW,
        node_level=final("node_level") or NodeLevel.HANDLING,
    )
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    other = clash.first()
    if other is not None:
        _add(
            errors,
            "main_number",
            gettext(
                "The item “%(name)s” of this department already has this code (%(code)s); change the "
                "main or sub-item number or the handling kind."
            )
            % {"name": other.name, "code": other.basic_code},
        )


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- materials --------------------------------------------------------------


def material_errors(materials) -> tuple[list[dict], list[tuple[int | None, str, str]]]:
    """Clean a list of material dicts: (cleaned, [(index, field, message)])."""
    problems: list[tuple[int | None, str, str]] = []
    if not isinstance(materials, list):
        return [], [(None, "materials", gettext("Materials must be a list."))]
    cleaned: list[dict] = []
    names: dict[str, int] = {}
    for i, raw in enumerate(materials):
        n = i + 1
        if not isinstance(raw, dict):
            problems.append(
                (i, "materials", gettext("Material %(n)d must be an object.") % {"n": n})
            )
            continue
        unknown = sorted(set(raw) - MATERIAL_KEYS)
        if unknown:
            problems.append(
                (
                    i,
                    "materials",
                    gettext("Material %(n)d has unknown attributes: %(words)s.")
                    % {"n": n, "words": ", ".join(unknown)},
                )
            )
        name = str(raw.get("name") or "").strip()
        if not name:
            problems.append((i, "name", gettext("Material %(n)d needs a name.") % {"n": n}))
        elif len(name) > 200:
            problems.append(
                (
                    i,
                    "name",
                    gettext("Material %(n)d: the name is longer than 200 characters.") % {"n": n},
                )
            )
        elif name in names:
            problems.append(
                (
                    i,
                    "name",
                    gettext("Material %(n)d: “%(name)s” is already listed as material %(m)d.")
                    % {"n": n, "name": name, "m": names[name] + 1},
                )
            )
        else:
            names[name] = i
        form = raw.get("form") or MaterialForm.ELECTRONIC
        if form not in MaterialForm.values:
            problems.append(
                (
                    i,
                    "form",
                    gettext(
                        "Material %(n)d: the form “%(value)s” must be one of "
                        "original, copy, electronic."
                    )
                    % {"n": n, "value": form},
                )
            )
        count = raw.get("count", 1)
        if isinstance(count, str) and count.strip().isdigit():
            count = int(count)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 99:
            problems.append(
                (
                    i,
                    "count",
                    gettext(
                        "Material %(n)d: the number of copies must be a whole number from 1 to 99."
                    )
                    % {"n": n},
                )
            )
        required = raw.get("required", True)
        if not isinstance(required, bool):
            problems.append(
                (i, "required", gettext("Material %(n)d: “required” must be yes or no.") % {"n": n})
            )
        replaceable = raw.get("replaceable_by") or ""
        if replaceable not in Replaceable.values:
            problems.append(
                (
                    i,
                    "replaceable_by",
                    gettext("Material %(n)d: “replaceable by” must be empty, licence or shared.")
                    % {"n": n},
                )
            )
        source = str(raw.get("source") or "申请人自备").strip()
        notes = str(raw.get("notes") or "").strip()
        if len(source) > 100 or len(notes) > 300:
            problems.append(
                (
                    i,
                    "notes",
                    gettext(
                        "Material %(n)d: the source may have at most 100 and "
                        "the notes 300 characters."
                    )
                    % {"n": n},
                )
            )
        cleaned.append(
            {
                "id": raw.get("id"),
                "name": name,
                "form": form,
                "count": count,
                "required": required,
                "source": source,
                "replaceable_by": replaceable,
                "notes": notes,
            }
        )
    return cleaned, problems
