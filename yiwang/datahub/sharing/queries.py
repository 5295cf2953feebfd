"""Reading sharing requests and grants, always through the viewer's scope
(``rules.visible_q``: the authority all; staff those of their departments as consumer or as
provider; others nothing). Lists select their related rows: no per-row queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.orgs.models import Department

from ..permissions import is_authority
from . import rules
from .models import Grant, GrantStatus, RequestStatus, SharingRequest

_REQUEST_RELATED = ("consumer", "resource", "resource__provider", "version")


def visible_requests(user) -> QuerySet[SharingRequest]:
    return SharingRequest.objects.select_related(*_REQUEST_RELATED).filter(rules.visible_q(user))


def find_request(user, pk: int) -> SharingRequest | None:
    return visible_requests(user).filter(pk=pk).first()


def review_queue(user) -> QuerySet[SharingRequest]:
    """The authority's queue: conformity reviews and disputes, earliest deadline first."""
    if not is_authority(user):
        return SharingRequest.objects.none()
    return (
        SharingRequest.objects.select_related(*_REQUEST_RELATED)
        .filter(status__in=(RequestStatus.REVIEW, RequestStatus.DISPUTED))
        .order_by("due_at", "id")
    )


def decision_queue(user) -> QuerySet[SharingRequest]:
    """The provider's queue: requests about its resources awaiting its decision, earliest
    deadline (so overdue ones) first."""
    if not rules.admin_departments(user) and not getattr(user, "is_superuser", False):
        return SharingRequest.objects.none()
    return (
        SharingRequest.objects.select_related(*_REQUEST_RELATED)
        .filter(rules.provider_q(user), status=RequestStatus.PROVIDER)
        .order_by("due_at", "id")
    )


def visible_grants(user) -> QuerySet[Grant]:
    return Grant.objects.select_related(
        "consumer", "resource", "resource__provider__region", "request", "request__version"
    ).filter(rules.visible_q(user))


def consumed_grants(user) -> QuerySet[Grant]:
    """Grants to the departments of the user's posts (what we may read)."""
    ids = rules.department_ids(user)
    qs = visible_grants(user)
    if None in ids:
        return qs
    return qs.filter(consumer_id__in=[i for i in ids if i is not None])


def provided_grants(user) -> QuerySet[Grant]:
    """Grants on the resources of the departments of the user's posts (who reads our data);
    the authority: every grant."""
    ids = rules.department_ids(user)
    qs = visible_grants(user)
    if is_authority(user) or None in ids:
        return qs
    return qs.filter(resource__provider_id__in=[i for i in ids if i is not None])


def active_grants_for(department: Department | int, resource) -> QuerySet[Grant]:
    """Grants of ``department`` on ``resource`` that are active and within their validity
    now (the exchange API picks one and checks ``is_usable``, fields and quota)."""
    now = timezone.now()
    return Grant.objects.filter(
        consumer=department,
        resource=resource,
        status=GrantStatus.ACTIVE,
        valid_from__lte=now,
        expires_at__gt=now,
    ).order_by("-granted_at")


def resource_consumers(user, resource) -> list[Grant]:
    """The active grants on ``resource`` the user may see ("who consumes it")."""
    return list(
        visible_grants(user)
        .filter(resource=resource, status=GrantStatus.ACTIVE)
        .order_by("consumer__name", "id")
    )


@dataclass(frozen=True)
class RequestRow:
    request: SharingRequest
    deadline: str  # "", normal, warning, overdue
    field_names: list[str]


def rows(requests, today: date | None = None) -> list[RequestRow]:
    """List lines with the live deadline mark and the names of the items (from the
    version's snapshot, already loaded)."""
    out = []
    for r in requests:
        names = {i["column"]: i["name"] for i in r.version.snapshot.get("items", [])}
        out.append(
            RequestRow(
                request=r,
                deadline=rules.deadline_status(r.due_at, today) if r.pending else "",
                field_names=[names.get(c, c) for c in r.fields],
            )
        )
    return out


def status_filter(qs: QuerySet[SharingRequest], status: str) -> QuerySet[SharingRequest]:
    if status == "pending":
        return qs.filter(
            status__in=(RequestStatus.REVIEW, RequestStatus.PROVIDER, RequestStatus.DISPUTED)
        )
    if status in RequestStatus.values:
        return qs.filter(status=status)
    return qs


def mine_q(user) -> Q:
    """Requests of the user's own departments (as consumer)."""
    ids = rules.department_ids(user)
    if None in ids:
        return Q()
    return Q(consumer_id__in=[i for i in ids if i is not None])


def about_q(user) -> Q:
    """Requests about the resources of the user's departments (as provider); the authority:
    every request."""
    ids = rules.department_ids(user)
    if is_authority(user) or None in ids:
        return Q()
    return Q(resource__provider_id__in=[i for i in ids if i is not None])
