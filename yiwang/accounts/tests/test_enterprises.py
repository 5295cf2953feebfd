import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from yiwang.accounts import actions
from yiwang.accounts.models import Enterprise, EnterpriseAgent
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry

from .conftest import PASSWORD, make_uscc

pytestmark = pytest.mark.django_db

VALID_USCC = "91350100M000100Y43"


def create(actor=SYSTEM, **overrides):
    data = {
        "name": "大埔县客家味道餐饮有限公司",
        "uscc": VALID_USCC,
        "legal_representative": "张伟",
    }
    data.update(overrides)
    return actions.create_enterprise(actor=actor, **data)


def test_create_enterprise_normalises_and_audits(regions):
    enterprise = create(
        uscc=" 91350100m000100y43 ", region=regions["huliao"], address="湖寮镇城东路1号"
    )
    assert enterprise.uscc == VALID_USCC
    entry = AuditEntry.objects.get(action="accounts.enterprise_created")
    assert entry.object_id == str(enterprise.pk)
    assert entry.summary["after"]["region"] == "441422100"


def test_invalid_uscc_is_rejected_with_specific_message_and_no_row():
    with pytest.raises(ValidationError) as exc:
        create(uscc="91350100M000100Y4Z")
    error = exc.value.error_dict["uscc"][0]
    assert error.code == "invalid_uscc_character"
    message = exc.value.message_dict["uscc"][0]
    assert "91350100M000100Y4Z" in message
    assert "“Z”" in message
    with translation.override("zh-hans"):
        chinese = str(ValidationError(error.message, params=error.params).messages[0])
    assert chinese.startswith("91350100M000100Y4Z不是有效的统一社会信用代码")
    assert "“Z”" in chinese
    assert not Enterprise.objects.exists()


def test_wrong_check_character_and_length():
    with pytest.raises(ValidationError) as exc:
        create(uscc="91350100M000100Y44")
    assert exc.value.error_dict["uscc"][0].code == "invalid_uscc_checksum"
    with pytest.raises(ValidationError) as exc:
        create(uscc="91350100M0001")
    assert exc.value.error_dict["uscc"][0].code == "invalid_uscc_length"
    assert not Enterprise.objects.exists()


def test_duplicate_uscc_is_refused():
    create()
    with pytest.raises(ValidationError) as exc:
        create(name="另一家公司")
    assert exc.value.error_dict["uscc"][0].code == "duplicate_uscc"
    assert Enterprise.objects.count() == 1


def test_citizen_cannot_register_enterprise(citizen):
    with pytest.raises(PermissionDenied):
        create(actor=citizen)
    assert not Enterprise.objects.exists()


def test_agents_added_by_staff_or_legal_representative(citizen, citizen2, staff):
    enterprise = create(actor=staff, uscc=make_uscc("12345678"))
    with pytest.raises(PermissionDenied):
        actions.add_agent(actor=citizen, enterprise=enterprise, user=citizen)
    actions.add_agent(
        actor=staff, enterprise=enterprise, user=citizen, is_legal_representative=True
    )
    agent = actions.add_agent(
        actor=citizen,
        enterprise=enterprise,
        user=citizen2,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert agent.valid_until is not None
    assert set(enterprise.agents.values_list("username", flat=True)) == {"limei", "zhangwei"}
    assert AuditEntry.objects.filter(action="accounts.agent_added").count() == 2
    # A mere agent cannot authorise others.
    third = actions.create_citizen(
        actor=None,
        username="third",
        password=PASSWORD,
        real_name="第三",
        id_number="441422199001011232",
        phone="13800138099",
    )
    with pytest.raises(PermissionDenied):
        actions.add_agent(actor=citizen2, enterprise=enterprise, user=third)


def test_add_agent_validation(citizen, staff):
    enterprise = create()
    with pytest.raises(ValidationError) as exc:
        actions.add_agent(actor=SYSTEM, enterprise=enterprise, user=staff)
    assert exc.value.error_dict["user"][0].code == "staff_agent"
    with pytest.raises(ValidationError) as exc:
        actions.add_agent(
            actor=SYSTEM,
            enterprise=enterprise,
            user=citizen,
            valid_until=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert exc.value.error_dict["valid_until"][0].code == "past"
    actions.add_agent(actor=SYSTEM, enterprise=enterprise, user=citizen)
    with pytest.raises(ValidationError) as exc:
        actions.add_agent(actor=SYSTEM, enterprise=enterprise, user=citizen)
    assert exc.value.error_dict["user"][0].code == "duplicate_agent"
    assert EnterpriseAgent.objects.count() == 1
    actions.remove_agent(actor=SYSTEM, enterprise=enterprise, user=citizen)
    assert not EnterpriseAgent.objects.exists()


def test_create_enterprise_reports_every_field_at_once(regions):
    with pytest.raises(ValidationError) as exc:
        create(name="  ", uscc="", legal_representative="张" * 51, address="路" * 201)
    codes = {field: errors[0].code for field, errors in exc.value.error_dict.items()}
    assert codes == {
        "name": "required",
        "uscc": "required",
        "legal_representative": "max_length",
        "address": "max_length",
    }
    assert not Enterprise.objects.exists()


def test_agents_changed_and_withdrawn_only_by_staff_or_legal_representative(
    citizen, citizen2, staff
):
    enterprise = create(actor=staff, uscc=make_uscc("22345678"))
    actions.add_agent(
        actor=staff, enterprise=enterprise, user=citizen, is_legal_representative=True
    )
    agent = actions.add_agent(actor=citizen, enterprise=enterprise, user=citizen2)
    until = timezone.localdate() + datetime.timedelta(days=10)
    # A mere agent may neither change nor withdraw authorisations, not even their own.
    with pytest.raises(PermissionDenied):
        actions.update_agent(
            actor=citizen2, agent=agent, is_legal_representative=True, valid_until=None
        )
    with pytest.raises(PermissionDenied):
        actions.remove_agent(actor=citizen2, enterprise=enterprise, user=citizen2)
    agent.refresh_from_db()
    assert not agent.is_legal_representative
    # The legal representative and staff may.
    agent = actions.update_agent(
        actor=citizen, agent=agent, is_legal_representative=False, valid_until=until
    )
    assert EnterpriseAgent.objects.get(pk=agent.pk).valid_until == until
    entry = AuditEntry.objects.get(action="accounts.agent_changed")
    assert entry.summary["after"]["valid_until"] == until.isoformat()
    actions.remove_agent(actor=staff, enterprise=enterprise, user=citizen2)
    assert list(enterprise.agents.all()) == [citizen]
    assert AuditEntry.objects.filter(action="accounts.agent_removed").count() == 1
    # A legal representative whose authorisation has ended is a mere former agent.
    EnterpriseAgent.objects.filter(user=citizen).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(PermissionDenied):
        actions.add_agent(actor=citizen, enterprise=enterprise, user=citizen2)
    with pytest.raises(ValidationError) as exc:
        actions.remove_agent(actor=staff, enterprise=enterprise, user=citizen2)
    assert exc.value.code == "not_agent"
