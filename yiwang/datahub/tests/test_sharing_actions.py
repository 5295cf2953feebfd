# ruff: noqa: F811  (fixtures imported from sharing_fixtures are used as arguments)
"""Sharing requests and grants through the actions: both routes, disputes and coordination,
every denial and bad input (nothing written), audit entries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.datahub import actions
from yiwang.datahub.actions import sharing
from yiwang.datahub.models import GradePolicy, Grant, SharingRequest
from yiwang.datahub.sharing import queries
from yiwang.datahub.sharing.models import GrantStatus, RefusedAt, RequestStatus
from yiwang.notify.models import Message

from .sharing_fixtures import (  # noqa: F401  (fixtures)
    BEFORE_HOLIDAY,
    CONDITIONAL,
    END,
    START,
    TZ,
    UNCONDITIONAL,
    admin_zjj,
    ask,
    at_provider,
    granted,
    refused_by_provider,
    shared,
    zjj,
)

pytestmark = pytest.mark.django_db


def audit(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- the unconditional route ---------------------------------------------------------------


def test_unconditional_request_is_granted_on_the_conformity_review(ask, authority, depts):
    request = ask()
    assert request.status == RequestStatus.REVIEW
    assert request.route == "authority"
    assert request.consumer == depts["mzj"]
    assert request.fields == UNCONDITIONAL
    assert request.version == request.resource.current_version
    assert request.limit_days == 2 and request.due_at is not None
    assert audit("datahub.request_submit") == 1
    assert Message.objects.filter(recipient=authority).count() == 1

    sharing.review_request(actor=authority, request=request, approve=True, now=BEFORE_HOLIDAY)
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED and request.due_at is None
    grant = request.grant
    assert grant.fields == UNCONDITIONAL
    assert grant.consumer == depts["mzj"] and grant.resource == request.resource
    assert grant.daily_quota == 10_000
    assert grant.valid_from.astimezone(TZ).date() == START
    assert grant.expires_at.astimezone(TZ).date() == END
    assert grant.is_usable(datetime.datetime(2026, 1, 5, 9, tzinfo=TZ))
    assert not grant.is_usable(datetime.datetime(2025, 9, 30, 9, tzinfo=TZ))  # not begun
    assert not grant.is_usable(datetime.datetime(2026, 10, 1, 0, 1, tzinfo=TZ))  # past expiry
    assert audit("datahub.request_review") == 1 and audit("datahub.grant_issue") == 1
    verbs = list(request.events.values_list("verb", flat=True))
    assert verbs == ["submit", "review_grant"]


def test_active_grants_for_a_department_and_resource(ask, authority, depts, settings):
    request = ask(
        period_start=datetime.date.today(),
        period_end=datetime.date.today().replace(year=datetime.date.today().year + 1),
        now=None,
    )
    sharing.review_request(actor=authority, request=request, approve=True)
    found = list(queries.active_grants_for(depts["mzj"], request.resource))
    assert found == [request.grant]
    assert list(queries.active_grants_for(depts["scj"], request.resource)) == []


def test_refused_at_review_with_reasons_and_not_disputable(ask, authority, admin_mzj):
    request = ask()
    with pytest.raises(ValidationError) as error:
        sharing.review_request(actor=authority, request=request, approve=False, reasons=" ")
    assert "reasons" in error.value.message_dict
    sharing.review_request(
        actor=authority, request=request, approve=False, reasons="用途与所需字段不相符"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.refused_at_step == RefusedAt.REVIEW
    assert request.reasons == "用途与所需字段不相符"
    assert not Grant.objects.exists()
    with pytest.raises(ValidationError) as error:
        sharing.dispute_request(actor=admin_mzj, request=request, reasons="请重新审核")
    assert error.value.code == "not_disputable"


# --- the conditional route -----------------------------------------------------------------


def test_conditional_request_goes_to_the_provider_who_grants_narrower(
    at_provider, admin_scj, admin_mzj
):
    request = at_provider
    assert request.route == "authority_provider"
    assert request.status == RequestStatus.PROVIDER
    assert request.limit_days == 5
    assert Message.objects.filter(recipient=admin_scj).count() == 1
    sharing.decide_request(
        actor=admin_scj,
        request=request,
        grant=True,
        fields=["operator_name"],
        expires_on=datetime.date(2026, 3, 31),
        daily_quota=500,
        now=BEFORE_HOLIDAY,
    )
    request.refresh_from_db()
    grant = request.grant
    assert request.status == RequestStatus.GRANTED
    assert grant.fields == ["operator_name"] and grant.daily_quota == 500
    assert grant.expires_at.astimezone(TZ).date() == datetime.date(2026, 3, 31)
    assert audit("datahub.request_decide") == 1
    # Stored in the language active when it was sent (the tests run in Chinese).
    granted = translation.gettext("Data sharing granted")
    assert Message.objects.filter(recipient=admin_mzj, title=granted).exists()


def test_provider_refusal_dispute_and_coordination_grant(refused_by_provider, admin_mzj, authority):
    request = refused_by_provider
    assert request.status == RequestStatus.REFUSED
    assert request.refused_at_step == RefusedAt.PROVIDER
    sharing.dispute_request(
        actor=admin_mzj, request=request, reasons="低保审核确需核验身份", now=BEFORE_HOLIDAY
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DISPUTED and request.limit_days == 5
    assert request.closed_at is None
    with pytest.raises(ValidationError):
        sharing.coordinate_request(actor=authority, request=request, grant=True, reasons="")
    sharing.coordinate_request(
        actor=authority,
        request=request,
        grant=True,
        reasons="经协调，可共享经营者名称",
        fields=["operator_name"],
        now=BEFORE_HOLIDAY,
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.GRANTED
    assert request.grant.fields == ["operator_name"]
    assert audit("datahub.request_dispute") == 1 and audit("datahub.request_coordinate") == 1
    verbs = list(request.events.values_list("verb", flat=True))
    assert verbs == ["submit", "review_approve", "provider_refuse", "dispute", "coordinate_grant"]


def test_coordination_upholds_the_refusal_finally(refused_by_provider, admin_mzj, authority):
    request = refused_by_provider
    sharing.dispute_request(actor=admin_mzj, request=request, reasons="请协调")
    sharing.coordinate_request(
        actor=authority, request=request, grant=False, reasons="维持不予共享的决定"
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.refused_at_step == RefusedAt.COORDINATION
    with pytest.raises(ValidationError) as error:
        sharing.dispute_request(actor=admin_mzj, request=request, reasons="再次申诉")
    assert error.value.code == "not_disputable"


def test_grade_policy_route_sends_unconditional_items_to_the_provider(ask, authority):
    policy = GradePolicy.objects.get(grade="g1")
    actions.update_grade_policy(
        actor=authority,
        policy=policy,
        loosest_sharing=policy.loosest_sharing,
        may_open=policy.may_open,
        default_mask=policy.default_mask,
        approval_route="authority_provider",
    )
    request = ask()
    assert request.route == "authority_provider"
    sharing.review_request(actor=authority, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.PROVIDER


def test_withdraw_while_pending_only(ask, admin_mzj, authority):
    request = ask()
    sharing.withdraw_request(actor=admin_mzj, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN and request.due_at is None
    assert audit("datahub.request_withdraw") == 1
    with pytest.raises(ValidationError) as error:
        sharing.review_request(actor=authority, request=request, approve=True)
    assert error.value.code == "transition_not_allowed"
    with pytest.raises(ValidationError):
        sharing.withdraw_request(actor=admin_mzj, request=request)


def test_revocation_by_provider_or_authority_with_reasons(granted, admin_scj, admin_mzj):
    with pytest.raises(ValidationError):
        sharing.revoke_grant(actor=admin_scj, grant=granted, reasons="")
    with pytest.raises(PermissionDenied):
        sharing.revoke_grant(actor=admin_mzj, grant=granted, reasons="不再需要")
    sharing.revoke_grant(actor=admin_scj, grant=granted, reasons="用途已变更")
    granted.refresh_from_db()
    assert granted.status == GrantStatus.REVOKED and granted.revoked_by == admin_scj
    assert granted.revoked_reason == "用途已变更"
    assert not granted.is_usable(datetime.datetime(2026, 1, 5, tzinfo=TZ))
    assert audit("datahub.grant_revoke") == 1
    with pytest.raises(ValidationError):
        sharing.revoke_grant(actor=admin_scj, grant=granted, reasons="再次撤销")


def test_authority_revokes(granted, authority):
    sharing.revoke_grant(actor=authority, grant=granted, reasons="数据安全检查发现问题")
    granted.refresh_from_db()
    assert granted.status == GrantStatus.REVOKED


# --- denials ---------------------------------------------------------------------------------


def test_only_a_consumer_departments_admin_submits(ask, reviewer_scj, clerk, authority, citizen):
    for actor in (reviewer_scj, clerk, authority, citizen):
        with pytest.raises(PermissionDenied):
            ask(actor=actor)
    assert not SharingRequest.objects.exists()


def test_admin_of_another_department_cannot_request_for_mzj(ask, admin_zjj, depts):
    with pytest.raises(PermissionDenied):
        ask(actor=admin_zjj, consumer=depts["mzj"])


def test_provider_does_not_request_its_own_data(ask, admin_scj):
    with pytest.raises(ValidationError) as error:
        ask(actor=admin_scj)
    assert "consumer" in error.value.message_dict


def test_who_may_review_decide_dispute(
    at_provider, ask, admin_mzj, admin_scj, authority, admin_zjj
):
    request = ask(UNCONDITIONAL, actor=admin_zjj)
    for actor in (admin_mzj, admin_scj):
        with pytest.raises(PermissionDenied):
            sharing.review_request(actor=actor, request=request, approve=True)
    for actor in (admin_mzj, authority, admin_zjj):
        with pytest.raises(PermissionDenied):
            sharing.decide_request(actor=actor, request=at_provider, grant=True)
    for actor in (admin_mzj, admin_scj):
        with pytest.raises(PermissionDenied):
            sharing.coordinate_request(actor=actor, request=at_provider, grant=True, reasons="x")
    with pytest.raises(PermissionDenied):
        sharing.withdraw_request(actor=admin_scj, request=at_provider)
    sharing.decide_request(actor=admin_scj, request=at_provider, grant=False, reasons="不宜共享")
    with pytest.raises(PermissionDenied):
        sharing.dispute_request(actor=admin_scj, request=at_provider, reasons="x")
    at_provider.refresh_from_db()
    assert at_provider.status == RequestStatus.REFUSED


# --- bad input: nothing written ---------------------------------------------------------------


def _refused(ask, **kwargs) -> dict:
    before = (SharingRequest.objects.count(), AuditEntry.objects.count())
    with translation.override("en"), pytest.raises(ValidationError) as error:
        ask(**kwargs)
    assert (SharingRequest.objects.count(), AuditEntry.objects.count()) == before
    return error.value.message_dict


def test_fields_must_be_requestable_items(ask):
    assert _refused(ask, fields=[])["fields"] == ["Choose at least one data item."]
    assert "no data item nope" in _refused(ask, fields=["licence_no", "nope"])["fields"][0]
    assert "内部核查备注 is not shared" in _refused(ask, fields=["internal_note"])["fields"][0]
    assert "银行账号 is hidden" in _refused(ask, fields=["bank_no"])["fields"][0]


def test_texts_and_period_are_checked(ask):
    errors = _refused(ask, purpose=" ", scenario="", legal_basis="")
    assert set(errors) == {"purpose", "scenario", "legal_basis"}
    errors = _refused(ask, period_end=START)
    assert errors["period_end"] == ["The period must end after it starts."]
    errors = _refused(ask, period_end=datetime.date(2028, 10, 2))
    assert "at most 3 years" in errors["period_end"][0]
    errors = _refused(ask, period_start=None, period_end="2026-01-01")
    assert set(errors) == {"period_start", "period_end"}
    errors = _refused(ask, purpose="x" * 2001)
    assert errors["purpose"] == ["At most 2000 characters."]


def test_period_maximum_is_a_setting(ask, settings):
    settings.YIWANG_SHARING_MAX_YEARS = 1
    assert (
        "at most 1 years" in _refused(ask, period_end=datetime.date(2026, 10, 2))["period_end"][0]
    )


def test_only_resources_in_the_catalogue(ask, shared, draft, authority):
    errors = _refused(ask, resource=draft)
    assert errors["resource"] == ["Only resources in the catalogue can be requested."]
    actions.withdraw(actor=authority, resource=shared, reasons="数据核查")
    assert "resource" in _refused(ask)


def test_one_pending_request_per_department_and_resource(ask):
    ask()
    assert "already has a pending request" in _refused(ask)["resource"][0]


def test_decision_terms_are_checked(at_provider, admin_scj):
    def refused(**terms):
        with translation.override("en"), pytest.raises(ValidationError) as error:
            sharing.decide_request(
                actor=admin_scj, request=at_provider, grant=True, now=BEFORE_HOLIDAY, **terms
            )
        return error.value.message_dict

    assert "were not requested" in refused(fields=["licence_no"])["fields"][0]
    assert refused(fields=[])["fields"] == ["Grant at least one of the requested data items."]
    assert "may not outlast" in refused(expires_on=datetime.date(2026, 10, 1))["expires_on"][0]
    assert "expires_on" in refused(expires_on=datetime.date(2025, 9, 1))
    assert "daily_quota" in refused(daily_quota=0)
    assert "daily_quota" in refused(daily_quota=True)
    with pytest.raises(ValidationError) as error:
        sharing.decide_request(actor=admin_scj, request=at_provider, grant=False, reasons="")
    assert "reasons" in error.value.message_dict
    at_provider.refresh_from_db()
    assert at_provider.status == RequestStatus.PROVIDER and not Grant.objects.exists()


def test_withdrawn_resource_cannot_be_granted(ask, shared, authority):
    request = ask()
    actions.withdraw(actor=authority, resource=shared, reasons="数据核查")
    with pytest.raises(ValidationError) as error:
        sharing.review_request(actor=authority, request=request, approve=True)
    assert error.value.code == "not_in_catalogue"
    request.refresh_from_db()
    assert request.status == RequestStatus.REVIEW and not Grant.objects.exists()
