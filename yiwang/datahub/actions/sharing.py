"""Sharing requests and grants (C15). Every change goes through here, audited as
``datahub.request_*`` / ``datahub.grant_*``.

| action | from → to | who |
|---|---|---|
| ``submit_request`` | → review (clock: review days) | the consumer department's ``dept_admin`` |
| ``review_request`` approve | review → granted (route ``authority``) or provider (clock: provider days) | authority |
| ``review_request`` refuse | review → refused (reasons) | authority |
| ``decide_request`` | provider → granted (fields ⊆ requested, expiry ≤ requested end, quota) or refused (reasons) | provider's ``dept_admin`` |
| ``dispute_request`` | refused by the provider → disputed (reasons; clock: coordination days) | consumer's ``dept_admin`` |
| ``coordinate_request`` | disputed → granted or refused (reasons, final) | authority |
| ``withdraw_request`` | review/provider/disputed → withdrawn | consumer's ``dept_admin`` |
| ``revoke_grant`` | grant active → revoked (reasons) | provider's ``dept_admin`` or authority |
| ``sweep_sharing`` | reminders once per step, overdue marks, expiry of grants | the platform |
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.orgs.models import Department
from yiwang.workdays import calendar as workdays

from ..choices import ApprovalRoute
from ..models import GradePolicy, Resource
from ..sharing import rules
from ..sharing.models import (
    PENDING_STATUSES,
    Grant,
    GrantStatus,
    RefusedAt,
    RequestStatus,
    SharingRequest,
)
from ._common import require_authority
from ._sharing_steps import (
    _close,
    _event,
    _issue,
    _lock,
    _raise_if,
    _reasons,
    _refuse,
    _require_status,
    _start_step,
    _tell,
    _terms,
    _text,
    _user,
    authority_users,
    department_admins,
    grant_summary,
    summary,
)
from .sharing_sweep import sweep_sharing as sweep_sharing  # one of the actions (table above)

# --- submission ----------------------------------------------------------------------------


def _check_fields(fields, snapshot: dict, errors: dict) -> list[str]:
    wanted = list(dict.fromkeys(str(f) for f in (fields or [])))
    if not wanted:
        errors["fields"] = [_("Choose at least one data item.")]
        return []
    choices = {c.column: c for c in rules.item_choices(snapshot)}
    problems = []
    for column in wanted:
        choice = choices.get(column)
        if choice is None:
            problems.append(
                _("There is no data item %(column)s in the published version.")
                % {"column": column[:63]}
            )
        elif choice.blocked == "none":
            problems.append(
                _("%(name)s is not shared (不予共享): it cannot be requested.")
                % {"name": choice.name}
            )
        elif choice.blocked == "hidden":
            problems.append(
                _("%(name)s is hidden from every consumer: it cannot be requested.")
                % {"name": choice.name}
            )
    if problems:
        errors["fields"] = problems
    return [c.column for c in choices.values() if c.column in wanted]


def _check_period(start, end, errors: dict, today: date) -> None:
    if not isinstance(start, date):
        errors["period_start"] = [_("Give the first day the data is needed.")]
    if not isinstance(end, date):
        errors["period_end"] = [_("Give the last day the data is needed.")]
    if errors.get("period_start") or errors.get("period_end"):
        return
    if end <= start:
        errors["period_end"] = [_("The period must end after it starts.")]
    elif end > rules.max_period_end(start):
        errors["period_end"] = [
            _("A request may cover at most %(n)d years: end on %(last)s at the latest.")
            % {"n": settings.YIWANG_SHARING_MAX_YEARS, "last": rules.max_period_end(start)}
        ]
    elif end < today:
        errors["period_end"] = [_("The period has already ended.")]


def _consumer(actor, consumer: Department | None, errors: dict) -> Department | None:
    if consumer is not None:
        return consumer
    departments = rules.admin_departments(actor)
    if len(departments) == 1:
        return departments[0]
    if not departments:
        raise PermissionDenied(_("Only a department's data administrator can request shared data."))
    errors["consumer"] = [_("Choose the department the data is for.")]
    return None


@transaction.atomic
def submit_request(
    *,
    actor,
    resource: Resource,
    fields: list[str],
    purpose: str,
    scenario: str,
    legal_basis: str,
    period_start: date | None,
    period_end: date | None,
    consumer: Department | None = None,
    now: datetime | None = None,
) -> SharingRequest:
    """Ask for items of a resource in the catalogue, for the actor's department."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    consumer = _consumer(actor, consumer, errors)
    purpose = _text(purpose, "purpose", _("Say what the data will be used for."), errors)
    scenario = _text(
        scenario, "scenario", _("Describe the application scenario (应用场景)."), errors
    )
    legal_basis = _text(
        legal_basis,
        "legal_basis",
        _("Name the law, regulation or policy that allows the use."),
        errors,
    )
    _check_period(period_start, period_end, errors, workdays.local_date(now))
    resource = (
        Resource.objects.select_related("current_version", "provider").filter(pk=resource.pk).get()
    )
    version = resource.current_version
    if version is None or resource.withdrawn_at is not None:
        raise ValidationError(
            {"resource": [_("Only resources in the catalogue can be requested.")]},
            code="not_in_catalogue",
        )
    columns = _check_fields(fields, version.snapshot, errors)
    if consumer is not None and consumer.pk == resource.provider_id:
        errors["consumer"] = [
            _("A department reads its own resources directly; it does not request them.")
        ]
    _raise_if(errors)
    assert consumer is not None  # an error was raised otherwise
    assert period_start is not None and period_end is not None  # likewise
    if not rules.is_dept_admin_of(actor, consumer):
        raise PermissionDenied(
            _("Only the data administrator of %(department)s can request data for it.")
            % {"department": consumer.name}
        )
    if SharingRequest.objects.filter(
        consumer=consumer, resource=resource, status__in=PENDING_STATUSES
    ).exists():
        raise ValidationError(
            {
                "resource": [
                    _(
                        "%(department)s already has a pending request for this resource: "
                        "wait for its decision or withdraw it."
                    )
                    % {"department": consumer.name}
                ]
            },
            code="duplicate",
        )
    snapshot_items = {i["column"]: i for i in version.snapshot["items"]}
    routes = dict(GradePolicy.objects.values_list("grade", "approval_route"))
    request = SharingRequest(
        consumer=consumer,
        resource=resource,
        version=version,
        fields=columns,
        purpose=purpose,
        scenario=scenario,
        legal_basis=legal_basis,
        period_start=period_start,
        period_end=period_end,
        route=rules.route_for([snapshot_items[c] for c in columns], routes),
        submitted_by=_user(actor),
        submitted_at=now,
    )
    _start_step(request, RequestStatus.REVIEW, now)
    request.save()
    _event(request, actor, "submit", now, purpose)
    record(actor=actor, action="datahub.request_submit", obj=request, after=summary(request))
    _tell(authority_users(), _("Data sharing request to review"), request)
    return request


# --- decisions -----------------------------------------------------------------------------


@transaction.atomic
def review_request(
    *,
    actor,
    request: SharingRequest,
    approve: bool,
    reasons: str = "",
    now: datetime | None = None,
) -> SharingRequest:
    """The authority's conformity review: approve (the grant is issued when the route is
    ``authority``, else the provider decides) or refuse with reasons."""
    now = now or timezone.now()
    text = _reasons(reasons, _("Say why the request does not conform."), required=not approve)
    require_authority(actor)
    _lock(request)
    _require_status(request, (RequestStatus.REVIEW,))
    before = summary(request)
    if not approve:
        _refuse(request, RefusedAt.REVIEW, text, now)
        _event(request, actor, "review_refuse", now, text)
    elif request.route == ApprovalRoute.AUTHORITY:
        _issue(
            request, actor, now, list(request.fields), request.period_end, _default_quota(), text
        )
        _event(request, actor, "review_grant", now, text)
    else:
        _start_step(request, RequestStatus.PROVIDER, now)
        request.save()
        _event(request, actor, "review_approve", now, text)
        _tell(department_admins(request.resource.provider), _("Data sharing to decide"), request)
    record(
        actor=actor,
        action="datahub.request_review",
        obj=request,
        before=before,
        after=summary(request),
        approve=bool(approve),
        reasons=text,
    )
    return request


def _default_quota() -> int:
    return int(settings.YIWANG_SHARING_DAILY_QUOTA)


@transaction.atomic
def decide_request(
    *,
    actor,
    request: SharingRequest,
    grant: bool,
    reasons: str = "",
    fields: list[str] | None = None,
    expires_on: date | None = None,
    daily_quota: int | None = None,
    now: datetime | None = None,
) -> SharingRequest:
    """The provider's decision: grant (optionally narrower, shorter, with a quota) or refuse
    with reasons."""
    now = now or timezone.now()
    text = _reasons(reasons, _("Say why the data cannot be shared."), required=not grant)
    if not rules.is_dept_admin_of(actor, request.resource.provider):
        raise PermissionDenied(
            _("Only the data administrator of %(department)s decides on its data.")
            % {"department": request.resource.provider.name}
        )
    _lock(request)
    _require_status(request, (RequestStatus.PROVIDER,))
    before = summary(request)
    if grant:
        terms = _terms(request, fields, expires_on, daily_quota, workdays.local_date(now))
        _issue(request, actor, now, *terms, note=text)
        _event(request, actor, "provider_grant", now, text)
    else:
        _refuse(request, RefusedAt.PROVIDER, text, now)
        _event(request, actor, "provider_refuse", now, text)
    record(
        actor=actor,
        action="datahub.request_decide",
        obj=request,
        before=before,
        after=summary(request),
        grant=bool(grant),
        reasons=text,
    )
    return request


@transaction.atomic
def dispute_request(
    *, actor, request: SharingRequest, reasons: str, now: datetime | None = None
) -> SharingRequest:
    """The consumer disputes the provider's refusal; the authority coordinates."""
    now = now or timezone.now()
    text = _reasons(reasons, _("Say why the refusal should be reconsidered."))
    if not rules.is_dept_admin_of(actor, request.consumer):
        raise PermissionDenied(
            _("Only the data administrator of %(department)s can dispute this refusal.")
            % {"department": request.consumer.name}
        )
    _lock(request)
    _require_status(request, (RequestStatus.REFUSED,))
    if request.refused_at_step != RefusedAt.PROVIDER:
        raise ValidationError(
            _("Only a provider's refusal can be disputed; this one is final."),
            code="not_disputable",
        )
    before = summary(request)
    _start_step(request, RequestStatus.DISPUTED, now)
    request.save()
    _event(request, actor, "dispute", now, text)
    record(
        actor=actor,
        action="datahub.request_dispute",
        obj=request,
        before=before,
        after=summary(request),
        reasons=text,
    )
    _tell(authority_users(), _("Data sharing dispute to coordinate"), request)
    return request


@transaction.atomic
def coordinate_request(
    *,
    actor,
    request: SharingRequest,
    grant: bool,
    reasons: str,
    fields: list[str] | None = None,
    expires_on: date | None = None,
    daily_quota: int | None = None,
    now: datetime | None = None,
) -> SharingRequest:
    """The authority's final decision on a dispute: grant or uphold the refusal."""
    now = now or timezone.now()
    text = _reasons(reasons, _("Give the reasons of the coordinated decision."))
    require_authority(actor)
    _lock(request)
    _require_status(request, (RequestStatus.DISPUTED,))
    before = summary(request)
    if grant:
        terms = _terms(request, fields, expires_on, daily_quota, workdays.local_date(now))
        _issue(request, actor, now, *terms, note=text)
        _event(request, actor, "coordinate_grant", now, text)
    else:
        _refuse(request, RefusedAt.COORDINATION, text, now)
        _event(request, actor, "coordinate_refuse", now, text)
    _tell(department_admins(request.resource.provider), _("Data sharing dispute decided"), request)
    record(
        actor=actor,
        action="datahub.request_coordinate",
        obj=request,
        before=before,
        after=summary(request),
        grant=bool(grant),
        reasons=text,
    )
    return request


@transaction.atomic
def withdraw_request(
    *, actor, request: SharingRequest, reasons: str = "", now: datetime | None = None
) -> SharingRequest:
    now = now or timezone.now()
    text = _reasons(reasons, "", required=False)
    if not rules.is_dept_admin_of(actor, request.consumer):
        raise PermissionDenied(
            _("Only the data administrator of %(department)s can withdraw its request.")
            % {"department": request.consumer.name}
        )
    _lock(request)
    _require_status(request, PENDING_STATUSES)
    before = summary(request)
    _close(request, RequestStatus.WITHDRAWN, now)
    request.save()
    _event(request, actor, "withdraw", now, text)
    record(
        actor=actor,
        action="datahub.request_withdraw",
        obj=request,
        before=before,
        after=summary(request),
    )
    return request


@transaction.atomic
def revoke_grant(*, actor, grant: Grant, reasons: str, now: datetime | None = None) -> Grant:
    """End a grant before its expiry (the provider's data administrator or the authority)."""
    now = now or timezone.now()
    text = _reasons(reasons, _("Say why the grant is revoked."))
    provider = grant.resource.provider
    if not (rules.is_dept_admin_of(actor, provider) or rules.is_authority(actor)):
        raise PermissionDenied(
            _("Only the data administrator of %(department)s or the data authority can do this.")
            % {"department": provider.name}
        )
    fresh = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    if fresh.status != GrantStatus.ACTIVE:
        raise ValidationError(
            _("Grant #%(id)d is %(status)s: it cannot be revoked.")
            % {"id": grant.pk, "status": fresh.get_status_display()},
            code="transition_not_allowed",
        )
    before = grant_summary(fresh)
    grant.status = GrantStatus.REVOKED
    grant.revoked_at = now
    grant.revoked_by = _user(actor)
    grant.revoked_reason = text
    grant.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
    request = _lock(SharingRequest(pk=grant.request_id))
    _event(request, actor, "grant_revoke", now, text)
    record(
        actor=actor,
        action="datahub.grant_revoke",
        obj=grant,
        before=before,
        after=grant_summary(grant),
        reasons=text,
    )
    _tell(department_admins(grant.consumer), _("Data sharing grant revoked"), request)
    return grant
