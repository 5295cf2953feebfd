from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from yiwang.catalog import actions
from yiwang.catalog.excel import (
    ITEM_COLUMNS,
    ITEMS_SHEET,
    MATERIALS_SHEET,
    PROCESS_SHEET,
    export_bytes,
    export_workbook,
    import_workbook,
)
from yiwang.catalog.models import ItemStatus, ProcessDefinition, ServiceItem
from yiwang.catalog.snapshot import item_snapshot

from .conftest import food_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(published_food, depts, authority):
    """One published item with a custom process, one draft."""
    steps = published_food.active_process().steps
    steps.insert(
        2,
        {
            "key": "inspect",
            "name": "现场核查",
            "kind": "review",
            "role": "reviewer",
            "limit_days": 2,
            "department": depts["mzj"].uscc,
        },
    )
    actions.set_process(actor=authority, item=published_food, steps=steps)
    actions.publish_item(actor=authority, item=published_food)
    draft = actions.create_item(
        actor=authority,
        **food_fields(
            depts,
            name="低保",
            item_type="JF",
            main_number="00402",
            sub_number="000",
            department=depts["mzj"],
            form_schema={},
            downloads=[],
            aliases="",
            procedure=[],
        ),
    )
    return [published_food, draft]


def _comparable(item):
    item = ServiceItem.objects.get(pk=item.pk)
    snap = item_snapshot(item)
    for key in ("id", "version", "parent"):
        snap.pop(key)
    if snap["process"]:  # process versions restart at 1 in an empty catalogue
        snap["process"] = snap["process"]["steps"]
    return snap, item.status


def _workbook_bytes(wb):
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_export_has_three_sheets_with_chinese_headers(catalogue):
    wb = load_workbook(BytesIO(export_bytes()))
    assert wb.sheetnames == [ITEMS_SHEET, MATERIALS_SHEET, PROCESS_SHEET]
    headers = [c.value for c in wb[ITEMS_SHEET][1]]
    assert headers == [h for _, h in ITEM_COLUMNS]
    assert wb[ITEMS_SHEET]["A2"].value == catalogue[0].implementation_code
    assert wb[ITEMS_SHEET].max_row == 3
    assert wb[MATERIALS_SHEET].max_row == 1 + 4
    assert wb[PROCESS_SHEET].max_row == 1 + 5  # the draft has no process yet


def test_round_trip_into_an_empty_catalogue(catalogue, authority):
    before = [_comparable(i) for i in catalogue]
    data = export_bytes()
    # the same workbook imported again changes nothing
    result = import_workbook(BytesIO(data), actor=authority)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged, result.published) == (0, 0, 2, 0)
    # and recreates everything in an empty catalogue
    ProcessDefinition.objects.all().delete()
    ServiceItem.objects.all().delete()
    result = import_workbook(BytesIO(data), actor=authority)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.published) == (2, 1)
    after = [_comparable(i) for i in ServiceItem.objects.order_by("id")]
    for (old, old_status), (new, new_status) in zip(before, after, strict=True):
        assert old_status == new_status
        for key in old:
            assert new[key] == old[key], key


def test_import_updates_by_implementation_code(catalogue, authority):
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("承诺办结时限（工作日）") + 1, value=4)
    result = import_workbook(_workbook_bytes(wb), actor=authority)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.updated, result.unchanged, result.published) == (1, 1, 1)
    item = ServiceItem.objects.get(pk=catalogue[0].pk)
    assert item.promised_limit == 4
    assert item.status == ItemStatus.PUBLISHED
    assert item.version == 3


def test_import_with_errors_imports_nothing(catalogue, authority, depts):
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    # row 2: fine change that must not be applied; row 3: two errors; row 4: a new bad item
    ws.cell(row=2, column=col["事项名称"], value="改过的名字")
    ws.cell(row=3, column=col["承诺办结时限（工作日）"], value=99)
    ws.cell(row=3, column=col["到现场次数"], value=5)
    new_row = [c.value for c in ws[2]]
    new_row[0] = ""
    new_row[col["主项编号"] - 1] = "123"
    new_row[col["申请表单（JSON Schema）"] - 1] = "{oops"
    ws.append(new_row)
    wb[MATERIALS_SHEET].cell(row=2, column=4, value="")
    wb[PROCESS_SHEET].cell(row=2, column=6, value="盖章")
    result = import_workbook(_workbook_bytes(wb), actor=authority)
    assert not result.ok
    text = "\n".join(str(e) for e in result.errors)
    assert "「事项」表第 3 行「承诺办结时限（工作日）」" in text
    assert "「事项」表第 3 行「到现场次数」" in text
    assert "「事项」表第 4 行「申请表单（JSON Schema）」" in text
    assert "「材料」表第 2 行" in text
    assert "「流程」表第 2 行「环节类型」" in text
    assert ServiceItem.objects.get(pk=catalogue[0].pk).name == "食品经营许可（新办）"
    assert ServiceItem.objects.count() == 2


def test_import_denied_for_other_department(catalogue, admin_mzj):
    result = import_workbook(BytesIO(export_bytes()), actor=admin_mzj)
    assert not result.ok
    assert "无权管理" in "\n".join(str(e) for e in result.errors)


def test_import_rejects_non_excel(authority, db):
    result = import_workbook(BytesIO(b"not excel"), actor=authority)
    assert not result.ok
    assert ".xlsx" in str(result.errors[0])


def test_commands_round_trip(catalogue, tmp_path, authority):
    path = tmp_path / "catalog.xlsx"
    call_command("export_catalog", str(path))
    assert path.exists()
    call_command("import_catalog", str(path), "--user", "authority")
    assert ServiceItem.objects.count() == 2
