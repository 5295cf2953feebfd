"""Fixtures of the ingestion tests (no tests here): a published 人口-like resource of
县市场监管局 (so its data admin is ``admin_scj``), uploads built in memory and a helper
that starts a job and runs it at once (the immediate task backend, on commit)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.datahub import actions
from yiwang.datahub.ingestion.models import Ingestion
from yiwang.datahub.ingestion.samples import HEADER, people

from .conftest import licence_fields


def people_items() -> list[dict]:
    return [
        {
            "name": "公民身份号码",
            "column": "id_number",
            "data_type": "string",
            "grade": "g4",
            "mask": "id_number",
            "max_length": 18,
            "personal": True,
        },
        {
            "name": "姓名",
            "column": "real_name",
            "data_type": "string",
            "grade": "g3",
            "mask": "name",
            "max_length": 50,
        },
        {"name": "性别", "column": "sex", "data_type": "string", "grade": "g2", "max_length": 2},
        {
            "name": "民族",
            "column": "ethnicity",
            "data_type": "string",
            "grade": "g3",
            "max_length": 20,
        },
        {"name": "出生日期", "column": "birth_date", "data_type": "date", "grade": "g3"},
        {
            "name": "户籍地址",
            "column": "domicile",
            "data_type": "string",
            "grade": "g3",
            "mask": "address",
            "max_length": 200,
        },
        {
            "name": "户籍状态",
            "column": "household_status",
            "data_type": "string",
            "grade": "g2",
            "max_length": 10,
        },
    ]


@pytest.fixture
def people_resource(depts, admin_scj, authority, django_capture_on_commit_callbacks):
    fields = licence_fields(
        depts,
        name="人口基础信息（测试）",
        classification="101",
        sharing_type="conditional",
        sharing_conditions="仅向依法履职需核验身份的部门共享。",
        legal_basis="《中华人民共和国个人信息保护法》第三十四条",
        items=people_items(),
        key_item="id_number",
    )
    resource = actions.create_resource(actor=admin_scj, **fields)
    actions.submit(actor=admin_scj, resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish(actor=authority, resource=resource)
    resource.refresh_from_db()
    return resource


def people_rows(n: int, seed: int = 1) -> list[list[str]]:
    return [HEADER, *people(n, seed)]


def csv_upload(
    rows: list[list], name: str = "people.csv", encoding: str = "utf-8", delimiter: str = ","
):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def json_upload(data, name: str = "people.json"):
    return SimpleUploadedFile(
        name, json.dumps(data, ensure_ascii=False).encode(), content_type="application/json"
    )


def xlsx_upload(rows: list[list], name: str = "people.xlsx", sheet: str = "Sheet1"):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def xls_upload(rows: list[list], name: str = "people.xls", encoding: str = "gbk"):
    """A legacy .xls written with xlwt (a dev dependency): the format GBK-era systems export."""
    import xlwt

    book = xlwt.Workbook(encoding=encoding)
    ws = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """Start a job and run it (the task runs on commit): returns the finished job."""

    def run(actor, resource, upload) -> Ingestion:
        with django_capture_on_commit_callbacks(execute=True):
            job = actions.start_ingestion(actor=actor, resource=resource, upload=upload)
        return Ingestion.objects.get(pk=job.pk)

    return run
