"""State changes for administrative divisions (GB/T 2260 and GB/T 10114).

Codes are never reused: a retired division keeps its code for ever, so creating
a division with the code of a retired one is refused like any other duplicate.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import is_system

from .models import Level, Region

# Township codes (GB/T 10114): the 7th digit says what kind of township it is.
# 0 街道, 1 镇, 2/3 乡, 4/5 other units under the county (farms, forest farms,
# development zones).
TOWN_KINDS = {"0": "街道", "1": "镇", "2": "乡", "3": "乡", "4": "", "5": ""}
TOWN_NAME_SUFFIXES = {"0": ("街道", "街道办事处"), "1": ("镇",), "2": ("乡",), "3": ("乡",)}

_CODE_LENGTH = {
    Level.PROVINCE: 6,
    Level.CITY: 6,
    Level.COUNTY: 6,
    Level.TOWN: 9,
    Level.VILLAGE: 12,
}


def _invalid(field: str, message, code: str) -> ValidationError:
    """A field-keyed error that keeps its machine code (``error_dict[field][0].code``)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def can_administer(actor) -> bool:
    """Superusers and data-authority administrators maintain the shared reference data."""
    if is_system(actor):
        return True
    # Granted by orgs/permissions.py (data-authority posts): orgs depends on regions, not the
    # other way round.
    return bool(getattr(actor, "is_authenticated", False) and actor.has_perm("regions.administer"))


def _require_administer(actor) -> None:
    if not can_administer(actor):
        raise PermissionDenied(
            _(
                "Only the data authority administrator can maintain administrative divisions. "
                "Ask the data authority (政务服务数据管理局) to make this change."
            )
        )


def _snapshot(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parent": region.parent.code if region.parent is not None else None,
        "retired": region.retired,
    }


def _clean_name(name) -> str:
    name = (name or "").strip()
    if not name:
        raise _invalid("name", _("Enter the name of the division."), "required")
    if len(name) > 64:
        raise _invalid("name", _("The name is too long: use at most 64 characters."), "max_length")
    return name


# The level a division's parent must have, the usual one first (named in the error).
_PARENT_LEVELS = {
    Level.CITY: (Level.PROVINCE,),
    # Counties directly under a province (省直辖县) have the province as parent.
    Level.COUNTY: (Level.CITY, Level.PROVINCE),
    Level.TOWN: (Level.COUNTY,),
    Level.VILLAGE: (Level.TOWN,),
}


def validate_region_code(*, code: str, name: str, level: int, parent: Region | None) -> None:
    """Check a new division's code against its level and parent; raise ``ValidationError``."""
    level = _check_level(level)
    _check_code_length(code, level)
    if level == Level.PROVINCE:
        _check_province(code, parent)
        return
    parent = _check_parent(level, parent)
    if level == Level.CITY:
        _check_city_code(code, parent)
    elif level == Level.COUNTY:
        _check_county_code(code, parent)
    elif level == Level.TOWN:
        _check_town_code(code, name, parent)
    elif level == Level.VILLAGE:
        _check_village_code(code, parent)


def _check_level(level: int) -> Level:
    try:
        return Level(int(level))
    except (TypeError, ValueError):
        raise _invalid(
            "level",
            _("The level must be 1 (province) to 5 (village or community)."),
            "invalid_level",
        ) from None


def _check_code_length(code: str, level: Level) -> None:
    length = _CODE_LENGTH[level]
    if not (isinstance(code, str) and len(code) == length and code.isascii() and code.isdigit()):
        raise _invalid(
            "code",
            _("A %(level)s code has exactly %(length)d digits; “%(code)s” does not.")
            % {"level": level.label, "length": length, "code": code},
            "invalid_code_length",
        )


def _check_province(code: str, parent: Region | None) -> None:
    if parent is not None:
        raise _invalid("parent", _("A province has no parent division."), "invalid_parent")
    if not code.endswith("0000") or code.startswith("00"):
        raise _invalid(
            "code",
            _("A province code looks like 440000: two digits followed by 0000."),
            "invalid_code",
        )


def _check_parent(level: Level, parent: Region | None) -> Region:
    """A division below a province needs a current parent of the level above it."""
    if parent is None:
        raise _invalid("parent", _("Choose the division this one belongs to."), "required")
    if parent.retired:
        raise _invalid(
            "parent",
            _("%(parent)s has been retired; new divisions cannot be added under it.")
            % {"parent": parent.name},
            "retired_parent",
        )
    expected_parent_levels = _PARENT_LEVELS[level]
    if parent.level not in expected_parent_levels:
        raise _invalid(
            "parent",
            _("A %(level)s must belong to a %(expected)s, but %(parent)s is a %(actual)s.")
            % {
                "level": level.label,
                "expected": Level(expected_parent_levels[0]).label,
                "parent": parent.name,
                "actual": Level(parent.level).label,
            },
            "invalid_parent_level",
        )
    return parent


def _check_city_code(code: str, parent: Region) -> None:
    if code[:2] != parent.code[:2] or not code.endswith("00") or code[2:4] == "00":
        raise _invalid(
            "code",
            _(
                "A city code starts with its province's two digits (%(prefix)s), "
                "then two digits other than 00, then 00."
            )
            % {"prefix": parent.code[:2]},
            "invalid_code",
        )


def _check_county_code(code: str, parent: Region) -> None:
    prefix = parent.code[:4] if parent.level == Level.CITY else parent.code[:2]
    if not code.startswith(prefix) or code[4:] == "00":
        raise _invalid(
            "code",
            _("A county code starts with %(prefix)s (its parent's code) and does not end with 00.")
            % {"prefix": prefix},
            "invalid_code",
        )


def _check_town_code(code: str, name: str, parent: Region) -> None:
    if not code.startswith(parent.code):
        raise _invalid(
            "code",
            _("A township code is the county code %(prefix)s followed by three digits.")
            % {"prefix": parent.code},
            "invalid_code_prefix",
        )
    kind = code[6]
    if kind not in TOWN_KINDS:
        raise _invalid(
            "code",
            _(
                "The 7th digit of a township code must be 0 (街道), 1 (镇), 2 or 3 (乡), "
                "or 4–5 (farms and other units); “%(digit)s” is not allowed."
            )
            % {"digit": kind},
            "invalid_town_kind",
        )
    _check_town_name(code, name, kind)
    if code[6:] == "000":
        raise _invalid("code", _("A township code cannot end with 000."), "invalid_code")


def _check_town_name(code: str, name: str, kind: str) -> None:
    """The name must say the kind of township the code's 7th digit gives (镇, 乡, 街道)."""
    suffixes = TOWN_NAME_SUFFIXES.get(kind)
    if suffixes and not name.endswith(suffixes):
        raise _invalid(
            "name",
            _(
                "Code %(code)s is for a %(kind)s (7th digit %(digit)s), so the name "
                "must end with “%(suffix)s”. Fix the code or the name."
            )
            % {"code": code, "kind": TOWN_KINDS[kind], "digit": kind, "suffix": suffixes[0]},
            "town_kind_mismatch",
        )


def _check_village_code(code: str, parent: Region) -> None:
    if not code.startswith(parent.code):
        raise _invalid(
            "code",
            _(
                "A village or community code is the township code %(prefix)s "
                "followed by three digits."
            )
            % {"prefix": parent.code},
            "invalid_code_prefix",
        )
    if code[9:] == "000":
        raise _invalid(
            "code", _("A village or community code cannot end with 000."), "invalid_code"
        )


@transaction.atomic
def create_region(*, actor, code: str, name: str, level: int, parent: Region | None) -> Region:
    code = (code or "").strip()
    name = _clean_name(name)
    if parent is not None:
        parent = Region.objects.get(pk=parent.pk)  # current state (e.g. retired meanwhile)
    validate_region_code(code=code, name=name, level=level, parent=parent)
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        if existing.retired:
            message = _(
                "Code %(code)s belonged to %(name)s, which was retired; retired codes are never "
                "reused. Use a new code."
            )
        else:
            message = _("Code %(code)s is already used by %(name)s. Use a different code.")
        raise _invalid("code", message % {"code": code, "name": existing.name}, "duplicate_code")
    _require_administer(actor)
    region = Region(code=code, name=name, level=int(level), parent=parent)
    region.save()
    record(actor=actor, action="regions.create", obj=region, after=_snapshot(region))
    return region


@transaction.atomic
def rename_region(*, actor, region: Region, name: str) -> Region:
    name = _clean_name(name)
    region = Region.objects.select_for_update().get(pk=region.pk)
    if region.retired:
        raise ValidationError(
            _("%(name)s has been retired and can no longer be renamed.") % {"name": region.name},
            code="retired",
        )
    if region.level == Level.TOWN:
        suffixes = TOWN_NAME_SUFFIXES.get(region.code[6])
        if suffixes and not name.endswith(suffixes):
            raise _invalid(
                "name",
                _("The name of %(code)s must end with “%(suffix)s”.")
                % {"code": region.code, "suffix": suffixes[0]},
                "town_kind_mismatch",
            )
    _require_administer(actor)
    if name == region.name:
        return region
    before = _snapshot(region)
    region.name = name
    region.save(update_fields=["name"])
    record(actor=actor, action="regions.rename", obj=region, before=before, after=_snapshot(region))
    return region


@transaction.atomic
def retire_region(*, actor, region: Region) -> Region:
    """Mark a division as retired (撤销). Its code stays reserved; sub-divisions must go first."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    if region.retired:
        raise ValidationError(
            _("%(name)s is already retired.") % {"name": region.name}, code="already_retired"
        )
    active_children = region.children.filter(retired=False)
    if active_children.exists():
        names = "、".join(active_children.values_list("name", flat=True)[:5])
        raise ValidationError(
            _("%(name)s still has divisions under it (%(children)s). Retire or move them first.")
            % {"name": region.name, "children": names},
            code="has_children",
        )
    _require_administer(actor)
    before = _snapshot(region)
    region.retired = True
    region.save(update_fields=["retired"])
    record(actor=actor, action="regions.retire", obj=region, before=before, after=_snapshot(region))
    return region
