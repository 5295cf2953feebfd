"""Reading credentials and the evidence log, always through the viewer's scope.

- the consumer's data administrator: the credentials and calls of their department's grants;
- the provider's data administrator: who read their department's resources, per resource,
  consumer and day (one aggregate query per page);
- the data authority: every grant and every call;
- a citizen: the calls that returned a row about them (``ExchangeSource``, registered with
  the kernel's list of who saw a person's data).

Every list is a fixed number of queries, whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from yiwang.datahub.models import Grant
from yiwang.datahub.sharing import queries as sharing
from yiwang.datahub.sharing import rules
from yiwang.privacy.sources import Seen

from .models import Credential, EvidenceEntry, EvidenceSubject


def find_grant(user, pk: int) -> Grant | None:
    """The grant if ``user`` may see it at all (the consumer's or provider's staff, the
    authority); what they may do with it is decided by :func:`may_manage`."""
    return sharing.visible_grants(user).filter(pk=pk).first()


def may_manage(user, grant: Grant) -> bool:
    """Issue, rotate and revoke the grant's credentials: the consumer's data administrator."""
    return rules.is_dept_admin_of(user, grant.consumer)


def may_view_calls(user, grant: Grant) -> bool:
    return may_manage(user, grant) or rules.is_authority(user)


def credentials(grant: Grant) -> list[Credential]:
    return list(
        Credential.objects.filter(grant=grant)
        .select_related("created_by", "revoked_by")
        .order_by("-created_at", "-id")
    )


def calls_of(grant: Grant) -> QuerySet[EvidenceEntry]:
    """The grant's calls, newest first (the entry holds everything a line shows)."""
    return EvidenceEntry.objects.filter(grant_id=grant.pk).order_by("-at", "-id")


# --- the provider: who read our resources ------------------------------------------------------


def may_see_reads(user) -> bool:
    return rules.is_authority(user) or bool(rules.admin_departments(user))


def _provider_scope(user) -> Q:
    if rules.is_authority(user):
        return Q()
    return rules.provider_q(user, field="provider")


@dataclass(frozen=True)
class ReadFilters:
    resource: str = ""
    consumer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    refused_only: bool = False


def reads(user, filters: ReadFilters) -> QuerySet:
    """Calls on the user's departments' resources, grouped by day, resource, consumer, grant
    and fields: how many calls, rows delivered, refusals, the last time. One query."""
    qs = EvidenceEntry.objects.filter(_provider_scope(user))
    if filters.resource:
        qs = qs.filter(resource_code=filters.resource)
    if filters.consumer:
        qs = qs.filter(consumer_id=filters.consumer)
    if filters.date_from:
        qs = qs.filter(day__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(day__lte=filters.date_to)
    if filters.refused_only:
        qs = qs.exclude(outcome="ok")
    return (
        qs.values(
            "day",
            "resource_code",
            "resource_name",
            "consumer_id",
            "consumer__name",
            "grant_id",
            "purpose",
            "fields",
            "field_names",
        )
        .annotate(
            calls=Count("id"),
            rows=Sum("row_count"),
            refused=Count("id", filter=~Q(outcome="ok")),
            last=Max("at"),
        )
        .order_by("-day", "resource_code", "consumer__name", "grant_id", "fields")
    )


def read_filter_choices(user) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The resources and consumers the provider's log names (for the filter's lists)."""
    qs = EvidenceEntry.objects.filter(_provider_scope(user))
    resources = list(
        qs.values_list("resource_code", "resource_name").distinct().order_by("resource_code")
    )
    consumers = list(
        qs.values_list("consumer_id", "consumer__name").distinct().order_by("consumer__name")
    )
    return list(dict(resources).items()), list(dict(consumers).items())


# --- the citizen ------------------------------------------------------------------------------


class ExchangeSource:
    """Rows about the person returned by the exchange API (by the blind index of their ID
    number), for the kernel's "who saw my data" list."""

    key = "exchange"

    def _qs(self, user) -> QuerySet[EvidenceSubject]:
        index = getattr(user, "id_number_index", "")
        if not index:
            return EvidenceSubject.objects.none()
        return EvidenceSubject.objects.filter(subject_index=index)

    def count(self, user) -> int:
        if not getattr(user, "id_number_index", ""):
            return 0
        return self._qs(user).count()

    def newest(self, user, limit: int) -> list[Seen]:
        if not getattr(user, "id_number_index", ""):
            return []
        found = self._qs(user).select_related("entry", "entry__consumer").order_by("-at", "-id")
        return [
            Seen(
                at=s.at,
                department=s.entry.consumer.name,
                actor_name=_("Department system (data sharing)"),
                field_name=s.entry.field_names,
                purpose=_("Data sharing"),
                reason=s.entry.purpose,
                object_label=s.entry.resource_name,
                channel=self.key,
            )
            for s in found[:limit]
        ]
