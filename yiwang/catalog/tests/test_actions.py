import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.audit.models import AuditEntry
from yiwang.catalog import actions
from yiwang.catalog.models import ItemRevision, ItemStatus, Material, ProcessDefinition, ServiceItem
from yiwang.catalog.process import default_process

from .conftest import FOOD_MATERIALS, USCC, food_fields

pytestmark = pytest.mark.django_db


def test_create_item_by_department_admin(depts, item_types, admin_scj):
    item = actions.create_item(actor=admin_scj, **food_fields(depts))
    assert item.status == ItemStatus.DRAFT
    assert item.version == 0
    assert item.region.code == "441422"
    assert item.level_code == "4"
    assert item.competent_department == depts["scj"]
    assert item.basic_code == "XK00012001"
    assert item.implementation_code == f"XK000120014441422{USCC['scj']}01"
    assert item.form_schema["x-order"][:2] == ["operator_name", "premises"]
    assert item.procedure[1] == {"name": "受理", "description": ""}
    assert AuditEntry.objects.filter(action="catalog.create_item", object_id=str(item.pk)).exists()


def test_other_department_admin_is_denied(depts, item_types, admin_mzj, food_item):
    with pytest.raises(PermissionDenied, match="大埔县市场监督管理局"):
        actions.create_item(actor=admin_mzj, **food_fields(depts, main_number="00013"))
    with pytest.raises(PermissionDenied):
        actions.update_item(actor=admin_mzj, item=food_item, name="改名")
    with pytest.raises(PermissionDenied):
        actions.publish_item(actor=admin_mzj, item=food_item)
    assert ServiceItem.objects.count() == 1
    assert ServiceItem.objects.get().name == "食品经营许可（新办）"


def test_reviewer_cannot_manage(depts, item_types, reviewer_scj):
    with pytest.raises(PermissionDenied):
        actions.create_item(actor=reviewer_scj, **food_fields(depts))


def test_promised_over_statutory_is_rejected(depts, item_types, authority):
    with pytest.raises(ValidationError) as exc:
        actions.create_item(actor=authority, **food_fields(depts, promised_limit=25))
    messages = exc.value.message_dict["promised_limit"]
    assert "承诺时限（25 个工作日）不能超过法定时限（20 个工作日）" in messages[0]
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"main_number": "123"}, "main_number", "5 位数字"),
        ({"sub_number": "1"}, "sub_number", "3 位数字"),
        ({"visits": 3}, "visits", "0、1 或 2"),
        ({"item_type": "ZZ"}, "item_type", "ZZ"),
        ({"channels": ["电报"]}, "channels", "电报"),
        (
            {
                "form_schema": {
                    "type": "object",
                    "properties": {"x": {"type": "file", "title": "附件"}},
                }
            },
            "form_schema",
            "file",
        ),
        ({"form_schema": {"properties": {"a": {"type": "string"}}}}, "form_schema", "title"),
        (
            {
                "form_schema": {
                    "properties": {"a": {"type": "string", "title": "甲", "pattern": "("}}
                }
            },
            "form_schema",
            "正则表达式",
        ),
    ],
)
def test_bad_input(depts, item_types, authority, overrides, field, fragment):
    with pytest.raises(ValidationError) as exc:
        actions.create_item(actor=authority, **food_fields(depts, **overrides))
    assert fragment in " ".join(exc.value.message_dict[field])
    assert not ServiceItem.objects.exists()


def test_duplicate_code_is_rejected(food_item, depts, authority):
    with pytest.raises(ValidationError) as exc:
        actions.create_item(actor=authority, **food_fields(depts, name="另一个"))
    assert "食品经营许可（新办）" in exc.value.message_dict["main_number"][0]


def test_bad_process_is_rejected(food_item, authority):
    good = default_process(food_item)
    cases = [
        ([good[1], good[0], good[2], good[3]], "受理"),
        ([good[0], good[1], good[3]], "决定"),
        ([good[0], good[1], good[2], {**good[3], "key": "accept"}], "唯一"),
        ([good[0], {**good[1], "role": "boss"}, good[2], good[3]], "boss"),
        ([good[0], {**good[1], "limit_days": -1}, good[2], good[3]], "时限"),
        (
            [good[0], {**good[1], "department": "91350100M000100Y4Z"}, good[2], good[3]],
            "91350100M000100Y4Z",
        ),
        ([good[0], good[1], good[3], good[2]], "办结"),
    ]
    for steps, fragment in cases:
        with pytest.raises(ValidationError) as exc:
            actions.set_process(actor=authority, item=food_item, steps=steps)
        assert fragment in " ".join(exc.value.messages), (steps, exc.value.messages)
    assert ProcessDefinition.objects.filter(item=food_item).count() == 1


def test_set_process_versions(food_item, authority, depts):
    first = food_item.active_process()
    steps = default_process(food_item)
    steps.insert(
        2,
        {
            "key": "inspect",
            "name": "现场核查",
            "kind": "review",
            "role": "reviewer",
            "limit_days": 2,
            "department": USCC["mzj"],
        },
    )
    second = actions.set_process(actor=authority, item=food_item, steps=steps)
    assert second.version == first.version + 1
    assert food_item.active_process() == second
    first.refresh_from_db()
    assert not first.active
    assert second.step("inspect")["department"] == USCC["mzj"]
    assert second.next_step("inspect")["key"] == "decide"
    # identical steps do not create a new version
    assert actions.set_process(actor=authority, item=food_item, steps=steps) == second


def test_default_process_limits(food_item):
    steps = default_process(food_item)
    assert [s["kind"] for s in steps] == ["accept", "review", "decide", "conclude"]
    assert [s["limit_days"] for s in steps] == [1, 3, 1, 0]
    assert steps[2]["role"] == "approver"


def test_set_materials_updates_in_place(food_item, authority):
    original = {m.name: m.pk for m in food_item.materials.all()}
    assert list(food_item.materials.values_list("name", flat=True)) == [
        m["name"] for m in FOOD_MATERIALS
    ]
    new = [*FOOD_MATERIALS[1:], {"name": "食品安全管理制度", "form": "original"}]
    actions.set_materials(actor=authority, item=food_item, materials=new)
    names = list(food_item.materials.values_list("name", flat=True))
    assert names == ["营业执照", "法定代表人身份证明", "经营场所平面图", "食品安全管理制度"]
    assert food_item.materials.get(name="营业执照").pk == original["营业执照"]
    assert not Material.all_objects.filter(name="食品经营许可申请书").exists()


def test_set_materials_bad_input(food_item, authority):
    with pytest.raises(ValidationError) as exc:
        actions.set_materials(
            actor=authority,
            item=food_item,
            materials=[
                {"name": "营业执照"},
                {"name": "营业执照"},
                {"name": "", "count": 0},
                {"name": "证明", "replaceable_by": "magic"},
            ],
        )
    text = " ".join(exc.value.messages)
    assert "已列为第 1 项材料" in text
    assert "第 3 项材料需要填写名称" in text
    assert "magic" not in text or "第 4 项材料" in text
    assert food_item.materials.count() == len(FOOD_MATERIALS)


def test_publish_and_edit_rule(food_item, authority, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = actions.publish_item(actor=authority, item=food_item)
    food_item.refresh_from_db()
    assert food_item.status == ItemStatus.PUBLISHED
    assert food_item.version == 1
    assert revision.snapshot["implementation_code"] == food_item.implementation_code
    assert next(m["name"] for m in revision.snapshot["materials"]) == "食品经营许可申请书"
    assert revision.snapshot["process"]["version"] == 1
    with pytest.raises(ValidationError, match="已发布"):
        actions.publish_item(actor=authority, item=food_item)
    # editing a published item keeps it published and flags it
    actions.update_item(actor=authority, item=food_item, promised_limit=3)
    assert food_item.status == ItemStatus.PUBLISHED
    assert food_item.changed_since_publish
    assert food_item.promised_limit == 3
    # code fields are frozen while published
    with pytest.raises(ValidationError) as exc:
        actions.update_item(actor=authority, item=food_item, main_number="00099")
    assert "撤回" in exc.value.message_dict["main_number"][0]
    actions.publish_item(actor=authority, item=food_item)
    assert food_item.version == 2
    assert not food_item.changed_since_publish
    assert ItemRevision.objects.filter(item=food_item).count() == 2


def test_publish_requires_process_and_guide(depts, item_types, authority):
    item = actions.create_item(actor=authority, **food_fields(depts, location=""))
    with pytest.raises(ValidationError) as exc:
        actions.publish_item(actor=authority, item=item)
    text = " ".join(exc.value.messages)
    assert "办理地点和时间" in text
    assert "办理流程" in text
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


def test_withdraw(published_food, authority, admin_mzj):
    with pytest.raises(ValidationError) as exc:
        actions.withdraw_item(actor=authority, item=published_food, reason="  ")
    assert "原因" in exc.value.message_dict["reason"][0]
    with pytest.raises(PermissionDenied):
        actions.withdraw_item(actor=admin_mzj, item=published_food, reason="调整")
    actions.withdraw_item(actor=authority, item=published_food, reason="事项调整，暂停办理")
    assert published_food.status == ItemStatus.WITHDRAWN
    assert published_food.withdrawn_reason == "事项调整，暂停办理"
    with pytest.raises(ValidationError):
        actions.withdraw_item(actor=authority, item=published_food, reason="again")


def test_no_change_no_audit(food_item, authority):
    before = AuditEntry.objects.count()
    actions.update_item(actor=authority, item=food_item, name=food_item.name)
    actions.set_materials(actor=authority, item=food_item, materials=FOOD_MATERIALS)
    assert AuditEntry.objects.count() == before


def test_no_actor_is_not_the_platform(depts, item_types):
    # Regression: ``actor=None`` (or a bare label) used to pass every catalogue check.
    from yiwang.audit.actors import SystemActor
    from yiwang.catalog.permissions import is_catalog_authority

    assert is_catalog_authority(SystemActor("import_catalog"))
    assert not is_catalog_authority(None) and not is_catalog_authority("import_catalog")
    for nobody in (None, "import_catalog"):
        with pytest.raises(PermissionDenied):
            actions.create_item(actor=nobody, **food_fields(depts))
    assert not ServiceItem.objects.exists()
