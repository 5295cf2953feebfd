"""An open dataset's rows: the preview (only items whose grade may be opened, masked), the
chart, the files (CSV with BOM, JSON, Excel; streamed, in batches), download counts, and 404
for what is not unconditionally open."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from yiwang.datahub import actions
from yiwang.datahub.hub import schema, store
from yiwang.datahub.models import GradePolicy
from yiwang.opendata import charts, downloads
from yiwang.opendata.models import Download

from .conftest import name

pytestmark = pytest.mark.django_db

MONTHS = ["2026-01", "2026-02", "2026-03"]
TYPES = ["咨询", "投诉"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stat_items() -> list[dict]:
    return [
        {"name": "统计记录编号", "column": "record_no", "data_type": "string", "grade": "g1"},
        {"name": "统计月份", "column": "stat_month", "data_type": "string", "grade": "g1"},
        {"name": "诉求类型", "column": "request_type", "data_type": "string", "grade": "g1"},
        {"name": "受理量", "column": "received", "data_type": "integer", "grade": "g1"},
        {"name": "满意率", "column": "satisfaction", "data_type": "decimal", "grade": "g1"},
        {
            "name": "统计联系人",
            "column": "contact",
            "data_type": "string",
            "grade": "g2",
            "mask": "name",
        },
        {
            "name": "联系人身份证号码",
            "column": "contact_id",
            "data_type": "string",
            "grade": "g4",
            "mask": "hidden",
            "personal": True,
        },
    ]


def stat_rows() -> list[dict]:
    rows = []
    for m, month in enumerate(MONTHS):
        for t, kind in enumerate(TYPES):
            rows.append(
                {
                    "record_no": f"{month.replace('-', '')}{t:02d}",
                    "stat_month": month,
                    "request_type": kind,
                    "received": 100 * (m + 1) + t,
                    "satisfaction": "97.5",
                    "contact": "张三丰",
                    "contact_id": "44142219900101123X",
                }
            )
    return rows


@pytest.fixture
def stats(publish, authority):
    resource = publish(
        name="12345热线受理情况（按月）",
        provider="sjj",
        classification="315",
        items=stat_items(),
        key_item="record_no",
    )
    actions.load_rows(actor=authority, resource=resource, rows=stat_rows())
    return resource


def page_html(client, resource) -> str:
    response = client.get(f"/open/{name(resource)}/")
    assert response.status_code == 200
    return response.content.decode()


def chart_data(html: str):
    match = re.search(r'<script id="open-chart-data" type="application/json">(.*?)</script>', html)
    return json.loads(match.group(1)) if match else None


def page_text(msgid: str) -> str:
    """``msgid`` as the pages show it (in the site's language, whatever it is translated to)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(msgid)


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


# --- preview --------------------------------------------------------------------------------


def test_preview_shows_open_items_with_masks(client, stats):
    html = page_html(client, stats)
    table = html.split('data-testid="preview-table"', 1)[1].split("</table>", 1)[0]
    for header in ("统计月份", "诉求类型", "受理量", "满意率", "统计联系人"):
        assert header in table, header
    assert "张*" in table and "张三丰" not in html  # masked as a name
    assert "联系人身份证号码" not in html and "44142219900101123X" not in html  # hidden
    assert table.count("<tr>") == 1 + len(MONTHS) * len(TYPES)


def test_preview_shows_at_most_twenty_rows(client, publish, authority):
    resource = publish(items=stat_items(), key_item="record_no", classification="315")
    rows = [{"record_no": f"R{i:03d}", "stat_month": "2026-01", "received": i} for i in range(45)]
    actions.load_rows(actor=authority, resource=resource, rows=rows)
    html = page_html(client, resource)
    table = html.split('data-testid="preview-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 21  # the header and 20 rows
    assert "R019" in table and "R020" not in table


def test_items_whose_grade_may_no_longer_be_opened_disappear_everywhere(client, stats, authority):
    policy = GradePolicy.objects.get(grade="g2")
    actions.update_grade_policy(
        actor=authority,
        policy=policy,
        loosest_sharing=policy.loosest_sharing,
        may_open=False,
        default_mask=policy.default_mask,
        approval_route=policy.approval_route,
    )
    html = page_html(client, stats)
    table = html.split('data-testid="preview-table"', 1)[1].split("</table>", 1)[0]
    assert "统计联系人" not in table and "张*" not in table
    assert "受理量" in table
    csv_text = body(client.get(f"/open/{name(stats)}/data.csv")).decode("utf-8-sig")
    assert "统计联系人" not in csv_text and "张*" not in csv_text
    records = json.loads(body(client.get(f"/open/{name(stats)}/data.json")))
    assert "contact" not in {f["id"] for f in records["fields"]}
    assert all("contact" not in r for r in records["records"])


def test_a_dataset_without_rows_says_so(client, publish):
    resource = publish(name="尚无数据的数据集", provider="sjj", classification="315")
    html = page_html(client, resource)
    assert 'data-testid="preview"' in html and 'data-testid="preview-table"' not in html
    assert 'data-testid="chart"' not in html
    text = body(client.get(f"/open/{name(resource)}/data.csv")).decode("utf-8-sig")
    assert text.splitlines() == ["许可证编号,经营者名称,发证日期"]


def test_a_conditionally_open_dataset_shows_no_rows(client, open_set):
    html = page_html(client, open_set["welfare"])
    assert 'data-testid="preview"' not in html and 'data-testid="download"' not in html


# --- chart ----------------------------------------------------------------------------------


def test_time_series_chart(client, stats):
    html = page_html(client, stats)
    data = chart_data(html)
    assert data["kind"] == "line"
    assert data["x"] == MONTHS
    assert data["x_name"] == "统计月份"
    # whole numbers are summed per month; the rate is not summed beside them
    assert data["series"] == [{"name": "受理量", "data": [201, 401, 601]}]
    assert "echarts.min.js" in html and "opendata/chart.js" in html
    # the table under the chart has the same numbers
    numbers = html.split('data-testid="chart-table"', 1)[1].split("</table>", 1)[0]
    assert "2026-02" in numbers and "401" in numbers


def test_category_chart_counts_rows_and_skips_coordinates(client, publish, authority):
    resource = publish(
        name="政务服务大厅和便民服务中心分布",
        provider="sjj",
        classification="315",
        key_item="site_code",
        items=[
            {"name": "场所编号", "column": "site_code", "data_type": "string", "grade": "g1"},
            {"name": "所在镇", "column": "town", "data_type": "string", "grade": "g1"},
            {"name": "经度", "column": "longitude", "data_type": "decimal", "grade": "g1"},
        ],
    )
    towns = ["湖寮镇", "湖寮镇", "高陂镇", "茶阳镇", "湖寮镇"]
    rows = [
        {"site_code": f"S{i}", "town": town, "longitude": "116.69"} for i, town in enumerate(towns)
    ]
    actions.load_rows(actor=authority, resource=resource, rows=rows)
    data = chart_data(page_html(client, resource))
    assert data["kind"] == "bar" and data["x_name"] == "所在镇"
    assert dict(zip(data["x"], data["series"][0]["data"], strict=True)) == {
        "湖寮镇": 3,
        "高陂镇": 1,
        "茶阳镇": 1,
    }
    assert data["series"][0]["name"] == page_text("Rows")


def test_many_dates_are_charted_by_month(client, open_set, authority):
    resource = open_set["licence"]
    rows = [
        {
            "licence_no": f"JY{i:03d}",
            "operator_name": f"第{i}店",
            "issued_on": f"{2020 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        }
        for i in range(60)
    ]
    actions.load_rows(actor=authority, resource=resource, rows=rows)
    data = chart_data(page_html(client, resource))
    by_month = page_text("%(item)s (%(unit)s)") % {
        "item": "发证日期",
        "unit": page_text("by month"),
    }
    assert data["kind"] == "line" and data["x_name"] == by_month
    assert len(data["x"]) == 12 and data["x"][0] == "2020-01"
    assert sum(data["series"][0]["data"]) == 60  # rows counted


def test_no_chart_when_nothing_repeats(client, open_set, authority):
    resource = open_set["licence"]
    rows = [
        {"licence_no": f"JY{i}", "operator_name": f"第{i}店", "issued_on": None} for i in range(4)
    ]
    actions.load_rows(actor=authority, resource=resource, rows=rows)
    assert chart_data(page_html(client, resource)) is None


def test_no_chart_for_tables_too_large_to_chart(client, stats, monkeypatch):
    monkeypatch.setattr(charts, "MAX_ROWS", 3)
    assert chart_data(page_html(client, stats)) is None


# --- files ----------------------------------------------------------------------------------


def test_csv_download(client, stats):
    response = client.get(f"/open/{name(stats)}/data.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f"attachment; filename=\"{name(stats)}.csv\"; filename*=UTF-8''"
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["统计记录编号", "统计月份", "诉求类型", "受理量", "满意率", "统计联系人"]
    assert len(rows) == 1 + len(MONTHS) * len(TYPES)
    assert rows[1] == ["20260100", "2026-01", "咨询", "100", "97.5", "张**"]
    assert "\r\n" in content.decode()


def test_json_download(client, stats):
    response = client.get(f"/open/{name(stats)}/data.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{name(stats)}.json"')
    document = json.loads(body(response), parse_float=Decimal)
    assert document["name"] == name(stats)
    assert document["title"] == "12345热线受理情况（按月）"
    assert document["url"].endswith(f"/open/{name(stats)}/")
    assert [f["id"] for f in document["fields"]] == [
        "record_no",
        "stat_month",
        "request_type",
        "received",
        "satisfaction",
        "contact",
    ]
    assert document["fields"][3] == {"id": "received", "name": "受理量", "type": "integer"}
    assert len(document["records"]) == len(MONTHS) * len(TYPES)
    first = document["records"][0]
    assert first == {
        "record_no": "20260100",
        "stat_month": "2026-01",
        "request_type": "咨询",
        "received": 100,
        "satisfaction": Decimal("97.5"),
        "contact": "张**",
    }


def test_empty_json_download_is_valid(client, publish):
    resource = publish(name="尚无数据的数据集", provider="sjj", classification="315")
    document = json.loads(body(client.get(f"/open/{name(resource)}/data.json")))
    assert document["records"] == [] and len(document["fields"]) == 3


def test_excel_download(client, stats):
    response = client.get(f"/open/{name(stats)}/data.xlsx")
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith(f'attachment; filename="{name(stats)}.xlsx"')
    workbook = load_workbook(io.BytesIO(body(response)))
    assert workbook.sheetnames == ["12345热线受理情况（按月）"]
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("统计记录编号", "统计月份", "诉求类型", "受理量", "满意率", "统计联系人")
    assert len(rows) == 1 + len(MONTHS) * len(TYPES)
    assert rows[1] == ("20260100", "2026-01", "咨询", 100, 97.5, "张**")
    assert sheet.freeze_panes == "A2"


def test_excel_is_capped_with_a_note(client, stats, monkeypatch):
    monkeypatch.setattr(downloads, "XLSX_MAX_ROWS", 4)
    workbook = load_workbook(io.BytesIO(body(client.get(f"/open/{name(stats)}/data.xlsx"))))
    assert len(workbook.sheetnames) == 2
    assert workbook.worksheets[0].max_row == 1 + 4
    note = workbook.worksheets[1]["A2"].value
    assert "6" in note and "4" in note  # the rows held, the rows a worksheet took
    html = page_html(client, stats)
    assert 'data-testid="xlsx-note"' in html


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_large_table_streams_in_batches(client, publish, fmt):
    resource = publish(items=stat_items(), key_item="record_no", classification="315")
    table = schema.ensure_table(resource)
    columns = schema.table_columns(table)
    total = 20_000
    store.write_rows(
        table,
        columns,
        (
            {"record_no": f"R{i:06d}", "stat_month": "2026-01", "received": i, "contact": None}
            for i in range(total)
        ),
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/open/{name(resource)}/data.{fmt}")
        assert response.streaming
        pieces = list(response.streaming_content)
    assert len(pieces) > 10  # sent as it is read, not as one block
    # a handful of statements per batch of rows, never one per row
    assert len(queries) < 40
    content = b"".join(pieces)
    if fmt == "csv":
        assert content.decode("utf-8-sig").count("\r\n") == total + 1
    elif fmt == "json":
        assert len(json.loads(content)["records"]) == total
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        assert sum(1 for _row in sheet.iter_rows(values_only=True)) == total + 1


# --- counts and what is not open ------------------------------------------------------------


def test_downloads_are_counted_per_format_and_shown(client, stats):
    for fmt in ("csv", "csv", "xlsx"):
        body(client.get(f"/open/{name(stats)}/data.{fmt}"))
    counts = dict(Download.objects.filter(resource=stats).values_list("format", "count"))
    assert counts == {"csv": 2, "xlsx": 1}
    html = page_html(client, stats)
    files = html.split('data-testid="files"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'data-count="(\d+)"', files) == ["2", "0", "1"]
    listing = client.get("/open/").content.decode()
    item = listing.split(f'data-name="{name(stats)}"', 1)[1].split("</li>", 1)[0]
    assert 'data-count="3"' in item


def test_head_requests_are_not_counted(client, stats):
    assert client.head(f"/open/{name(stats)}/data.csv").status_code == 200
    assert not Download.objects.exists()


@pytest.mark.parametrize("key", ["welfare", "closed", "gone", "draft"])
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_files_of_what_is_not_unconditionally_open_are_404(client, open_set, key, fmt):
    assert client.get(f"/open/{name(open_set[key])}/data.{fmt}").status_code == 404
    assert not Download.objects.exists()


def test_unknown_format_and_dataset_are_404(client, stats):
    assert client.get(f"/open/{name(stats)}/data.xml").status_code == 404
    assert client.get("/open/dataset-999999/data.csv").status_code == 404


def test_dataset_page_queries_do_not_grow_with_rows(client, publish, authority):
    resource = publish(items=stat_items(), key_item="record_no", classification="315")
    rows = [{"record_no": f"R{i:04d}", "stat_month": "2026-01", "received": i} for i in range(30)]
    actions.load_rows(actor=authority, resource=resource, rows=rows)
    client.get(f"/open/{name(resource)}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/open/{name(resource)}/")
    rows = [
        {"record_no": f"R{i:04d}", "stat_month": f"2026-{1 + i % 9:02d}", "received": i}
        for i in range(3000)
    ]
    actions.load_rows(actor=authority, resource=resource, rows=rows)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/open/{name(resource)}/")
    # 100 times the rows: one batch of rows more for the chart, not a query per row
    assert len(few) <= 12 and len(many) <= len(few) + 3
