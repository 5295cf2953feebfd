"""Pages: scope (other departments never see drafts; hidden resources answer 404), the
editor, review and grade pages, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.datahub import actions
from yiwang.datahub.models import GradePolicy, Resource

from .conftest import licence_fields

pytestmark = pytest.mark.django_db


def page(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_catalogue_lists_published_for_staff_and_own_drafts(
    client, published, make_resource, admin_mzj, reviewer_scj, authority
):
    draft = make_resource(name="食品生产许可信息")
    other_draft = make_resource(
        name="最低生活保障对象信息", provider=admin_mzj.posts.get().department, actor=authority
    )
    url = reverse("datahub:index")
    seen = page(client, admin_mzj, url).content.decode()
    assert published.code in seen and draft.code not in seen and other_draft.code in seen
    seen = page(client, reviewer_scj, url).content.decode()
    assert draft.code in seen and other_draft.code not in seen
    seen = page(client, authority, url).content.decode()
    assert all(r.code in seen for r in (published, draft, other_draft))


def test_drafts_of_other_departments_answer_404(client, draft, admin_mzj):
    response = page(client, admin_mzj, reverse("datahub:resource", args=[draft.code]))
    assert response.status_code == 404
    response = page(client, admin_mzj, reverse("datahub:edit", args=[draft.code]))
    assert response.status_code == 404


def test_citizens_get_nothing(client, published, citizen):
    assert page(client, citizen, reverse("datahub:index")).status_code == 403
    assert (
        page(client, citizen, reverse("datahub:resource", args=[published.code])).status_code == 403
    )


def test_resource_page_shows_metadata_items_and_versions(client, published, admin_mzj):
    html = page(
        client, admin_mzj, reverse("datahub:resource", args=[published.code])
    ).content.decode()
    assert "食品经营许可信息" in html and "legal_rep_id" in html and "v1" in html
    assert "大埔县市场监督管理局" in html
    assert "submit-resource" not in html and "publish-resource" not in html


def test_provider_submits_and_authority_publishes_through_the_pages(
    client, draft, admin_scj, authority
):
    client.force_login(admin_scj)
    assert (
        "submit-resource"
        in client.get(reverse("datahub:resource", args=[draft.code])).content.decode()
    )
    client.post(reverse("datahub:submit", args=[draft.code]))
    draft.refresh_from_db()
    assert draft.status == "submitted"
    client.force_login(authority)
    queue = client.get(reverse("datahub:review")).content.decode()
    assert draft.code in queue
    client.post(reverse("datahub:publish", args=[draft.code]))
    draft.refresh_from_db()
    assert draft.status == "published" and draft.version == 1


def test_return_without_reasons_shows_the_error(client, draft, admin_scj, authority):
    actions.submit(actor=admin_scj, resource=draft)
    client.force_login(authority)
    response = client.post(
        reverse("datahub:return", args=[draft.code]), {"reasons": ""}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert response.status_code == 200


def test_review_queue_is_the_authoritys(client, admin_scj):
    assert page(client, admin_scj, reverse("datahub:review")).status_code == 403


def test_the_workflow_buttons_refuse_others(client, draft, admin_mzj, admin_scj):
    client.force_login(admin_mzj)
    assert client.post(reverse("datahub:submit", args=[draft.code])).status_code == 404
    actions.submit(actor=admin_scj, resource=draft)
    client.force_login(admin_scj)
    assert client.post(reverse("datahub:publish", args=[draft.code])).status_code == 403


def _editor_post(depts, **overrides) -> dict:
    data = {
        "name": "最低生活保障对象信息",
        "classification": "302",
        "provider": str(depts["mzj"].pk),
        "summary": "本县城乡最低生活保障对象的认定和保障金发放信息。",
        "format": "database",
        "sharing_type": "conditional",
        "sharing_conditions": "仅用于社会救助、政务服务核验",
        "sharing_method": "interface",
        "legal_basis": "《社会救助暂行办法》；《政务数据共享条例》",
        "open_type": "closed",
        "update_cycle": "monthly",
        "release_date": "",
        "key_item": "id_number",
        "related": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "300",
        "items-0-name": "姓名",
        "items-0-column": "real_name",
        "items-0-data_type": "string",
        "items-0-grade": "g3",
        "items-0-mask": "name",
        "items-0-ORDER": "2",
        "items-1-name": "公民身份号码",
        "items-1-column": "id_number",
        "items-1-data_type": "string",
        "items-1-max_length": "18",
        "items-1-grade": "g4",
        "items-1-personal": "on",
        "items-1-ORDER": "1",
        "items-2-data_type": "string",
    }
    data.update(overrides)
    return data


def test_editor_creates_a_resource_with_items(client, depts, admin_mzj):
    client.force_login(admin_mzj)
    assert client.get(reverse("datahub:create")).status_code == 200
    response = client.post(reverse("datahub:create"), _editor_post(depts))
    resource = Resource.objects.get()
    assert response.status_code == 302 and response.url == f"/data/r/{resource.code}/"
    assert [i.column for i in resource.items.order_by("order")] == ["id_number", "real_name"]
    assert resource.key_item.column == "id_number"
    assert resource.items.get(column="id_number").mask == "hidden"  # 四级 default


def test_editor_shows_errors_next_to_the_rows(client, depts, admin_mzj):
    client.force_login(admin_mzj)
    response = client.post(
        reverse("datahub:create"),
        _editor_post(depts, **{"items-0-column": "Bad Column", "legal_basis": ""}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_legal_basis_error"' in html
    assert "姓名" in html and "field-error" in html
    assert not Resource.objects.exists()


def test_editor_edits_an_existing_resource(client, draft, admin_scj):
    client.force_login(admin_scj)
    html = client.get(reverse("datahub:edit", args=[draft.code])).content.decode()
    assert "legal_rep_id" in html
    items = list(draft.items.order_by("order"))
    data = {
        **{k: v for k, v in licence_fields({"scj": draft.provider}).items() if isinstance(v, str)},
        "provider": str(draft.provider_id),
        "key_item": "licence_no",
        "related": "",
        "release_date": "",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "3",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "300",
    }
    for n, item in enumerate(items):
        data.update(
            {
                f"items-{n}-id": str(item.pk),
                f"items-{n}-name": item.name,
                f"items-{n}-column": item.column,
                f"items-{n}-data_type": item.data_type,
                f"items-{n}-grade": item.grade,
                f"items-{n}-mask": item.mask,
                f"items-{n}-ORDER": str(n + 1),
            }
        )
    data["items-1-DELETE"] = "on"
    response = client.post(reverse("datahub:edit", args=[draft.code]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert draft.items.count() == 2


def test_editor_of_a_published_resource_redirects(client, published, admin_scj):
    client.force_login(admin_scj)
    response = client.get(reverse("datahub:edit", args=[published.code]))
    assert response.status_code == 302


def test_editor_is_for_data_administrators(client, clerk, citizen):
    assert page(client, clerk, reverse("datahub:create")).status_code == 403
    assert page(client, clerk, reverse("datahub:manage")).status_code == 403


def test_manage_lists_my_departments_resources(client, draft, admin_scj, admin_mzj):
    assert draft.code in page(client, admin_scj, reverse("datahub:manage")).content.decode()
    assert draft.code not in page(client, admin_mzj, reverse("datahub:manage")).content.decode()


def test_suggest_fills_grade_and_mask_out_of_band(client, admin_scj):
    client.force_login(admin_scj)
    response = client.post(
        reverse("datahub:suggest"),
        {
            "row": "items-4",
            "items-4-name": "证件号码",
            "items-4-column": "zjhm",
            "items-4-samples": "11010519491231002X\n440524188001010014",
        },
    )
    html = response.content.decode()
    assert 'id="id_items-4-grade"' in html and 'hx-swap-oob="true"' in html
    assert '<option value="g4" selected>' in html
    assert '<option value="id_number" selected>' in html
    assert client.post(reverse("datahub:suggest"), {"row": "x"}).status_code == 404


def test_grades_page_edits_for_the_authority_only(client, authority, admin_scj):
    client.force_login(admin_scj)
    assert client.get(reverse("datahub:grades")).status_code == 200
    assert client.post(reverse("datahub:grades"), {"grade": "g1"}).status_code == 403
    client.force_login(authority)
    response = client.post(
        reverse("datahub:grades"),
        {
            "grade": "g2",
            "loosest_sharing": "conditional",
            "default_mask": "none",
            "approval_route": "authority",
        },
    )
    assert response.status_code == 302
    policy = GradePolicy.objects.get(grade="g2")
    assert policy.loosest_sharing == "conditional" and not policy.may_open


def test_catalogue_filters(client, published, make_resource, authority, admin_scj):
    other = make_resource(
        name="个体工商户登记信息",
        classification="102",
        sharing_type="conditional",
        sharing_conditions="仅限政务服务核验",
        legal_basis="《政务数据共享条例》",
    )
    client.force_login(admin_scj)
    url = reverse("datahub:index")
    html = client.get(url, {"kind": "1"}).content.decode()
    assert other.code in html and published.code not in html
    html = client.get(url, {"sharing_type": "unconditional"}).content.decode()
    assert published.code in html and other.code not in html
    html = client.get(
        url, {"classification": "301", "provider": "abc", "open_type": "x"}
    ).content.decode()
    assert published.code in html and other.code not in html


def test_catalogue_list_query_count_is_constant(
    client, published, make_resource, admin_mzj, admin_scj, authority
):
    def publish_more(n):
        for i in range(n):
            resource = make_resource(name=f"资源{i}")
            actions.submit(actor=admin_scj, resource=resource)
            actions.publish(actor=authority, resource=resource)

    client.force_login(admin_mzj)
    url = reverse("datahub:index")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    publish_more(8)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
