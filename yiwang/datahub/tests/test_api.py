"""/api/v1/data/: scoped like the pages, keyset pages, constant queries; the shared search
finds a resource by the name of one of its items."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.datahub import actions, queries
from yiwang.search import api as search_api

pytestmark = pytest.mark.django_db

LIST = "/api/v1/data/resources"


def publish_more(make_resource, admin_scj, authority, n):
    for i in range(n):
        resource = make_resource(name=f"资源{i}")
        actions.submit(actor=admin_scj, resource=resource)
        actions.publish(actor=authority, resource=resource)


def test_list_is_scoped(client, published, make_resource, admin_mzj, citizen):
    draft = make_resource(name="食品生产许可信息")
    client.force_login(admin_mzj)
    body = client.get(LIST).json()
    assert [r["code"] for r in body["items"]] == [published.code]
    assert body["items"][0]["status"] == "published"
    assert client.get(f"{LIST}/{draft.code}").status_code == 404
    client.force_login(citizen)
    assert client.get(LIST).json()["items"] == []
    assert client.get(f"{LIST}/{published.code}").status_code == 404


def test_anonymous_is_refused(client, published):
    assert client.get(LIST).status_code == 401


def test_detail_gives_the_published_version_or_the_working_copy(
    client, published, admin_scj, admin_mzj
):
    actions.revise(actor=admin_scj, resource=published)
    actions.update_resource(actor=admin_scj, resource=published, name="新名称")
    client.force_login(admin_mzj)
    body = client.get(f"{LIST}/{published.code}").json()
    assert body["name"] == "食品经营许可信息" and body["status"] == "published"
    assert body["version"] == 1 and body["key_item"] == "licence_no"
    assert [i["column"] for i in body["items"]][-1] == "legal_rep_id"
    client.force_login(admin_scj)
    body = client.get(f"{LIST}/{published.code}").json()
    assert body["name"] == "新名称" and body["status"] == "draft"


def test_cursor_pages_and_constant_queries(
    client, published, make_resource, admin_scj, admin_mzj, authority
):
    client.force_login(admin_mzj)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"limit": 100})
    publish_more(make_resource, admin_scj, authority, 6)
    with CaptureQueriesContext(connection) as many:
        body = client.get(LIST, {"limit": 100}).json()
    assert len(many) == len(few)
    assert len(body["items"]) == 7
    first = client.get(LIST, {"limit": 3}).json()
    second = client.get(LIST, {"limit": 3, "cursor": first["next_cursor"]}).json()
    codes = [r["code"] for r in first["items"] + second["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 6
    assert client.get(LIST, {"limit": 500}).status_code == 200


def test_filters(client, published, admin_mzj, depts):
    client.force_login(admin_mzj)
    assert client.get(LIST, {"provider": depts["mzj"].pk}).json()["items"] == []
    assert len(client.get(LIST, {"sharing_type": "unconditional"}).json()["items"]) == 1
    response = client.get(LIST, {"sharing_type": "bogus"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


def test_search_finds_a_resource_by_an_item_name(client, published, admin_mzj):
    hits = search_api.find("法定代表人身份证号码", kind="data_resource", public_only=False)
    assert [h.key for h in hits.hits] == [published.code]
    assert search_api.find("法定代表人身份证号码", kind="data_resource").hits == []  # staff only
    assert [
        r.code for r in queries.search(admin_mzj, "经营者名称", queries.catalogue_for(admin_mzj))
    ] == [published.code]
    client.force_login(admin_mzj)
    html = client.get("/data/", {"q": "许可证编号"}).content.decode()
    assert published.code in html
    body = client.get(LIST, {"q": "许可证编号"}).json()
    assert [r["code"] for r in body["items"]] == [published.code]


def test_withdrawn_resources_leave_the_index(
    published, admin_scj, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(actor=admin_scj, resource=published, reasons="停止提供")
    assert search_api.find("许可证编号", kind="data_resource", public_only=False).hits == []


def test_rebuild_registers_the_kind(published):
    from yiwang.search.registry import reindex

    results = reindex(["data_resource"])
    assert results[0].indexed == 1
