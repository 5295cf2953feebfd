"""State changes for the working-day calendar (holiday overrides).

Only the data authority administrator (a ``Post`` with role ``authority``) or a
superuser edits the calendar; the platform itself (a ``SystemActor``, see
``yiwang.audit.actors``) may too. After the transaction commits, the calendar cache
is refreshed and ``yiwang.workdays.signals.calendar_changed`` is sent with the
affected dates so that case apps recompute deadlines.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import is_system
from yiwang.orgs.models import Role

from . import calendar
from .models import NAME_MAX, HolidayOverride
from .signals import calendar_changed

NOTICE_MAX = 500
#: How far ahead overrides may be entered: the State Council publishes the next
#: year's schedule in the autumn, so two calendar years ahead is generous.
YEARS_AHEAD = 2


def can_edit_calendar(actor) -> bool:
    if is_system(actor):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return actor.posts.filter(role=Role.AUTHORITY, active=True).exists()


def can_use_calculator(user) -> bool:
    """Any staff member (or superuser) may compute deadlines."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or getattr(user, "kind", "") == "staff"


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_edit(actor) -> None:
    if not can_edit_calendar(actor):
        raise PermissionDenied(
            _(
                "Only the data authority administrator can change the working-day calendar. "
                "Ask the data authority (政务服务数据管理局) to enter the State Council notice."
            )
        )


def _earliest_editable(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def is_editable_date(day: dt.date) -> bool:
    """Whether overrides on ``day`` may still be added, changed or deleted."""
    try:
        _check_date_editable(day)
    except ValidationError:
        return False
    return True


def _check_date_editable(day: dt.date, *, field: str = "date") -> None:
    today = calendar.today()
    earliest = _earliest_editable(today)
    if day < earliest:
        raise _field_error(
            field,
            _(
                "%(date)s is more than one year in the past. Deadlines that ran over it are "
                "final, so it can no longer be changed; only dates from %(earliest)s on can."
            )
            % {"date": day.isoformat(), "earliest": earliest.isoformat()},
            "too_old",
        )
    last = dt.date(today.year + YEARS_AHEAD, 12, 31)
    if day > last:
        raise _field_error(
            field,
            _(
                "%(date)s is too far ahead: the State Council publishes each year's schedule "
                "in the preceding autumn. Enter dates up to %(last)s."
            )
            % {"date": day.isoformat(), "last": last.isoformat()},
            "too_far_ahead",
        )


def clean_override(
    *, date, is_workday, name, source_notice, exclude_pk=None, allow_existing: bool = False
) -> dict:
    """Validate the input of ``set_override``; returns the cleaned values."""
    errors: dict[str, ValidationError] = {}
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        errors["date"] = ValidationError(
            _("Enter the date of the holiday or make-up working day (YYYY-MM-DD)."),
            code="required",
        )
    if not isinstance(is_workday, bool):
        errors["is_workday"] = ValidationError(
            _("Say whether the day is a working day or a day off."), code="required"
        )
    name = (name or "").strip() if isinstance(name, str) or name is None else None
    if not name:
        errors["name"] = ValidationError(
            _("Enter a name for the day, for example 2027年春节."), code="required"
        )
    elif len(name) > NAME_MAX:
        errors["name"] = ValidationError(
            _("The name is too long: use at most %(max)d characters.") % {"max": NAME_MAX},
            code="max_length",
        )
    notice = (
        (source_notice or "").strip()
        if isinstance(source_notice, str) or source_notice is None
        else None
    )
    if not notice:
        errors["source_notice"] = ValidationError(
            _(
                "Enter the title and number of the State Council notice the day comes from, for "
                "example 国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）."
            ),
            code="required",
        )
    elif len(notice) > NOTICE_MAX:
        errors["source_notice"] = ValidationError(
            _(
                "The notice is too long: use at most %(max)d characters "
                "(title and number are enough)."
            )
            % {"max": NOTICE_MAX},
            code="max_length",
        )
    if errors:
        raise ValidationError(errors)
    _check_date_editable(date)
    if not allow_existing:
        existing = HolidayOverride.objects.filter(date=date)
        if exclude_pk is not None:
            existing = existing.exclude(pk=exclude_pk)
        clash = existing.first()
        if clash is not None:
            raise _field_error(
                "date",
                _(
                    "%(date)s already has an override (%(name)s). Delete that one first "
                    "instead of adding the date twice."
                )
                % {"date": date.isoformat(), "name": clash.name},
                "duplicate",
            )
    return {"date": date, "is_workday": is_workday, "name": name, "source_notice": notice}


def _snapshot(o: HolidayOverride) -> dict:
    return {
        "date": o.date.isoformat(),
        "is_workday": o.is_workday,
        "name": o.name,
        "source_notice": o.source_notice,
    }


def _after_commit(dates: list[dt.date]) -> None:
    def send() -> None:
        calendar.invalidate()
        calendar_changed.send(sender=HolidayOverride, dates=sorted(set(dates)))

    calendar.mark_changed()
    transaction.on_commit(send)


@transaction.atomic
def set_override(
    *, actor, date: dt.date, is_workday: bool, name: str, source_notice: str, replace: bool = False
) -> HolidayOverride:
    """Declare ``date`` a working day or a day off, citing the State Council notice.

    Adding a date that already has an override is refused unless ``replace`` is
    true, in which case the existing override is updated (this is how the admin
    edits one).
    """
    data = clean_override(
        date=date,
        is_workday=is_workday,
        name=name,
        source_notice=source_notice,
        allow_existing=replace,
    )
    _require_edit(actor)
    existing = (
        HolidayOverride.objects.select_for_update().filter(date=data["date"]).first()
        if replace
        else None
    )
    if existing is not None:
        before = _snapshot(existing)
        for field, value in data.items():
            setattr(existing, field, value)
        after = _snapshot(existing)
        if after == before:
            return existing
        existing.save(update_fields=["is_workday", "name", "source_notice"])
        record(
            actor=actor, action="workdays.override.update", obj=existing, before=before, after=after
        )
        _after_commit([existing.date])
        return existing
    created_by = None if is_system(actor) else actor
    try:
        with transaction.atomic():
            override = HolidayOverride.objects.create(created_by=created_by, **data)
    except IntegrityError as exc:  # a concurrent request added the same date
        raise _field_error(
            "date",
            _("%(date)s was added by someone else a moment ago; reload the calendar.")
            % {"date": data["date"].isoformat()},
            "duplicate",
        ) from exc
    record(actor=actor, action="workdays.override.create", obj=override, after=_snapshot(override))
    _after_commit([override.date])
    return override


@transaction.atomic
def delete_override(*, actor, override: HolidayOverride) -> None:
    """Remove an override: the day falls back to the package or to Monday to Friday."""
    current = HolidayOverride.objects.select_for_update().filter(pk=override.pk).first()
    if current is None:
        raise ValidationError(
            _("This override no longer exists (someone deleted it already); reload the calendar."),
            code="gone",
        )
    _check_date_editable(current.date)
    _require_edit(actor)
    record(actor=actor, action="workdays.override.delete", obj=current, before=_snapshot(current))
    day = current.date
    current.delete()
    _after_commit([day])
