"""State changes for departments, service halls and windows.

Staff posts (``Post``) are created by ``yiwang.accounts.actions`` together with
the staff account they belong to.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.regions.actions import can_administer
from yiwang.regions.models import Level, Region

from .models import Department, Hall, Window, validate_uscc

DEPARTMENT_FIELDS = ("name", "short_name", "uscc", "region", "phone", "address")
HALL_FIELDS = ("name", "region", "address", "opening_hours", "phone")
WINDOW_FIELDS = ("number", "name")


def _invalid(field: str, message, code: str) -> ValidationError:
    """A field-keyed error that keeps its machine code (``error_dict[field][0].code``)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


def _require_administer(actor) -> None:
    if not can_administer(actor):
        raise PermissionDenied(
            _(
                "Only the data authority administrator can maintain departments, halls and "
                "windows. Ask the data authority (政务服务数据管理局) to make this change."
            )
        )


def _text(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("Enter the %(label)s.") % {"label": label}, "required")
    if len(value) > max_length:
        raise _invalid(
            field,
            _("The %(label)s is too long: use at most %(max)d characters.")
            % {"label": label, "max": max_length},
            "max_length",
        )
    return value


def _region(region, *, field: str = "region") -> Region:
    if not isinstance(region, Region):
        raise _invalid(field, _("Choose the administrative division this belongs to."), "required")
    if region.retired:
        raise _invalid(
            field,
            _("%(name)s has been retired; choose a current division.") % {"name": region.name},
            "retired_region",
        )
    return region


def _clean_uscc(value, *, exclude_pk=None) -> str:
    value = (value or "").strip().upper()
    if not value:
        raise _invalid(
            "uscc", _("Enter the department's 18-character unified social credit code."), "required"
        )
    try:
        validate_uscc(value)
    except ValidationError as exc:
        raise _invalid("uscc", exc.messages[0], "invalid_uscc") from exc
    clash = Department.objects.filter(uscc=value).exclude(pk=exclude_pk).first()
    if clash is not None:
        raise _invalid(
            "uscc",
            _("Unified social credit code %(uscc)s is already used by %(name)s.")
            % {"uscc": value, "name": clash.name},
            "duplicate_uscc",
        )
    return value


def _department_snapshot(d: Department) -> dict:
    return {
        "name": d.name,
        "short_name": d.short_name,
        "uscc": d.uscc,
        "region": d.region.code if d.region_id else None,
        "phone": d.phone,
        "address": d.address,
    }


def _hall_snapshot(h: Hall) -> dict:
    return {
        "name": h.name,
        "region": h.region.code if h.region_id else None,
        "address": h.address,
        "opening_hours": h.opening_hours,
        "phone": h.phone,
    }


def _window_snapshot(w: Window) -> dict:
    return {"hall": w.hall_id, "number": w.number, "name": w.name}


def clean_department(data: dict, *, exclude_pk=None) -> dict:
    region = _region(data.get("region"))
    if region.level > Level.TOWN:
        raise _invalid(
            "region",
            _("A department belongs to a county or a town, not to a village."),
            "invalid_region_level",
        )
    return {
        "name": _text(
            data.get("name"),
            field="name",
            label=_("department name"),
            max_length=100,
            required=True,
        ),
        "short_name": _text(
            data.get("short_name"), field="short_name", label=_("short name"), max_length=30
        ),
        "uscc": _clean_uscc(data.get("uscc"), exclude_pk=exclude_pk),
        "region": region,
        "phone": _text(data.get("phone"), field="phone", label=_("phone"), max_length=30),
        "address": _text(data.get("address"), field="address", label=_("address"), max_length=200),
    }


@transaction.atomic
def create_department(
    *,
    actor,
    name: str,
    short_name: str,
    uscc: str,
    region: Region,
    phone: str = "",
    address: str = "",
) -> Department:
    data = clean_department(
        {
            "name": name,
            "short_name": short_name,
            "uscc": uscc,
            "region": region,
            "phone": phone,
            "address": address,
        }
    )
    _require_administer(actor)
    department = Department.objects.create(**data)
    record(
        actor=actor,
        action="orgs.department.create",
        obj=department,
        after=_department_snapshot(department),
    )
    return department


@transaction.atomic
def update_department(*, actor, department: Department, **changes) -> Department:
    unknown = set(changes) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise TypeError(f"update_department() got unexpected fields: {sorted(unknown)}")
    department = Department.objects.select_for_update().get(pk=department.pk)
    current = {f: getattr(department, f) for f in DEPARTMENT_FIELDS}
    data = clean_department({**current, **changes}, exclude_pk=department.pk)
    _require_administer(actor)
    before = _department_snapshot(department)
    for field, value in data.items():
        setattr(department, field, value)
    after = _department_snapshot(department)
    if after == before:
        return department
    department.save()
    record(actor=actor, action="orgs.department.update", obj=department, before=before, after=after)
    return department


def clean_hall(data: dict, *, exclude_pk=None) -> dict:
    region = _region(data.get("region"))
    name = _text(
        data.get("name"), field="name", label=_("hall name"), max_length=100, required=True
    )
    if Hall.objects.filter(name=name, region=region).exclude(pk=exclude_pk).exists():
        raise _invalid(
            "name",
            _("%(region)s already has a hall called %(name)s; choose another name.")
            % {"region": region.name, "name": name},
            "duplicate_hall",
        )
    return {
        "name": name,
        "region": region,
        "address": _text(data.get("address"), field="address", label=_("address"), max_length=200),
        "opening_hours": _text(
            data.get("opening_hours"),
            field="opening_hours",
            label=_("opening hours"),
            max_length=100,
        ),
        "phone": _text(data.get("phone"), field="phone", label=_("phone"), max_length=30),
    }


@transaction.atomic
def create_hall(
    *, actor, name: str, region: Region, address: str = "", opening_hours: str = "", phone: str = ""
) -> Hall:
    data = clean_hall(
        {
            "name": name,
            "region": region,
            "address": address,
            "opening_hours": opening_hours,
            "phone": phone,
        }
    )
    _require_administer(actor)
    hall = Hall.objects.create(**data)
    record(actor=actor, action="orgs.hall.create", obj=hall, after=_hall_snapshot(hall))
    return hall


@transaction.atomic
def update_hall(*, actor, hall: Hall, **changes) -> Hall:
    unknown = set(changes) - set(HALL_FIELDS)
    if unknown:
        raise TypeError(f"update_hall() got unexpected fields: {sorted(unknown)}")
    hall = Hall.objects.select_for_update().get(pk=hall.pk)
    data = clean_hall({**{f: getattr(hall, f) for f in HALL_FIELDS}, **changes}, exclude_pk=hall.pk)
    _require_administer(actor)
    before = _hall_snapshot(hall)
    for field, value in data.items():
        setattr(hall, field, value)
    after = _hall_snapshot(hall)
    if after == before:
        return hall
    hall.save()
    record(actor=actor, action="orgs.hall.update", obj=hall, before=before, after=after)
    return hall


def clean_window(*, hall: Hall, number, name, exclude_pk=None) -> dict:
    if not isinstance(hall, Hall):
        raise _invalid("hall", _("Choose the hall the window is in."), "required")
    number = _text(
        str(number) if number is not None else "",
        field="number",
        label=_("window number"),
        max_length=10,
        required=True,
    )
    name = _text(name, field="name", label=_("window name"), max_length=100, required=True)
    if Window.objects.filter(hall=hall, number=number).exclude(pk=exclude_pk).exists():
        raise _invalid(
            "number",
            _("%(hall)s already has a window number %(number)s; choose another number.")
            % {"hall": hall.name, "number": number},
            "duplicate_window",
        )
    return {"hall": hall, "number": number, "name": name}


@transaction.atomic
def create_window(*, actor, hall: Hall, number: str, name: str) -> Window:
    data = clean_window(hall=hall, number=number, name=name)
    _require_administer(actor)
    window = Window.objects.create(**data)
    record(actor=actor, action="orgs.window.create", obj=window, after=_window_snapshot(window))
    return window


@transaction.atomic
def update_window(
    *, actor, window: Window, number: str | None = None, name: str | None = None
) -> Window:
    window = Window.objects.select_for_update().select_related("hall").get(pk=window.pk)
    data = clean_window(
        hall=window.hall,
        number=window.number if number is None else number,
        name=window.name if name is None else name,
        exclude_pk=window.pk,
    )
    _require_administer(actor)
    before = _window_snapshot(window)
    window.number, window.name = data["number"], data["name"]
    after = _window_snapshot(window)
    if after == before:
        return window
    window.save(update_fields=["number", "name"])
    record(actor=actor, action="orgs.window.update", obj=window, before=before, after=after)
    return window
