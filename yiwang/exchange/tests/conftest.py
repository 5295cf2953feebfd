# ruff: noqa: F811  (the datahub fixtures imported below are used as arguments)
"""Fixtures of the exchange tests: the datahub test county (县市场监管局 provides, 县民政局 and
县住建局 consume), a published licence resource with personal items, its hub table filled
with rows, grants made through the sharing actions, credentials issued through ours, and
an ``ExchangeClient`` that talks to the Django test client."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from yiwang.datahub import actions as datahub
from yiwang.datahub.actions import sharing
from yiwang.datahub.hub import schema, store, values
from yiwang.datahub.tests.conftest import (  # noqa: F401  (fixtures)
    admin_mzj,
    admin_scj,
    authority,
    citizen,
    county,
    depts,
    places,
)
from yiwang.exchange import actions
from yiwang.exchange.client import Answer, ExchangeClient
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER

CODE_PREFIX = "301"
#: 李梅 (the ``citizen`` fixture) and 张伟 of the test county: valid resident ID numbers.
LIMEI_ID = "11010519491231002X"
ZHANGWEI_ID = "440524188001010014"

ITEMS = [
    {
        "name": "许可证编号",
        "column": "licence_no",
        "data_type": "string",
        "max_length": 30,
        "grade": "g1",
    },
    {"name": "经营者名称", "column": "operator_name", "data_type": "string", "grade": "g1"},
    {
        "name": "负责人姓名",
        "column": "holder_name",
        "data_type": "string",
        "grade": "g3",
        "mask": "name",
        "personal": True,
    },
    {
        "name": "负责人身份证号码",
        "column": "holder_id",
        "data_type": "string",
        "max_length": 18,
        "grade": "g4",
        "mask": "id_number",
        "personal": True,
    },
    {
        "name": "联系电话",
        "column": "phone",
        "data_type": "string",
        "grade": "g3",
        "mask": "phone",
        "personal": True,
    },
    {"name": "许可日期", "column": "issued_on", "data_type": "date", "grade": "g1"},
    {
        "name": "内部核查备注",
        "column": "internal_note",
        "data_type": "string",
        "grade": "g2",
        "sharing_type": "none",
    },
]
#: What the consumer asks for and is granted (everything but the not-shared note).
GRANTED = ["licence_no", "operator_name", "holder_name", "holder_id", "phone", "issued_on"]


def licence_rows(n: int = 7) -> list[dict]:
    """``n`` licences; the first belongs to 李梅, the second to 张伟."""
    people = [("李梅", LIMEI_ID), ("张伟", ZHANGWEI_ID)]
    rows = []
    for i in range(n):
        name, number = people[i] if i < len(people) else (f"黄{i}", "")
        rows.append(
            {
                "licence_no": f"JY1441422{i:05d}",
                "operator_name": f"大埔县第{i}食品店",
                "holder_name": name,
                "holder_id": number,
                "phone": f"1381234{i:04d}",
                "issued_on": f"2025-0{1 + i % 9}-15",
                "internal_note": "内部备注",
            }
        )
    return rows


def fill(resource, rows: list[dict]) -> None:
    """Load ``rows`` into the resource's hub table (what ingestion does, without its report)."""
    table = schema.ensure_table(resource)
    columns = schema.table_columns(table)
    store.write_rows(
        table,
        columns,
        [{c.column: values.convert(r.get(c.column), c) for c in columns} for r in rows],
    )


@pytest.fixture
def zjj(places):
    return build.build_departments(BUILDER, places, ["zjj"])["zjj"]


@pytest.fixture
def admin_zjj(zjj, county):
    return build.make_staff(BUILDER, "admin_zjj", "dept_admin", zjj, county)


@pytest.fixture
def clerk_mzj(depts, county):
    return build.make_staff(BUILDER, "window_mzj", "window", depts["mzj"], county)


@pytest.fixture
def licences(depts, admin_scj, authority, django_capture_on_commit_callbacks):
    """食品经营许可信息 of 县市场监管局, published, with seven rows in its hub table."""
    datahub.ensure_reference_data(actor=BUILDER)  # a flushed (transactional) database has none
    resource = datahub.create_resource(
        actor=admin_scj,
        name="食品经营许可信息",
        classification=CODE_PREFIX,
        provider=depts["scj"],
        summary="本县食品经营许可证的核发信息。",
        format="database",
        sharing_type="conditional",
        sharing_method="interface",
        legal_basis="《食品经营许可和备案管理办法》",
        sharing_conditions="用于行政审批和监管",
        open_type="closed",
        update_cycle="daily",
        items=ITEMS,
        key_item="licence_no",
    )
    datahub.submit(actor=admin_scj, resource=resource)
    with django_capture_on_commit_callbacks(execute=True):
        datahub.publish(actor=authority, resource=resource)
    resource.refresh_from_db()
    fill(resource, licence_rows())
    return resource


@pytest.fixture
def make_grant(licences, admin_scj, authority):
    """A grant of ``licences`` to ``consumer`` (via its admin): request, review, decision."""

    def make(admin, fields=None, quota=1000, resource=None):
        today = timezone.localdate()
        request = sharing.submit_request(
            actor=admin,
            resource=resource or licences,
            fields=fields or GRANTED,
            purpose="核对低保申请人的经营情况",
            scenario="低保资格审核",
            legal_basis="《社会救助暂行办法》第十一条",
            period_start=today,
            period_end=today + dt.timedelta(days=300),
        )
        sharing.review_request(actor=authority, request=request, approve=True)
        request.refresh_from_db()
        if request.status == "provider":
            sharing.decide_request(actor=admin_scj, request=request, grant=True, daily_quota=quota)
        request.refresh_from_db()
        return request.grant

    return make


@pytest.fixture
def grant(make_grant, admin_mzj):
    return make_grant(admin_mzj)


@pytest.fixture
def issued(grant, admin_mzj):
    return actions.issue_credentials(actor=admin_mzj, grant=grant)


def django_transport(client):
    """An ``ExchangeClient`` transport that sends through Django's test client."""

    def send(method: str, url: str, headers: dict[str, str], body: bytes) -> Answer:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.generic(method, path, data=body, headers=headers)
        return Answer(
            response.status_code, {k.lower(): v for k, v in response.items()}, response.content
        )

    return send


@pytest.fixture
def api(client, issued):
    """The consumer system of 县民政局, signed with the issued credential."""
    return ExchangeClient(
        "http://testserver",
        issued.credential.client_id,
        issued.secret,
        transport=django_transport(client),
    )


@pytest.fixture
def make_api(client):
    def make(issued_credential, **kwargs):
        return ExchangeClient(
            "http://testserver",
            issued_credential.credential.client_id,
            issued_credential.secret,
            transport=django_transport(client),
            **kwargs,
        )

    return make


@pytest.fixture(autouse=True)
def _checkpoint_file(settings, tmp_path):
    """Each test writes its evidence checkpoints to its own file."""
    settings.YIWANG_EXCHANGE_CHECKPOINT_FILE = tmp_path / "exchange-checkpoints.jsonl"
    return settings.YIWANG_EXCHANGE_CHECKPOINT_FILE


def rows_url(code: str, key: str | None = None) -> str:
    base = f"/api/v1/exchange/resources/{code}/rows"
    return f"{base}/{key}" if key else base
