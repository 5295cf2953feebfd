"""The catalogue actions: registering and editing with items, code allocation, audit,
permissions and bad input (nothing written)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.datahub import actions
from yiwang.datahub.models import DataItem, Resource

from .conftest import licence_fields, licence_items

pytestmark = pytest.mark.django_db


def test_create_allocates_the_code_and_writes_items(draft, admin_scj):
    assert draft.code == "301001"
    assert draft.sequence == 1
    assert draft.status == "draft" and draft.version == 0
    assert draft.created_by == admin_scj
    items = list(draft.items.order_by("order"))
    assert [i.column for i in items] == ["licence_no", "operator_name", "legal_rep_id"]
    assert [i.order for i in items] == [1, 2, 3]
    assert draft.key_item == items[0]
    # an item without a sharing type shares as its grade allows (四级: conditional at most)
    assert items[2].sharing_type == "conditional"
    # and without a mask gets its grade's default
    assert items[1].mask == "none"
    entry = AuditEntry.objects.get(action="datahub.create")
    assert entry.object_id == str(draft.pk)


def test_codes_run_per_classification(make_resource, depts):
    make_resource()
    second = make_resource(name="食品生产许可信息")
    other = make_resource(name="个体工商户登记信息", classification="102")
    assert second.code == "301002"
    assert other.code == "102001"


def test_code_allocation_stops_when_a_classification_is_full(make_resource, monkeypatch):
    from yiwang.datahub.actions import _common

    monkeypatch.setattr(_common, "MAX_SEQUENCE", 1)
    make_resource()
    with pytest.raises(ValidationError) as caught:
        make_resource(name="另一个")
    assert "classification" in caught.value.message_dict
    assert Resource.objects.count() == 1


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen", "reviewer_scj"])
def test_only_the_provider_admin_or_authority_registers(who, request, depts):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_resource(actor=actor, **licence_fields(depts))
    assert not Resource.objects.exists()
    assert not AuditEntry.objects.filter(action="datahub.create").exists()


def test_the_authority_registers_for_any_department(authority, depts):
    resource = actions.create_resource(actor=authority, **licence_fields(depts))
    assert resource.provider == depts["scj"]


def test_bad_input_names_every_field_and_writes_nothing(depts, admin_scj):
    items = licence_items()
    items[1]["column"] = "Operator Name"
    items[2]["name"] = "许可证编号"
    fields = licence_fields(
        depts,
        name="",
        sharing_type="conditional",
        classification="3",
        update_cycle="hourly",
        items=items,
        key_item="nope",
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.create_resource(actor=admin_scj, **fields)
    errors = caught.value.message_dict
    assert set(errors) >= {
        "name",
        "classification",
        "update_cycle",
        "sharing_conditions",
        "legal_basis",
        "items-1-column",
        "items-2-name",
        "key_item",
    }
    assert "经营者名称" in errors["items-1-column"][0]
    assert "许可证编号 appears twice" in errors["items-2-name"][0]
    assert "top class" in errors["classification"][0]
    assert not Resource.objects.exists() and not DataItem.objects.exists()


def test_an_item_cannot_be_looser_than_its_resource(depts, admin_scj):
    items = licence_items()
    items[0]["sharing_type"] = "unconditional"
    fields = licence_fields(
        depts,
        sharing_type="conditional",
        sharing_conditions="仅限市场监管执法和政务服务使用",
        legal_basis="《政务数据共享条例》第十三条",
        items=items,
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.create_resource(actor=admin_scj, **fields)
    message = caught.value.message_dict["items-0-sharing_type"][0]
    assert "许可证编号" in message and "looser than the resource" in message


def test_grade_policy_limits_the_sharing_type(depts, admin_scj):
    items = licence_items()
    items[2]["sharing_type"] = "unconditional"
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.create_resource(actor=admin_scj, **licence_fields(depts, items=items))
    message = caught.value.message_dict["items-2-sharing_type"][0]
    assert "法定代表人身份证号码 is graded" in message and "Shared on conditions" in message


def test_an_open_resource_hides_items_whose_grade_may_not_be_opened(depts, admin_scj):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.create_resource(actor=admin_scj, **licence_fields(depts, open_type="open"))
    assert "法定代表人身份证号码" in caught.value.message_dict["items-2-mask"][0]
    items = licence_items()
    items[2]["mask"] = "hidden"
    resource = actions.create_resource(
        actor=admin_scj, **licence_fields(depts, open_type="open", items=items)
    )
    assert resource.open_type == "open"


def test_update_creates_updates_deletes_and_reorders_items_in_one_call(draft, admin_scj):
    by_column = {i.column: i for i in draft.items.all()}
    items = [
        {"id": by_column["legal_rep_id"].pk, **licence_items()[2]},
        {"id": by_column["licence_no"].pk, **licence_items()[0], "name": "许可证号"},
        {"name": "经营场所", "column": "premises", "grade": "g3", "mask": "address"},
    ]
    actions.update_resource(actor=admin_scj, resource=draft, items=items, summary="新摘要")
    draft.refresh_from_db()
    rows = list(draft.items.order_by("order"))
    assert [r.column for r in rows] == ["legal_rep_id", "licence_no", "premises"]
    assert rows[1].name == "许可证号" and rows[1].pk == by_column["licence_no"].pk
    assert not DataItem.objects.filter(pk=by_column["operator_name"].pk).exists()
    assert draft.key_item_id == by_column["licence_no"].pk  # the key stays on its column
    assert draft.summary == "新摘要"
    entry = AuditEntry.objects.get(action="datahub.update")
    assert entry.summary["before"]["status"] == "draft"


def test_two_items_may_swap_columns(draft, admin_scj):
    rows = list(draft.items.order_by("order"))
    items = [{"id": r.pk, **spec} for r, spec in zip(rows, licence_items(), strict=True)]
    items[0]["column"], items[1]["column"] = "operator_name", "licence_no"
    actions.update_resource(actor=admin_scj, resource=draft, items=items, key_item="licence_no")
    rows[0].refresh_from_db()
    assert rows[0].column == "operator_name"


def test_bad_update_changes_nothing(draft, admin_scj):
    items = [{**licence_items()[0], "column": "1bad"}]
    with pytest.raises(ValidationError):
        actions.update_resource(actor=admin_scj, resource=draft, items=items, name="改名")
    draft.refresh_from_db()
    assert draft.name == "食品经营许可信息" and draft.items.count() == 3
    assert not AuditEntry.objects.filter(action="datahub.update").exists()


def test_update_refuses_foreign_items_and_a_new_provider(draft, admin_scj, depts):
    with pytest.raises(ValidationError) as caught:
        actions.update_resource(
            actor=admin_scj,
            resource=draft,
            provider=depts["mzj"],
            items=[{"id": 999999, **licence_items()[0]}],
        )
    assert {"provider", "items-0-name"} <= set(caught.value.message_dict)


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen"])
def test_update_is_for_the_provider(who, request, draft):
    with pytest.raises(PermissionDenied):
        actions.update_resource(actor=request.getfixturevalue(who), resource=draft, name="改名")
    draft.refresh_from_db()
    assert draft.name == "食品经营许可信息"


def test_classification_change_reallocates_the_code_before_publication(draft, admin_scj):
    actions.update_resource(actor=admin_scj, resource=draft, classification="204")
    assert draft.code == "204001"


def test_related_resources_by_code(make_resource, admin_scj):
    first = make_resource()
    second = make_resource(name="食品生产许可信息", related=[first.code])
    assert list(second.related.all()) == [first]
    assert list(first.related.all()) == []  # not symmetrical
    with pytest.raises(ValidationError) as caught:
        actions.update_resource(actor=admin_scj, resource=second, related=[second.code, "999"])
    assert "related" in caught.value.message_dict
