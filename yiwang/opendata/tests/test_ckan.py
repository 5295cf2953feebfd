"""The CKAN-compatible API: every action through the real ``ckanapi`` client against a live
server (POST, as ckanapi sends, and GET), CKAN's envelope and errors, and query counts."""

from __future__ import annotations

import json

import ckanapi
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import name

pytestmark = pytest.mark.django_db

OPEN = ("licence", "hotline", "welfare")


# Closed after the test: a kept-alive HTTP connection would keep the live server's request
# thread, and its database session, open.
@pytest.fixture
def portal(live_server, open_set):
    with ckanapi.RemoteCKAN(live_server.url, user_agent="yiwang-tests/1.0") as ckan:
        yield ckan


@pytest.fixture
def portal_get(live_server, open_set):
    with ckanapi.RemoteCKAN(live_server.url, user_agent="yiwang-tests/1.0", get_only=True) as ckan:
        yield ckan


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("client_name", ["portal", "portal_get"])
def test_every_action_through_ckanapi(request, client_name, open_set, depts):
    ckan = request.getfixturevalue(client_name)
    names = sorted(name(open_set[k]) for k in OPEN)

    assert ckan.action.package_list() == names
    assert ckan.action.package_list(limit=1, offset=1) == names[1:2]

    licence = ckan.action.package_show(id=name(open_set["licence"]))
    assert licence["title"] == "食品经营许可信息"
    assert licence["name"] == "dataset-301001"
    assert licence["state"] == "active" and licence["type"] == "dataset"
    assert licence["private"] is False
    assert licence["organization"]["title"] == "大埔县市场监督管理局"
    assert licence["owner_org"] == licence["organization"]["id"]
    assert licence["num_resources"] == len(licence["resources"]) == 6
    assert [r["format"] for r in licence["resources"]] == [
        "CSV",
        "JSON",
        "XLSX",
        "JSON",
        "JSON-LD",
        "Turtle",
    ]
    files = [r for r in licence["resources"] if r["resource_type"] == "file"]
    assert [r["url"].rsplit("/", 1)[1] for r in files] == ["data.csv", "data.json", "data.xlsx"]
    assert licence["tracking_summary"] == {"total": 0, "recent": 0}
    welfare = ckan.action.package_show(id=name(open_set["welfare"]))
    assert welfare["num_resources"] == 3  # conditionally open: metadata only, no data files
    assert licence["num_tags"] == len(licence["tags"]) >= 1
    extras = {e["key"]: e["value"] for e in licence["extras"]}
    assert extras["资源代码"] == "301001"
    assert "法定代表人身份证号码" not in json.dumps(licence, ensure_ascii=False)
    # by id too
    assert ckan.action.package_show(id=licence["id"])["name"] == licence["name"]

    found = ckan.action.package_search(q="热线")
    assert found["count"] == 1
    assert [p["name"] for p in found["results"]] == [name(open_set["hotline"])]
    everything = ckan.action.package_search(rows=2, sort="name asc")
    assert everything["count"] == 3
    assert [p["name"] for p in everything["results"]] == names[:2]
    page_two = ckan.action.package_search(rows=2, start=2, sort="name asc")
    assert [p["name"] for p in page_two["results"]] == names[2:]
    org = licence["organization"]["name"]
    by_org = ckan.action.package_search(fq=f"organization:{org}")
    assert [p["name"] for p in by_org["results"]] == [licence["name"]]
    by_tag = ckan.action.package_search(fq="tags:民政")
    assert [p["name"] for p in by_tag["results"]] == [name(open_set["welfare"])]

    orgs = ckan.action.organization_list()
    assert org in orgs and len(orgs) == 3
    detailed = ckan.action.organization_list(all_fields=True)
    assert {o["name"]: o["package_count"] for o in detailed}[org] == 1
    shown = ckan.action.organization_show(id=org, include_datasets=True)
    assert shown["title"] == "大埔县市场监督管理局"
    assert [p["name"] for p in shown["packages"]] == [licence["name"]]
    assert ckan.action.organization_show(id=shown["id"])["name"] == org

    tags = ckan.action.tag_list()
    assert "市场监督管理" in tags and "民政" in tags

    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="dataset-999999")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=name(open_set["closed"]))
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=name(open_set["gone"]))
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="org-nobody")
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_search(rows="many")
    assert error.value.error_dict["rows"] == ["Invalid integer"]
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_show()
    assert error.value.error_dict["id"] == ["Missing value"]


def test_envelope_cors_and_get(client, open_set):
    response = client.get("/api/3/action/package_show", {"id": name(open_set["licence"])})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["success"] is True
    assert data["help"].endswith("/open/api/#package_show")
    package = data["result"]
    for key in (
        "id",
        "name",
        "title",
        "notes",
        "organization",
        "owner_org",
        "tags",
        "resources",
        "metadata_created",
        "metadata_modified",
        "license_id",
        "license_title",
        "state",
        "type",
        "private",
        "num_resources",
        "num_tags",
        "extras",
    ):
        assert key in package, key
    assert package["license_id"] == "cc-by-4.0" and package["isopen"] is True
    for resource in package["resources"]:
        assert {"id", "name", "format", "url"} <= resource.keys()
        assert resource["url"].startswith("https://data.dabu.example/")


def test_conditional_dataset_licence(client, open_set):
    package = client.get("/api/3/action/package_show", {"id": name(open_set["welfare"])}).json()[
        "result"
    ]
    assert package["license_id"] == "other-closed" and package["isopen"] is False


def test_not_found_format(client, open_set):
    response = client.get("/api/3/action/package_show", {"id": "dataset-404404"})
    assert response.status_code == 404
    data = response.json()
    assert data["success"] is False
    assert data["error"] == {"__type": "Not Found Error", "message": "Not found"}


def test_validation_errors_are_409(client, open_set):
    response = client.get("/api/3/action/package_search", {"rows": "x", "start": "-1"})
    assert response.status_code == 409
    assert response.json()["error"]["__type"] == "Validation Error"
    assert response.json()["error"]["rows"] == ["Invalid integer"]
    response = client.get("/api/3/action/package_search", {"sort": "random"})
    assert response.status_code == 409 and "sort" in response.json()["error"]
    response = client.get("/api/3/action/package_search", {"fq": "secret:1"})
    assert response.status_code == 409 and "fq" in response.json()["error"]


def test_unknown_action_and_bad_body(client, open_set):
    response = client.get("/api/3/action/package_create")
    assert response.status_code == 400 and response.json()["success"] is False
    response = client.post(
        "/api/3/action/package_list", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_post_json_body(client, open_set):
    response = client.post(
        "/api/3/action/package_search",
        data=json.dumps({"q": "许可", "rows": 1}),
        content_type="application/json",
    )
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["count"] >= 1 and len(result["results"]) == 1


def test_rows_are_capped(client, open_set):
    result = client.get("/api/3/action/package_search", {"rows": "5000"}).json()["result"]
    assert result["count"] == 3 and len(result["results"]) == 3
    none = client.get("/api/3/action/package_search", {"rows": "0"}).json()["result"]
    assert none["count"] == 3 and none["results"] == []


def test_search_sorted_by_modification(client, open_set):
    result = client.get("/api/3/action/package_search", {"sort": "metadata_modified desc"}).json()[
        "result"
    ]
    assert result["results"][0]["name"] == name(open_set["welfare"])


def test_tag_list_query(client, open_set):
    assert client.get("/api/3/action/tag_list", {"query": "民"}).json()["result"] == ["民政"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/3/action/package_list",
        "/api/3/action/package_search?rows=1000",
        "/api/3/action/package_search?q=许可&rows=1000",
        "/api/3/action/organization_list?all_fields=true",
        "/api/3/action/tag_list",
        "/catalog.ttl",
    ],
)
def test_query_counts_do_not_grow_with_rows(client, open_set, publish, url):
    client.get(url)  # warm the search and other caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(5):
        publish(name=f"许可统计{i}", provider="mzj", classification="302")
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_package_show_queries(client, open_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/api/3/action/package_show", {"id": name(open_set["licence"])})


def test_download_counts_in_tracking_summary(client, open_set):
    resource = open_set["licence"]
    for fmt in ("csv", "csv", "json"):
        assert client.get(f"/open/{name(resource)}/data.{fmt}").status_code == 200
    package = client.get("/api/3/action/package_show", {"id": name(resource)}).json()["result"]
    assert package["tracking_summary"] == {"total": 3, "recent": 3}
    by_format = {r["format"]: r["tracking_summary"] for r in package["resources"][:3]}
    assert by_format == {
        "CSV": {"total": 2, "recent": 2},
        "JSON": {"total": 1, "recent": 1},
        "XLSX": {"total": 0, "recent": 0},
    }
    found = client.get("/api/3/action/package_search", {"q": "许可"}).json()["result"]
    totals = {p["name"]: p["tracking_summary"]["total"] for p in found["results"]}
    assert totals[name(resource)] == 3
