"""State changes of data quality. Every change goes through here.

- ``create_rule`` / ``update_rule`` / ``delete_rule``: a resource's rules;
  ``accept_suggestions``: the suggested rules (``suggestions``) in one go;
- ``request_run``: a run on demand, queued for the worker; ``schedule_runs``: the daily runs
  of every catalogued resource with rules (``tasks.run_scheduled``);
- ``detect_sensitive``: sensitive-field detection from the data (reads personal values, so
  it is audited although it changes nothing).

Permissions: the provider's data administrator or the data authority (``permissions``).
Audited as ``quality.<verb>``; runs are enqueued on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.datahub.models import Resource
from yiwang.datahub.queries import IN_CATALOGUE

from . import params as p
from . import sensitive, suggestions
from .choices import RunStatus, RunTrigger
from .models import QualityRule, QualityRun
from .permissions import is_authority, require_manager
from .tasks import run_quality

#: A scheduled run is skipped for a resource that had any run this recently.
SCHEDULE_GAP = dt.timedelta(hours=20)


def _summary(rule: QualityRule) -> dict[str, Any]:
    return {
        "resource": rule.resource.code,
        "kind": rule.kind,
        "column": rule.column,
        "params": rule.params,
    }


def _lock(resource: Resource) -> Resource:
    """Lock the resource row: two admins adding the same rule at once get a clear error."""
    Resource.objects.select_for_update(of=("self",)).filter(pk=resource.pk).first()
    return resource


def _refuse_duplicate(resource: Resource, kind: str, column: str, exclude: int | None) -> None:
    existing = QualityRule.objects.filter(resource=resource, kind=kind, column=column)
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    if existing.exists():
        raise ValidationError(
            {"kind": [_("This data item already has a rule of this kind: change that one.")]},
            code="duplicate_rule",
        )


def _create(actor, resource: Resource, kind: str, column: str, params: dict | None):
    clean = p.clean(resource, kind, column, params)
    _refuse_duplicate(resource, clean.kind, clean.column, None)
    rule = QualityRule.objects.create(
        resource=resource,
        kind=clean.kind,
        column=clean.column,
        params=clean.params,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, action="quality.create_rule", obj=rule, after=_summary(rule))
    return rule


@transaction.atomic
def create_rule(
    *, actor, resource: Resource, kind: str, column: str = "", params: dict | None = None
) -> QualityRule:
    """A new rule on ``resource``'s published item ``column`` (none for freshness).

    ``params`` by kind: regex ``pattern``; range ``min``/``max`` (either may be empty);
    enum ``values`` (a list, or text with one value per line); reference ``reference`` (the
    code of a catalogued resource with a key item); freshness ``grace_days``.
    """
    require_manager(actor, resource)
    _lock(resource)
    return _create(actor, resource, kind, column, params)


@transaction.atomic
def update_rule(
    *, actor, rule: QualityRule, column: str | None = None, params: dict | None = None
) -> QualityRule:
    """Change a rule's column or parameters (its kind stays: delete it and add another)."""
    resource = rule.resource
    require_manager(actor, resource)
    _lock(resource)
    before = _summary(rule)
    clean = p.clean(
        resource,
        rule.kind,
        rule.column if column is None else column,
        rule.params if params is None else params,
    )
    _refuse_duplicate(resource, clean.kind, clean.column, rule.pk)
    rule.column, rule.params = clean.column, clean.params
    rule.save(update_fields=["column", "params", "updated_at"])
    record(actor=actor, action="quality.update_rule", obj=rule, before=before, after=_summary(rule))
    return rule


@transaction.atomic
def delete_rule(*, actor, rule: QualityRule) -> None:
    require_manager(actor, rule.resource)
    before = _summary(rule)
    record(actor=actor, action="quality.delete_rule", obj=rule, before=before)
    rule.delete()


@transaction.atomic
def accept_suggestions(
    *, actor, resource: Resource, keys: Iterable[str] | None = None
) -> list[QualityRule]:
    """Create the suggested rules of ``resource`` (those whose ``key`` is in ``keys``; all
    when ``keys`` is None). Returns the rules created."""
    require_manager(actor, resource)
    p.require_published(resource)
    _lock(resource)
    have = QualityRule.objects.filter(resource=resource).values_list("kind", "column")
    wanted = None if keys is None else set(keys)
    chosen = [s for s in suggestions.suggest(resource, have) if wanted is None or s.key in wanted]
    if not chosen:
        raise ValidationError(
            _("No suggested rule to add: choose at least one, or add a rule yourself."),
            code="nothing_chosen",
        )
    return [_create(actor, resource, s.kind, s.column, None) for s in chosen]


def stalled(run: QualityRun, now: dt.datetime | None = None) -> bool:
    """Queued or running long after the worker would have given up on it."""
    if run.finished:
        return False
    limit = dt.timedelta(seconds=settings.YIWANG_TASK_TIMEOUT_SECONDS + 60)
    return (now or timezone.now()) - run.created_at > limit


def _enqueue(run_id: int) -> None:
    run_quality.enqueue(run_id)


@transaction.atomic
def request_run(*, actor, resource: Resource) -> QualityRun:
    """Queue a run of ``resource``'s rules now (refused while one is under way)."""
    require_manager(actor, resource)
    p.require_published(resource)
    _lock(resource)
    if not QualityRule.objects.filter(resource=resource).exists():
        raise ValidationError(
            _("Resource %(code)s has no quality rules yet: add or accept some first.")
            % {"code": resource.code},
            code="no_rules",
        )
    active = QualityRun.objects.filter(
        resource=resource, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
    )
    if any(not stalled(r) for r in active):
        raise ValidationError(
            _("A run of resource %(code)s is already under way: wait for its result.")
            % {"code": resource.code},
            code="run_in_progress",
        )
    run = QualityRun.objects.create(
        resource=resource,
        trigger=RunTrigger.MANUAL,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor=actor, action="quality.request_run", obj=run, after={"resource": resource.code})
    run_id = run.pk
    transaction.on_commit(lambda: _enqueue(run_id))
    return run


@transaction.atomic
def schedule_runs(*, actor) -> int:
    """Queue a scheduled run for every catalogued resource with rules that had no run in
    the last ``SCHEDULE_GAP`` (so a restarted worker does not run them twice a day).
    Returns how many were queued."""
    if not is_authority(actor):
        raise PermissionDenied(_("Only the data authority schedules quality runs."))
    since = timezone.now() - SCHEDULE_GAP
    recent = QualityRun.objects.filter(created_at__gte=since).values("resource_id")
    due = list(
        Resource.objects.filter(IN_CATALOGUE)
        .filter(Q(pk__in=QualityRule.objects.values("resource_id")))
        .exclude(pk__in=recent)
        .order_by("code")
        .values_list("pk", "code")
    )
    if not due:
        return 0
    runs = QualityRun.objects.bulk_create(
        [QualityRun(resource_id=pk, trigger=RunTrigger.SCHEDULED) for pk, _code in due]
    )
    record(actor=actor, action="quality.schedule_runs", resources=[code for _pk, code in due])
    ids = [run.pk for run in runs]

    def enqueue_all() -> None:
        for run_id in ids:
            _enqueue(run_id)

    transaction.on_commit(enqueue_all)
    return len(ids)


@transaction.atomic
def detect_sensitive(*, actor, resource: Resource) -> list[sensitive.Finding]:
    """Grade and mask suggestions for ``resource``'s items from samples of its values."""
    require_manager(actor, resource)
    p.require_published(resource)
    findings = sensitive.detect(resource)
    record(
        actor=actor,
        action="quality.detect_sensitive",
        obj=resource,
        samples={f.column: f.samples for f in findings},
        differences=[f.column for f in findings if f.differs],
    )
    return findings
