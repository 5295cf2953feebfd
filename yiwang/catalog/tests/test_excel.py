from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from yiwang.catalog import actions
from yiwang.catalog.excel import (
    CASE_REGION_LABELS,
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
    """One published item with a custom process, filed in the town of its premises; one draft."""
    actions.update_item(
        actor=authority,
        item=published_food,
        case_region_from="premises",
        case_region_field="premises",
    )
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


# --- where cases are filed ----------------------------------------------------------------


def _columns(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1]}


def _row_of(ws, item) -> int:
    return next(
        row[0].row for row in ws.iter_rows(min_row=2) if row[0].value == item.implementation_code
    )


def test_case_region_is_exported_and_round_trips(catalogue, authority):
    food, draft = catalogue
    ws = load_workbook(BytesIO(export_bytes()))[ITEMS_SHEET]
    col = _columns(ws)
    assert ws.cell(_row_of(ws, food), col["办件归属区划"]).value == CASE_REGION_LABELS["premises"]
    assert ws.cell(_row_of(ws, food), col["归属乡镇取自表单字段"]).value == "premises"
    assert ws.cell(_row_of(ws, draft), col["办件归属区划"]).value == CASE_REGION_LABELS["item"]
    data = export_bytes()
    ProcessDefinition.objects.all().delete()
    ServiceItem.objects.all().delete()
    result = import_workbook(BytesIO(data), actor=authority)
    assert result.ok, [str(e) for e in result.errors]
    settings = dict(ServiceItem.objects.values_list("name", "case_region_from").order_by("id"))
    assert settings == {food.name: "premises", draft.name: "item"}
    assert ServiceItem.objects.get(name=food.name).case_region_field == "premises"


def test_import_changes_the_case_region(catalogue, authority):
    food, draft = catalogue
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    col = _columns(ws)
    ws.cell(_row_of(ws, draft), col["办件归属区划"], "hall")  # the stored value works too
    ws.cell(_row_of(ws, food), col["办件归属区划"], CASE_REGION_LABELS["applicant"])
    ws.cell(_row_of(ws, food), col["归属乡镇取自表单字段"], "")
    result = import_workbook(_workbook_bytes(wb), actor=authority)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.updated, result.published) == (2, 1)
    food.refresh_from_db()
    draft.refresh_from_db()
    assert (food.case_region_from, food.case_region_field) == ("applicant", "")
    assert draft.case_region_from == "hall"


def test_import_refuses_a_bad_case_region_and_imports_nothing(catalogue, authority):
    food, draft = catalogue
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    col = _columns(ws)
    food_row, draft_row = _row_of(ws, food), _row_of(ws, draft)
    ws.cell(food_row, col["归属乡镇取自表单字段"], "shop_address")  # not a field of its form
    ws.cell(food_row, col["事项名称"], "改过的名字")
    ws.cell(draft_row, col["办件归属区划"], "随便")
    result = import_workbook(_workbook_bytes(wb), actor=authority)
    assert not result.ok
    where = {(e.sheet, e.row, e.column) for e in result.errors}
    assert (ITEMS_SHEET, food_row, "归属乡镇取自表单字段") in where
    assert (ITEMS_SHEET, draft_row, "办件归属区划") in where
    food.refresh_from_db()
    assert food.name == "食品经营许可（新办）"
    assert food.case_region_field == "premises"


def test_import_requires_the_form_field_for_premises(catalogue, authority):
    _, draft = catalogue
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    col = _columns(ws)
    ws.cell(_row_of(ws, draft), col["办件归属区划"], CASE_REGION_LABELS["premises"])
    result = import_workbook(_workbook_bytes(wb), actor=authority)
    assert [(e.row, e.column) for e in result.errors] == [
        (_row_of(ws, draft), "归属乡镇取自表单字段")
    ]
    draft.refresh_from_db()
    assert draft.case_region_from == "item"


def test_workbook_without_the_case_region_columns_keeps_the_setting(catalogue, authority):
    """Workbooks exported before the columns existed still import; items keep their setting."""
    food, _ = catalogue
    wb = export_workbook()
    ws = wb[ITEMS_SHEET]
    for header in ("归属乡镇取自表单字段", "办件归属区划"):
        ws.delete_cols(_columns(ws)[header])
    ws.cell(_row_of(ws, food), _columns(ws)["承诺办结时限（工作日）"], 4)
    result = import_workbook(_workbook_bytes(wb), actor=authority)
    assert result.ok, [str(e) for e in result.errors]
    food.refresh_from_db()
    assert food.promised_limit == 4
    assert (food.case_region_from, food.case_region_field) == ("premises", "premises")
