"""县公安局's data administrator loads a 50,000-row Excel file into 人口基础信息: the job page
shows it waiting, then its progress, then the counts; a quality run over the rows follows
and its report names the row whose ID number has a wrong check digit (a value of the right
type, so the load itself takes it)."""

import re
import threading
from types import SimpleNamespace

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from yiwang.datahub.masking import mask_value

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 50_000
BROKEN_ROW = 777  # its ID number gets a wrong check digit


def _workbook(path) -> tuple[str, str]:
    """50,000 people of 人口基础信息 as .xlsx, headed by the items' Chinese names."""
    from yiwang.datahub.ingestion import samples
    from yiwang.web.xlsx import Sheet, write_xlsx

    rows = list(samples.people(ROWS, seed=5))
    number = rows[BROKEN_ROW][0]
    rows[BROKEN_ROW][0] = number[:-1] + ("0" if number[-1] != "0" else "1")
    header = ["公民身份号码", "姓名", "性别", "民族", "出生日期", "户籍地址", "户籍状态"]
    path.write_bytes(write_xlsx([Sheet(title="人口", header=header, rows=rows)]))
    return str(path), rows[BROKEN_ROW][0]


class _Worker:
    """Runs the queued load in a thread of its own, as ``yiwang worker`` would."""

    def __init__(self, monkeypatch):
        from yiwang.datahub.actions import ingestion
        from yiwang.datahub.ingestion import runner

        self.jobs: list[int] = []
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        monkeypatch.setattr(ingestion, "run_ingestion", SimpleNamespace(enqueue=self.jobs.append))
        self.run_job = runner.run_job

    def start(self) -> None:
        def work():
            try:
                self.run_job(self.jobs[0])
            except BaseException as exc:  # reported by the test
                self.error = exc
            finally:
                connection.close()

        self.thread = threading.Thread(target=work, name="ingestion-worker")
        self.thread.start()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join(180)
        assert self.error is None, self.error


def test_admin_loads_fifty_thousand_rows_and_checks_their_quality(
    page: Page, site, tmp_path, monkeypatch
):
    worker = _Worker(monkeypatch)
    workbook, broken = _workbook(tmp_path / "人口.xlsx")
    login(page, site, "admin_gaj")
    page.goto(f"{site}/data/r/101001/")
    panel = page.get_by_test_id("data-panel")
    held = int(panel.get_by_test_id("row-count").inner_text().replace(",", ""))
    upload = page.get_by_test_id("ingestion-upload")
    upload.locator("input[type=file]").set_input_files(workbook)
    upload.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/data/ingestions/\d+/$"))
    state = page.get_by_test_id("ingestion-state")
    expect(state).to_have_attribute("data-status", "queued")
    expect(page.get_by_test_id("ingestion-progress")).to_be_visible()
    assert_accessible(page)

    worker.start()
    expect(state).to_have_attribute("data-status", "running", timeout=30_000)
    expect(page.locator("#ingestion-progress-label")).to_contain_text(
        re.compile(r"\d[\d,]* .*50,?000"), timeout=30_000
    )
    expect(state).to_have_attribute("data-finished", "1", timeout=180_000)
    worker.join()
    counts = page.get_by_test_id("ingestion-counts")
    expect(counts.locator("[data-count=rows_read] .stat-value")).to_have_text(re.compile("50,?000"))
    expect(counts.locator("[data-count=created] .stat-value")).to_have_text(re.compile("50,?000"))
    expect(counts.locator("[data-count=failed] .stat-value")).to_have_text("0")
    assert_accessible(page)

    page.goto(f"{site}/data/r/101001/")
    expect(page.get_by_test_id("row-count")).to_have_text(str(held + ROWS))

    page.get_by_test_id("quality-link").click()
    # The demo gave the registry its suggested rules (key not null and unique, ID check).
    expect(
        page.get_by_test_id("rules").locator("tr[data-rule='id_number:id_number']")
    ).to_be_visible()
    page.get_by_test_id("run-now").click()
    expect(page).to_have_url(re.compile(r"/data/quality/runs/\d+/$"))
    scores = page.get_by_test_id("run-scores")
    expect(scores).to_be_visible()
    issues = page.get_by_test_id("issues")
    expect(issues.locator("tbody tr")).to_have_count(1)  # only the wrong check digit
    expect(issues).to_contain_text(mask_value(broken, "id_number"))
    expect(issues).not_to_contain_text(broken)
    assert_accessible(page)
