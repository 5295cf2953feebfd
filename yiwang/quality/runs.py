"""Executing a quality run: read the resource's rows once, apply every rule, store the result.

``execute(run_id)`` is the body of the task ``tasks.run_quality``. It claims a queued run
(another worker, or a second delivery of the task, finds it no longer queued and leaves it),
streams the rows through ``hub.read.iterate`` — the one way this app reads hub data — with
only the columns the rules need plus the key, applies the plan of ``engine``, adds the
resource-level freshness rule from the hub table's ``written_at``, and stores in one
transaction: the run's counts and scores, at most ``YIWANG_QUALITY_MAX_ISSUES`` issues (with
exact totals), the resource's latest score, and an audit entry. Issue lists of older runs
beyond the last ``KEEP_ISSUE_RUNS`` are deleted then (their counts and scores stay).

Rows are read in keyset batches in autocommit: an import running at the same time may be
seen half-way. The run reports what it read; the next run sees the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.datahub.choices import Mask, UpdateCycle
from yiwang.datahub.hub import read
from yiwang.datahub.hub.values import HubColumn, as_text, column_of
from yiwang.datahub.masking import HIDDEN, mask_value
from yiwang.datahub.models import Resource
from yiwang.gmcrypto.masking import redact_text

from . import engine
from .choices import Dimension, RuleKind, RunStatus
from .models import QualityIssue, QualityRule, QualityRun, QualityScore
from .params import DEFAULT_GRACE_DAYS

logger = logging.getLogger(__name__)

#: Rows read per statement.
BATCH = 10_000
#: Issue lists kept per resource (the latest runs'); older runs keep their counts only.
KEEP_ISSUE_RUNS = 3
#: Characters of a value kept in an issue.
VALUE_EXCERPT = 60
#: Days an update cycle allows between two writes, before the grace days.
CYCLE_DAYS: dict[str, int] = {
    UpdateCycle.REALTIME: 1,
    UpdateCycle.DAILY: 1,
    UpdateCycle.WEEKLY: 7,
    UpdateCycle.MONTHLY: 31,
    UpdateCycle.QUARTERLY: 92,
    UpdateCycle.HALF_YEARLY: 183,
    UpdateCycle.YEARLY: 366,
}


def max_issues() -> int:
    return int(getattr(settings, "YIWANG_QUALITY_MAX_ISSUES", 10_000))


# --- showing values without revealing them ------------------------------------------------


def _partial(text: str) -> str:
    """An encrypted value without a mask: a quarter of it at each end, the rest hidden."""
    keep = len(text) // 4
    if not keep:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[len(text) - keep :]


def shower(item: dict | None, *, key: bool = False) -> Callable[[Any], str]:
    """How an issue shows a value of ``item``: by the item's mask; an encrypted item
    without one hidden (a key partly, so the row can still be found); other text with any
    personal number inside it redacted."""
    mask = (item or {}).get("mask") or Mask.NONE
    encrypted = item is not None and column_of(item).encrypted

    def show(value: Any) -> str:
        if value is None:
            return ""
        text = as_text(value)
        if mask != Mask.NONE:
            text = str(mask_value(text, mask))
        elif encrypted:
            text = _partial(text) if key else HIDDEN
        else:
            text = redact_text(text)
        return text[:VALUE_EXCERPT]

    return show


# --- the resource-level rule ----------------------------------------------------------------


def freshness(
    spec: engine.RuleSpec, resource: Resource, written_at: dt.datetime | None, now: dt.datetime
) -> tuple[engine.RuleResult, str | None]:
    """One check: were the rows written within the published update cycle (plus grace)?"""
    result = engine.RuleResult(spec.id, spec.kind, "", Dimension.TIMELINESS, checked=1)
    version = resource.current_version
    cycle = version.update_cycle if version is not None else resource.update_cycle
    grace = int(spec.params.get("grace_days", DEFAULT_GRACE_DAYS))
    allowed = dt.timedelta(days=CYCLE_DAYS.get(cycle, 1) + grace)
    message = None
    if written_at is None:
        message = _("No data has been written to this resource yet.")
    elif now - written_at > allowed:
        message = _(
            "Last written on %(date)s, %(days)d days ago: the update cycle (%(cycle)s) "
            "allows %(allowed)d."
        ) % {
            "date": date_format(timezone.localtime(written_at), "Y-m-d"),
            "days": (now - written_at).days,
            "cycle": UpdateCycle(cycle).label if cycle in UpdateCycle.values else cycle,
            "allowed": allowed.days,
        }
    if message is not None:
        result.failed = 1
    return result, message


# --- the pass -----------------------------------------------------------------------------


def _reference_keys(code: str) -> Collection[str]:
    """The key texts of resource ``code`` (read once per run that refers to it)."""
    target = Resource.objects.select_related("current_version").filter(code=code).first()
    if target is None:
        return frozenset()
    table = read.table_of(target)
    if table is None:
        return frozenset()
    key = table.key_column
    return {as_text(row[key]) for row in read.iterate(target, [key], batch=BATCH)}


def evaluate(
    resource: Resource,
    rules: list[QualityRule],
    *,
    cap: int,
    progress: Callable[[int], None] | None = None,
    now: dt.datetime | None = None,
) -> tuple[engine.Outcome, dict[str, dict]]:
    """Apply ``rules`` to ``resource``'s rows; also returns the published items by column
    (for showing issue values)."""
    now = now or timezone.now()
    version = resource.current_version
    items = {i["column"]: i for i in (version.snapshot.get("items", []) if version else [])}
    specs = [engine.RuleSpec(r.pk, r.kind, r.column, r.params) for r in rules]
    table = read.table_of(resource)
    held = {c["column"] for c in table.columns} if table is not None else set()
    columns: dict[str, HubColumn] = {
        name: column_of(item) for name, item in items.items() if name in held
    }
    key_column = table.key_column if table is not None else ""
    plan = engine.build_plan(specs, columns, key_column, _reference_keys)
    if table is not None and plan.columns:
        rows = read.iterate(resource, plan.read_columns, batch=BATCH)
        outcome = engine.apply(plan, rows, cap=cap, progress=progress)
    else:
        outcome = engine.Outcome(rows=0, results=plan.results)
    for spec in specs:
        if spec.kind != RuleKind.FRESHNESS:
            continue
        result, message = freshness(spec, resource, table.written_at if table else None, now)
        outcome.results.append(result)
        if message is not None and len(outcome.issues) < cap:
            index = len(outcome.results) - 1
            outcome.issues.append(engine.RawIssue(index, None, None, "", None, message))
    return outcome, items


def _issues(run: QualityRun, outcome: engine.Outcome, items: dict[str, dict], key: str):
    show_key = shower(items.get(key), key=True)
    shows: dict[str, Callable[[Any], str]] = {}
    for raw in outcome.issues:
        result = outcome.results[raw.result]
        show = shows.get(raw.column)
        if show is None:
            show = shows[raw.column] = shower(items.get(raw.column))
        yield QualityIssue(
            run=run,
            rule_id=result.rule,
            kind=result.kind,
            column=raw.column,
            row_id=raw.row_id,
            row_key=show_key(raw.key)[:100],
            value=show(raw.value)[:200],
            message=raw.message[:300],
        )


# --- storing ------------------------------------------------------------------------------


def _store(run: QualityRun, outcome: engine.Outcome, items: dict[str, dict], seconds: float):
    scores, overall = engine.score_dimensions(outcome.results)
    now = timezone.now()
    table = read.table_of(run.resource)
    key = table.key_column if table is not None else ""
    with transaction.atomic():
        QualityIssue.objects.bulk_create(_issues(run, outcome, items, key), batch_size=2000)
        run.status = RunStatus.DONE
        run.finished_at = now
        run.rows_checked = outcome.rows
        run.score = overall
        run.scores = scores
        run.results = [r.as_dict() for r in outcome.results]
        run.issue_total = outcome.issue_total
        run.issues_stored = len(outcome.issues)
        run.seconds = round(seconds, 3)
        run.save(
            update_fields=[
                "status",
                "finished_at",
                "rows_checked",
                "score",
                "scores",
                "results",
                "issue_total",
                "issues_stored",
                "seconds",
            ]
        )
        QualityScore.objects.update_or_create(
            resource=run.resource,
            defaults={
                "run": run,
                "score": overall,
                "scores": scores,
                "issue_total": outcome.issue_total,
                "scored_at": now,
            },
        )
        older = (
            QualityRun.objects.filter(resource=run.resource, status=RunStatus.DONE)
            .exclude(pk=run.pk)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[KEEP_ISSUE_RUNS - 1 :]
        )
        QualityIssue.objects.filter(run_id__in=list(older)).delete()
        record(
            actor=SYSTEM,
            action="quality.finish_run",
            obj=run,
            after={
                "resource": run.resource.code,
                "trigger": run.trigger,
                "rows": outcome.rows,
                "score": overall,
                "scores": scores,
                "issues": outcome.issue_total,
            },
        )


def _fail(run: QualityRun, message: str) -> None:
    with transaction.atomic():
        QualityRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=message
        )
        record(
            actor=SYSTEM,
            action="quality.fail_run",
            obj=run,
            after={"resource": run.resource.code, "error": message},
        )


def execute(run_id: int) -> str:
    """Run a queued run (see the module docstring); returns its final status."""
    claimed = QualityRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    run = (
        QualityRun.objects.select_related("resource", "resource__current_version")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        return ""
    if not claimed:
        return run.status
    started = time.monotonic()
    rules = list(QualityRule.objects.filter(resource=run.resource).order_by("column", "id"))

    def progress(n: int) -> None:
        QualityRun.objects.filter(pk=run_id).update(rows_checked=n)

    try:
        outcome, items = evaluate(run.resource, rules, cap=max_issues(), progress=progress)
        _store(run, outcome, items, time.monotonic() - started)
    except Exception:  # the run must end whatever happens; the traceback goes to the log
        logger.exception("quality run %s failed", run_id)
        _fail(
            run,
            _(
                "The run stopped because of an internal error. Try again, or tell the operators "
                "(run %(id)d)."
            )
            % {"id": run_id},
        )
        return RunStatus.FAILED
    return RunStatus.DONE
