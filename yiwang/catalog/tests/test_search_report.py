"""The search report for the catalogue back office, its Excel export, and adding a query as an
item's alias from it (``catalog.actions.add_alias``)."""

import datetime
import re
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions
from yiwang.catalog.models import ServiceItem
from yiwang.search import api, popular
from yiwang.testing import county as build

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
REPORT = reverse("catalog:search_report")
ALIAS = reverse("catalog:search_report_alias")


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _searched(query, times=1, *, found=True, days_ago=0):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    for _ in range(times):
        popular.record_query(query, kind="item", found=found, day=day)


def _rows(html, section):
    part = re.search(rf'data-testid="report-{section}">(.*?)</section>', html, re.S).group(1)
    return re.findall(r'data-testid="report-row" data-query="([^"]*)"', part)


@pytest.fixture
def searches(published_food):
    _searched("开饭店", 5)
    popular.record_click("开饭店", kind="item", key=published_food.pk)
    _searched("结婚登记", 3)  # results, never opened
    _searched("手机屏幕碎了", 4, found=False)
    _searched("社保卡", 6, days_ago=20)  # outside the last 7 days


def test_the_report_lists_top_unclicked_and_empty_queries(client, authority, searches):
    _login(client, authority)
    response = client.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html, "top") == ["社保卡", "开饭店", "手机屏幕碎了", "结婚登记"]
    assert _rows(html, "unclicked") == ["社保卡", "结婚登记"]
    assert _rows(html, "empty") == ["手机屏幕碎了"]
    top = {s.query: s for s in response.context["report"].top}
    assert (top["开饭店"].searches, top["开饭店"].empty, top["开饭店"].clicks) == (5, 0, 1)
    # each row links to the public results, the lexicon form and the alias page
    assert f'href="{reverse("catalog:index")}?q=%E5%BC%80%E9%A5%AD%E5%BA%97"' in html
    assert 'data-testid="add-synonym"' in html
    assert f"{reverse('catalog:lexicon_add')}?term=" in html
    assert f"{ALIAS}?q=" in html


@pytest.mark.parametrize(("days", "shown"), [("7", 7), ("90", 90), ("abc", 30), ("365", 30)])
def test_the_period_is_chosen_among_7_30_and_90_days(client, authority, searches, days, shown):
    _login(client, authority)
    response = client.get(REPORT, {"days": days})
    assert response.status_code == 200
    assert response.context["report"].days == shown
    assert ("社保卡" in _rows(response.content.decode(), "top")) == (shown > 7)


def test_department_admins_see_the_report_without_the_lexicon_links(client, admin_mzj, searches):
    _login(client, admin_mzj)
    response = client.get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html, "empty") == ["手机屏幕碎了"]
    assert 'data-testid="add-synonym"' not in html
    assert 'data-testid="add-alias"' in html


def test_others_may_not_see_the_report(client, reviewer_scj, searches):
    for url in (REPORT, reverse("catalog:search_report_export"), ALIAS):
        assert client.get(url).status_code == 302  # anonymous: to the login page
    citizen = build.make_citizen()
    for user in (citizen, reviewer_scj):
        client.force_login(user)
        for url in (REPORT, reverse("catalog:search_report_export"), ALIAS):
            assert client.get(url).status_code == 403, (user, url)


def test_the_report_reads_a_constant_number_of_queries(client, authority, published_food):
    _login(client, authority)
    _searched("开饭店", 2)
    client.get(REPORT)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        client.get(REPORT)
    for n in range(30):
        _searched(f"查询{n}号", 1 + n % 3, found=n % 2 == 0)
    with CaptureQueriesContext(connection) as many:
        response = client.get(REPORT)
    assert len(response.context["report"].top) == 31
    assert len(many) == len(few)


def test_the_report_exports_to_excel(client, authority, searches):
    _login(client, authority)
    response = client.get(reverse("catalog:search_report_export"), {"days": "90"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    top, unclicked, empty = book.worksheets
    assert [row[0] for row in top.iter_rows(min_row=2, values_only=True)] == [
        "社保卡",
        "开饭店",
        "手机屏幕碎了",
        "结婚登记",
    ]
    assert list(empty.iter_rows(min_row=2, values_only=True)) == [("手机屏幕碎了", 4, 4, 0, None)]
    assert unclicked.max_row == 3


# --- adding a query as an alias ---------------------------------------------------------------


def test_the_alias_page_offers_the_items_the_admin_manages(client, admin_scj, published_food):
    _login(client, admin_scj)
    response = client.get(ALIAS, {"q": "卖盒饭", "words": "食品经营"})
    assert response.status_code == 200
    assert [i.pk for i in response.context["items"]] == [published_food.pk]
    html = response.content.decode()
    assert f'value="{published_food.pk}"' in html
    # words default to the query itself; nothing matches it yet
    assert client.get(ALIAS, {"q": "卖盒饭"}).context["items"] == []


def test_the_alias_page_leaves_out_items_of_other_departments(client, admin_mzj, published_food):
    _login(client, admin_mzj)
    response = client.get(ALIAS, {"q": "卖盒饭", "words": "食品经营"})
    assert response.status_code == 200
    assert response.context["items"] == []
    response = client.post(ALIAS, {"q": "卖盒饭", "item": published_food.pk})
    assert response.status_code == 404
    published_food.refresh_from_db()
    assert "卖盒饭" not in published_food.aliases


def test_adding_an_alias_makes_the_search_find_the_item(
    client, admin_scj, published_food, django_capture_on_commit_callbacks
):
    assert published_food.pk not in _found("卖盒饭")
    _login(client, admin_scj)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ALIAS}?days=7", {"q": "卖盒饭", "words": "食品经营", "item": published_food.pk}
        )
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?days=7"
    published_food.refresh_from_db()
    assert published_food.aliases.endswith(",卖盒饭")
    assert published_food.changed_since_publish  # aliases are part of the published guide
    assert _found("卖盒饭")[0] == published_food.pk
    entry = AuditEntry.objects.filter(action="catalog.add_alias").get()
    assert entry.object_id == str(published_food.pk)
    assert entry.actor_id == admin_scj.pk
    assert entry.summary["after"]["aliases"] == published_food.aliases


def _found(query):
    return [int(hit.key) for hit in api.find(query, kind="item").hits]


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("开饭店", "duplicate"),  # already an alias
        ("食品经营许可（新办）", "duplicate"),  # the name itself
        ("开 饭店", "invalid"),
        ("卖盒饭,卖快餐", "invalid"),
        ("很" * 31, "invalid"),
    ],
)
def test_bad_aliases_are_refused_and_nothing_changes(published_food, authority, alias, code):
    before = ServiceItem.objects.get(pk=published_food.pk).aliases
    with pytest.raises(ValidationError) as caught:
        actions.add_alias(actor=authority, item=published_food, alias=alias)
    assert caught.value.error_dict["alias"][0].code == code
    assert ServiceItem.objects.get(pk=published_food.pk).aliases == before
    assert not AuditEntry.objects.filter(action="catalog.add_alias").exists()


def test_an_alias_that_would_overflow_the_aliases_is_refused(published_food, authority):
    many = ",".join(f"别名{n:07d}" for n in range(200))  # 1,999 characters: the form's limit
    actions.update_item(actor=authority, item=published_food, aliases=many)
    with pytest.raises(ValidationError) as caught:
        actions.add_alias(actor=authority, item=published_food, alias="卖盒饭")
    assert caught.value.error_dict["alias"][0].code == "too_long"


def test_only_who_manages_the_item_may_add_an_alias(published_food, admin_mzj, reviewer_scj):
    for user in (admin_mzj, reviewer_scj, None):
        with pytest.raises(PermissionDenied):
            actions.add_alias(actor=user, item=published_food, alias="卖盒饭")
    assert "卖盒饭" not in ServiceItem.objects.get(pk=published_food.pk).aliases


def test_the_alias_page_shows_a_refusal_next_to_the_items(client, admin_scj, published_food):
    _login(client, admin_scj)
    response = client.post(ALIAS, {"q": "开饭店", "words": "食品", "item": published_food.pk})
    assert response.status_code == 200
    assert 'data-testid="alias-errors"' in response.content.decode()
    assert response.context["items"]  # the choice is offered again
