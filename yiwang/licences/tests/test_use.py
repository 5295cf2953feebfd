"""Use authorisation (用证授权): a department reads a holder's licence only on the holder's
grant or a case of the holder it handles; every reading is logged for the holder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.accounts.models import EnterpriseAgent
from yiwang.accounts.queries import ACTING_ENTERPRISE_SESSION_KEY
from yiwang.audit.models import AuditEntry
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import submit as submit  # a fixture
from yiwang.cases.tests.conftest import world as world  # a fixture
from yiwang.licences import actions, use
from yiwang.licences.actions import Holder, holder_index
from yiwang.licences.models import HolderKind, LicenceType, LicenceUse, UseBasis, UseGrant
from yiwang.notify.models import Message
from yiwang.seals import actions as seals
from yiwang.testing import county
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.workdays.calendar import today

pytestmark = pytest.mark.django_db
PURPOSE = "办理食品经营许可核验身份"


def _type(world, code: str, name: str, kind=HolderKind.PERSON) -> LicenceType:
    return LicenceType.objects.create(
        code=code, name=name, definer="民政部", holder_kind=kind, validity_years=5, issuer=world.mzj
    )


@pytest.fixture
def types(world):
    """Two person licence types 民政局 issues, and its seal to sign them."""
    seals.create_seal(actor=SYSTEM, department=world.mzj)
    return (
        _type(world, "11100000000013338W041", "残疾人证"),
        _type(world, "11100000000013338W042", "低保证"),
    )


@pytest.fixture
def held(world, types):
    """The citizen's licence of each type."""
    return [
        actions.issue(actor=SYSTEM, licence_type=t, holder=Holder.person(world.citizen))
        for t in types
    ]


def _holder(user):
    return {
        "holder_kind": HolderKind.PERSON,
        "holder_index": holder_index(user.id_number),
        "holder_name": user.real_name,
    }


def _grant(world, licence_type, **changes) -> UseGrant:
    values = {
        "licence_type": licence_type,
        "department": world.scj,
        "purpose": PURPOSE,
        "expires_on": today() + dt.timedelta(days=30),
        **_holder(world.citizen),
        **changes,
    }
    return use.grant(actor=world.citizen, **values)


def test_a_grant_allows_reading_and_the_holder_sees_the_use(world, held, client):
    licence = held[0]
    grant = _grant(world, licence.licence_type)
    use.read_licence(actor=world.reviewer, licence=licence, purpose="核验残疾人身份")
    logged = LicenceUse.objects.get()
    assert (logged.basis, logged.grant, logged.department) == (UseBasis.GRANT, grant, world.scj)
    assert AuditEntry.objects.filter(action="licences.use").count() == 1
    assert AuditEntry.objects.filter(action="licences.grant").count() == 1
    notice = Message.objects.get(recipient=world.citizen)
    assert world.scj.name in notice.title and licence.identifier in notice.link

    client.force_login(world.citizen)
    page = client.get(f"/licences/mine/{licence.identifier}/").content.decode()
    assert "核验残疾人身份" in page and world.scj.name in page
    page = client.get("/licences/mine/grants/").content.decode()
    assert "核验残疾人身份" in page and PURPOSE in page
    body = client.get("/api/v1/licences/mine/uses").json()
    assert [(u["identifier"], u["basis"], u["department"]) for u in body] == [
        (licence.identifier, "grant", world.scj.name)
    ]


def test_without_grant_or_case_the_reading_is_refused_and_not_logged(world, held):
    with pytest.raises(PermissionDenied, match="持证人未授权本部门"):
        use.read_licence(actor=world.reviewer, licence=held[0], purpose="核验")
    assert not LicenceUse.objects.exists()
    assert not Message.objects.filter(recipient=world.citizen).exists()


def test_a_withdrawn_or_expired_grant_allows_nothing(world, held):
    grant = _grant(world, held[0].licence_type)
    use.withdraw_grant(actor=world.citizen, grant=grant)
    with pytest.raises(PermissionDenied):
        use.read_licence(actor=world.reviewer, licence=held[0], purpose="核验")
    with pytest.raises(ValidationError):
        use.withdraw_grant(actor=world.citizen, grant=grant)  # already withdrawn

    expired = _grant(world, held[0].licence_type)
    UseGrant.objects.filter(pk=expired.pk).update(expires_on=today() - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        use.read_licence(actor=world.reviewer, licence=held[0], purpose="核验")
    assert not LicenceUse.objects.exists()


def test_a_grant_covers_its_type_and_its_department_only(world, held):
    _grant(world, held[0].licence_type)
    with pytest.raises(PermissionDenied):  # type B
        use.read_licence(actor=world.reviewer, licence=held[1], purpose="核验")
    with pytest.raises(PermissionDenied):  # another department
        use.read_licence(actor=world.reviewer_mzj, licence=held[0], purpose="核验")
    assert not LicenceUse.objects.exists()


def test_a_case_of_the_holder_in_the_department_allows_reading(world, held, submit):
    case = submit()  # 食品经营许可 of 市场监管局, applied for by the citizen
    use.read_licence(actor=world.reviewer, licence=held[0], purpose="核验", case=case)
    logged = LicenceUse.objects.get()
    assert (logged.basis, logged.case, logged.grant) == (UseBasis.CASE, case, None)
    # Not in another department's hands …
    with pytest.raises(PermissionDenied):
        use.read_licence(actor=world.reviewer_mzj, licence=held[0], purpose="核验", case=case)
    # … nor once the case is closed.
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    with pytest.raises(PermissionDenied, match="已不在办理中"):
        use.read_licence(actor=world.reviewer, licence=held[0], purpose="核验", case=case)
    assert LicenceUse.objects.count() == 1


def test_a_case_of_another_holder_allows_nothing(world, held, submit):
    case = submit(actor=world.other_citizen)
    with pytest.raises(PermissionDenied):
        use.read_licence(actor=world.reviewer, licence=held[0], purpose="核验", case=case)
    assert not LicenceUse.objects.exists()


def test_only_staff_of_a_department_read_and_a_purpose_is_required(world, held):
    _grant(world, held[0].licence_type)
    with pytest.raises(PermissionDenied):
        use.read_licence(actor=world.other_citizen, licence=held[0], purpose="核验")
    with pytest.raises(PermissionDenied):  # a post without a department
        use.read_licence(actor=world.leader, licence=held[0], purpose="核验")
    with pytest.raises(ValidationError) as error:
        use.read_licence(actor=world.reviewer, licence=held[0], purpose="  ")
    assert error.value.error_dict["purpose"][0].code == "purpose_required"
    assert not LicenceUse.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"purpose": ""}, "purpose", "purpose_required"),
        ({"purpose": "用" * 201}, "purpose", "purpose_too_long"),
        ({"expires_on": None}, "expires_on", "expiry_required"),
        ({"expires_on": dt.date(2020, 1, 1)}, "expires_on", "expiry_past"),
        ({"expires_on": "today"}, "expires_on", "expiry_past"),
        ({"expires_on": "far"}, "expires_on", "expiry_too_far"),
        ({"department": False}, "department", "department_required"),
    ],
)
def test_bad_grants_are_refused_and_nothing_is_written(world, held, changes, field, code):
    if changes.get("department") is False:
        changes["department"] = None
    if changes.get("expires_on") == "today":
        changes["expires_on"] = today()
    elif changes.get("expires_on") == "far":
        changes["expires_on"] = today() + dt.timedelta(days=367)
    with pytest.raises(ValidationError) as error:
        _grant(world, held[0].licence_type, **changes)
    assert error.value.error_dict[field][0].code == code
    assert not UseGrant.objects.exists()
    assert not AuditEntry.objects.filter(action="licences.grant").exists()


def test_a_type_the_holder_does_not_hold_cannot_be_granted(world, held):
    other = _type(world, "11100000000013338W043", "特困人员证")
    with pytest.raises(ValidationError) as error:
        _grant(world, other)
    assert error.value.error_dict["licence_type"][0].code == "type_not_held"


def test_no_one_grants_or_withdraws_for_someone_else(world, held, client):
    with pytest.raises(PermissionDenied):
        use.grant(
            actor=world.other_citizen,
            licence_type=held[0].licence_type,
            department=world.scj,
            purpose=PURPOSE,
            expires_on=today() + dt.timedelta(days=3),
            **_holder(world.citizen),
        )
    grant = _grant(world, held[0].licence_type)
    with pytest.raises(PermissionDenied):
        use.withdraw_grant(actor=world.other_citizen, grant=grant)
    client.force_login(world.other_citizen)
    # The page offers only the types one holds: someone else's is not a choice.
    answer = client.post(
        "/licences/mine/grants/",
        {
            "licence_type": held[0].licence_type.pk,
            "department": world.scj.pk,
            "purpose": PURPOSE,
            "expires_on": (today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert answer.status_code == 400
    assert client.post(f"/licences/mine/grants/{grant.pk}/withdraw/").status_code == 404
    assert UseGrant.objects.count() == 1 and UseGrant.objects.get().revoked_at is None


def test_the_holder_grants_and_withdraws_on_the_page(world, held, client):
    client.force_login(world.citizen)
    form = {
        "licence_type": held[0].licence_type.pk,
        "department": world.scj.pk,
        "purpose": PURPOSE,
        "expires_on": (today() + dt.timedelta(days=10)).isoformat(),
    }
    answer = client.post("/licences/mine/grants/", {**form, "purpose": ""})
    assert answer.status_code == 400 and not UseGrant.objects.exists()
    assert "purpose" in answer.context["form"].errors
    assert client.post("/licences/mine/grants/", form).status_code == 302
    grant = UseGrant.objects.get()
    assert grant.holder_index == holder_index(world.citizen.id_number)
    answer = client.post(f"/licences/mine/grants/{grant.pk}/withdraw/")
    assert answer.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_the_department_page_reads_on_a_grant_and_refuses_without(world, held, client):
    form = {
        "holder_code": world.citizen.id_number,
        "licence_type": held[0].licence_type.pk,
        "purpose": "核验残疾人身份",
    }
    client.force_login(world.reviewer)
    denied = client.post("/licences/use/", form)
    assert denied.status_code == 403 and not LicenceUse.objects.exists()
    assert "use-denied" in denied.content.decode()
    _grant(world, held[0].licence_type)
    answer = client.post("/licences/use/", form)
    assert answer.status_code == 200
    page = answer.content.decode()
    assert held[0].identifier in page and "use-recorded" in page
    assert "110105********002X" in page  # the licence shows the holder's code masked
    assert LicenceUse.objects.get().licence == held[0]
    assert client.post("/licences/use/", {**form, "purpose": ""}).status_code == 400
    assert client.post("/licences/use/", {**form, "case_number": "nope"}).status_code == 400
    assert LicenceUse.objects.count() == 1


def test_the_department_page_reads_on_a_case(world, held, submit, client):
    case = submit()
    client.force_login(world.reviewer)
    answer = client.post(
        "/licences/use/",
        {
            "holder_code": world.citizen.id_number,
            "licence_type": held[1].licence_type.pk,
            "purpose": "核验低保身份",
            "case_number": case.number,
        },
    )
    assert answer.status_code == 200
    assert LicenceUse.objects.get().basis == UseBasis.CASE


def test_the_department_page_is_for_department_staff(world, client):
    client.force_login(world.citizen)
    assert client.get("/licences/use/").status_code == 403
    client.force_login(world.leader)  # a post without a department
    assert client.get("/licences/use/").status_code == 403
    client.force_login(world.reviewer)
    assert client.get("/licences/use/").status_code == 200


def test_an_agent_grants_for_the_enterprise(world, client):
    seals.create_seal(actor=SYSTEM, department=world.mzj)
    firm_type = _type(
        world, "11100000000013338W051", "民办非企业单位登记证书", HolderKind.ENTERPRISE
    )
    firm = county.make_enterprise()
    licence = actions.issue(actor=SYSTEM, licence_type=firm_type, holder=Holder.of_enterprise(firm))
    EnterpriseAgent.objects.create(enterprise=firm, user=world.other_citizen)
    client.force_login(world.other_citizen)
    session = client.session
    session[ACTING_ENTERPRISE_SESSION_KEY] = firm.pk
    session.save()
    answer = client.post(
        "/licences/mine/grants/",
        {
            "licence_type": firm_type.pk,
            "department": world.scj.pk,
            "purpose": PURPOSE,
            "expires_on": (today() + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert answer.status_code == 302
    grant = UseGrant.objects.get()
    assert (grant.holder_kind, grant.holder_name) == (HolderKind.ENTERPRISE, firm.name)
    use.read_licence(actor=world.reviewer, licence=licence, purpose="核验")
    # The agents are told, and see the use while acting for the enterprise.
    assert Message.objects.filter(recipient=world.other_citizen).exists()
    body = client.get("/api/v1/licences/mine/uses").json()
    assert [u["identifier"] for u in body] == [licence.identifier]


def test_the_use_log_api_needs_a_login(client):
    assert client.get("/api/v1/licences/mine/uses").status_code == 401
