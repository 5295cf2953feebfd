"""The staff menus: which groups and links each combination of posts gets."""

import pytest

from yiwang.web.navigation import staff_menu


def _shape(groups):
    return {g.key: [link.key for link in g.links] for g in groups}


def test_reviewer_gets_workbench_and_the_calculator():
    assert _shape(staff_menu({"reviewer"})) == {
        "work": ["workbench", "licences", "licences-use", "notices"],
        "catalogue": ["calculator"],
    }


def test_a_group_with_one_link_is_drawn_as_that_link():
    groups = {g.key: g for g in staff_menu({"reviewer"})}
    assert groups["catalogue"].single is not None
    assert groups["catalogue"].single.url == "/workdays/calculator/"
    assert groups["work"].single is None


def test_many_posts_give_every_group_in_order():
    roles = {"window", "agent", "dispatcher", "handler", "leader", "authority", "auditor"}
    shape = _shape(staff_menu(roles | {"grid_worker"}))
    assert list(shape) == ["work", "hotline", "city", "catalogue", "system"]
    assert shape["hotline"] == ["call", "callbacks", "dispatch", "tickets", "figures"]
    assert shape["city"] == ["map", "events", "grids", "mygrid"]
    # the authority edits the calendar; nobody gets both the calendar and the calculator
    assert shape["catalogue"] == [
        "catalogue",
        "themes",
        "search-report",
        "lexicon",
        "calendar",
        "hotline-config",
        "data-catalogue",
        "data-manage",
        "data-review",
        "data-grades",
        "data-requests",
        "data-sharing-review",
        "data-grants",
        "seals",
    ]
    # the Django admin is for superusers only
    assert shape["system"] == ["audit", "reveals"]


def test_superuser_gets_the_admin_link():
    groups = {g.key: g for g in staff_menu({"auditor"}, superuser=True)}
    assert [link.key for link in groups["system"].links] == ["audit", "reveals", "admin"]
    assert groups["system"].links[-1].url == "/admin/"


@pytest.mark.parametrize(
    ("namespace", "view", "group", "link"),
    [
        ("hotline", "dispatch", "hotline", "dispatch"),
        ("hotline", "stats_hot", "hotline", "figures"),
        ("hotline", "config_categories", "catalogue", "hotline-config"),
        ("grid", "manage_components", "city", "grids"),
        ("grid", "m_report", "city", "mygrid"),
        ("grid", "event_detail", "city", "events"),
        ("catalog", "manage_edit", "catalogue", "catalogue"),
        ("catalog", "search_report_alias", "catalogue", "search-report"),
        ("catalog", "lexicon_edit", "catalogue", "lexicon"),
        ("catalog", "manage_theme_edit", "catalogue", "themes"),
        ("catalog", "manage_import_job", "catalogue", "catalogue"),
    ],
)
def test_the_current_page_marks_its_link_and_group(namespace, view, group, link):
    roles = {"agent", "dispatcher", "handler", "authority", "grid_worker"}
    groups = staff_menu(roles, namespace=namespace, view=view)
    current = [(g.key, lk.key) for g in groups for lk in g.links if lk.current]
    assert current == [(group, link)]
    assert [g.key for g in groups if g.current] == [group]


def test_department_admins_get_the_search_report_but_not_the_lexicon():
    shape = _shape(staff_menu({"dept_admin"}))
    assert shape["catalogue"] == [
        "catalogue",
        "search-report",
        "calculator",
        "data-catalogue",
        "data-manage",
        "data-requests",
        "data-sharing-decide",
        "data-grants",
        "seals",
    ]


@pytest.mark.parametrize("view", ["index", "detail", "themes", "theme", "open"])
def test_the_public_catalogue_is_not_catalogue_management(view):
    groups = staff_menu({"authority"}, namespace="catalog", view=view)
    assert not any(g.current for g in groups)


def test_no_posts_still_get_the_workbench():
    # a staff account whose posts were all ended still reaches its notices
    assert _shape(staff_menu(set())) == {
        "work": ["workbench", "notices"],
        "catalogue": ["calculator"],
    }


def test_top_bar_renders_groups_for_staff_and_plain_links_for_citizens(client, django_user_model):
    from yiwang.accounts.models import Kind

    citizen = django_user_model.objects.create_user(
        username="c1", password="x-Long-password-1", kind=Kind.CITIZEN, real_name="甲"
    )
    client.force_login(citizen)
    html = client.get("/notices/").content.decode()
    assert "data-nav-group" not in html
    assert 'href="/cases/mine/"' in html


def test_licence_links_need_a_post_of_a_department_not_the_superusers_menu_roles():
    def keys(roles, superuser=False):
        return {link.key for g in staff_menu(roles, superuser=superuser) for link in g.links}

    assert {"licences", "licences-use"} <= keys({"reviewer"})
    # A superuser is given dept_admin to see the platform's menus: no department's licences.
    assert not {"licences", "licences-use"} & keys(
        {"window", "authority", "dept_admin", "auditor"}, superuser=True
    )
