"""Recording and limiting the reveal of personal data (个人信息保护法; 等保 access control).

The feature app that shows a full identifier decides whether the staff member may act on
the object now (a case in their scope and in a state where contact is needed, a ticket they
work on). This module does the rest, in one place for every app:

* the reveal is bound to a purpose (``PURPOSES``) and a written reason;
* per-staff limits (``YIWANG_REVEAL_LIMIT_PER_HOUR``, ``YIWANG_REVEAL_LIMIT_PER_DAY``, rolling
  windows) stop a bulk read: over a limit the reveal is refused, the refusal is kept and the
  auditors are alerted once per burst;
* a ``Disclosure`` row and an audit entry record who saw what, when, why and where, so the
  auditors can review it and the person concerned can see it in their own space.

A refused reveal raises :class:`LimitExceeded` and must still be recorded although the
caller's transaction rolls back. Feature actions that reveal therefore use
:func:`disclosing` instead of ``@transaction.atomic``; it keeps the refusal after the
rollback (:func:`keep_refusal`, idempotent).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User, normalise_phone, normalise_resident_id
from yiwang.audit.actions import record
from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.masking import mask_name
from yiwang.notify.actions import notify
from yiwang.orgs.models import Role
from yiwang.orgs.scope import posts_of

from .models import PURPOSES, Disclosure, Limit, RevealBurst

__all__ = [
    "PURPOSES",
    "LimitExceeded",
    "disclosing",
    "keep_refusal",
    "limits",
    "record_disclosure",
]

REASON_MIN_CHARS = 4
REASON_MAX_CHARS = 500
#: Refusals closer together than this belong to one burst (one alert to the auditors).
BURST_GAP = timedelta(hours=1)
DEFAULT_LIMIT_PER_HOUR = 30
DEFAULT_LIMIT_PER_DAY = 200

F = TypeVar("F", bound=Callable[..., Any])


class LimitExceeded(ValidationError):
    """The staff member is over a per-staff reveal limit; carries the refusal to keep."""

    def __init__(self, message: str, *, refusal: Disclosure, obj, limit: str):
        super().__init__(message, code="limit_exceeded")
        self.refusal = refusal
        self.obj = obj
        self.limit = limit


def limits() -> tuple[int, int]:
    """The reveals allowed per staff member per rolling hour and per rolling 24 hours."""
    return (
        int(getattr(settings, "YIWANG_REVEAL_LIMIT_PER_HOUR", DEFAULT_LIMIT_PER_HOUR)),
        int(getattr(settings, "YIWANG_REVEAL_LIMIT_PER_DAY", DEFAULT_LIMIT_PER_DAY)),
    )


def _is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False))


def _clean(field: str, purpose: str, reason: str) -> tuple[str, str]:
    errors: dict[str, list[ValidationError]] = {}
    if not field:
        errors["field"] = [
            ValidationError(_("Say which personal data field to show."), code="invalid_field")
        ]
    purpose = (purpose or "").strip()
    if purpose not in PURPOSES:
        errors["purpose"] = [
            ValidationError(
                _("Choose the purpose for which you need the full value: %(choices)s.")
                % {"choices": "、".join(str(label) for label in PURPOSES.values())},
                code="invalid_purpose",
            )
        ]
    reason = " ".join((reason or "").split())
    if any(unicodedata.category(c) == "Cc" for c in reason):
        errors["reason"] = [
            ValidationError(
                _("The reason contains control characters; type plain text."),
                code="invalid_characters",
            )
        ]
    elif len(reason) < REASON_MIN_CHARS:
        errors["reason"] = [
            ValidationError(
                _(
                    "Write why you need the full value (at least %(min)d characters), "
                    "e.g. “call the applicant about the missing floor plan”."
                )
                % {"min": REASON_MIN_CHARS},
                code="reason_required",
            )
        ]
    elif len(reason) > REASON_MAX_CHARS:
        errors["reason"] = [
            ValidationError(
                _("The reason is %(length)d characters long; at most %(max)d are allowed.")
                % {"length": len(reason), "max": REASON_MAX_CHARS},
                code="reason_too_long",
            )
        ]
    if errors:
        raise ValidationError(errors)
    return purpose, reason


def _subject_indexes(subject, id_number: str, phone: str) -> tuple[str, str]:
    id_number, phone = normalise_resident_id(id_number), normalise_phone(phone)
    id_index = blind_index(id_number, "id") if id_number else ""
    phone_index = blind_index(phone, "phone") if phone else ""
    if subject is not None:
        id_index = id_index or subject.id_number_index
        phone_index = phone_index or subject.phone_index
    return id_index, phone_index


def _department_of(actor, department):
    if department is not None:
        return department
    for post in posts_of(actor):
        if post.department_id:
            return post.department
    return None


def _build(
    *,
    actor,
    obj,
    field: str,
    purpose: str,
    reason: str,
    subject,
    subject_id_number: str,
    subject_phone: str,
    subject_label: str,
    department,
    object_label: str,
    object_url: str,
    field_label: str,
    now: datetime,
) -> Disclosure:
    id_index, phone_index = _subject_indexes(subject, subject_id_number, subject_phone)
    if subject is not None:
        subject_label = subject_label or subject.real_name or subject.username
    if not object_url and hasattr(obj, "get_absolute_url"):
        object_url = obj.get_absolute_url()
    return Disclosure(
        created_at=now,
        actor=actor,
        actor_name=(actor.real_name or actor.username)[:150],
        department=_department_of(actor, department),
        object_type=obj._meta.label_lower if isinstance(obj, models.Model) else type(obj).__name__,
        object_id=str(getattr(obj, "pk", obj))[:64],
        object_label=(object_label or str(obj))[:64],
        object_url=object_url[:200],
        field=field[:60],
        field_label=str(field_label)[:100],
        purpose=purpose,
        reason=reason,
        subject=subject,
        subject_key=id_index or phone_index or (f"user:{subject.pk}" if subject else ""),
        subject_id_index=id_index,
        subject_phone_index=phone_index,
        subject_label=mask_name(subject_label.strip())[:100],
    )


def _exceeded(actor, now: datetime) -> tuple[str, int, int]:
    """("hour"|"day"|"", count, limit): which rolling window is full, counted on the
    (actor, created_at) index."""
    per_hour, per_day = limits()
    counts = Disclosure.objects.filter(
        actor=actor, refused=False, created_at__gt=now - timedelta(days=1)
    ).aggregate(
        hour=Count("id", filter=Q(created_at__gt=now - timedelta(hours=1))),
        day=Count("id"),
    )
    if counts["hour"] >= per_hour:
        return Limit.HOUR, counts["hour"], per_hour
    if counts["day"] >= per_day:
        return Limit.DAY, counts["day"], per_day
    return "", 0, 0


def _limit_message(limit: str, count: int, maximum: int) -> str:
    if limit == Limit.HOUR:
        text = _(
            "Refused: you have seen %(count)d full personal data values in the last hour and "
            "the limit is %(max)d per hour. The auditors have been informed. If your work "
            "really needs more, ask the auditor to review it."
        )
    else:
        text = _(
            "Refused: you have seen %(count)d full personal data values in the last 24 hours "
            "and the limit is %(max)d per day. The auditors have been informed. If your work "
            "really needs more, ask the auditor to review it."
        )
    return text % {"count": count, "max": maximum}


def _audit(row: Disclosure, obj, action: str) -> None:
    # Only refusals name the limit; ``record`` takes any extra detail as a keyword.
    limit: dict[str, Any] = {"limit": row.limit} if row.limit else {}
    record(
        actor=row.actor,
        action=action,
        obj=obj,
        field=row.field,
        purpose=row.purpose,
        reason=row.reason,
        subject=row.subject_id or row.subject_label,
        disclosure=str(row.ref),
        **limit,
    )


def record_disclosure(
    *,
    actor,
    obj,
    field: str,
    purpose: str,
    reason: str,
    subject=None,
    subject_id_number: str = "",
    subject_phone: str = "",
    subject_label: str = "",
    department=None,
    object_label: str = "",
    object_url: str = "",
    field_label: str = "",
) -> Disclosure:
    """Record that ``actor`` saw the full value of ``field`` of a person in the context of
    ``obj`` (a case, a ticket …).

    The calling feature app has already checked that the actor may act on ``obj`` now; this
    function checks the reason (required, at least a few characters; ``purpose`` one of
    ``PURPOSES``), the per-staff limit, writes the Disclosure row and the audit entry, and
    raises ValidationError (code "reason_required", "invalid_purpose", "limit_exceeded")
    otherwise. Exceeding the limit alerts the auditors.

    ``subject`` is the person's account when known; ``subject_id_number`` / ``subject_phone``
    (plaintext, never stored) link the person by blind index, e.g. a walk-in applicant who
    registers later. Optional: ``department`` (the unit on whose behalf the staff member
    acts; default their first post's), ``object_label`` (e.g. the case number),
    ``object_url``, ``field_label`` (for fields outside ``FIELD_LABELS``).

    Atomic; a limit refusal is written in its own transaction after the rollback (wrap the
    calling action in :func:`disclosing` when it has its own transaction).
    """
    purpose, reason = _clean(field, purpose, reason)
    if not _is_user(actor):
        raise PermissionDenied(_("Log in to see personal data."))
    try:
        with transaction.atomic():
            # One reveal at a time per staff member, so parallel requests cannot pass the count.
            User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
            now = timezone.now()
            row = _build(
                actor=actor,
                obj=obj,
                field=field,
                purpose=purpose,
                reason=reason,
                subject=subject,
                subject_id_number=subject_id_number,
                subject_phone=subject_phone,
                subject_label=subject_label,
                department=department,
                object_label=object_label,
                object_url=object_url,
                field_label=field_label,
                now=now,
            )
            limit, count, maximum = _exceeded(actor, now)
            if limit:
                row.refused, row.limit = True, limit
                raise LimitExceeded(
                    _limit_message(limit, count, maximum), refusal=row, obj=obj, limit=limit
                )
            row.save()
            _audit(row, obj, "personal_data.reveal")
            return row
    except LimitExceeded as exc:
        keep_refusal(exc)
        raise


def keep_refusal(exc: LimitExceeded) -> Disclosure | None:
    """Write the refused reveal, its audit entry and the burst alert, once.

    Safe to call more than once for the same exception: a refusal that survived (its
    ``ref`` is in the table) is not written again; one rolled back with the caller's
    transaction is written anew. Does nothing inside a transaction that must roll back.
    """
    if transaction.get_connection().needs_rollback:
        return None
    row = exc.refusal
    kept = Disclosure.objects.filter(ref=row.ref).first()
    if kept is not None:
        return kept
    with transaction.atomic():
        row.pk, row._state.adding = None, True
        row.save()
        _audit(row, exc.obj, "personal_data.reveal_refused")
        _burst(row)
    return row


def _burst(row: Disclosure) -> None:
    """Count the refusal into the staff member's current burst; a new burst alerts."""
    burst = (
        RevealBurst.objects.select_for_update()
        .filter(actor=row.actor, last_at__gte=row.created_at - BURST_GAP)
        .order_by("-last_at")
        .first()
    )
    if burst is not None:
        burst.last_at = max(burst.last_at, row.created_at)
        burst.refused_count += 1
        burst.save(update_fields=["last_at", "refused_count"])
        return
    RevealBurst.objects.create(
        actor=row.actor,
        started_at=row.created_at,
        last_at=row.created_at,
        refused_count=1,
        limit=row.limit,
    )
    _alert_auditors(row)


def _alert_auditors(row: Disclosure) -> None:
    per_hour, per_day = limits()
    maximum = per_hour if row.limit == Limit.HOUR else per_day
    link = f"{reverse('privacy:list')}?actor={row.actor_id}"
    body = _(
        "%(name)s (%(department)s) went over the limit of %(max)d full personal data values "
        "%(window)s; further reveals are refused. Review what was revealed and why."
    ) % {
        "name": row.actor_name,
        "department": row.department.name if row.department is not None else "—",
        "max": maximum,
        "window": Limit(row.limit).label,
    }
    auditors = (
        User.objects.filter(is_active=True, posts__role=Role.AUDITOR, posts__active=True)
        .exclude(pk=row.actor_id)
        .distinct()
    )
    for auditor in auditors:
        notify(
            user=auditor,
            title=_("Personal data reveals over the limit"),
            body=body,
            link=link,
        )


def disclosing(func: F) -> F:
    """Use instead of ``@transaction.atomic`` on an action that calls
    :func:`record_disclosure`: the action runs atomically, and a reveal refused by the
    per-staff limit is still recorded (and alerted) after the rollback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except LimitExceeded as exc:
            keep_refusal(exc)
            raise

    return wrapper  # type: ignore[return-value]
