"""Themes: the standard list, placing items by keyword, the audited actions, the item editor's
themes and 默认展示, and the workbook's 主题 / 默认展示 columns."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions
from yiwang.catalog.excel import ITEMS_SHEET, export_workbook, import_workbook
from yiwang.catalog.models import Audience, ServiceItem, Theme
from yiwang.catalog.process import default_process
from yiwang.catalog.theme_icons import ICONS
from yiwang.catalog.themes import read_standard_themes, suggest_themes
from yiwang.testing.county import BUILDER as SYSTEM

from .conftest import FOOD_MATERIALS, PASSWORD, food_fields
from .test_editor import page_data

pytestmark = pytest.mark.django_db

NEW_THEME = {
    "code": "pets",
    "audience": "person",
    "name": "宠物饲养",
    "icon": "heart",
    "order": 130,
    "description": "养犬登记和动物防疫。",
    "keywords": "犬 狗 宠物",
}


@pytest.fixture
def themes(db):
    actions.ensure_standard_themes(actor=SYSTEM)
    return {t.code: t for t in Theme.objects.all()}


def publish(actor, depts, **overrides):
    item = actions.create_item(actor=actor, **food_fields(depts, **overrides))
    actions.set_materials(actor=actor, item=item, materials=FOOD_MATERIALS)
    actions.set_process(actor=actor, item=item, steps=default_process(item))
    actions.publish_item(actor=actor, item=item)
    return item


def codes(item) -> set[str]:
    return set(ServiceItem.objects.get(pk=item.pk).themes.values_list("code", flat=True))


# --- the standard themes -------------------------------------------------------------------


def test_the_migration_loads_the_standard_themes():
    standard = read_standard_themes()
    loaded = {t.code: t for t in Theme.objects.all()}
    assert set(loaded) == {spec["code"] for spec in standard}
    assert len(standard) == 17
    assert sum(t.audience == Audience.PERSON for t in loaded.values()) == 12
    assert sum(t.audience == Audience.ENTERPRISE for t in loaded.values()) == 5
    assert all(t.icon in ICONS and t.active and t.keywords for t in loaded.values())
    assert loaded["after-death"].name == "身后事"
    assert "火化" in loaded["after-death"].keywords.split()


def test_ensure_standard_themes_adds_what_is_missing_and_keeps_edits(themes, authority):
    actions.update_theme(actor=authority, theme=themes["marriage"], name="婚姻家庭")
    Theme.objects.filter(code="after-death").delete()  # as if a county had never had it
    created = actions.ensure_standard_themes(actor=authority)
    assert [t.code for t in created] == ["after-death"]
    assert Theme.objects.get(code="marriage").name == "婚姻家庭"
    assert actions.ensure_standard_themes(actor=authority) == []
    entries = AuditEntry.objects.filter(action="catalog.ensure_standard_themes")
    assert [e.summary["after"]["created"] for e in entries] == [["after-death"]]


def test_ensure_standard_themes_is_refused_to_department_admins(themes, admin_scj):
    with pytest.raises(PermissionDenied):
        actions.ensure_standard_themes(actor=admin_scj)


# --- suggestions -----------------------------------------------------------------------------


def _item(name, audience="person", aliases=""):
    return ServiceItem(name=name, aliases=aliases, audience=audience)


def test_suggestions_follow_keywords_exclusions_and_audience(themes):
    def suggested(item):
        return {t.code for t in suggest_themes(item)}

    assert suggested(_item("遗体火化证明")) == {"after-death"}
    assert suggested(_item("申请补助", aliases="家里老人去世了")) >= {"after-death"}
    # The keyword of a theme for individuals does not place an item only businesses apply for.
    assert "marriage" not in suggested(_item("婚姻介绍机构备案", audience="enterprise"))
    # 注销 places in 企业注销; the licences theme keeps cancellations out (its -注销 word).
    cancel = suggested(_item("食品经营许可注销", audience="both"))
    assert "closing" in cancel and "licences" not in cancel
    assert "licences" in suggested(_item("食品经营许可（新办）", audience="both"))
    # Full-width forms are folded before matching.
    assert "licences" in suggested(_item("ＫＴＶ娱乐场所经营许可", audience="enterprise"))
    assert suggested(_item("手机屏幕维修")) == set()


def test_inactive_themes_are_not_suggested(themes, authority):
    actions.update_theme(actor=authority, theme=themes["after-death"], active=False)
    assert suggest_themes(_item("遗体火化证明")) == []


def test_place_unthemed_items_places_published_items_without_a_theme(
    themes, depts, item_types, authority
):
    cremation = publish(authority, depts, name="遗体火化证明", main_number="00031", aliases="")
    chosen = publish(authority, depts, name="殡葬补贴", main_number="00032", aliases="")
    actions.set_item_display(actor=authority, item=chosen, themes=["social-security"])
    nothing = publish(authority, depts, name="手机维修备案", main_number="00033", aliases="")
    draft = actions.create_item(
        actor=authority, **food_fields(depts, name="火化许可", main_number="00034", aliases="")
    )
    result = actions.place_unthemed_items(actor=authority)
    assert (result.checked, result.placed) == (2, 1)
    assert result.by_theme == {"身后事": 1}
    assert codes(cremation) == {"after-death"}
    assert codes(chosen) == {"social-security"}  # already themed: left alone
    assert codes(nothing) == set() and codes(draft) == set()
    entry = AuditEntry.objects.get(action="catalog.place_unthemed_items")
    assert entry.summary["after"]["placed"] == 1
    assert entry.actor_id == authority.pk


def test_place_unthemed_items_is_refused_to_department_admins(
    themes, depts, item_types, authority, admin_scj
):
    item = publish(authority, depts, name="遗体火化证明", main_number="00031", aliases="")
    with pytest.raises(PermissionDenied):
        actions.place_unthemed_items(actor=admin_scj)
    assert codes(item) == set()
    assert not AuditEntry.objects.filter(action="catalog.place_unthemed_items").exists()


def test_place_item_uses_the_suggestions_only_for_an_item_without_themes(
    themes, depts, item_types, authority
):
    item = publish(authority, depts, name="遗体火化证明", main_number="00031", aliases="")
    assert [t.code for t in actions.place_item(actor=authority, item=item)] == ["after-death"]
    actions.set_item_display(actor=authority, item=item, themes=["household"])
    assert actions.place_item(actor=authority, item=item) == []
    assert codes(item) == {"household"}


# --- theme actions ----------------------------------------------------------------------------


def test_create_and_update_a_theme_audited(themes, authority):
    theme = actions.create_theme(actor=authority, **NEW_THEME)
    assert (theme.code, theme.name, theme.active) == ("pets", "宠物饲养", True)
    created = AuditEntry.objects.get(action="catalog.create_theme", object_id=str(theme.pk))
    assert created.summary["after"]["keywords"] == "犬 狗 宠物"
    actions.update_theme(
        actor=authority, theme=theme, order="5", keywords="犬，狗、宠物 犬", active=False
    )
    theme.refresh_from_db()
    assert (theme.order, theme.keywords, theme.active) == (5, "犬 狗 宠物", False)
    updated = AuditEntry.objects.get(action="catalog.update_theme", object_id=str(theme.pk))
    assert updated.summary["before"] == {"order": 130, "active": True}
    actions.update_theme(actor=authority, theme=theme, order=5)  # no change: no entry
    assert AuditEntry.objects.filter(action="catalog.update_theme").count() == 1


def test_department_admins_cannot_manage_themes(themes, admin_scj):
    with pytest.raises(PermissionDenied):
        actions.create_theme(actor=admin_scj, **NEW_THEME)
    with pytest.raises(PermissionDenied):
        actions.update_theme(actor=admin_scj, theme=themes["marriage"], name="改名")
    assert not Theme.objects.filter(code="pets").exists()
    assert Theme.objects.get(code="marriage").name == "婚姻登记"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "marriage"}, "code"),
        ({"code": "Pets!"}, "code"),
        ({"name": "  "}, "name"),
        ({"name": "婚姻登记"}, "name"),
        ({"icon": "unicorn"}, "icon"),
        ({"audience": "both"}, "audience"),
        ({"order": 10000}, "order"),
        ({"order": "first"}, "order"),
        ({"keywords": "犬 " + "长" * 21}, "keywords"),
        ({"description": "长" * 301}, "description"),
    ],
)
def test_bad_theme_input_is_refused(themes, authority, overrides, field):
    with pytest.raises(ValidationError) as exc:
        actions.create_theme(actor=authority, **{**NEW_THEME, **overrides})
    assert field in exc.value.message_dict
    assert Theme.objects.count() == len(themes)


def test_an_empty_new_theme_reports_every_missing_field(themes, authority):
    with pytest.raises(ValidationError) as exc:
        actions.create_theme(actor=authority)
    assert {"code", "name", "audience", "icon"} <= set(exc.value.message_dict)


# --- an item's themes and 默认展示 -------------------------------------------------------------


def test_set_item_display_by_the_department_admin(themes, published_food, admin_scj):
    actions.set_item_display(
        actor=admin_scj, item=published_food, themes=["licences", themes["start-business"]]
    )
    actions.set_item_display(actor=admin_scj, item=published_food, preferred=True)
    item = ServiceItem.objects.get(pk=published_food.pk)
    assert codes(item) == {"licences", "start-business"} and item.preferred
    assert not item.changed_since_publish  # presentation, not guide content
    entries = AuditEntry.objects.filter(action="catalog.set_item_display").order_by("seq")
    assert [e.summary["after"] for e in entries] == [
        {"themes": ["licences", "start-business"], "preferred": False},
        {"themes": ["licences", "start-business"], "preferred": True},
    ]


def test_set_item_display_is_refused_to_other_departments(themes, published_food, admin_mzj):
    with pytest.raises(PermissionDenied):
        actions.set_item_display(actor=admin_mzj, item=published_food, themes=["licences"])
    assert codes(published_food) == set()


def test_set_item_display_refuses_unknown_themes(themes, published_food, authority):
    with pytest.raises(ValidationError) as exc:
        actions.set_item_display(actor=authority, item=published_food, themes=["licences", "x"])
    assert "themes" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.set_item_display(actor=authority, item=published_food, preferred="yes")
    assert codes(published_food) == set()


def test_the_item_editor_saves_themes_and_preferred(client, themes, food_item, admin_scj):
    assert client.login(username=admin_scj.username, password=PASSWORD)
    url = reverse("catalog:manage_edit", args=[food_item.pk])
    response = client.get(url)
    assert 'data-testid="item-display"' in response.content.decode()
    data = page_data(response)
    data.update(
        {
            "display-sent": "1",
            "display-person_themes": ["employment"],
            "display-enterprise_themes": ["licences", "start-business"],
            "display-preferred": "on",
        }
    )
    assert client.post(url, data).status_code == 302
    item = ServiceItem.objects.get(pk=food_item.pk)
    assert codes(item) == {"employment", "licences", "start-business"} and item.preferred
    # The page shows them ticked; unticking a theme and the flag removes them.
    again = client.get(url)
    form = again.context["display"]
    assert form["enterprise_themes"].value() == ["start-business", "licences"]  # theme order
    assert form["preferred"].value() is True
    data = page_data(again)
    data.update({"display-sent": "1", "display-enterprise_themes": ["licences"]})
    assert client.post(url, data).status_code == 302
    item = ServiceItem.objects.get(pk=food_item.pk)
    assert codes(item) == {"licences"} and not item.preferred


def test_the_item_editor_refuses_a_theme_of_the_wrong_group(client, themes, food_item, admin_scj):
    assert client.login(username=admin_scj.username, password=PASSWORD)
    url = reverse("catalog:manage_edit", args=[food_item.pk])
    data = page_data(client.get(url))
    data.update({"display-sent": "1", "display-person_themes": ["licences"]})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["display"].errors["person_themes"]
    assert codes(food_item) == set()


# --- the workbook's 主题 and 默认展示 ----------------------------------------------------------


def _sheet_rows(wb):
    ws = wb[ITEMS_SHEET]
    header = [c.value for c in ws[1]]
    return ws, header


def _reimport(wb, actor):
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return import_workbook(buffer, actor=actor)


def test_workbook_round_trip_of_themes_and_preferred(themes, published_food, authority):
    actions.set_item_display(
        actor=authority, item=published_food, themes=["licences", "start-business"], preferred=True
    )
    wb = export_workbook(ServiceItem.objects.all())
    ws, header = _sheet_rows(wb)
    theme_col, preferred_col = header.index("主题") + 1, header.index("默认展示") + 1
    assert ws.cell(2, theme_col).value == "开办企业、准营准办（资质许可）"
    assert ws.cell(2, preferred_col).value == "是"
    # Unchanged: nothing to write.
    result = _reimport(wb, authority)
    assert result.ok and result.unchanged == 1
    # Change the themes and the flag only: the item is updated, not republished.
    ws.cell(2, theme_col).value = "准营准办（资质许可）、经营纳税"
    ws.cell(2, preferred_col).value = "否"
    result = _reimport(wb, authority)
    assert result.ok, [str(e) for e in result.errors]
    assert result.updated == 1 and result.published == 0
    assert set(result.changes[0].fields) == {"themes", "preferred"}
    item = ServiceItem.objects.get(pk=published_food.pk)
    assert codes(item) == {"licences", "operations"} and not item.preferred
    assert item.version == published_food.version


def test_workbook_unknown_theme_names_are_reported_and_nothing_imported(
    themes, published_food, authority
):
    wb = export_workbook(ServiceItem.objects.all())
    ws, header = _sheet_rows(wb)
    ws.cell(2, header.index("主题") + 1).value = "开办企业、开饭店"
    ws.cell(2, header.index("事项名称") + 1).value = "改了名字"
    result = _reimport(wb, authority)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "主题")]
    assert "开饭店" in result.errors[0].message
    assert ServiceItem.objects.get(pk=published_food.pk).name == published_food.name


def test_workbook_bad_preferred_value_is_reported(themes, published_food, authority):
    wb = export_workbook(ServiceItem.objects.all())
    ws, header = _sheet_rows(wb)
    ws.cell(2, header.index("默认展示") + 1).value = "也许"
    result = _reimport(wb, authority)
    # The row is unreadable (its materials and steps then name an unknown item too).
    assert result.errors[0].sheet == ITEMS_SHEET
    assert (result.errors[0].row, result.errors[0].column) == (2, "默认展示")
    assert "也许" in result.errors[0].message


def test_workbook_new_items_without_themes_are_placed_by_keyword(
    themes, published_food, depts, authority
):
    wb = export_workbook(ServiceItem.objects.all())
    ws, header = _sheet_rows(wb)
    row = [c.value for c in ws[2]]
    values = dict(zip(header, row, strict=True))
    values.update(
        {
            "实施编码": "",
            "事项名称": "遗体火化证明",
            "别名": "",
            "主项编号": "00099",
            "服务对象": "自然人",
            "主题": "",
            "默认展示": "",
        }
    )
    ws.append([values[h] for h in header])  # no materials or steps of its own
    result = _reimport(wb, authority)
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 1
    new = ServiceItem.objects.get(name="遗体火化证明")
    assert codes(new) == {"after-death"}


def test_a_workbook_without_the_two_columns_still_imports(themes, published_food, authority):
    actions.set_item_display(actor=authority, item=published_food, themes=["licences"])
    wb = export_workbook(ServiceItem.objects.all())
    ws, header = _sheet_rows(wb)
    for name in ("默认展示", "主题"):
        ws.delete_cols(header.index(name) + 1)
        header.remove(name)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    reread = load_workbook(buffer)
    assert "主题" not in [c.value for c in reread[ITEMS_SHEET][1]]
    result = _reimport(reread, authority)
    assert result.ok and result.unchanged == 1
    assert codes(published_food) == {"licences"}
