"""Audited changes to the time limits: working days to handle and to sign for a ticket, per
type and urgency. They apply to tickets dispatched from then on."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from ..models import DEFAULT_TIME_LIMITS, TicketType, TimeLimit
from ._common import ensure_can_configure, raise_errors, whole_number

MAX_LIMIT_DAYS = 60


def effective_time_limits() -> dict[tuple[str, bool], tuple[int, int]]:
    """(type, urgent) → (days, sign_days): the stored rows over ``DEFAULT_TIME_LIMITS``
    (the same rule as ``actions.time_limit``, for all pairs in one query)."""
    limits = {(str(t), u): v for (t, u), v in DEFAULT_TIME_LIMITS.items()}
    for row in TimeLimit.objects.all():
        limits[(row.type, row.urgent)] = (row.days, row.sign_days)
    return limits


def time_limit_errors(type_, days, sign_days) -> dict:
    """Field errors for one time limit (``type``, ``days``, ``sign_days``); empty when valid."""
    errors: dict = {}
    if type_ not in TicketType.values:
        errors["type"] = [_("Unknown ticket type “%(value)s”.") % {"value": type_}]
    days_n, sign_n = whole_number(days), whole_number(sign_days)
    if days_n is None or not 0 <= days_n <= MAX_LIMIT_DAYS:
        errors["days"] = [
            _(
                "The time to handle must be a whole number of working days from 0 to %(max)d "
                "(0 means the same day)."
            )
            % {"max": MAX_LIMIT_DAYS}
        ]
    if sign_n is None or not 0 <= sign_n <= MAX_LIMIT_DAYS:
        errors["sign_days"] = [
            _(
                "The time to sign for must be a whole number of working days from 0 to "
                "%(max)d (0 means the same day)."
            )
            % {"max": MAX_LIMIT_DAYS}
        ]
    elif days_n is not None and "days" not in errors and sign_n > days_n:
        errors["sign_days"] = [
            _(
                "The time to sign for (%(sign)d working days) cannot be longer than the time "
                "to handle (%(days)d): a ticket must be signed for by its deadline. 0 means "
                "the same day, so a same-day ticket must also be signed for the same day (0)."
            )
            % {"sign": sign_n, "days": days_n}
        ]
    return errors


def _checked_days(days, sign_days) -> tuple[int, int]:
    """The two numbers of a limit ``time_limit_errors`` found valid."""
    days_n, sign_n = whole_number(days), whole_number(sign_days)
    if days_n is None or sign_n is None:  # pragma: no cover - time_limit_errors refused it
        raise ValueError("time limit not checked")
    return days_n, sign_n


def _write_time_limit(
    actor, type_: str, urgent: bool, new: tuple[int, int], current: tuple[int, int]
) -> TimeLimit:
    days, sign_days = new
    row, _created = TimeLimit.objects.select_for_update().get_or_create(
        type=type_, urgent=urgent, defaults={"days": days, "sign_days": sign_days}
    )
    before = {"days": current[0], "sign_days": current[1]}
    row.days, row.sign_days = days, sign_days
    row.save()
    record(
        actor=actor,
        action="hotline.time_limit_set",
        obj=row,
        before=before,
        after={"days": days, "sign_days": sign_days},
        type=type_,
        urgent=urgent,
    )
    return row


@transaction.atomic
def set_time_limit(
    *, actor, type: str, urgent: bool, days: int | str, sign_days: int | str
) -> TimeLimit:
    """Working days to handle and to sign for a ticket of ``type`` (and urgency). Applies to
    tickets dispatched from now on; running deadlines do not move."""
    raise_errors(time_limit_errors(type, days, sign_days))
    ensure_can_configure(actor)
    current = effective_time_limits()[(type, bool(urgent))]
    return _write_time_limit(actor, type, bool(urgent), _checked_days(days, sign_days), current)


def limit_field(type_: str, urgent: bool, field: str) -> str:
    """The form field name of one cell of the time-limit table, e.g. ``help-urgent-days``."""
    return f"{type_}-{'urgent' if urgent else 'normal'}-{field}"


@transaction.atomic
def set_time_limits(
    *, actor, limits: Mapping[tuple[str, bool], tuple[int | str, int | str]]
) -> list[TimeLimit]:
    """The whole table at once: every pair is checked first (errors keyed by
    ``limit_field``), then only the changed pairs are written, one audit entry each."""
    errors: dict = {}
    for (type_, urgent), (days, sign_days) in limits.items():
        for field, msgs in time_limit_errors(type_, days, sign_days).items():
            key = "__all__" if field == "type" else limit_field(type_, urgent, field)
            errors.setdefault(key, []).extend(msgs)
    raise_errors(errors)
    ensure_can_configure(actor)
    current = effective_time_limits()
    written = []
    for (type_, urgent), (days, sign_days) in limits.items():
        new = _checked_days(days, sign_days)
        old = current[(type_, bool(urgent))]
        if new != old:
            written.append(_write_time_limit(actor, type_, bool(urgent), new, old))
    return written
