# ruff: noqa: F811  (fixtures imported from ingestion_fixtures are used as arguments)
"""Scheduled pulls from HTTP JSON endpoints, served by a local http.server thread."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from yiwang.audit.models import AuditEntry
from yiwang.datahub import actions
from yiwang.datahub.hub import read
from yiwang.datahub.ingestion.models import Ingestion, IngestionStatus, PullSource
from yiwang.datahub.ingestion.pulls import PullError, fetch_json
from yiwang.datahub.ingestion.samples import COLUMNS

from .ingestion_fixtures import people_resource, people_rows  # noqa: F401 - fixtures

RECORDS = [dict(zip(COLUMNS, r, strict=True)) for r in people_rows(4)[1:]]
KEY = "s3cret-key-123"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet test output
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json", **headers):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        body = json.dumps(RECORDS, ensure_ascii=False).encode()
        if self.path == "/people":
            self._send(200, body)
        elif self.path == "/wrapped":
            self._send(200, json.dumps({"code": 0, "data": {"items": RECORDS[:2]}}).encode())
        elif self.path == "/keyed":
            if self.headers.get("X-Api-Key") == KEY:
                self._send(200, body)
            else:
                self._send(401, b'{"error": "no key"}')
        elif self.path == "/page":
            self._send(200, b"<html>maintenance</html>", "text/html")
        elif self.path == "/moved":
            self._send(302, b"", Location="http://elsewhere.example/people")
        else:
            self._send(404, b'{"error": "not found"}')


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pull(django_capture_on_commit_callbacks):
    def run(actor, source) -> Ingestion:
        with django_capture_on_commit_callbacks(execute=True):
            job = actions.run_pull_now(actor=actor, source=source)
        return Ingestion.objects.get(pk=job.pk)

    return run


def test_a_pull_loads_the_rows_of_the_answer(people_resource, admin_scj, endpoint, pull):
    source = actions.create_pull_source(
        actor=admin_scj, resource=people_resource, url=f"{endpoint}/people", interval="hourly"
    )
    job = pull(admin_scj, source)
    assert job.status == IngestionStatus.DONE, job.message
    assert (job.source, job.created, job.failed) == ("pull", 4, 0)
    assert (
        read.lookup(people_resource, RECORDS[0]["id_number"])["real_name"]
        == RECORDS[0]["real_name"]
    )
    source.refresh_from_db()
    assert source.last_status == IngestionStatus.DONE and source.last_run_at


def test_rows_at_a_path_and_a_key_header(people_resource, admin_scj, endpoint, pull):
    wrapped = actions.create_pull_source(
        actor=admin_scj, resource=people_resource, url=f"{endpoint}/wrapped", rows_path="data.items"
    )
    assert pull(admin_scj, wrapped).created == 2
    keyed = actions.create_pull_source(
        actor=admin_scj,
        resource=people_resource,
        url=f"{endpoint}/keyed",
        header_name="X-Api-Key",
        header_value=KEY,
    )
    job = pull(admin_scj, keyed)
    assert (job.status, job.created, job.unchanged) == ("done", 2, 2)
    # The key is encrypted at rest and never written to the audit log.
    with connection.cursor() as cursor:
        cursor.execute("SELECT header_value FROM datahub_pullsource WHERE id = %s", [keyed.pk])
        assert KEY not in cursor.fetchone()[0]
    assert PullSource.objects.get(pk=keyed.pk).header_value == KEY
    logged = AuditEntry.objects.filter(action="datahub.create_pull_source")
    assert logged.count() == 2 and not any(KEY in json.dumps(e.summary) for e in logged)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404"),
        ("/page", "not JSON (it says it is text/html)"),
        ("/keyed", "HTTP 401"),
        ("/moved", "redirect (HTTP 302) to http://elsewhere.example/people"),
    ],
)
def test_a_failing_endpoint_fails_the_pull_with_the_reason(
    people_resource, admin_scj, endpoint, pull, path, reason
):
    source = actions.create_pull_source(
        actor=admin_scj, resource=people_resource, url=f"{endpoint}{path}"
    )
    job = pull(admin_scj, source)
    assert job.status == IngestionStatus.FAILED
    assert reason in job.message
    assert read.count(people_resource) == 0
    source.refresh_from_db()
    assert source.last_status == IngestionStatus.FAILED


def test_a_wrong_rows_path_fails_the_pull(people_resource, admin_scj, endpoint, pull):
    source = actions.create_pull_source(
        actor=admin_scj, resource=people_resource, url=f"{endpoint}/wrapped", rows_path="items"
    )
    job = pull(admin_scj, source)
    assert job.status == IngestionStatus.FAILED and "nothing at “items”" in job.message


def test_an_answer_over_the_size_cap_is_refused(endpoint, settings):
    settings.YIWANG_INGESTION_PULL_MAX_BYTES = 100
    with pytest.raises(PullError, match="larger than"):
        fetch_json(f"{endpoint}/people")


def test_an_unreachable_endpoint(settings):
    settings.YIWANG_INGESTION_PULL_TIMEOUT = 2
    with pytest.raises(PullError, match="cannot be reached"):
        fetch_json("http://127.0.0.1:9/people")


def test_due_pulls_run_once_per_interval(
    people_resource, admin_scj, endpoint, django_capture_on_commit_callbacks
):
    source = actions.create_pull_source(
        actor=admin_scj, resource=people_resource, url=f"{endpoint}/people", interval="daily"
    )
    idle = actions.create_pull_source(
        actor=admin_scj, resource=people_resource, url=f"{endpoint}/people"
    )
    actions.disable_pull_source(actor=admin_scj, source=idle)
    with django_capture_on_commit_callbacks(execute=True):
        queued = actions.run_due_pulls()
    assert len(queued) == 1
    job = Ingestion.objects.get(pk=queued[0])
    assert (job.pull_source_id, job.status, job.created, job.created_by) == (
        source.pk,
        "done",
        4,
        None,
    )
    assert actions.run_due_pulls() == []  # not due again until tomorrow
    source.refresh_from_db()
    assert source.next_run_at > timezone.now() + dt.timedelta(hours=23)
    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(actions.run_due_pulls(now=later)) == 1
    assert Ingestion.objects.filter(pull_source=source).latest("id").unchanged == 4


def test_the_periodic_task_is_registered(settings, db):
    from django.utils.module_loading import import_string

    path = "yiwang.datahub.ingestion_tasks.run_due_pulls"
    assert path in settings.YIWANG_PERIODIC_TASKS
    assert import_string(path).call() == []  # nothing is due


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://data.example/people"}, "url"),
        ({"url": "https://user:pw@data.example/people"}, "url"),
        ({"url": ""}, "url"),
        ({"header_name": "Bad Header:"}, "header_name"),
        ({"header_name": "Host", "header_value": "x"}, "header_name"),
        ({"header_value": "x"}, "header_name"),
        ({"rows_path": "data items"}, "rows_path"),
        ({"interval": "monthly"}, "interval"),
    ],
)
def test_pull_sources_are_validated(people_resource, admin_scj, fields, field):
    values = {"url": "https://data.example/people", **fields}
    with pytest.raises(ValidationError) as caught:
        actions.create_pull_source(actor=admin_scj, resource=people_resource, **values)
    assert field in caught.value.message_dict
    assert not PullSource.objects.exists()


def test_updating_keeps_the_stored_key_unless_given(people_resource, admin_scj):
    source = actions.create_pull_source(
        actor=admin_scj,
        resource=people_resource,
        url="https://data.example/a",
        header_name="X-Api-Key",
        header_value=KEY,
    )
    actions.disable_pull_source(actor=admin_scj, source=source)
    source = actions.update_pull_source(
        actor=admin_scj,
        source=source,
        url="https://data.example/b",
        header_name="X-Api-Key",
        interval="weekly",
        enabled=True,
    )
    source.refresh_from_db()
    assert (source.url, source.header_value, source.interval, source.enabled) == (
        "https://data.example/b",
        KEY,
        "weekly",
        True,
    )
    assert source.next_run_at is not None
    source = actions.update_pull_source(
        actor=admin_scj, source=source, url=source.url, header_name="", interval="weekly"
    )
    source.refresh_from_db()
    assert source.header_value == ""


def test_only_the_providers_admins_and_the_authority_manage_pulls(
    people_resource, admin_scj, admin_mzj, authority, citizen
):
    for actor in (admin_mzj, citizen):
        with pytest.raises(PermissionDenied):
            actions.create_pull_source(
                actor=actor, resource=people_resource, url="https://data.example/p"
            )
    source = actions.create_pull_source(
        actor=authority, resource=people_resource, url="https://data.example/p"
    )
    for act in (
        lambda a: actions.run_pull_now(actor=a, source=source),
        lambda a: actions.disable_pull_source(actor=a, source=source),
        lambda a: actions.update_pull_source(actor=a, source=source, url="https://x.example/"),
    ):
        with pytest.raises(PermissionDenied):
            act(admin_mzj)
    actions.disable_pull_source(actor=admin_scj, source=source)
    assert not PullSource.objects.get(pk=source.pk).enabled
