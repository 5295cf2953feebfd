"""Licences in casework: an approved case of a linked item issues its licence, and a held
licence stands in for a material (免证办), its use logged for the holder."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from yiwang.cases import actions as cases
from yiwang.cases.models import Case, Decision, ObtainedMaterial
from yiwang.cases.tests.conftest import pdf_file, staff
from yiwang.cases.tests.conftest import submit as submit
from yiwang.cases.tests.conftest import world as world
from yiwang.catalog import actions as catalog
from yiwang.licences import actions
from yiwang.licences.actions import Holder
from yiwang.licences.models import HolderKind, Licence, LicenceType, LicenceUse, Status, UseBasis
from yiwang.seals import actions as seals
from yiwang.testing.county import BUILDER as SYSTEM

TYPE_CODE = "11100000000013338W099"


@pytest.fixture
def stall_type(world):
    """A person's licence the food item issues (食品摊贩登记卡), signed by 市场监管局."""
    seals.create_seal(actor=SYSTEM, department=world.scj)
    licence_type = LicenceType.objects.create(
        code=TYPE_CODE,
        name="食品摊贩登记卡",
        definer="国家市场监督管理总局",
        holder_kind=HolderKind.PERSON,
        validity_years=3,
        issuer=world.scj,
        fields=[{"key": "经营者名称", "label": "经营者名称"}, {"key": "摊位", "label": "摊位"}],
    )
    licence_type.items.add(world.food)
    return licence_type


def _approve(world, case: Case) -> Case:
    case = cases.accept(actor=world.reviewer, case=case)
    case = cases.pass_review(actor=world.reviewer, case=case, opinion="符合条件")
    return cases.decide(actor=world.approver, case=case, approve=True, reason="")


def test_approval_issues_the_items_licence_to_the_applicant(world, submit, stall_type):
    case = _approve(world, submit(shop_name="客家味道小吃店"))
    licence = Licence.objects.get(case=case)
    assert licence.licence_type == stall_type and licence.status == Status.VALID
    assert licence.holder_user == world.citizen
    # The form field titled like the type's field fills it.
    assert licence.metadata["extension"] == {"经营者名称": "客家味道小吃店"}
    assert licence.events.get().operation == "issue"


def test_refusal_issues_nothing(world, submit, stall_type):
    case = cases.accept(actor=world.reviewer, case=submit())
    case = cases.pass_review(actor=world.reviewer, case=case, opinion="不符合")
    cases.decide(actor=world.approver, case=case, approve=False, reason="场所不符合要求")
    assert not Licence.objects.exists()


def test_approval_without_the_issuers_seal_is_undone(world, submit):
    """No seal to sign with: the approval does not stand without its licence."""
    licence_type = LicenceType.objects.create(
        code=TYPE_CODE,
        name="食品摊贩登记卡",
        definer="国家市场监督管理总局",
        holder_kind=HolderKind.PERSON,
        issuer=world.mzj,
    )
    licence_type.items.add(world.food)
    case = cases.accept(actor=world.reviewer, case=submit())
    case = cases.pass_review(actor=world.reviewer, case=case, opinion="符合条件")
    with pytest.raises(ValidationError) as error:
        cases.decide(actor=world.approver, case=case, approve=True, reason="")
    assert error.value.code == "no_seal"
    case.refresh_from_db()
    assert case.decision == Decision.NONE and case.current_step == "decide"
    assert not Licence.objects.exists()


@pytest.fixture
def renewal_item(world, stall_type):
    """An item whose 登记卡 material the licence replaces."""
    item = world.relief
    catalog.set_materials(
        actor=world.admin,
        item=item,
        materials=[
            {"name": "申请书", "required": True},
            {
                "name": "食品摊贩登记卡",
                "required": True,
                "replaceable_by": "licence",
                "replaced_by": TYPE_CODE,
            },
        ],
    )
    catalog.publish_item(actor=world.admin, item=item)
    item.refresh_from_db()
    return item


def _held(world, stall_type) -> Licence:
    return actions.issue(
        actor=SYSTEM,
        licence_type=stall_type,
        holder=Holder.person(world.citizen),
        fields={"摊位": "湖寮镇 12 号"},
    )


def _apply(world, item, uploads=None) -> Case:
    form = item.materials.get(name="申请书")
    case, _created = cases.submit_application(
        actor=world.citizen,
        item=item,
        form_data={"shop_name": "客家味道小吃店", "staff": "3"},
        uploads=uploads or {form.pk: pdf_file()},
        submission_key=f"k-{Case.objects.count()}",
    )
    return case


def test_a_held_licence_stands_in_for_the_material(world, renewal_item, stall_type, client):
    licence = _held(world, stall_type)
    client.force_login(world.citizen)
    page = client.get(f"/cases/apply/{renewal_item.pk}/").content.decode()
    assert "已从电子证照获取" in page and licence.number in page

    case = _apply(world, renewal_item)
    obtained = ObtainedMaterial.objects.get(case=case)
    assert obtained.reference == licence.identifier and obtained.name == "食品摊贩登记卡"
    assert (case.materials_required, case.materials_obtained) == (2, 1)
    assert not case.files.filter(name="食品摊贩登记卡").exists()
    use = LicenceUse.objects.get(licence=licence)
    assert use.basis == UseBasis.CASE and use.case == case and use.department == case.department
    assert case.number in use.purpose

    client.force_login(world.reviewer_town)
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert licence.number in detail and f"/verify/{licence.identifier}" in detail


@pytest.mark.parametrize("change", ["revoke", "suspend"])
def test_a_revoked_or_suspended_licence_does_not_stand_in(world, renewal_item, stall_type, change):
    licence = _held(world, stall_type)
    getattr(actions, change)(actor=SYSTEM, licence=licence, reason="违法经营")
    with pytest.raises(ValidationError) as error:
        _apply(world, renewal_item)
    material = renewal_item.materials.get(name="食品摊贩登记卡")
    message = " ".join(error.value.message_dict[f"material_{material.pk}"])
    assert licence.number in message and "请上传" in message
    assert not Case.objects.exists() and not LicenceUse.objects.exists()


def test_an_expired_licence_does_not_stand_in(world, renewal_item, stall_type):
    import datetime as dt

    licence = _held(world, stall_type)
    actions.expire_due(today=licence.valid_until + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        _apply(world, renewal_item)


def test_without_a_licence_the_material_is_uploaded(world, renewal_item, stall_type):
    with pytest.raises(ValidationError) as error:
        _apply(world, renewal_item)
    material = renewal_item.materials.get(name="食品摊贩登记卡")
    assert f"material_{material.pk}" in error.value.message_dict
    form = renewal_item.materials.get(name="申请书")
    case = _apply(world, renewal_item, {form.pk: pdf_file(), material.pk: pdf_file()})
    assert (case.materials_required, case.materials_obtained) == (2, 0)
    assert not ObtainedMaterial.objects.filter(case=case).exists()


def test_another_persons_licence_does_not_stand_in(world, renewal_item, stall_type):
    other = Holder(HolderKind.PERSON, "王芳", "110105198001011238")
    actions.issue(actor=SYSTEM, licence_type=stall_type, holder=other)
    with pytest.raises(ValidationError):
        _apply(world, renewal_item)


def test_approving_a_change_issues_the_next_version(world, renewal_item, stall_type):
    """The case used the licence; approving it (an item linked to the type) renews it."""
    licence = _held(world, stall_type)
    stall_type.items.add(renewal_item)
    case = _apply(world, renewal_item)
    case = cases.accept(actor=world.reviewer_town, case=case)
    case = cases.pass_review(actor=world.reviewer_town, case=case, opinion="同意变更")
    approver = staff(world.admin, "approver_gaobei", "approver", world.town, world.gaobei)
    cases.decide(actor=approver, case=case, approve=True, reason="")
    renewed = Licence.objects.get(case=case)
    assert renewed.previous == licence and renewed.version == "002"
    licence.refresh_from_db()
    assert licence.status == Status.EXPIRED


def test_materials_reduction_sums_the_submitted_cases(world, renewal_item, stall_type):
    from yiwang.cases.queries import materials_reduction

    _held(world, stall_type)
    _apply(world, renewal_item)
    _apply(world, renewal_item)
    assert materials_reduction(Case.objects.all()) == (2, 4)


def test_a_seal_key_that_does_not_open_undoes_the_approval_with_its_reason(
    world, submit, stall_type, settings
):
    case = cases.accept(actor=world.reviewer, case=submit())
    case = cases.pass_review(actor=world.reviewer, case=case, opinion="符合条件")
    settings.YIWANG_SIGNING_KEK = "00112233445566778899aabbccddeeff"  # not the keys' KEK
    with pytest.raises(ValidationError) as error:
        cases.decide(actor=world.approver, case=case, approve=True, reason="")
    assert error.value.code == "key_unusable" and "食品摊贩登记卡" in error.value.messages[0]
    case.refresh_from_db()
    assert case.decision == Decision.NONE and not Licence.objects.exists()


def test_a_change_keeps_the_fields_the_form_does_not_give(world, renewal_item, stall_type):
    licence = _held(world, stall_type)  # 摊位 湖寮镇 12 号
    stall_type.items.add(renewal_item)
    case = _apply(world, renewal_item)
    case = cases.accept(actor=world.reviewer_town, case=case)
    case = cases.pass_review(actor=world.reviewer_town, case=case, opinion="同意")
    approver = staff(world.admin, "approver_gaobei", "approver", world.town, world.gaobei)
    cases.decide(actor=approver, case=case, approve=True, reason="")
    renewed = Licence.objects.get(case=case)
    assert renewed.metadata["extension"] == {"经营者名称": "客家味道小吃店", "摊位": "湖寮镇 12 号"}
    assert licence.metadata["extension"] == {"摊位": "湖寮镇 12 号"}


def test_at_the_window_the_walk_ins_licence_stands_in_too(world, renewal_item, stall_type):
    licence = _held(world, stall_type)
    form = renewal_item.materials.get(name="申请书")
    case, created = cases.window_intake(
        actor=world.window_huliao,
        item=renewal_item,
        hall=world.hall_huliao,
        applicant_name="李梅",
        applicant_id_number=world.citizen.id_number,
        applicant_phone="13900001111",
        form_data={"shop_name": "李梅", "staff": "1"},
        uploads={form.pk: pdf_file()},
        submission_key="w-licence",
    )
    assert created
    assert ObtainedMaterial.objects.get(case=case).reference == licence.identifier
    assert LicenceUse.objects.get(licence=licence).case == case
