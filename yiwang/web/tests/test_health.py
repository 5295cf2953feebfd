"""The worker's heartbeat, `/healthz`, and recovery of tasks stuck in RUNNING."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yiwang.audit.models import AuditEntry
from yiwang.cases.tasks import sweep_deadlines
from yiwang.notify.tasks import send_sms_copy
from yiwang.web.actions import SYSTEM, recover_stuck_tasks
from yiwang.web.heartbeat import Housekeeping, beat, new_worker_id
from yiwang.web.models import TaskRecovery, WorkerHeartbeat

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    """Tasks wait in the database for a worker, as in production."""
    settings.TASKS = DB_QUEUE
    settings.YIWANG_WORKER_STALE_SECONDS = 60
    settings.YIWANG_TASK_TIMEOUT_SECONDS = 900
    return settings


def _heartbeat(worker_id: str, seconds_ago: float) -> None:
    now = timezone.now()
    beat(worker_id, started_at=now - timedelta(hours=1), now=now - timedelta(seconds=seconds_ago))


def _running(task, *, worker_id: str, started_seconds_ago: float, args=()) -> DBTaskResult:
    """A task a worker claimed ``started_seconds_ago``."""
    result = task.enqueue(*args)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago)
    )
    row.refresh_from_db()
    return row


# --- heartbeat ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_worker_housekeeping_loop_writes_its_heartbeat(queue, monkeypatch):
    # the worker thread drops stale connections; here it runs inside the test's transaction
    monkeypatch.setattr("yiwang.web.heartbeat.close_old_connections", lambda: None)
    stop = threading.Event()
    worker_id = new_worker_id()
    housekeeping = Housekeeping(worker_id, stop, interval=0.05)
    calls = []
    original = housekeeping.tick

    def tick(*, recover):
        calls.append(recover)
        original(recover=recover)
        if len(calls) == 3:
            stop.set()

    housekeeping.tick = tick
    housekeeping.run()  # in this thread: the test database is only visible here
    row = WorkerHeartbeat.objects.get(worker_id=worker_id)
    assert (timezone.now() - row.beat_at).total_seconds() < 5
    assert row.pid > 0
    assert row.hostname
    assert calls[0] is True  # recovers on the first round, then every RECOVERY_EVERY seconds
    assert calls[1:] == [False, False]


@pytest.mark.django_db
def test_old_heartbeats_are_forgotten(queue):
    _heartbeat("gone-last-week", seconds_ago=7 * 24 * 3600)
    _heartbeat("alive", seconds_ago=0)
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["alive"]


# --- /healthz -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_ok_with_a_fresh_heartbeat(client, queue):
    _heartbeat("w1", seconds_ago=3)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}
    assert body["worker"]["state"] == "alive"
    assert 2 <= body["worker"]["last_heartbeat_seconds"] < 30
    assert body["queue"] == {"ready": 0, "oldest_ready_seconds": None}


@pytest.mark.django_db
def test_healthz_503_when_the_worker_is_stale(client, queue):
    _heartbeat("w1", seconds_ago=61)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["state"] == "stale"
    assert body["worker"]["last_heartbeat_seconds"] >= 61


@pytest.mark.django_db
def test_healthz_503_when_no_worker_ever_ran(client, queue):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {"state": "absent", "last_heartbeat_seconds": None}


@pytest.mark.django_db
def test_healthz_reports_ready_tasks_and_the_oldest_ones_age(client, queue):
    _heartbeat("w1", seconds_ago=1)
    old = sweep_deadlines.enqueue()
    sweep_deadlines.enqueue()
    DBTaskResult.objects.filter(pk=old.id).update(
        enqueued_at=timezone.now() - timedelta(seconds=600)
    )
    # deferred to the future: not ready, not counted
    sweep_deadlines.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    # running: not ready either
    _running(sweep_deadlines, worker_id="w1", started_seconds_ago=5)
    body = client.get("/healthz").json()
    assert body["queue"]["ready"] == 2
    assert 600 <= body["queue"]["oldest_ready_seconds"] < 700


@pytest.mark.django_db
def test_healthz_503_when_the_database_fails(client, queue, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("yiwang.web.views.worker_health", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_healthz_needs_no_worker_when_tasks_run_inline(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == {"state": "not_used"}


# --- stuck tasks ----------------------------------------------------------------------------


def _audit(task_id) -> AuditEntry:
    return AuditEntry.objects.get(action="web.recover_task", object_id=str(task_id))


@pytest.mark.django_db
def test_idempotent_task_past_the_timeout_is_retried_once(queue):
    _heartbeat("busy", seconds_ago=1)  # the worker is alive, the task just never ends
    stuck = _running(sweep_deadlines, worker_id="busy", started_seconds_ago=901)

    assert recover_stuck_tasks(actor=SYSTEM) == {"retried": 1, "failed": 0}

    stuck.refresh_from_db()
    assert stuck.status == "FAILED"
    assert stuck.exception_class_path == "yiwang.web.actions.TaskTimedOut"
    assert "recovered after a timeout" in stuck.traceback
    recovery = TaskRecovery.objects.get(task_id=stuck.id)
    assert (recovery.reason, recovery.outcome) == ("timeout", "retried")
    retry = DBTaskResult.objects.get(pk=recovery.replacement_id)
    assert retry.status == "READY"
    assert retry.task_path == "yiwang.cases.tasks.sweep_deadlines"
    entry = _audit(stuck.id)
    assert entry.actor_id is None and entry.actor_label == SYSTEM
    assert entry.summary["outcome"] == "retried"
    assert entry.summary["retry"] == str(retry.id)

    # the retry gets stuck as well: failed, not retried a second time
    retry.claim("busy")
    DBTaskResult.objects.filter(pk=retry.pk).update(
        started_at=timezone.now() - timedelta(seconds=901)
    )
    assert recover_stuck_tasks(actor=SYSTEM) == {"retried": 0, "failed": 1}
    retry.refresh_from_db()
    assert retry.status == "FAILED"
    assert TaskRecovery.objects.get(task_id=retry.id).outcome == "failed"
    assert DBTaskResult.objects.filter(status="READY").count() == 0


@pytest.mark.django_db
def test_non_idempotent_task_of_a_dead_worker_is_failed_with_an_alert(
    queue, caplog, django_capture_on_commit_callbacks
):
    _heartbeat("killed", seconds_ago=120)
    stuck = _running(send_sms_copy, worker_id="killed", started_seconds_ago=130, args=(1, "hi"))

    with (
        caplog.at_level("ERROR", logger="yiwang.web.actions"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        counts = recover_stuck_tasks(actor=SYSTEM)
    assert counts == {"retried": 0, "failed": 1}
    alerts = [r for r in caplog.records if r.name == "yiwang.web.actions"]
    assert [a.levelname for a in alerts] == ["ERROR"]
    assert str(stuck.id) in alerts[0].getMessage()

    stuck.refresh_from_db()
    assert stuck.status == "FAILED"
    assert "stopped sending heartbeats" in stuck.traceback
    assert DBTaskResult.objects.filter(status="READY").count() == 0  # not sent twice
    recovery = TaskRecovery.objects.get(task_id=stuck.id)
    assert (recovery.reason, recovery.outcome) == ("worker_lost", "failed")
    assert recovery.replacement_id is None
    assert _audit(stuck.id).summary["outcome"] == "failed"


@pytest.mark.django_db
def test_healthy_running_tasks_are_left_alone(queue):
    _heartbeat("alive", seconds_ago=2)
    fresh = _running(sweep_deadlines, worker_id="alive", started_seconds_ago=300)
    # a worker that never wrote a heartbeat (a bare db_worker): judged by the timeout only
    unknown = _running(send_sms_copy, worker_id="bare", started_seconds_ago=300, args=(1, "x"))
    assert recover_stuck_tasks(actor=SYSTEM) == {"retried": 0, "failed": 0}
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"RUNNING"}
    assert not TaskRecovery.objects.filter(task_id__in=[fresh.id, unknown.id]).exists()
    assert not AuditEntry.objects.filter(action="web.recover_task").exists()


def test_favicon_redirects_to_the_icon_without_a_csrf_cookie(client):
    """A first visit's favicon request must not set a CSRF cookie that races the login form's."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/web/favicon.svg"
    assert "csrftoken" not in response.cookies
