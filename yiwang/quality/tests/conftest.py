# ruff: noqa: F811  (the small county's fixtures imported below are used as arguments)
"""Fixtures: a small 大埔县 with the data authority, two department data administrators, a
window clerk and a citizen; a published 食品经营许可 resource of 市场监管局 with a key, a
personal ID number, a USCC, a date, a number and a status item, and a published 法人 resource
it can refer to; and a helper writing rows into their hub tables (as ingestion would)."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from yiwang.datahub import actions as datahub
from yiwang.datahub.hub import schema, store
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.small_county import (  # noqa: F401 (fixtures)
    admin_mzj,
    admin_scj,
    authority,
    citizen,
    depts,
    places,
)


def id_number(n: int) -> str:
    """A valid resident ID number of 大埔县 (born 1990-01-01 + n days)."""
    born = dt.date(1990, 1, 1) + dt.timedelta(days=n % 10000)
    body = f"441422{born:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(n: int) -> str:
    """A valid USCC (a company of 大埔县)."""
    body = f"91441422MA{n:07d}"
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def clerk(depts, places):
    return build.make_staff(SYSTEM, "window_scj", "window", depts["scj"], places["county"])


def licence_items() -> list[dict]:
    return [
        {"name": "许可证编号", "column": "licence_no", "data_type": "string", "grade": "g1"},
        {"name": "经营者名称", "column": "operator_name", "data_type": "string", "grade": "g1"},
        {
            "name": "法定代表人身份证号码",
            "column": "legal_rep_id",
            "data_type": "string",
            "max_length": 18,
            "grade": "g4",
            "mask": "id_number",
            "personal": True,
        },
        {"name": "统一社会信用代码", "column": "uscc", "data_type": "string", "grade": "g1"},
        {"name": "发证日期", "column": "issued_on", "data_type": "date", "grade": "g1"},
        {"name": "从业人数", "column": "staff_count", "data_type": "integer", "grade": "g1"},
        {"name": "许可状态", "column": "status", "data_type": "string", "grade": "g1"},
        {"name": "联系电话", "column": "phone", "data_type": "string", "grade": "g1"},
    ]


def entity_items() -> list[dict]:
    return [
        {"name": "统一社会信用代码", "column": "uscc", "data_type": "string", "grade": "g1"},
        {"name": "市场主体名称", "column": "entity_name", "data_type": "string", "grade": "g1"},
    ]


def _fields(depts, **overrides) -> dict:
    fields = {
        "name": "食品经营许可信息",
        "classification": "301",
        "provider": depts["scj"],
        "summary": "本县食品经营许可证的核发、变更、延续和注销信息。",
        "format": "database",
        "sharing_type": "unconditional",
        "sharing_method": "interface",
        "open_type": "closed",
        "update_cycle": "daily",
        "items": licence_items(),
        "key_item": "licence_no",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def publish(authority, django_capture_on_commit_callbacks):
    def run(resource, submitter):
        datahub.submit(actor=submitter, resource=resource)
        with django_capture_on_commit_callbacks(execute=True):
            datahub.publish(actor=authority, resource=resource)
        resource.refresh_from_db()
        return resource

    return run


@pytest.fixture
def licences(depts, admin_scj, publish):
    resource = datahub.create_resource(actor=admin_scj, **_fields(depts))
    return publish(resource, admin_scj)


@pytest.fixture
def entities(depts, admin_scj, publish):
    resource = datahub.create_resource(
        actor=admin_scj,
        **_fields(
            depts,
            name="法人单位基础信息",
            classification="102",
            items=entity_items(),
            key_item="uscc",
        ),
    )
    return publish(resource, admin_scj)


@pytest.fixture
def draft(depts, admin_scj):
    return datahub.create_resource(actor=admin_scj, **_fields(depts, name="食品生产许可信息"))


def write(resource, rows: list[dict]):
    """Write converted rows into the resource's hub table (ingestion's path)."""
    table = schema.ensure_table(resource)
    return store.write_rows(table, schema.table_columns(table), rows)


def licence_row(i: int, **overrides) -> dict:
    row = {
        "licence_no": f"JY1441422{i:06d}",
        "operator_name": f"大埔县湖寮镇第{i}食杂店",
        "legal_rep_id": id_number(i),
        "uscc": credit_code(i),
        "issued_on": dt.date(2024, 1, 1) + dt.timedelta(days=i),
        "staff_count": 3,
        "status": "有效",
        "phone": "13800138000",
    }
    row.update(overrides)
    return row


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the enqueued tasks, inline in tests) of a block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
