"""Demo data sharing (``data/sharing.json``), loaded after the data catalogue through
``datahub.actions.sharing``: 县民政局 reads 人口基础信息's names and ID numbers for 低保
eligibility (granted), asks 不动产登记信息 (waiting for the provider), and 县市场监管局's
request for 社会保险参保信息 was refused by the provider with reasons.

The departments' data administrators the demo needs (``admin_mzj``, ``admin_gaj``) are
created through ``accounts.actions`` where missing. Requests are submitted by those people,
reviewed by the platform as the data authority (``actor``), and decided by the provider's
data administrator when there is one (else by ``actor``). Idempotent: a consumer's request
for a resource is made once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.datahub.actions import sharing
from yiwang.datahub.models import Resource, SharingRequest
from yiwang.regions.models import Region

from .datafiles import read
from .orgs import departments_by_key
from .people import PASSWORD

_DATA = read("sharing")
STAFF: list[dict[str, str]] = _DATA["staff"]
REQUESTS: list[dict[str, Any]] = _DATA["requests"]


def ensure_staff(actor) -> dict[str, User]:
    """The sharing demo's data administrators, created where missing (skipped when their
    department or region is not loaded)."""
    departments = departments_by_key()
    regions = {r.code: r for r in Region.objects.filter(code__in={s["region"] for s in STAFF})}
    existing = {
        u.username: u for u in User.objects.filter(username__in=[s["username"] for s in STAFF])
    }
    for spec in STAFF:
        if spec["username"] in existing:
            continue
        if spec["department"] not in departments or spec["region"] not in regions:
            continue
        existing[spec["username"]] = accounts.create_staff(
            actor=actor,
            username=spec["username"],
            password=PASSWORD,
            real_name=spec["real_name"],
            posts=[
                {
                    "role": "dept_admin",
                    "department": departments[spec["department"]],
                    "region": regions[spec["region"]],
                }
            ],
        )
    return existing


def _provider_actor(actor, users: dict[str, User], provider_key: str):
    spec = next((s for s in STAFF if s["department"] == provider_key), None)
    return users.get(spec["username"], actor) if spec else actor


def load_sharing(actor) -> dict[str, int]:
    """Create the missing requests; returns how many were made and granted."""
    departments = departments_by_key()
    users = ensure_staff(actor)
    users.update(
        {
            u.username: u
            for u in User.objects.filter(username__in=[r["submitted_by"] for r in REQUESTS])
        }
    )
    keys = {d.pk: key for key, d in departments.items()}
    resources = {
        r.name: r
        for r in Resource.objects.filter(
            name__in=[s["resource"] for s in REQUESTS], current_version__isnull=False
        ).select_related("provider")
    }
    made = granted = 0
    today = timezone.localdate()
    for spec in REQUESTS:
        consumer = departments.get(spec["consumer"])
        resource = resources.get(spec["resource"])
        if consumer is None or resource is None:
            continue
        if SharingRequest.objects.filter(consumer=consumer, resource=resource).exists():
            continue
        with transaction.atomic():
            request = sharing.submit_request(
                actor=users.get(spec["submitted_by"], actor),
                consumer=consumer,
                resource=resource,
                fields=spec["fields"],
                purpose=spec["purpose"],
                scenario=spec["scenario"],
                legal_basis=spec["legal_basis"],
                period_start=today,
                period_end=today + datetime.timedelta(days=spec["period_days"]),
            )
            sharing.review_request(
                actor=actor, request=request, approve=True, reasons=spec.get("review_note", "")
            )
            provider = _provider_actor(actor, users, keys.get(resource.provider_id, ""))
            if spec["outcome"] == "granted" and request.status == "provider":
                sharing.decide_request(
                    actor=provider,
                    request=request,
                    grant=True,
                    reasons=spec.get("grant_note", ""),
                    daily_quota=spec.get("daily_quota"),
                )
            elif spec["outcome"] == "refused" and request.status == "provider":
                sharing.decide_request(
                    actor=provider, request=request, grant=False, reasons=spec["reasons"]
                )
        made += 1
        granted += request.status == "granted"
    return {"requests": made, "granted": granted}
