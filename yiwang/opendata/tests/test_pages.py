"""The public pages: list, Chinese search, filters, a dataset, 404 for what is not open, hidden
items never shown, the portal link, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.datahub import actions
from yiwang.search import api as search_api

from .conftest import name

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    html = response.content.decode()
    return sorted(part.split('"', 1)[0] for part in html.split('data-name="')[1:])


def test_list_shows_only_open_datasets_anonymously(client, open_set):
    response = client.get("/open/")
    assert response.status_code == 200
    assert listed(response) == sorted(name(open_set[k]) for k in ("licence", "hotline", "welfare"))
    html = response.content.decode()
    assert "内部工作台账" not in html and "已撤回" not in html and "尚未发布" not in html


def test_search_in_chinese_finds_by_item_name_and_provider(client, open_set):
    assert listed(client.get("/open/", {"q": "热线"})) == [name(open_set["hotline"])]
    # an item name (alias) and the provider's name find the licence data
    assert name(open_set["licence"]) in listed(client.get("/open/", {"q": "经营者名称"}))
    found = listed(client.get("/open/", {"q": "市场监督管理局"}))
    assert name(open_set["licence"]) in found
    assert name(open_set["hotline"]) not in found


def test_search_never_finds_hidden_items_or_closed_resources(client, open_set):
    assert listed(client.get("/open/", {"q": "法定代表人身份证号码"})) == []
    assert listed(client.get("/open/", {"q": "内部工作台账"})) == []
    hits = search_api.find("内部工作台账", kind="open_dataset", public_only=True).hits
    assert hits == []


def test_filters_by_provider_and_classification(client, open_set, depts):
    by_provider = listed(client.get("/open/", {"provider": depts["mzj"].pk}))
    assert by_provider == [name(open_set["welfare"])]
    assert listed(client.get("/open/", {"classification": "315"})) == [name(open_set["hotline"])]
    assert listed(client.get("/open/", {"classification": "3"})) == sorted(
        name(open_set[k]) for k in ("licence", "hotline", "welfare")
    )
    response = client.get("/open/", {"provider": "abc", "classification": "x' or 1"})
    assert response.status_code == 200  # bad filters are ignored


def test_dataset_page(client, open_set):
    resource = open_set["licence"]
    response = client.get(f"/open/{name(resource)}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "食品经营许可信息",
        resource.summary,
        "大埔县市场监督管理局",
        resource.code,
        "v1",
        "许可证编号",
        "licence_no",
        "经营者名称",
        "企业或个体工商户名称",
        f"/dataset/{name(resource)}.jsonld",
        f"/dataset/{name(resource)}.ttl",
        f"/api/3/action/package_show?id={name(resource)}",
    ):
        assert text in html, text
    # the hidden item is never shown
    assert "法定代表人身份证号码" not in html and "legal_rep_id" not in html


def test_conditional_dataset_page(client, open_set):
    response = client.get(f"/open/{name(open_set['welfare'])}/")
    assert response.status_code == 200
    assert 'data-testid="open-type"' in response.content.decode()


@pytest.mark.parametrize("key", ["closed", "gone", "draft"])
def test_closed_withdrawn_and_unpublished_are_404(client, open_set, key):
    resource = open_set[key]
    assert client.get(f"/open/{name(resource)}/").status_code == 404
    assert client.get(f"/dataset/{name(resource)}.ttl").status_code == 404
    assert client.get(f"/dataset/{name(resource)}.jsonld").status_code == 404
    assert client.get(f"/dataset/{name(resource)}").status_code == 404


def test_unknown_dataset_is_404(client, open_set):
    assert client.get("/open/dataset-999999/").status_code == 404
    assert client.get("/open/no-such-thing/").status_code == 404


def test_dataset_iri_redirects_to_its_page(client, open_set):
    resource = open_set["licence"]
    response = client.get(f"/dataset/{name(resource)}")
    assert response.status_code == 303
    assert response["Location"] == f"/open/{name(resource)}/"


def test_withdrawal_and_republication_update_the_portal_and_search(
    client, open_set, authority, django_capture_on_commit_callbacks
):
    resource = open_set["hotline"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(actor=authority, resource=resource, reasons="口径调整")
    assert client.get(f"/open/{name(resource)}/").status_code == 404
    assert listed(client.get("/open/", {"q": "热线"})) == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.revise(actor=authority, resource=resource)
        resource.refresh_from_db()
        actions.update_resource(actor=authority, resource=resource, name="12345热线诉求统计")
        actions.submit(actor=authority, resource=resource)
        actions.publish(actor=authority, resource=resource)
    response = client.get(f"/open/{name(resource)}/")
    assert response.status_code == 200 and "12345热线诉求统计" in response.content.decode()
    assert listed(client.get("/open/", {"q": "诉求统计"})) == [name(resource)]


def test_a_draft_of_a_published_resource_never_leaks(client, open_set, authority):
    resource = open_set["licence"]
    actions.revise(actor=authority, resource=resource)
    resource.refresh_from_db()
    actions.update_resource(actor=authority, resource=resource, name="改名草稿")
    html = client.get(f"/open/{name(resource)}/").content.decode()
    assert "食品经营许可信息" in html and "改名草稿" not in html


def test_api_guide(client, open_set):
    response = client.get("/open/api/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "/api/3/action/package_search",
        "curl",
        "/catalog.ttl",
        "package_show",
        "tag_list",
        "/open/&lt;name&gt;/data.csv",
        "/open/&lt;name&gt;/data.json",
        "/open/&lt;name&gt;/data.xlsx",
        f"/open/{name(open_set['licence'])}/data.csv",  # an example that works
        "tracking_summary",
    ):
        assert text in html, text


def test_portal_links_to_open_data(client, open_set):
    html = client.get("/").content.decode()
    assert 'href="/open/"' in html


def test_list_query_count_is_constant(client, open_set, publish):
    client.get("/open/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get("/open/")
    for i in range(6):
        publish(name=f"公开数据集{i}", provider="sjj", classification="315")
    with CaptureQueriesContext(connection) as many:
        client.get("/open/")
    assert len(many) == len(few)


def test_dataset_page_query_count(client, open_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(f"/open/{name(open_set['licence'])}/").status_code == 200
