"""Runs against real hub tables: on demand and scheduled, scores stored, issues capped with
exact totals and masked, references across two resources, freshness."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry
from yiwang.datahub.hub.models import HubTable
from yiwang.quality import actions, runs, schedule_tasks
from yiwang.quality.choices import RuleKind, RunStatus, RunTrigger
from yiwang.quality.models import QualityIssue, QualityRun, QualityScore

from .conftest import credit_code, id_number, licence_row, write

pytestmark = pytest.mark.django_db


def add(actor, resource, kind, column="", **params):
    return actions.create_rule(
        actor=actor, resource=resource, kind=kind, column=column, params=params
    )


def run_now(actor, resource, run_tasks) -> QualityRun:
    with translation.override("en"), run_tasks():
        run = actions.request_run(actor=actor, resource=resource)
    run.refresh_from_db()
    return run


def by_kind(run: QualityRun) -> dict[str, tuple[int, int]]:
    return {f"{r['kind']}:{r['column']}": (r["checked"], r["failed"]) for r in run.results}


def test_a_run_on_demand_scores_the_table(licences, admin_scj, run_tasks):
    rows = [licence_row(i) for i in range(8)]
    rows[1]["operator_name"] = None  # completeness: 7 of 8
    rows[2]["legal_rep_id"] = id_number(2)[:-1] + ("0" if id_number(2)[-1] != "0" else "1")
    rows[3]["uscc"] = "91441422MA0000000Z"  # validity: 2 failures of 8 + 8 checks
    rows[4]["status"] = rows[5]["status"] = "吊销"  # enum: 2 failures of 8
    rows[6]["phone"] = rows[7]["phone"] = "13900139000"
    write(licences, rows)
    add(admin_scj, licences, RuleKind.NOT_NULL, "operator_name")
    add(admin_scj, licences, RuleKind.ID_NUMBER, "legal_rep_id")
    add(admin_scj, licences, RuleKind.USCC, "uscc")
    add(admin_scj, licences, RuleKind.ENUM, "status", values=["有效", "注销"])
    add(admin_scj, licences, RuleKind.UNIQUE, "phone")  # 13800138000 ×6, 13900139000 ×2
    add(admin_scj, licences, RuleKind.FRESHNESS)
    run = run_now(admin_scj, licences, run_tasks)
    assert run.status == RunStatus.DONE and run.trigger == RunTrigger.MANUAL
    assert run.rows_checked == 8
    assert by_kind(run) == {
        "not_null:operator_name": (8, 1),
        "id_number:legal_rep_id": (8, 1),
        "uscc:uscc": (8, 1),
        "enum:status": (8, 2),
        "unique:phone": (8, 6),
        "freshness:": (1, 0),
    }
    assert run.scores == {
        "completeness": 87.5,
        "validity": round(100 * (24 - 4) / 24, 2),
        "uniqueness": 25.0,
        "timeliness": 100.0,
    }
    assert run.score == round((87.5 + round(100 * 20 / 24, 2) + 25 + 100) / 4, 2)
    assert run.issue_total == 11 and run.issues_stored == 11
    score = QualityScore.objects.get(resource=licences)
    assert (score.run_id, score.score, score.issue_total) == (run.pk, run.score, 11)
    assert AuditEntry.objects.filter(action="quality.request_run").count() == 1
    finished = AuditEntry.objects.get(action="quality.finish_run")
    assert finished.summary["after"]["issues"] == 11


def test_issues_mask_personal_values_and_keys(licences, admin_scj, run_tasks):
    bad = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")
    write(licences, [licence_row(1, legal_rep_id=bad)])
    add(admin_scj, licences, RuleKind.ID_NUMBER, "legal_rep_id")
    run = run_now(admin_scj, licences, run_tasks)
    issue = QualityIssue.objects.get(run=run)
    assert issue.value == bad[:6] + "********" + bad[-4:]
    assert bad not in issue.value
    assert issue.row_key == "JY1441422000001"  # the key item is not personal
    assert issue.message == "The check digit is wrong."


def test_a_personal_key_is_masked_in_issues(depts, admin_scj, publish, run_tasks):
    from yiwang.datahub import actions as datahub

    from .conftest import _fields

    people = datahub.create_resource(
        actor=admin_scj,
        **_fields(
            depts,
            name="从业人员信息",
            items=[
                {
                    "name": "公民身份号码",
                    "column": "id_number",
                    "data_type": "string",
                    "grade": "g4",
                    "mask": "id_number",
                    "personal": True,
                },
                {
                    "name": "姓名",
                    "column": "real_name",
                    "data_type": "string",
                    "grade": "g3",
                    "mask": "name",
                },
            ],
            key_item="id_number",
        ),
    )
    publish(people, admin_scj)
    write(people, [{"id_number": id_number(3), "real_name": None}])
    add(admin_scj, people, RuleKind.NOT_NULL, "real_name")
    run = run_now(admin_scj, people, run_tasks)
    issue = QualityIssue.objects.get(run=run)
    assert issue.row_key == id_number(3)[:6] + "********" + id_number(3)[-4:]


def test_the_issue_cap_keeps_exact_totals(licences, admin_scj, run_tasks, settings):
    settings.YIWANG_QUALITY_MAX_ISSUES = 5
    write(licences, [licence_row(i, status="吊销") for i in range(12)])
    add(admin_scj, licences, RuleKind.ENUM, "status", values=["有效"])
    add(admin_scj, licences, RuleKind.NOT_NULL, "status")
    run = run_now(admin_scj, licences, run_tasks)
    assert run.issue_total == 12 and run.issues_stored == 5
    assert QualityIssue.objects.filter(run=run).count() == 5
    assert by_kind(run)["enum:status"] == (12, 12)
    assert run.scores == {"completeness": 100.0, "validity": 0.0}


def test_a_reference_rule_reads_the_keys_of_the_other_resource(
    licences, entities, admin_scj, run_tasks
):
    write(entities, [{"uscc": credit_code(i), "entity_name": f"企业{i}"} for i in range(3)])
    write(licences, [licence_row(i) for i in range(5)])  # USCCs 0–4: 3 and 4 unknown
    add(admin_scj, licences, RuleKind.REFERENCE, "uscc", reference=entities.code)
    run = run_now(admin_scj, licences, run_tasks)
    assert by_kind(run) == {"reference:uscc": (5, 2)}
    assert run.scores == {"consistency": 60.0}
    messages = set(QualityIssue.objects.filter(run=run).values_list("message", flat=True))
    assert messages == {f"No row of resource {entities.code} has this key."}


def test_freshness_fails_when_the_data_is_older_than_the_cycle(licences, admin_scj, run_tasks):
    add(admin_scj, licences, RuleKind.FRESHNESS, grace_days="1")
    run = run_now(admin_scj, licences, run_tasks)  # nothing written yet
    assert by_kind(run) == {"freshness:": (1, 1)}
    assert QualityIssue.objects.get(run=run).message.startswith("No data has been written")
    write(licences, [licence_row(1)])
    HubTable.objects.filter(resource=licences).update(
        written_at=timezone.now() - dt.timedelta(days=3)
    )
    run = run_now(admin_scj, licences, run_tasks)
    assert run.scores == {"timeliness": 0.0}
    assert "3 days ago" in QualityIssue.objects.get(run=run).message
    HubTable.objects.filter(resource=licences).update(
        written_at=timezone.now() - dt.timedelta(hours=40)
    )
    run = run_now(admin_scj, licences, run_tasks)  # daily + 1 day of grace
    assert run.scores == {"timeliness": 100.0}


def test_a_run_is_refused_without_rules_while_another_runs_and_for_outsiders(
    licences, admin_scj, admin_mzj
):
    with translation.override("en"), pytest.raises(ValidationError, match="no quality rules"):
        actions.request_run(actor=admin_scj, resource=licences)
    add(admin_scj, licences, RuleKind.NOT_NULL, "licence_no")
    with pytest.raises(PermissionDenied):
        actions.request_run(actor=admin_mzj, resource=licences)
    # Without executing the on-commit callback the run stays queued.
    actions.request_run(actor=admin_scj, resource=licences)
    with translation.override("en"), pytest.raises(ValidationError, match="already under way"):
        actions.request_run(actor=admin_scj, resource=licences)
    QualityRun.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    # A run the worker never finished does not block a new one.
    assert actions.request_run(actor=admin_scj, resource=licences).status == RunStatus.QUEUED


def test_a_run_executes_once(licences, admin_scj):
    add(admin_scj, licences, RuleKind.NOT_NULL, "licence_no")
    run = actions.request_run(actor=admin_scj, resource=licences)
    assert runs.execute(run.pk) == RunStatus.DONE
    assert runs.execute(run.pk) == RunStatus.DONE  # a second delivery leaves it alone
    assert AuditEntry.objects.filter(action="quality.finish_run").count() == 1


def test_a_run_that_breaks_is_marked_failed(licences, admin_scj, monkeypatch):
    add(admin_scj, licences, RuleKind.NOT_NULL, "licence_no")
    run = actions.request_run(actor=admin_scj, resource=licences)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runs, "evaluate", broken)
    with translation.override("en"):
        assert runs.execute(run.pk) == RunStatus.FAILED
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "internal error" in run.error
    assert not QualityScore.objects.exists()


def test_old_issue_lists_are_pruned_but_scores_kept(licences, admin_scj, run_tasks):
    write(licences, [licence_row(1, status="吊销")])
    add(admin_scj, licences, RuleKind.ENUM, "status", values=["有效"])
    made = [run_now(admin_scj, licences, run_tasks) for _ in range(runs.KEEP_ISSUE_RUNS + 1)]
    kept = set(QualityIssue.objects.values_list("run_id", flat=True))
    assert kept == {r.pk for r in made[1:]}
    assert QualityRun.objects.filter(issue_total=1).count() == len(made)


# --- the schedule ----------------------------------------------------------------------------


def test_the_daily_task_is_scheduled():
    assert (
        django_settings.YIWANG_PERIODIC_TASKS["yiwang.quality.schedule_tasks.run_scheduled"]
        == 86400
    )


def test_scheduled_runs_pick_catalogued_resources_with_rules(
    licences, entities, draft, admin_scj, run_tasks
):
    write(licences, [licence_row(1)])
    add(admin_scj, licences, RuleKind.NOT_NULL, "licence_no")
    with run_tasks():
        # entities has no rules, the draft none either
        assert schedule_tasks.run_scheduled.call() == 1
    run = QualityRun.objects.get()
    assert (run.resource, run.trigger, run.status) == (licences, RunTrigger.SCHEDULED, "done")
    assert run.requested_by is None
    # Run again the same day (a restarted worker): nothing new.
    assert actions.schedule_runs(actor=SYSTEM) == 0
    QualityRun.objects.update(created_at=timezone.now() - dt.timedelta(days=1))
    with run_tasks():
        assert actions.schedule_runs(actor=SYSTEM) == 1
    entry = AuditEntry.objects.filter(action="quality.schedule_runs").first()
    assert entry.summary["resources"] == [licences.code]


def test_a_withdrawn_resource_is_not_scheduled(licences, admin_scj):
    add(admin_scj, licences, RuleKind.NOT_NULL, "licence_no")
    licences.withdrawn_at = timezone.now()
    licences.save(update_fields=["withdrawn_at"])
    assert actions.schedule_runs(actor=SYSTEM) == 0
