"""Read helpers for the seal pages: scoped lists (no per-row queries), key history, and the
recent signatures of a seal from the audit log."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from yiwang.audit.models import AuditEntry

from .models import Seal, SealKey
from .permissions import managed_departments_q

RECENT_SIGNATURES = 10


def visible_seals(user) -> QuerySet[Seal]:
    """The seals ``user`` manages, each with ``current_key_id`` and ``retired_keys``."""
    current = SealKey.objects.filter(seal=OuterRef("pk"), retired_at__isnull=True).values("key_id")[
        :1
    ]
    return (
        Seal.objects.filter(managed_departments_q(user))
        .select_related("department")
        .annotate(
            current_key_id=Subquery(current),
            retired_keys=Count("keys", filter=Q(keys__retired_at__isnull=False)),
        )
        .order_by("-active", "department_id", "id")
    )


def keys_of(seal: Seal) -> list[SealKey]:
    """Every key the seal ever had, newest first."""
    return list(SealKey.objects.filter(seal=seal).order_by("-created_at", "-id"))


def recent_signatures(seal: Seal, limit: int = RECENT_SIGNATURES) -> list[AuditEntry]:
    """The seal's latest signatures as the audit log recorded them (key id, purpose, SM3 of
    the data); uses the log's (object_type, object_id) index."""
    return list(
        AuditEntry.objects.filter(
            object_type=Seal._meta.label_lower, object_id=str(seal.pk), action="seals.sign"
        ).order_by("-seq")[:limit]
    )
