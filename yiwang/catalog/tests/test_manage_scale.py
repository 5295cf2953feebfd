"""The back-office list at catalogue scale: filters, real counts, constant query counts, and
bulk publish / withdraw (all or nothing, permission per item, one bulk search update)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions, indexing
from yiwang.catalog.excel import ITEMS_SHEET
from yiwang.catalog.manage_forms import ManageFilterForm
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.process import default_process

from .conftest import PASSWORD, food_fields

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _make(actor, depts, n, *, dept="scj", start=100, process=True, **overrides):
    """``n`` draft items of ``dept`` (ready to publish when ``process``)."""
    items = []
    for i in range(n):
        fields = food_fields(
            depts,
            name=overrides.pop("name", None) or f"测试事项{dept}{start + i}",
            main_number=f"{start + i:05d}",
            department=depts[dept],
            aliases="",
            **overrides,
        )
        item = actions.create_item(actor=actor, **fields)
        if process:
            actions.set_process(actor=actor, item=item, steps=default_process(item))
        items.append(item)
    return items


def _count(response) -> int:
    return response.context["page"].paginator.count


# --- the list ------------------------------------------------------------------------------


def test_filters_and_real_count(client, authority, depts, item_types, food_item):
    scj = _make(authority, depts, 3)
    mzj = _make(authority, depts, 2, dept="mzj", start=200, item_type="QR")
    actions.publish_item(actor=authority, item=scj[0])
    actions.update_item(actor=authority, item=scj[0], promised_limit=3)  # changed since
    actions.publish_item(actor=authority, item=mzj[0])
    _login(client, authority)
    url = reverse("catalog:manage")

    assert _count(client.get(url)) == 6
    assert _count(client.get(url, {"department": depts["mzj"].pk})) == 2
    assert _count(client.get(url, {"item_type": item_types["QR"].pk})) == 2
    assert _count(client.get(url, {"status": "published"})) == 2
    assert _count(client.get(url, {"status": "draft"})) == 4
    changed = client.get(url, {"changed": "on"})
    assert [i.pk for i in changed.context["page"].object_list] == [scj[0].pk]
    assert _count(client.get(url, {"q": "测试事项mzj"})) == 2
    assert _count(client.get(url, {"q": "开饭店"})) == 1  # an alias of the food item
    # part of the implementation code: the basic code, any case, and the agency's USCC
    basic = mzj[1].basic_code
    found = client.get(url, {"q": basic.lower()})
    assert [i.pk for i in found.context["page"].object_list] == [mzj[1].pk]
    assert _count(client.get(url, {"q": depts["mzj"].uscc})) == 2
    response = client.get(url, {"q": mzj[1].implementation_code})
    assert [i.pk for i in response.context["page"].object_list] == [mzj[1].pk]
    html = response.content.decode()
    assert 'data-count="1"' in html
    # sort by name, by last change
    by_name = client.get(url, {"sort": "name"}).context["page"].object_list
    assert [i.name for i in by_name] == sorted(i.name for i in by_name)
    latest = client.get(url, {"sort": "updated"}).context["page"].object_list[0]
    assert latest.pk == mzj[0].pk
    # nonsense values are ignored, not errors
    assert client.get(url, {"department": "x", "sort": "nope"}).status_code == 200


def test_pages_of_fifty(client, authority, depts, item_types):
    _make(authority, depts, 55, process=False)
    _login(client, authority)
    first = client.get(reverse("catalog:manage"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("catalog:manage"), {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert _count(second) == 55


def test_department_admin_sees_and_picks_only_their_department(
    client, authority, admin_scj, depts, item_types
):
    _make(authority, depts, 2)
    _make(authority, depts, 3, dept="mzj", start=300)
    _login(client, admin_scj)
    response = client.get(reverse("catalog:manage"))
    assert _count(response) == 2
    form = response.context["form"]
    assert list(form.fields["department"].queryset) == [depts["scj"]]
    # asking for another department's items shows nothing (the choice is not valid for them)
    other = client.get(reverse("catalog:manage"), {"department": depts["mzj"].pk})
    assert _count(other) == 2
    assert all(i.department_id == depts["scj"].pk for i in other.context["page"].object_list)


def test_filter_form_is_usable_without_request(authority, depts, item_types):
    form = ManageFilterForm({"q": "XK", "sort": "name"}, user=authority)
    assert form.is_valid()
    assert "ORDER BY" in str(form.filter(ServiceItem.objects.all()).query)


@pytest.mark.parametrize("who", ["authority", "admin_scj"])
@pytest.mark.parametrize("params", [{}, {"q": "XK0"}, {"status": "draft", "sort": "updated"}])
def test_list_query_count_is_constant(client, request, who, params, authority, depts, item_types):
    user = request.getfixturevalue(who)
    _make(authority, depts, 20, process=False)
    _login(client, user)
    url = reverse("catalog:manage")
    client.get(url, params)  # sessions, content types
    with CaptureQueriesContext(connection) as small:
        assert _count(client.get(url, params)) == 20
    _make(authority, depts, 180, start=1000, process=False)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, params)
    assert _count(response) == 200
    assert len(response.context["page"].object_list) == 50
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_back_office_list_refused_to_others(client, reviewer_scj, food_item):
    assert client.get(reverse("catalog:manage")).status_code == 302
    _login(client, reviewer_scj)
    assert client.get(reverse("catalog:manage")).status_code == 403
    response = client.post(reverse("catalog:manage_bulk"), {"operation": "publish"})
    assert response.status_code == 403


# --- bulk actions -------------------------------------------------------------------------


@pytest.fixture
def bulk_index_calls(monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr(indexing, "index_items", lambda ids: calls.append(list(ids)) or 0)
    monkeypatch.setattr(indexing, "index_item", lambda pk: calls.append([pk]))
    return calls


def test_publish_items_publishes_all_audits_each_and_indexes_once(
    authority, depts, item_types, bulk_index_calls, django_capture_on_commit_callbacks
):
    items = _make(authority, depts, 3)
    with django_capture_on_commit_callbacks(execute=True):
        revisions = actions.publish_items(actor=authority, items=items)
    assert [r.version for r in revisions] == [1, 1, 1]
    assert set(ServiceItem.objects.values_list("status", flat=True)) == {ItemStatus.PUBLISHED}
    published = AuditEntry.objects.filter(action="catalog.publish_item")
    assert sorted(int(e.object_id) for e in published) == sorted(i.pk for i in items)
    assert bulk_index_calls == [sorted(i.pk for i in items)]


def test_withdraw_items_withdraws_all_and_indexes_once(
    authority, depts, item_types, bulk_index_calls, django_capture_on_commit_callbacks
):
    items = _make(authority, depts, 2)
    actions.publish_items(actor=authority, items=items)
    bulk_index_calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_items(actor=authority, items=items, reason="事项调整")
    for item in ServiceItem.objects.filter(pk__in=[i.pk for i in items]):
        assert (item.status, item.withdrawn_reason) == (ItemStatus.WITHDRAWN, "事项调整")
    assert AuditEntry.objects.filter(action="catalog.withdraw_item").count() == 2
    assert bulk_index_calls == [sorted(i.pk for i in items)]


@pytest.mark.parametrize("n", [2, 12])
def test_bulk_actions_lock_and_check_the_items_in_one_statement(
    authority, depts, item_types, bulk_index_calls, n
):
    """Locking, the scope check and the rows the single actions change: the statements per
    item do not grow with lookups of each item's department and region, or a lock each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    items = _make(authority, depts, n, start=300 + n)
    fresh = list(ServiceItem.objects.filter(pk__in=[i.pk for i in items]))  # no related rows
    with CaptureQueriesContext(connection) as publish:
        actions.publish_items(actor=authority, items=fresh)
    with CaptureQueriesContext(connection) as withdraw:
        actions.withdraw_items(actor=authority, items=fresh, reason="事项调整")
    for captured in (publish, withdraw):
        sql = [q["sql"] for q in captured.captured_queries]
        # The lock (FOR UPDATE on PostgreSQL; SQLite locks the whole database instead).
        locks = [q for q in sql if 'FROM "catalog_serviceitem" INNER JOIN' in q]
        assert len(locks) == 1
        assert not [q for q in sql if q.startswith('SELECT "orgs_department"')]
        assert not [q for q in sql if q.startswith('SELECT "regions_region"')]
    assert {i.status for i in fresh} == {ItemStatus.WITHDRAWN}  # the caller's rows follow
    # What publishing reads of each item (its materials, its active process) is read once.
    sql = [q["sql"] for q in publish.captured_queries]
    assert len([q for q in sql if q.startswith('SELECT "catalog_material"')]) == 1
    assert len([q for q in sql if q.startswith('SELECT "catalog_processdefinition"')]) == 1


def test_publish_items_is_all_or_nothing(
    authority, depts, item_types, bulk_index_calls, django_capture_on_commit_callbacks
):
    good = _make(authority, depts, 2)
    bad = _make(authority, depts, 1, start=500, consult_phone="")
    no_process = _make(authority, depts, 1, start=600, process=False)
    with (
        pytest.raises(actions.ItemErrors) as caught,
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.publish_items(actor=authority, items=[*good, *bad, *no_process])
    assert list(caught.value.by_item) == [bad[0].pk, no_process[0].pk]
    name, messages = caught.value.by_item[bad[0].pk]
    assert name == bad[0].name and messages
    assert set(ServiceItem.objects.values_list("status", flat=True)) == {ItemStatus.DRAFT}
    assert not AuditEntry.objects.filter(action="catalog.publish_item").exists()
    assert bulk_index_calls == []


def test_bulk_actions_refuse_items_outside_the_scope(admin_mzj, authority, depts, item_types):
    mine = _make(authority, depts, 1, dept="mzj", start=700)
    theirs = _make(authority, depts, 1)
    with pytest.raises(PermissionDenied):
        actions.publish_items(actor=admin_mzj, items=[*mine, *theirs])
    assert ServiceItem.objects.get(pk=mine[0].pk).status == ItemStatus.DRAFT
    actions.publish_items(actor=authority, items=theirs)
    with pytest.raises(PermissionDenied):
        actions.withdraw_items(actor=admin_mzj, items=theirs, reason="不归我管")
    assert ServiceItem.objects.get(pk=theirs[0].pk).status == ItemStatus.PUBLISHED


def test_bulk_actions_bad_input(authority, depts, item_types):
    items = _make(authority, depts, 1)
    with pytest.raises(ValidationError) as empty:
        actions.publish_items(actor=authority, items=[])
    assert empty.value.error_list[0].code == "no_items"
    actions.publish_items(actor=authority, items=items)
    with pytest.raises(ValidationError) as no_reason:
        actions.withdraw_items(actor=authority, items=items, reason="  ")
    assert "reason" in no_reason.value.message_dict
    with pytest.raises(actions.ItemErrors):  # already published and unchanged
        actions.publish_items(actor=authority, items=items)
    with pytest.raises(ValidationError) as too_many:
        actions.publish_items(actor=authority, items=items * (actions.BULK_LIMIT + 1))
    assert too_many.value.error_list[0].code == "too_many_items"


# --- bulk through the page ----------------------------------------------------------------


def test_bulk_publish_ticked_items_through_the_list(
    client, admin_scj, authority, depts, item_types
):
    items = _make(authority, depts, 3)
    _login(client, admin_scj)
    response = client.post(
        reverse("catalog:manage_bulk"),
        {
            "operation": "publish",
            "scope": "selected",
            "ids": [items[0].pk, items[2].pk],
            "filters": "status=draft",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?status=draft")
    statuses = dict(ServiceItem.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in items] == ["published", "draft", "published"]


def test_bulk_publish_lists_every_problem_and_changes_nothing(
    client, admin_scj, authority, depts, item_types
):
    good = _make(authority, depts, 1)
    bad = _make(authority, depts, 1, start=800, location="")
    _login(client, admin_scj)
    response = client.post(
        reverse("catalog:manage_bulk"),
        {"operation": "publish", "scope": "selected", "ids": [good[0].pk, bad[0].pk]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="bulk-errors"' in html
    assert (
        f'data-item="{bad[0].pk}"' in html.split('data-testid="bulk-errors"')[1].split("</ul>")[0]
    )
    assert ServiceItem.objects.get(pk=good[0].pk).status == ItemStatus.DRAFT


def test_bulk_on_all_matching_the_filter(client, authority, depts, item_types):
    scj = _make(authority, depts, 3)
    mzj = _make(authority, depts, 2, dept="mzj", start=900)
    _login(client, authority)
    filters = f"department={depts['scj'].pk}"
    response = client.post(
        reverse("catalog:manage_bulk"),
        {"operation": "publish", "scope": "matching", "filters": filters},
    )
    assert response.status_code == 302
    assert set(
        ServiceItem.objects.filter(pk__in=[i.pk for i in scj]).values_list("status", flat=True)
    ) == {"published"}
    assert set(
        ServiceItem.objects.filter(pk__in=[i.pk for i in mzj]).values_list("status", flat=True)
    ) == {"draft"}
    # withdraw every published item matching: a reason is required
    response = client.post(
        reverse("catalog:manage_bulk"),
        {"operation": "withdraw", "scope": "matching", "filters": filters, "reason": ""},
    )
    assert response.status_code == 302
    assert ServiceItem.objects.filter(status="published").count() == 3
    client.post(
        reverse("catalog:manage_bulk"),
        {"operation": "withdraw", "scope": "matching", "filters": filters, "reason": "合并事项"},
    )
    assert ServiceItem.objects.filter(status="withdrawn").count() == 3


def test_bulk_page_refuses_items_of_another_department(
    client, admin_mzj, authority, depts, item_types
):
    theirs = _make(authority, depts, 1)
    _login(client, admin_mzj)
    response = client.post(
        reverse("catalog:manage_bulk"),
        {"operation": "publish", "scope": "selected", "ids": [theirs[0].pk]},
    )
    assert response.status_code == 403
    assert ServiceItem.objects.get(pk=theirs[0].pk).status == ItemStatus.DRAFT


def test_bulk_page_bad_input(client, authority, depts, item_types):
    _login(client, authority)
    url = reverse("catalog:manage_bulk")
    for data in (
        {"operation": "publish", "scope": "selected"},  # nothing ticked
        {"operation": "explode", "scope": "selected", "ids": ["1"]},
        {"operation": "publish", "scope": "selected", "ids": ["1; DROP"]},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"], data
    assert client.get(url).status_code == 405


# --- export -------------------------------------------------------------------------------


def _export_names(response) -> list[str]:
    sheet = load_workbook(BytesIO(response.content), read_only=True)[ITEMS_SHEET]
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("who", ["authority", "admin_scj"])
def test_export_query_count_is_constant(client, request, who, authority, depts, item_types):
    user = request.getfixturevalue(who)
    few = _make(authority, depts, 3)
    actions.set_materials(
        actor=authority, item=few[0], materials=[{"name": "申请书"}, {"name": "身份证明"}]
    )
    _login(client, user)
    url = reverse("catalog:manage_export")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert len(_export_names(client.get(url))) == 3
    many = _make(authority, depts, 37, start=2000)
    for item in many[:10]:
        actions.set_materials(actor=authority, item=item, materials=[{"name": "申请书"}])
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(_export_names(response)) == 40
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_export_is_scoped_to_the_department(client, admin_mzj, authority, depts, item_types):
    _make(authority, depts, 2)
    theirs = _make(authority, depts, 1, dept="mzj", start=3000)
    _login(client, admin_mzj)
    assert _export_names(client.get(reverse("catalog:manage_export"))) == [theirs[0].name]


def test_fast_writer_writes_a_workbook_openpyxl_reads_with_the_export_format():
    from yiwang.web.xlsx import Sheet, column_letter, write_xlsx

    content = write_xlsx(
        [
            Sheet(
                title="事项 & <表>",
                header=["编码", "名称", "数量", "启用"],
                rows=[["00012", "食品\x07经营 <许可> & “备案”", 3, True], ["", None, 2.5, False]],
                widths=[12, 40, 10, 10],
                text_columns=frozenset({0}),
            ),
            Sheet(title="空", header=["A"], rows=[]),
        ]
    )
    wb = load_workbook(BytesIO(content))
    assert wb.sheetnames == ["事项 & <表>", "空"]
    ws = wb["事项 & <表>"]
    assert [c.value for c in ws[1]] == ["编码", "名称", "数量", "启用"]
    assert ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws["A2"].value == "00012" and ws["A2"].number_format == "@"
    assert ws["B2"].value == "食品经营 <许可> & “备案”"  # control character dropped
    assert (ws["C2"].value, ws["D2"].value, ws["C3"].value, ws["D3"].value) == (3, True, 2.5, False)
    assert ws["A3"].value is None and ws.column_dimensions["B"].width == 40
    assert wb["空"].max_row == 1
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_export_writes_the_parents_code_and_the_themes(authority, depts, item_types):
    from yiwang.catalog.excel import ITEM_COLUMNS, export_bytes
    from yiwang.catalog.models import Theme

    main = _make(authority, depts, 1, start=4000, node_level="main")[0]
    child = _make(authority, depts, 1, start=4000, parent=main, sub_number="001")[0]
    theme = Theme.objects.create(audience="person", code="t-export", name="测试主题", icon="baby")
    actions.set_item_display(actor=authority, item=child, themes=[theme], preferred=True)
    sheet = load_workbook(BytesIO(export_bytes()), read_only=True)[ITEMS_SHEET]
    keys = [key for key, _ in ITEM_COLUMNS]
    rows = {
        row[0]: dict(zip(keys, row, strict=False))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    exported = rows[child.implementation_code]
    assert exported["parent"] == main.implementation_code
    assert exported["themes"] == "测试主题" and exported["preferred"] == "是"
    assert rows[main.implementation_code]["parent"] in (None, "")
