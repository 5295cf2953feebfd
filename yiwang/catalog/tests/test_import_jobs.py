"""Imports in the background: an upload starts a job, the task imports as the uploader,
records its progress and a report of every row; only the uploader and the authority see it."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from yiwang.audit.models import AuditEntry
from yiwang.catalog import import_jobs
from yiwang.catalog.excel import ITEMS_SHEET, export_workbook
from yiwang.catalog.models import ImportJob, ImportStatus, ServiceItem

from .conftest import PASSWORD, food_fields

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _upload(content: bytes, name: str = "catalog.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def _workbook(changes: dict[str, object] | None = None, *, row: int = 2) -> bytes:
    """The exported catalogue, with ``changes`` (header → value) made on one item row."""
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    headers = {c.value: c.column for c in ws[1]}
    for header, value in (changes or {}).items():
        ws.cell(row=row, column=headers[header], value=value)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def draft(authority, depts, item_types):
    from yiwang.catalog import actions

    return actions.create_item(
        actor=authority,
        **food_fields(
            depts,
            name="低保",
            item_type="JF",
            main_number="00402",
            department=depts["mzj"],
            form_schema={},
            downloads=[],
            aliases="",
        ),
    )


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """Start an import and run its task (immediate backend) as the commit would."""

    def start(**kwargs) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = import_jobs.start_import(**kwargs)
        job.refresh_from_db()
        return job

    return start


# --- the job's life -------------------------------------------------------------------------


def test_upload_queues_a_job_and_audits_it(
    authority, published_food, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_jobs.start_import(actor=authority, upload=_upload(_workbook()), dry_run=False)
    assert job.status == ImportStatus.QUEUED
    assert job.file.name.startswith("catalog-imports/") and job.file.name.endswith(".xlsx")
    assert job.original_name == "catalog.xlsx"
    assert len(callbacks) == 1  # the task is queued when the upload commits
    entry = AuditEntry.objects.get(action="catalog.start_import")
    assert entry.summary["after"]["dry_run"] is False
    assert len(entry.summary["after"]["sha256"]) == 64


def test_import_job_runs_and_reports_changed_rows(authority, published_food, draft, run_now):
    content = _workbook({"承诺办结时限（工作日）": 4, "事项名称": "食品经营许可（新办、延续）"})
    job = run_now(actor=authority, upload=_upload(content), dry_run=False)
    assert job.status == ImportStatus.DONE
    assert job.started_at and job.finished_at and job.finished
    result = job.result
    assert result["ok"] is True and result["dry_run"] is False
    assert result["counts"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "published": 1,
        "withdrawn": 0,
    }
    updated = [entry for entry in result["items"] if entry["action"] == "updated"]
    assert updated == [
        {
            "row": 2,
            "code": published_food.implementation_code,
            "name": "食品经营许可（新办、延续）",
            "action": "updated",
            "fields": ["name", "promised_limit"],
            "status": "published",
        }
    ]
    published_food.refresh_from_db()
    assert (published_food.promised_limit, published_food.version) == (4, 2)
    finish = AuditEntry.objects.get(action="catalog.finish_import")
    assert finish.actor_id == authority.pk and finish.summary["after"]["status"] == "done"
    # the changes themselves are audited under the uploader's name
    assert AuditEntry.objects.filter(action="catalog.update_item", actor_id=authority.pk).exists()


def test_the_workbook_is_deleted_once_the_job_has_finished(
    authority, published_food, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    for content, dry_run in ((_workbook(), True), (b"PK\x03\x04not a workbook", False)):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            job = import_jobs.start_import(
                actor=authority, upload=_upload(content), dry_run=dry_run
            )
        stored = job.file.name
        assert default_storage.exists(stored)
        for callback in queued:
            callback()  # the task runs
        job.refresh_from_db()
        assert job.finished and job.file.name == "" and job.result["errors"] is not None
        assert not default_storage.exists(stored)
    # What was imported stays in the audit log: the file's name and digest.
    assert AuditEntry.objects.filter(action="catalog.start_import").count() == 2


def test_new_items_are_listed_as_created(authority, published_food, draft, run_now):
    content = _workbook()
    ServiceItem.objects.filter(pk=draft.pk).delete()
    job = run_now(actor=authority, upload=_upload(content))
    created = [entry for entry in job.result["items"] if entry["action"] == "created"]
    assert [entry["name"] for entry in created] == ["低保"]
    assert job.result["counts"]["unchanged"] == 1
    assert ServiceItem.objects.filter(name="低保").count() == 1


def test_dry_run_reports_what_would_change_and_writes_nothing(authority, published_food, run_now):
    job = run_now(actor=authority, upload=_upload(_workbook({"到现场次数": 1})), dry_run=True)
    assert job.status == ImportStatus.DONE
    assert job.result["dry_run"] is True
    assert job.result["counts"]["updated"] == 1
    assert job.result["items"][0]["fields"] == ["visits"]
    published_food.refresh_from_db()
    assert published_food.visits == 0 and published_food.version == 1


def test_errors_are_reported_with_rows_and_items_and_nothing_is_written(
    authority, published_food, draft, run_now
):
    content = _workbook({"承诺办结时限（工作日）": 99, "事项名称": "改过的名字"})
    job = run_now(actor=authority, upload=_upload(content))
    assert job.status == ImportStatus.FAILED
    assert job.result["ok"] is False and job.result["items"] == []
    error = job.result["errors"][0]
    assert (error["sheet"], error["row"], error["column"]) == (
        ITEMS_SHEET,
        2,
        "承诺办结时限（工作日）",
    )
    assert error["code"] == published_food.implementation_code
    assert error["name"] == "改过的名字"
    assert error["text"]
    published_food.refresh_from_db()
    assert published_food.name == "食品经营许可（新办）"


def _job(actor, **fields) -> ImportJob:
    return ImportJob.objects.create(
        actor=actor, file="catalog-imports/x.xlsx", original_name="x.xlsx", **fields
    )


def test_progress_is_recorded_on_the_job_and_in_the_cache(authority):
    job = _job(authority, status=ImportStatus.RUNNING)
    recorder = import_jobs._Recorder(job.pk)
    rows, cached = [], []

    def step(phase: str, done: int) -> None:
        recorder(phase, done, 120)
        row = ImportJob.objects.values_list("phase", "done", "total").get(pk=job.pk)
        if not rows or rows[-1] != row:
            rows.append(row)
        cached.append(cache.get(import_jobs.progress_key(job.pk))["done"])

    for done in range(1, 121):
        step("check", done)
    for done in range(121):
        step("write", done)
    # the job row: every 50 rows checked and the last one, then the start of the writing
    # (called before the import's transaction opens), never the count of items written
    assert rows == [
        ("check", 1, 120),
        ("check", 51, 120),
        ("check", 101, 120),
        ("check", 120, 120),
        ("write", 0, 120),
    ]
    # the cache follows the writing too, every 50 items and the last one
    assert cached[119] == 120
    assert cached[120:] == [0] * 50 + [50] * 50 + [100] * 20 + [120]


def test_a_running_job_shows_its_live_progress(client, authority, published_food):
    job = _job(authority, status=ImportStatus.RUNNING, phase="check", done=50, total=1500)
    _login(client, authority)
    url = reverse("catalog:manage_import_job", args=[job.pk])
    html = client.get(url).content.decode()
    assert 'value="50" max="1500"' in html and 'hx-trigger="every 1s"' in html
    cache.set(import_jobs.progress_key(job.pk), {"phase": "write", "done": 700, "total": 1500})
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'value="700" max="1500"' in partial.content.decode()
    # without the cache (another process's memory) the writing shows without a count
    cache.delete(import_jobs.progress_key(job.pk))
    ImportJob.objects.filter(pk=job.pk).update(phase="write", done=0, total=1500)
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-progress"' in partial and "value=" not in partial


def test_finished_job_page_stops_the_polling(client, authority, published_food, run_now):
    job = run_now(actor=authority, upload=_upload(_workbook({"到现场次数": 2})))
    _login(client, authority)
    url = reverse("catalog:manage_import_job", args=[job.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "hx-trigger" not in html
    assert 'data-testid="rows-updated"' in html and 'data-fields="visits"' in html
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 286


def test_a_job_that_never_finishes_is_shown_as_stalled(client, authority, published_food):
    job = _job(authority)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=2)
    )
    _login(client, authority)
    response = client.get(reverse("catalog:manage_import_job", args=[job.pk]))
    assert 'data-testid="import-stalled"' in response.content.decode()


def test_an_internal_error_fails_the_job_and_writes_nothing(
    authority, published_food, run_now, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_jobs, "import_workbook", broken)
    job = run_now(actor=authority, upload=_upload(_workbook({"到现场次数": 3})))
    assert job.status == ImportStatus.FAILED
    assert job.result["errors"][0]["text"]
    assert ServiceItem.objects.get(pk=published_food.pk).visits == 0


def test_a_job_runs_once(authority, published_food, run_now):
    job = run_now(actor=authority, upload=_upload(_workbook({"到现场次数": 1})))
    assert import_jobs.run_job(job.pk) == ImportStatus.DONE  # not queued: left alone
    assert AuditEntry.objects.filter(action="catalog.finish_import").count() == 1
    assert import_jobs.run_job(999999) == ""


# --- who may -------------------------------------------------------------------------------


def test_only_the_uploader_and_the_authority_see_a_job(
    client, admin_scj, admin_mzj, authority, published_food, run_now
):
    job = run_now(actor=admin_scj, upload=_upload(_workbook()))
    url = reverse("catalog:manage_import_job", args=[job.pk])
    _login(client, admin_mzj)
    assert client.get(url).status_code == 403
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 403
    client.logout()
    _login(client, admin_scj)
    assert client.get(url).status_code == 200
    client.logout()
    _login(client, authority)
    assert client.get(url).status_code == 200
    # the import page lists each person's own jobs only
    page = client.get(reverse("catalog:manage_import"))
    assert list(page.context["jobs"]) == []


def test_an_import_is_checked_against_the_uploaders_scope(admin_mzj, published_food, run_now):
    job = run_now(actor=admin_mzj, upload=_upload(_workbook({"到现场次数": 1})))
    assert job.status == ImportStatus.FAILED
    assert job.result["errors"][0]["row"] == 2
    assert ServiceItem.objects.get(pk=published_food.pk).visits == 0


def test_import_refused_to_others(client, reviewer_scj, published_food):
    with pytest.raises(PermissionDenied):
        import_jobs.start_import(actor=reviewer_scj, upload=_upload(_workbook()))
    _login(client, reviewer_scj)
    assert client.get(reverse("catalog:manage_import")).status_code == 403
    response = client.post(reverse("catalog:manage_import"), {"file": _upload(_workbook())})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# --- bad files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("catalog.csv", b"a,b\n1,2\n"),
        ("catalog.xlsx", b"not a zip at all"),
        ("catalog.xlsx", b""),
    ],
)
def test_a_bad_file_is_refused_clearly_and_nothing_is_stored(
    client, authority, published_food, name, content
):
    with pytest.raises(ValidationError) as caught:
        import_jobs.start_import(actor=authority, upload=_upload(content, name))
    assert "file" in caught.value.message_dict
    _login(client, authority)
    response = client.post(reverse("catalog:manage_import"), {"file": _upload(content, name)})
    assert response.status_code == 400
    assert 'data-testid="upload-errors"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_no_file_is_refused(client, authority):
    _login(client, authority)
    response = client.post(reverse("catalog:manage_import"), {})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_a_zip_that_is_not_a_workbook_fails_the_job_with_a_clear_error(
    authority, published_food, run_now
):
    job = run_now(actor=authority, upload=_upload(b"PK\x03\x04" + b"\x00" * 200))
    assert job.status == ImportStatus.FAILED
    assert ".xlsx" in job.result["errors"][0]["text"]
    assert ServiceItem.objects.count() == 1


def test_upload_through_the_page_redirects_to_the_job(
    client, authority, published_food, django_capture_on_commit_callbacks
):
    _login(client, authority)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("catalog:manage_import"),
            {"file": _upload(_workbook({"到现场次数": 1})), "dry_run": "on"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:manage_import_job", args=[job.pk])
    assert job.dry_run and job.status == ImportStatus.DONE
    page = client.get(reverse("catalog:manage_import"))
    assert list(page.context["jobs"]) == [job]


def test_command_dry_run_says_what_would_change(authority, published_food, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "catalog.xlsx"
    path.write_bytes(_workbook({"到现场次数": 1}))
    out = StringIO()
    call_command("import_catalog", str(path), "--dry-run", stdout=out)
    said = out.getvalue()
    assert "dry run" in said
    # created, updated, unchanged, published, withdrawn
    assert re.findall(r"\d+", said.split("Importing it:")[1]) == ["0", "1", "0", "1", "0"]
    assert ServiceItem.objects.get(pk=published_food.pk).visits == 0
