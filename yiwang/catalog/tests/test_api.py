import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.catalog import actions
from yiwang.catalog.process import default_process

from .conftest import food_fields

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalog/items"


@pytest.fixture
def many(depts, item_types, authority, django_capture_on_commit_callbacks):
    items = []
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(7):
            item = actions.create_item(
                actor=authority,
                **food_fields(
                    depts,
                    name=f"事项{n}",
                    main_number=f"{n + 1:05d}",
                    department=depts["scj" if n % 2 else "mzj"],
                ),
            )
            actions.set_materials(actor=authority, item=item, materials=[{"name": "申请书"}])
            actions.set_process(actor=authority, item=item, steps=default_process(item))
            if n != 3:
                actions.publish_item(actor=authority, item=item)
            items.append(item)
    return items


def test_keyset_pagination_lists_published_only(client, many):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor is not None else {})}
        body = client.get(URL, params).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(i.pk for i in many if i.name != "事项3")
    assert pages == 3
    first = client.get(URL, {"limit": 1}).json()["items"][0]
    assert first["implementation_code"] == many[0].implementation_code
    assert first["url"] == f"/services/{many[0].pk}/"


def test_department_filter_and_limit_cap(client, many, depts):
    body = client.get(URL, {"department": depts["scj"].uscc, "limit": 1000}).json()
    assert {i["department"]["uscc"] for i in body["items"]} == {depts["scj"].uscc}
    assert len(body["items"]) == 2  # 事项1, 事项5 (事项3 is a draft)
    assert client.get(URL, {"limit": 0}).status_code == 422


def test_query_count_independent_of_page_size(client, many):
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(URL, {"limit": 1}).json()["items"]) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(URL, {"limit": 100}).json()["items"]) == 6
    assert len(small) == len(large)


def test_detail_has_the_full_guide(client, many):
    item = many[0]
    body = client.get(f"{URL}/{item.pk}").json()
    assert body["name"] == "事项0"
    assert body["basic_code"] == item.basic_code
    assert body["materials"][0]["name"] == "申请书"
    assert [s["kind"] for s in body["process"]["steps"]] == [
        "accept",
        "review",
        "decide",
        "conclude",
    ]
    assert body["form_schema"]["properties"]["premises"]["title"] == "经营场所"
    assert body["statutory_limit"] == 20 and body["promised_limit"] == 5
    draft = many[3]
    response = client.get(f"{URL}/{draft.pk}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_api_search_is_ranked_like_the_portal(client, django_capture_on_commit_callbacks):
    from yiwang.demo.loader import load_demo

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    data = client.get("/api/v1/catalog/items", {"q": "开饭店要办什么证", "limit": 3}).json()
    assert data["items"][0]["name"].startswith("食品经营许可")
    assert len(data["items"]) == 3 and data["next_cursor"] == 3
    more = client.get(
        "/api/v1/catalog/items", {"q": "开饭店要办什么证", "limit": 3, "cursor": 3}
    ).json()
    assert not {i["id"] for i in more["items"]} & {i["id"] for i in data["items"]}
