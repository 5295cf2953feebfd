"""Read side of disclosures: the auditors' overviews and the person's own log.

Every list here is one query (aggregates or ``select_related``), capped: the pages never
run a query per row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from .models import Disclosure, RevealBurst

OVERVIEW_ROWS = 100
RECENT_BURSTS = 20


class StaffRow(TypedDict):
    """One staff member's reveals in ``per_staff`` (counts of shown values unless named)."""

    actor_id: int
    actor_name: str
    hour: int
    day: int
    month: int
    refused: int
    subjects: int
    last: datetime


class SubjectRow(TypedDict):
    """One person's reveals in ``per_subject``."""

    subject_key: str
    label: str
    count: int
    staff: int
    last: datetime


def recent_bursts(now: datetime | None = None) -> list[RevealBurst]:
    """Bursts of refused reveals in the last 30 days, newest first."""
    now = now or timezone.now()
    return list(
        RevealBurst.objects.filter(last_at__gte=now - timedelta(days=30))
        .select_related("actor")
        .order_by("-last_at")[:RECENT_BURSTS]
    )


def per_staff(now: datetime | None = None, staff: str = "") -> list[StaffRow]:
    """Reveals per staff member in the last hour, 24 hours and 30 days; refusals first."""
    now = now or timezone.now()
    qs = Disclosure.objects.filter(created_at__gt=now - timedelta(days=30))
    if staff:
        qs = qs.filter(Q(actor_name__icontains=staff) | Q(actor__username__iexact=staff))
    shown = Q(refused=False)
    return list(
        qs.values("actor_id", "actor_name")
        .annotate(
            hour=Count("id", filter=shown & Q(created_at__gt=now - timedelta(hours=1))),
            day=Count("id", filter=shown & Q(created_at__gt=now - timedelta(days=1))),
            month=Count("id", filter=shown),
            refused=Count("id", filter=Q(refused=True)),
            subjects=Count("subject_key", distinct=True),
            last=Max("created_at"),
        )
        .order_by("-refused", "-day", "-month", "actor_id")[:OVERVIEW_ROWS]
    )


def per_subject(now: datetime | None = None) -> list[SubjectRow]:
    """Reveals per person in the last 30 days: how often and by how many staff members."""
    now = now or timezone.now()
    return list(
        Disclosure.objects.filter(created_at__gt=now - timedelta(days=30), refused=False)
        .exclude(subject_key="")
        .values("subject_key")
        .annotate(
            label=Max("subject_label"),
            count=Count("id"),
            staff=Count("actor_id", distinct=True),
            last=Max("created_at"),
        )
        .order_by("-count", "-last")[:OVERVIEW_ROWS]
    )


def drill_down(
    *,
    actor_id: int | None = None,
    staff: str = "",
    subject_key: str = "",
    date_from=None,
    date_to=None,
    refused_only: bool = False,
) -> QuerySet[Disclosure]:
    """The auditor's list of individual reveals, newest first, with the given filters."""
    qs = Disclosure.objects.select_related("department")
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    if staff:
        qs = qs.filter(Q(actor_name__icontains=staff) | Q(actor__username__iexact=staff))
    if subject_key:
        qs = qs.filter(subject_key=subject_key)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    if refused_only:
        qs = qs.filter(refused=True)
    return qs.order_by("-created_at", "-id")


def about_person(user) -> QuerySet[Disclosure]:
    """What was revealed about ``user``: by account, or by the blind indexes of their ID
    number and phone (reveals on cases and tickets from before they had an account)."""
    q = Q(subject_id=user.pk)
    if user.id_number_index:
        q |= Q(subject_id_index=user.id_number_index)
    if user.phone_index:
        q |= Q(subject_phone_index=user.phone_index)
    return (
        Disclosure.objects.filter(q, refused=False)
        .select_related("department")
        .order_by("-created_at", "-id")
    )
