"""The steps shared by the sharing actions and the sweep: checking text and reasons,
locking a request, its timeline events and clocks, telling the actors of a step, and
the terms of a grant. Private to ``datahub.actions``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import is_system
from yiwang.notify.actions import notify
from yiwang.orgs.models import Department, Post, Role
from yiwang.workdays import calendar as workdays

from ..sharing import rules
from ..sharing.models import (
    Grant,
    RequestStatus,
    SharingEvent,
    SharingRequest,
)

MAX_TEXT = 2000
MAX_QUOTA = 10**9


# --- helpers -------------------------------------------------------------------------------


def _text(value: str | None, field: str, missing: str, errors: dict, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(missing)
    elif len(text) > MAX_TEXT:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": MAX_TEXT})
    return text


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _reasons(value: str | None, missing: str, required: bool = True) -> str:
    errors: dict[str, list[str]] = {}
    text = _text(value, "reasons", missing, errors, required)
    _raise_if(errors)
    return text


def _lock(request: SharingRequest) -> SharingRequest:
    fresh = (
        SharingRequest.objects.select_for_update(of=("self",))
        .select_related("consumer", "consumer__region", "resource", "resource__provider")
        .select_related("resource__provider__region", "version")
        .get(pk=request.pk)
    )
    for f in fresh._meta.concrete_fields:
        setattr(request, f.attname, getattr(fresh, f.attname))
    request.consumer = fresh.consumer
    request.resource = fresh.resource
    request.version = fresh.version
    return request


def _require_status(request: SharingRequest, allowed: Iterable[str]) -> None:
    if request.status not in tuple(allowed):
        raise ValidationError(
            _("Request #%(id)d is %(status)s: this cannot be done now.")
            % {"id": request.pk, "status": request.get_status_display()},
            code="transition_not_allowed",
        )


def summary(request: SharingRequest) -> dict:
    """What the audit log keeps of a request's state."""
    return {
        "id": request.pk,
        "status": request.status,
        "resource": request.resource.code,
        "consumer": request.consumer_id,
        "fields": list(request.fields),
        "route": request.route,
        "due_at": request.due_at.isoformat() if request.due_at else None,
    }


def grant_summary(grant: Grant) -> dict:
    return {
        "id": grant.pk,
        "request": grant.request_id,
        "status": grant.status,
        "fields": list(grant.fields),
        "expires_at": grant.expires_at.isoformat(),
        "daily_quota": grant.daily_quota,
    }


def _user(actor):
    return actor if getattr(actor, "pk", None) and not is_system(actor) else None


def _event(request: SharingRequest, actor, verb: str, now: datetime, note: str = "") -> None:
    user = _user(actor)
    SharingEvent.objects.create(
        request=request,
        at=now,
        verb=verb,
        actor=user,
        actor_label=str(actor)[:150] if user is None else (user.real_name or user.username),
        status=request.status,
        note=note,
    )


def _start_step(request: SharingRequest, status: str, now: datetime) -> None:
    """Enter ``status`` with its configured limit copied onto the row."""
    request.status = status
    days = rules.limit_for(status)
    due = workdays.due_date(now, days)
    request.limit_days = days
    request.step_started_at = now
    request.due_at = due.due_at
    request.due_provisional = due.provisional
    request.reminded_at = None
    request.overdue_at = None
    request.closed_at = None


def _close(request: SharingRequest, status: str, now: datetime) -> None:
    request.status = status
    request.step_started_at = None
    request.limit_days = 0
    request.due_at = None
    request.due_provisional = False
    request.closed_at = now


def _users(posts) -> list:
    seen: dict[int, object] = {}
    for post in posts:
        if post.user.is_active:
            seen.setdefault(post.user_id, post.user)
    return list(seen.values())


def authority_users() -> list:
    return _users(
        Post.objects.filter(active=True, role=Role.AUTHORITY).select_related("user").order_by("id")
    )


def department_admins(department: Department) -> list:
    return _users(
        Post.objects.filter(active=True, role=Role.DEPT_ADMIN, department=department)
        .select_related("user")
        .order_by("id")
    )


def _tell(users: list, title: str, request: SharingRequest) -> None:
    body = _("%(resource)s, requested by %(consumer)s (request #%(id)d).") % {
        "resource": request.version.name,
        "consumer": request.consumer.name,
        "id": request.pk,
    }
    for user in users:
        notify(user=user, title=title, body=body, link=f"/data/requests/{request.pk}/")


def step_actors(request: SharingRequest) -> list:
    """Who must act on the request's current step."""
    if request.status == RequestStatus.PROVIDER:
        return department_admins(request.resource.provider)
    if request.status in (RequestStatus.REVIEW, RequestStatus.DISPUTED):
        return authority_users()
    return []


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=workdays.CHINA_TZ)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=workdays.CHINA_TZ)


# --- terms of a grant ----------------------------------------------------------------------


def _terms(
    request: SharingRequest,
    fields: list[str] | None,
    expires_on: date | None,
    daily_quota: int | None,
    today: date,
) -> tuple[list[str], date, int]:
    """Validate what a grant gives: a non-empty subset of the requested fields, an expiry
    not after the requested end (nor before today or the period start), a positive quota."""
    errors: dict[str, list[str]] = {}
    chosen = list(request.fields) if fields is None else list(dict.fromkeys(fields))
    if not chosen:
        errors["fields"] = [_("Grant at least one of the requested data items.")]
    extra = [c for c in chosen if c not in request.fields]
    if extra:
        errors.setdefault("fields", []).append(
            _("%(columns)s were not requested: a grant may only narrow the request.")
            % {"columns": ", ".join(extra)}
        )
    chosen = [c for c in request.fields if c in chosen]  # the request's order
    end = expires_on or request.period_end
    if end > request.period_end:
        errors["expires_on"] = [
            _("The grant may not outlast the period requested (until %(end)s).")
            % {"end": request.period_end.isoformat()}
        ]
    elif end < max(today, request.period_start):
        errors["expires_on"] = [_("The expiry date must not be before today or the period start.")]
    quota = settings.YIWANG_SHARING_DAILY_QUOTA if daily_quota is None else daily_quota
    if isinstance(quota, bool) or not isinstance(quota, int) or not 0 < quota <= MAX_QUOTA:
        errors["daily_quota"] = [
            _("The daily quota is a whole number of rows from 1 to %(max)d.") % {"max": MAX_QUOTA}
        ]
    _raise_if(errors)
    return chosen, end, quota


def _issue(
    request: SharingRequest,
    actor,
    now: datetime,
    fields: list[str],
    end: date,
    quota: int,
    note: str,
) -> Grant:
    if request.resource.withdrawn_at is not None:
        raise ValidationError(
            _("%(name)s has been withdrawn from the catalogue: refuse the request instead.")
            % {"name": request.version.name},
            code="not_in_catalogue",
        )
    _close(request, RequestStatus.GRANTED, now)
    request.reasons = note
    request.save()
    grant = Grant.objects.create(
        request=request,
        consumer=request.consumer,
        resource=request.resource,
        fields=fields,
        purpose=request.purpose,
        valid_from=_start_of(request.period_start),
        expires_at=_end_of(end),
        daily_quota=quota,
        granted_at=now,
        granted_by=_user(actor),
    )
    record(actor=actor, action="datahub.grant_issue", obj=grant, after=grant_summary(grant))
    _tell(department_admins(request.consumer), _("Data sharing granted"), request)
    return grant


def _refuse(request: SharingRequest, at_step: str, reasons: str, now: datetime) -> None:
    _close(request, RequestStatus.REFUSED, now)
    request.refused_at_step = at_step
    request.reasons = reasons
    request.save()
    _tell(department_admins(request.consumer), _("Data sharing refused"), request)
