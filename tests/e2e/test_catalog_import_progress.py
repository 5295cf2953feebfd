"""The data authority imports a workbook: the job page shows it waiting, then its progress
while the rows are checked, then the result with the changed row; on a phone too."""

import re
import threading
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _workbook(path) -> str:
    """The demo catalogue exported, with the first item renamed."""
    from yiwang.catalog.excel import ITEMS_SHEET, export_workbook

    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    name = next(c.column for c in ws[1] if c.value == "事项名称")
    ws.cell(row=2, column=name, value=f"{ws.cell(row=2, column=name).value}（试行）")
    buffer = BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


class _HeldWorker:
    """Runs the queued job in a thread of its own, like ``yiwang worker``, and holds it after
    the first row is checked until the test has seen the progress."""

    def __init__(self, monkeypatch):
        from yiwang.catalog import import_jobs

        self.jobs: list[int] = []
        self.checking = threading.Event()
        self.go_on = threading.Event()
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        monkeypatch.setattr(import_jobs, "run_import", SimpleNamespace(enqueue=self.jobs.append))
        record = import_jobs._Recorder.__call__

        def held(recorder, phase, done, total):
            record(recorder, phase, done, total)
            if phase == "check" and done == 1:
                self.checking.set()
                self.go_on.wait(30)

        monkeypatch.setattr(import_jobs._Recorder, "__call__", held)
        self.run_job = import_jobs.run_job

    def start(self) -> None:
        def work():
            try:
                self.run_job(self.jobs[0])
            except BaseException as exc:  # reported by the test
                self.error = exc
            finally:
                connection.close()

        self.thread = threading.Thread(target=work, name="import-worker")
        self.thread.start()

    def finish(self) -> None:
        self.go_on.set()
        if self.thread is not None:
            self.thread.join(60)
        assert self.error is None, self.error


def test_authority_uploads_a_workbook_and_follows_the_import(
    page: Page, site, tmp_path, monkeypatch
):
    worker = _HeldWorker(monkeypatch)
    workbook = _workbook(tmp_path / "catalog.xlsx")
    login(page, site, "authority")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/services/manage/import/")
    form = page.get_by_test_id("import-form")
    form.locator("input[type=file]").set_input_files(workbook)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/services/manage/import/\d+/$"))
    state = page.get_by_test_id("import-state")
    try:
        # queued: the worker has not taken it yet
        expect(state).to_have_attribute("data-status", "queued")
        expect(page.get_by_test_id("import-progress")).to_be_visible()
        assert worker.jobs, "the upload queued no job"

        worker.start()
        assert worker.checking.wait(30), "the job did not start checking rows"
        # the page polls itself: the job is running and the first row is checked
        expect(state).to_have_attribute("data-status", "running", timeout=10_000)
        progress = page.get_by_test_id("import-progress")
        expect(progress).to_have_attribute("value", "1", timeout=10_000)
        expect(progress).to_have_attribute("max", re.compile(r"^\d+$"))
        assert int(progress.get_attribute("max")) >= 30
        assert page.get_by_test_id("import-status").get_attribute("aria-busy") == "true"
        assert_accessible(page)
    finally:
        worker.finish()

    expect(state).to_have_attribute("data-status", "done", timeout=30_000)
    updated = page.get_by_test_id("rows-updated")
    expect(updated).to_be_visible()
    expect(updated.locator("li[data-row='2']")).to_have_attribute("data-fields", "name")
    expect(page.locator("[data-count='updated'] strong")).to_have_text("1")
    expect(page.get_by_test_id("import-status")).to_have_attribute("aria-busy", "false")
    assert_accessible(page)


def test_department_admin_withdraws_ticked_items_on_a_phone(page: Page, site):
    from yiwang.catalog.models import ServiceItem

    login(page, site, "admin_scj")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/services/manage/?status=published&sort=name")
    shown = int(page.get_by_test_id("match-count").get_attribute("data-count"))
    rows = page.locator("[data-testid=manage-items] tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == min(shown, 50)
    assert_accessible(page)

    page.locator("[data-select-page]").check()
    expect(page.locator("[data-bulk-count]")).to_have_text(str(rows.count()))
    page.locator("[data-select-page]").uncheck()
    expect(page.locator("[data-bulk-count]")).to_have_text("0")
    first, second = (int(rows.nth(i).get_attribute("data-item")) for i in (0, 1))
    for i in (0, 1):
        rows.nth(i).locator("[data-select-item]").check()
    expect(page.locator("[data-bulk-count]")).to_have_text("2")

    page.locator("#bulk-reason").fill("事项合并，暂停受理")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("bulk-withdraw").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("match-count")).to_have_attribute("data-count", str(shown - 2))
    statuses = dict(ServiceItem.objects.filter(pk__in=[first, second]).values_list("pk", "status"))
    assert statuses == {first: "withdrawn", second: "withdrawn"}
    page.set_viewport_size({"width": 1366, "height": 900})
    assert_accessible(page)
