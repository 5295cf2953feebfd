# ruff: noqa: F811  (fixtures imported from ingestion_fixtures are used as arguments)
"""Ingestion of uploads: every format, upserts, row problems, whole-job failures."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.datahub import actions
from yiwang.datahub.hub import read
from yiwang.datahub.ingestion import report, runner
from yiwang.datahub.ingestion.models import Ingestion, IngestionStatus
from yiwang.datahub.ingestion.samples import COLUMNS, HEADER

from .ingestion_fixtures import (  # noqa: F401 - fixtures
    csv_upload,
    ingest,
    json_upload,
    people_resource,
    people_rows,
    xls_upload,
    xlsx_upload,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _counts(job: Ingestion) -> tuple[int, ...]:
    return (job.rows_read, job.created, job.updated, job.unchanged, job.failed)


def test_a_utf8_csv_is_loaded_by_the_items_chinese_names(people_resource, admin_scj, ingest):
    rows = people_rows(20)
    job = ingest(admin_scj, people_resource, csv_upload(rows))
    assert job.status == IngestionStatus.DONE, job.message
    assert _counts(job) == (20, 20, 0, 0, 0)
    assert job.format == "csv" and job.started_at and job.finished_at
    assert not job.file  # the upload is deleted once loaded
    found = read.lookup(people_resource, rows[1][0])
    assert found["real_name"] == rows[1][1]
    assert found["birth_date"] == dt.date.fromisoformat(rows[1][4])
    assert read.count(people_resource) == 20
    actions_logged = set(
        AuditEntry.objects.filter(object_id=str(job.pk)).values_list("action", flat=True)
    )
    assert {"datahub.start_ingestion", "datahub.finish_ingestion"} <= actions_logged


def test_a_gbk_tab_separated_csv_with_column_names_is_read(people_resource, admin_scj, ingest):
    rows = [COLUMNS, *people_rows(5)[1:]]
    upload = csv_upload(rows, name="人口.txt", encoding="gbk", delimiter="\t")
    job = ingest(admin_scj, people_resource, upload)
    assert job.status == IngestionStatus.DONE, job.message
    assert job.created == 5
    assert read.lookup(people_resource, rows[3][0])["domicile"] == rows[3][5]


def test_a_utf8_csv_with_bom_semicolons_and_full_width_headers(people_resource, admin_scj, ingest):
    rows = people_rows(3)
    header = ["ＩＤ_ＮＵＭＢＥＲ ", " 姓名", "性 别", *rows[0][3:]]
    upload = csv_upload([header, *rows[1:]], encoding="utf-8-sig", delimiter=";")
    job = ingest(admin_scj, people_resource, upload)
    assert job.status == IngestionStatus.DONE, job.message
    assert job.created == 3
    assert read.lookup(people_resource, rows[1][0])["sex"] == rows[1][2]


def test_an_xlsx_workbook_with_typed_cells(people_resource, admin_scj, ingest):
    rows = people_rows(4)
    typed = [rows[0]] + [[*r[:4], dt.datetime.fromisoformat(r[4]), *r[5:]] for r in rows[1:]]
    job = ingest(admin_scj, people_resource, xlsx_upload(typed))
    assert job.status == IngestionStatus.DONE, job.message
    assert (job.format, job.created, job.rows_expected) == ("xlsx", 4, 4)
    assert read.lookup(people_resource, rows[2][0])["birth_date"] == dt.date.fromisoformat(
        rows[2][4]
    )


def test_id_numbers_excel_turned_into_numbers_are_refused(people_resource, admin_scj, ingest):
    rows = people_rows(2)
    as_numbers = [rows[0], [float(rows[1][0][:17] + "1"), *rows[1][1:]], rows[2]]
    job = ingest(admin_scj, people_resource, xlsx_upload(as_numbers))
    assert (job.created, job.failed) == (1, 1)
    assert "lost its last digits" in job.errors[0]["message"]


def test_the_sheet_named_like_the_resource_is_read(people_resource, admin_scj, ingest):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["说明"])
    sheet = book.create_sheet(people_resource.name)
    for row in people_rows(2):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    job = ingest(admin_scj, people_resource, SimpleUploadedFile("book.xlsx", out.getvalue()))
    assert job.status == IngestionStatus.DONE, job.message
    assert job.created == 2


def test_a_legacy_xls_workbook_with_gbk_text(people_resource, admin_scj, ingest):
    rows = people_rows(6)
    job = ingest(admin_scj, people_resource, xls_upload(rows))
    assert job.status == IngestionStatus.DONE, job.message
    assert (job.format, job.created) == ("xls", 6)
    assert read.lookup(people_resource, rows[6][0])["real_name"] == rows[6][1]


def test_json_as_a_list_or_under_rows(people_resource, admin_scj, ingest):
    rows = people_rows(4)
    records = [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]
    job = ingest(admin_scj, people_resource, json_upload(records[:2]))
    assert job.status == IngestionStatus.DONE, job.message
    assert (job.format, job.created) == ("json", 2)
    job = ingest(admin_scj, people_resource, json_upload({"total": 4, "rows": records}))
    assert _counts(job) == (4, 2, 0, 2, 0)


def test_a_second_load_upserts_by_key(people_resource, admin_scj, ingest):
    rows = people_rows(10)
    ingest(admin_scj, people_resource, csv_upload(rows))
    changed = [list(r) for r in rows]
    changed[2][6] = "迁出"
    extra = people_rows(12)[11:]
    job = ingest(admin_scj, people_resource, csv_upload([*changed, *extra]))
    assert _counts(job) == (12, 2, 1, 9, 0)
    assert read.lookup(people_resource, rows[2][0])["household_status"] == "迁出"
    assert read.count(people_resource) == 12


@pytest.mark.parametrize("sizes", [None, (2, 3)], ids=["one batch", "chunks of 2, batches of 3"])
def test_bad_values_and_repeated_keys_are_reported_and_the_rest_written(
    people_resource, admin_scj, ingest, monkeypatch, sizes
):
    if sizes:  # the repeated key and the bad rows fall in other chunks and batches
        monkeypatch.setattr(runner, "CHUNK_ROWS", sizes[0])
        monkeypatch.setattr(runner, "BATCH_ROWS", sizes[1])
    rows = [list(r) for r in people_rows(8)]
    rows[2][4] = "1990-02-30"  # no such day
    rows[3][2] = "男性别"  # longer than the 2 characters allowed
    rows[5][0] = rows[1][0].lower()  # the same ID number as row 2 (blind indexes ignore case)
    rows[6][0] = ""  # no key
    rows[7][0] = rows[7][0][:17]  # 17 characters: kept as text, the item allows 18
    job = ingest(admin_scj, people_resource, csv_upload(rows))
    assert job.status == IngestionStatus.DONE
    assert _counts(job) == (8, 4, 0, 0, 4)
    assert job.error_count == 4
    by_row = {e["row"]: e for e in job.errors}
    assert set(by_row) == {3, 4, 6, 7}
    assert by_row[3]["column"] == "birth_date" and "not a real date" in by_row[3]["message"]
    assert by_row[4]["name"] == "性别" and "more than the 2" in by_row[4]["message"]
    assert by_row[6]["message"] == "Same key as row 2: the row was not written."
    assert by_row[7]["column"] == "id_number" and "empty" in by_row[7]["message"]
    # A personal value never appears in full in the report.
    assert rows[5][0] not in str(job.errors) and rows[1][0] not in str(job.errors)
    assert by_row[6]["value"] == rows[1][0][:6] + "********" + rows[1][0][-4:].upper()
    assert read.count(people_resource) == 4
    assert read.lookup(people_resource, rows[1][0])["real_name"] == rows[1][1]
    # The failed rows, with their reasons, masked.
    with job.failed_file.open("rb") as handle:
        content = handle.read().decode("utf-8-sig")
    failed = list(csv.reader(io.StringIO(content)))
    assert failed[0][:2] == ["Row", "Reasons"] and failed[0][2:] == HEADER
    assert [r[0] for r in failed[1:]] == ["3", "4", "6", "7"]
    assert "Same key as row 2" in failed[3][1]
    assert rows[5][0] not in content
    assert failed[2][3] == rows[3][1][0] + "*" * (len(rows[3][1]) - 1)  # 姓名 masked as a name


def test_problems_past_the_cap_are_counted_not_stored(
    people_resource, admin_scj, ingest, monkeypatch
):
    monkeypatch.setattr(report, "MAX_STORED_ERRORS", 3)
    rows = [list(r) for r in people_rows(7)]
    for row in rows[1:]:
        row[4] = "someday"
    job = ingest(admin_scj, people_resource, csv_upload(rows))
    assert (job.failed, job.error_count, len(job.errors)) == (7, 7, 3)


def test_columns_no_item_matches_are_listed_in_a_warning(people_resource, admin_scj, ingest):
    rows = people_rows(2)
    rows = [[*r[:2], "x"] for r in rows]
    rows[0][2] = "备注"
    job = ingest(admin_scj, people_resource, csv_upload(rows))
    assert job.status == IngestionStatus.DONE
    assert "备注" in job.warnings[0]
    assert "性别" in job.warnings[1]  # items the file does not have are left as they are


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "people.pdf", "not a CSV"),
        (b"", "people.csv", "empty"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "people.xls", "web page"),
    ],
)
def test_files_that_are_not_data_are_refused_before_a_job(
    people_resource, admin_scj, content, name, reason
):
    with pytest.raises(ValidationError) as caught:
        actions.start_ingestion(
            actor=admin_scj, resource=people_resource, upload=SimpleUploadedFile(name, content)
        )
    assert reason in " ".join(caught.value.messages)
    assert not Ingestion.objects.exists()


def test_a_file_over_the_limit_is_refused(people_resource, admin_scj, settings):
    settings.YIWANG_INGESTION_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="at most 0 MB"):
        actions.start_ingestion(
            actor=admin_scj, resource=people_resource, upload=csv_upload(people_rows(5))
        )


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([["姓名", "性别"], ["张三", "男"]], "no column for the key item “公民身份号码”"),
        ([HEADER], "no rows of data"),
        ([["公民身份号码", "id_number"], ["1", "2"]], "both stand for"),
    ],
)
def test_a_job_that_cannot_run_says_why_and_writes_nothing(
    people_resource, admin_scj, ingest, rows, reason
):
    job = ingest(admin_scj, people_resource, csv_upload(rows))
    assert job.status == IngestionStatus.FAILED
    assert reason in job.message and "Nothing was written" in job.message
    assert read.count(people_resource) == 0
    assert not job.failed_file


def test_a_file_mixing_encodings_fails_with_its_line(people_resource, admin_scj, ingest):
    good = csv_upload(people_rows(1000)).read()  # more than the start the encoding is told by
    assert len(good) > 64 * 1024
    bad = good + "4414221990,王五\n".encode("gbk")
    job = ingest(admin_scj, people_resource, SimpleUploadedFile("people.csv", bad))
    assert job.status == IngestionStatus.FAILED
    assert "Line 1002" in job.message and "UTF-8" in job.message
    assert read.count(people_resource) == 0


def test_a_damaged_workbook_fails(people_resource, admin_scj, ingest):
    job = ingest(admin_scj, people_resource, SimpleUploadedFile("people.xlsx", b"PK\x03\x04junk"))
    assert job.status == IngestionStatus.FAILED
    assert "not a readable Excel workbook" in job.message


def test_a_changed_definition_fails_while_rows_are_held(
    people_resource, admin_scj, authority, ingest
):
    from yiwang.datahub.snapshots import item_snapshot

    ingest(admin_scj, people_resource, csv_upload(people_rows(2)))
    actions.revise(actor=admin_scj, resource=people_resource)
    items = [{"id": i.pk, **item_snapshot(i)} for i in people_resource.items.all()]
    items[4] = {**items[4], "data_type": "string", "max_length": 10}
    actions.update_resource(actor=admin_scj, resource=people_resource, items=items)
    actions.submit(actor=admin_scj, resource=people_resource)
    actions.publish(actor=authority, resource=people_resource)
    people_resource.refresh_from_db()
    job = ingest(admin_scj, people_resource, csv_upload(people_rows(3)))
    assert job.status == IngestionStatus.FAILED
    assert "birth_date" in job.message
    assert read.count(people_resource) == 2


def test_only_the_providers_admins_and_the_authority_load(
    people_resource, admin_mzj, authority, clerk, citizen, ingest
):
    for actor in (admin_mzj, clerk, citizen):
        with pytest.raises(PermissionDenied):
            actions.start_ingestion(
                actor=actor, resource=people_resource, upload=csv_upload(people_rows(1))
            )
    job = ingest(authority, people_resource, csv_upload(people_rows(1)))
    assert job.status == IngestionStatus.DONE


def test_a_draft_holds_no_data(make_resource, admin_scj):
    draft = make_resource()
    with pytest.raises(ValidationError, match="published"):
        actions.start_ingestion(
            actor=admin_scj, resource=draft, upload=csv_upload([["许可证编号"], ["JY1"]])
        )


def test_progress_is_saved_after_every_batch(people_resource, admin_scj, ingest, monkeypatch):
    monkeypatch.setattr(runner, "BATCH_ROWS", 4)
    seen: list[tuple] = []
    write = runner.write_chunks

    def spy(table, columns, batch, **options):
        job = Ingestion.objects.get()
        seen.append((job.status, job.rows_read, job.created, job.rows_expected))
        seen.append(cache.get(runner.progress_key(job.pk), {}).get("created"))
        return write(table, columns, batch, **options)

    monkeypatch.setattr(runner, "write_chunks", spy)
    job = ingest(admin_scj, people_resource, csv_upload(people_rows(10)))
    assert job.created == 10
    # Before the second batch is written the first one is visible in the row and the cache.
    assert seen[0] == ("running", 0, 0, 10)
    assert seen[2] == ("running", 4, 4, 10) and seen[3] == 4
    assert seen[4] == ("running", 8, 8, 10)


def test_an_unexpected_error_ends_the_job_with_what_was_written(
    people_resource, admin_scj, ingest, monkeypatch
):
    monkeypatch.setattr(runner, "BATCH_ROWS", 3)
    write = runner.write_chunks
    calls = []

    def flaky(table, columns, batch, **options):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return write(table, columns, batch, **options)

    monkeypatch.setattr(runner, "write_chunks", flaky)
    job = ingest(admin_scj, people_resource, csv_upload(people_rows(7)))
    assert job.status == IngestionStatus.FAILED
    assert "internal error" in job.message and "3 rows had been written" in job.message
    assert read.count(people_resource) == 3


def test_a_job_runs_once(people_resource, admin_scj, ingest):
    job = ingest(admin_scj, people_resource, csv_upload(people_rows(2)))
    assert runner.run_job(job.pk) == IngestionStatus.DONE
    job.refresh_from_db()
    assert job.created == 2


def test_encrypted_values_stay_encrypted(people_resource, admin_scj, ingest):
    rows = people_rows(1)
    ingest(admin_scj, people_resource, csv_upload(rows))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM hub_r{people_resource.code}")  # noqa: S608
        stored = cursor.fetchone()[0]
    assert rows[1][0] not in stored


def test_a_filter_on_the_encrypted_key_finds_its_row(people_resource, admin_scj, ingest):
    # The key's blind index is _key itself (one index for both): filters on it use _key.
    rows = people_rows(3)
    ingest(admin_scj, people_resource, csv_upload(rows))
    found, _next = read.page(people_resource, filters={"id_number": rows[2][0].lower()})
    assert [r["real_name"] for r in found] == [rows[2][1]]
    nothing, _next = read.page(people_resource, filters={"id_number": "110101199003070000"})
    assert nothing == []
