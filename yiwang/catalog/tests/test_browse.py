"""Browsing by theme (public pages with facets), telling same-named items apart, and the
themes back office."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions
from yiwang.catalog.models import ServiceItem, Theme
from yiwang.catalog.process import default_process
from yiwang.catalog.queries import mark_namesakes, preferred_first
from yiwang.testing.county import BUILDER as SYSTEM

from .conftest import FOOD_MATERIALS, PASSWORD, food_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(db):
    actions.ensure_standard_themes(actor=SYSTEM)
    return {t.code: t for t in Theme.objects.all()}


def publish(actor, depts, *, themes=(), **overrides):
    item = actions.create_item(actor=actor, **food_fields(depts, **overrides))
    actions.set_materials(actor=actor, item=item, materials=FOOD_MATERIALS)
    actions.set_process(actor=actor, item=item, steps=default_process(item))
    actions.publish_item(actor=actor, item=item)
    if themes:
        actions.set_item_display(actor=actor, item=item, themes=list(themes))
    return item


@pytest.fixture
def licences(themes, depts, item_types, authority):
    """准营准办 with four items: 市场监管 XK ×2, 市场监管 BA ×1, 民政 XK ×1; one draft."""
    made = {
        "food": publish(authority, depts, themes=["licences"], main_number="00012"),
        "hygiene": publish(
            authority, depts, themes=["licences"], name="公共场所卫生许可", main_number="00013"
        ),
        "art": publish(
            authority,
            depts,
            themes=["licences"],
            name="艺术品经营单位备案",
            item_type="BA",
            main_number="00014",
        ),
        "school": publish(
            authority,
            depts,
            themes=["licences"],
            name="民办学校设立审批",
            department=depts["mzj"],
            main_number="00015",
        ),
    }
    draft = actions.create_item(
        actor=authority, **food_fields(depts, name="未发布的许可", main_number="00016")
    )
    actions.set_item_display(actor=authority, item=draft, themes=["licences"])
    return made


def _listed(response) -> list[str]:
    return [item.name for item in response.context["items"]]


def _facet(response, name) -> dict[str, int]:
    facet = next(f for f in response.context["facets"] if f["name"] == name)
    return {v["value"]: v["count"] for v in facet["shown"] + facet["more"]}


# --- the theme index -----------------------------------------------------------------------


def test_theme_index_shows_themes_with_items_and_their_counts(client, licences, authority):
    actions.set_item_display(actor=authority, item=licences["food"], themes=["licences", "health"])
    response = client.get(reverse("catalog:themes"))
    assert response.status_code == 200
    groups = {audience: themes for audience, _label, themes in response.context["groups"]}
    assert [(t.code, t.item_count) for t in groups["person"]] == [("health", 1)]
    assert [(t.code, t.item_count) for t in groups["enterprise"]] == [("licences", 4)]
    html = response.content.decode()
    assert 'data-testid="theme-licences"' in html
    assert 'href="/services/themes/licences/"' in html
    assert "marriage" not in html  # no item: not shown


def test_hidden_themes_are_neither_listed_nor_reachable(client, licences, themes, authority):
    actions.update_theme(actor=authority, theme=themes["licences"], active=False)
    response = client.get(reverse("catalog:themes"))
    assert 'data-testid="theme-licences"' not in response.content.decode()
    assert client.get(reverse("catalog:theme", args=["licences"])).status_code == 404
    assert client.get(reverse("catalog:theme", args=["no-such-theme"])).status_code == 404


# --- a theme's page -----------------------------------------------------------------------------


def test_theme_page_lists_its_published_items_with_facet_counts(client, licences, depts):
    response = client.get(reverse("catalog:theme", args=["licences"]))
    assert response.status_code == 200
    assert sorted(_listed(response)) == sorted(i.name for i in licences.values())
    assert "未发布的许可" not in response.content.decode()
    scj, mzj = str(depts["scj"].pk), str(depts["mzj"].pk)
    assert _facet(response, "department") == {scj: 3, mzj: 1}
    assert _facet(response, "type") == {"XK": 3, "BA": 1}
    assert response.context["page"].paginator.count == 4


def test_each_facet_is_counted_with_the_other_one_applied(client, licences, depts):
    url = reverse("catalog:theme", args=["licences"])
    scj, mzj = str(depts["scj"].pk), str(depts["mzj"].pk)
    by_type = client.get(url, {"type": "XK"})
    assert sorted(_listed(by_type)) == sorted(
        ["食品经营许可（新办）", "公共场所卫生许可", "民办学校设立审批"]
    )
    assert _facet(by_type, "department") == {scj: 2, mzj: 1}
    assert _facet(by_type, "type") == {"XK": 3, "BA": 1}  # its own facet: all types
    both = client.get(url, {"type": "XK", "department": mzj})
    assert _listed(both) == ["民办学校设立审批"]
    assert _facet(both, "type") == {"XK": 1}
    assert _facet(both, "department") == {scj: 2, mzj: 1}
    html = both.content.decode()
    # The selected values are marked, and each link keeps the other facet.
    assert re.search(rf'href="\?type=XK&amp;department={mzj}"[^>]*aria-current="true"', html)
    assert f'href="?department={mzj}"' in html  # "all types" keeps the department


def test_bad_facet_values_are_ignored(client, licences):
    url = reverse("catalog:theme", args=["licences"])
    for params in ({"department": "abc"}, {"type": "<script>"}, {"department": "99999"}):
        response = client.get(url, params)
        assert response.status_code == 200
    assert len(_listed(client.get(url, {"department": "abc"}))) == 4
    assert _listed(client.get(url, {"department": "99999"})) == []
    assert client.get(url, {"page": "x"}).status_code == 200


def test_theme_page_queries_do_not_grow_with_the_page(client, themes, depts, item_types, authority):
    url = reverse("catalog:theme", args=["after-death"])
    for n in range(2):
        publish(authority, depts, themes=["after-death"], name=f"火化{n}", main_number=f"0010{n}")
    client.get(url)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(_listed(client.get(url))) == 2
    for n in range(2, 20):
        publish(
            authority,
            depts,
            themes=["after-death"],
            name=f"火化{n}" if n % 3 else "火化0",  # namesakes too
            main_number=f"001{n:02d}",
            department=depts["mzj" if n % 2 else "scj"],
            item_type="JF" if n % 4 else "XK",
        )
    with CaptureQueriesContext(connection) as many:
        assert len(_listed(client.get(url))) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


# --- telling items apart -------------------------------------------------------------------


def test_mark_namesakes_counts_other_published_items_of_the_same_name(
    depts, item_types, authority, django_assert_num_queries
):
    county = publish(authority, depts, name="临时救助", main_number="00401", item_type="JF")
    town = publish(
        authority,
        depts,
        name="临时救助",
        main_number="00401",
        item_type="JF",
        department=depts["gaobei"],
    )
    unique = publish(authority, depts, name="低保", main_number="00402", item_type="JF")
    draft = actions.create_item(
        actor=authority,
        **food_fields(
            depts, name="临时救助", main_number="00401", item_type="JF", department=depts["mzj"]
        ),
    )
    items = [ServiceItem.objects.get(pk=i.pk) for i in (county, town, unique, draft)]
    with django_assert_num_queries(1):
        mark_namesakes(items)
    assert [i.namesakes for i in items] == [1, 1, 0, 2]


def test_preferred_first_swaps_only_namesakes():
    def item(pk, name, preferred=False):
        return ServiceItem(pk=pk, name=name, preferred=preferred)

    ranked = [item(1, "甲"), item(2, "乙"), item(3, "甲", True), item(4, "丙"), item(5, "甲")]
    assert [i.pk for i in preferred_first(ranked)] == [3, 2, 1, 4, 5]
    plain = [item(1, "甲"), item(2, "甲"), item(3, "乙", True)]
    assert [i.pk for i in preferred_first(plain)] == [1, 2, 3]
    assert preferred_first([]) == []


def test_namesakes_show_their_level_and_the_preferred_one_first(
    client, themes, depts, item_types, authority
):
    county = publish(
        authority,
        depts,
        themes=["social-security"],
        name="临时救助",
        main_number="00401",
        item_type="JF",
    )
    town = publish(
        authority,
        depts,
        themes=["social-security"],
        name="临时救助",
        main_number="00401",
        item_type="JF",
        department=depts["gaobei"],
    )
    publish(authority, depts, themes=["social-security"], name="低保", main_number="00402")
    actions.set_item_display(actor=authority, item=town, preferred=True)
    response = client.get(reverse("catalog:theme", args=["social-security"]))
    names = [(i.pk, i.name) for i in response.context["items"]]
    assert names.index((town.pk, "临时救助")) < names.index((county.pk, "临时救助"))
    html = response.content.decode()
    lines = dict(re.findall(r'data-item="(\d+)">(.*?)</li>', html, re.S))
    assert 'data-testid="item-level"' in lines[str(county.pk)]
    assert 'data-testid="item-preferred"' in lines[str(town.pk)]
    assert "高陂镇" in lines[str(town.pk)]
    assert 'data-testid="item-level"' not in next(
        v for k, v in lines.items() if k not in (str(county.pk), str(town.pk))
    )


# --- the back office ------------------------------------------------------------------------


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_theme_management_is_for_the_authority(client, themes, authority, admin_scj):
    url = reverse("catalog:manage_themes")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    _login(client, admin_scj)
    assert client.get(url).status_code == 403
    assert client.get(reverse("catalog:manage_theme_create")).status_code == 403
    assert client.post(reverse("catalog:manage_themes_place")).status_code == 403
    _login(client, authority)
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-theme="after-death"' in response.content.decode()


def test_create_and_edit_a_theme_in_the_back_office(client, themes, authority):
    _login(client, authority)
    form = {
        "name": "宠物饲养",
        "code": "pets",
        "audience": "person",
        "icon": "heart",
        "order": "130",
        "description": "养犬登记。",
        "keywords": "犬 狗",
        "active": "on",
    }
    response = client.post(reverse("catalog:manage_theme_create"), form)
    assert response.status_code == 302
    theme = Theme.objects.get(code="pets")
    assert (theme.name, theme.icon, theme.active) == ("宠物饲养", "heart", True)
    edit = reverse("catalog:manage_theme_edit", args=[theme.pk])
    page = client.get(edit)
    assert page.status_code == 200 and 'value="heart" id=' in page.content.decode()
    assert client.post(edit, {**form, "order": "5", "active": ""}).status_code == 302
    theme.refresh_from_db()
    assert (theme.order, theme.active) == (5, False)
    assert AuditEntry.objects.filter(action="catalog.update_theme", object_id=str(theme.pk))


def test_bad_theme_form_shows_the_errors(client, themes, authority):
    _login(client, authority)
    response = client.post(
        reverse("catalog:manage_theme_create"),
        {"name": "婚姻登记", "code": "pets", "audience": "person", "icon": "unicorn", "order": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["icon"]  # not a choice
    response = client.post(
        reverse("catalog:manage_theme_create"),
        {"name": "婚姻登记", "code": "pets", "audience": "person", "icon": "heart", "order": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]  # the action: the name is taken
    assert not Theme.objects.filter(code="pets").exists()


def test_place_button_places_unthemed_items(client, themes, depts, item_types, authority):
    item = publish(authority, depts, name="遗体火化证明", main_number="00031", aliases="")
    _login(client, authority)
    page = client.get(reverse("catalog:manage_themes"))
    assert page.context["unthemed"] == 1
    response = client.post(reverse("catalog:manage_themes_place"))
    assert response.status_code == 302
    assert list(item.themes.values_list("code", flat=True)) == ["after-death"]
    assert client.get(reverse("catalog:manage_themes_place")).status_code == 405


# --- links --------------------------------------------------------------------------------------


def test_home_and_catalogue_link_to_the_themes(client, licences, themes, depts, authority):
    publish(authority, depts, themes=["after-death"], name="遗体火化证明", main_number="00031")
    html = client.get("/").content.decode()
    section = re.search(r'data-testid="home-themes">(.*?)</section>', html, re.S).group(1)
    assert 'href="/services/themes/"' in section
    assert 'href="/services/themes/after-death/"' in section
    assert "licences" not in section  # the home row shows themes for individuals
    assert 'href="/services/themes/"' in client.get(reverse("catalog:index")).content.decode()
