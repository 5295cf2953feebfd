"""Submit, return, publish, withdraw, revise; versions and the grade policy action."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from yiwang.audit.models import AuditEntry
from yiwang.datahub import actions, queries
from yiwang.datahub.models import GradePolicy, ResourceVersion

pytestmark = pytest.mark.django_db


def test_submit_needs_items_and_a_key(make_resource, admin_scj):
    resource = make_resource(items=[], key_item=None)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.submit(actor=admin_scj, resource=resource)
    assert {"items", "key_item"} <= set(caught.value.message_dict)
    resource.refresh_from_db()
    assert resource.status == "draft"
    assert not AuditEntry.objects.filter(action="datahub.submit").exists()


def test_submit_and_publish(draft, admin_scj, authority, django_capture_on_commit_callbacks):
    actions.submit(actor=admin_scj, resource=draft)
    assert draft.status == "submitted" and draft.submitted_at
    with django_capture_on_commit_callbacks(execute=True):
        published = actions.publish(actor=authority, resource=draft)
    draft.refresh_from_db()
    assert draft.status == "published" and draft.version == 1
    assert draft.current_version == published
    assert draft.release_date == timezone.localdate()
    assert published.snapshot["code"] == "301001"
    assert [i["column"] for i in published.snapshot["items"]] == [
        "licence_no",
        "operator_name",
        "legal_rep_id",
    ]
    assert published.snapshot["key_item"] == "licence_no"
    assert published.snapshot["kind"] == {"code": "3", "name": "部门信息资源"}
    assert published.published_by == authority
    assert AuditEntry.objects.filter(action="datahub.submit").count() == 1
    assert AuditEntry.objects.filter(action="datahub.publish").count() == 1


def test_release_date_set_by_the_provider_is_kept(make_resource, admin_scj, authority):
    resource = make_resource(release_date="2026-01-05")
    actions.submit(actor=admin_scj, resource=resource)
    version = actions.publish(actor=authority, resource=resource)
    assert version.release_date == datetime.date(2026, 1, 5)


@pytest.mark.parametrize("who", ["admin_scj", "admin_mzj", "clerk", "citizen"])
def test_only_the_authority_publishes_and_returns(who, request, draft, admin_scj):
    actions.submit(actor=admin_scj, resource=draft)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.publish(actor=actor, resource=draft)
    with pytest.raises(PermissionDenied):
        actions.return_resource(actor=actor, resource=draft, reasons="不对")
    draft.refresh_from_db()
    assert draft.status == "submitted" and not ResourceVersion.objects.exists()


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen", "reviewer_scj"])
def test_submit_is_for_the_provider(who, request, draft):
    with pytest.raises(PermissionDenied):
        actions.submit(actor=request.getfixturevalue(who), resource=draft)


def test_return_needs_reasons_and_allows_editing_again(draft, admin_scj, authority):
    actions.submit(actor=admin_scj, resource=draft)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.return_resource(actor=authority, resource=draft, reasons="  ")
    assert "reasons" in caught.value.message_dict
    actions.return_resource(actor=authority, resource=draft, reasons="请补充共享条件的法律依据")
    draft.refresh_from_db()
    assert draft.status == "returned" and "法律依据" in draft.review_note
    entry = AuditEntry.objects.get(action="datahub.return")
    assert entry.summary["reasons"] == "请补充共享条件的法律依据"
    actions.update_resource(actor=admin_scj, resource=draft, summary="补充后的摘要")
    actions.submit(actor=admin_scj, resource=draft)
    assert draft.status == "submitted"


def test_only_submitted_resources_are_published(draft, authority):
    with pytest.raises(ValidationError) as caught:
        actions.publish(actor=authority, resource=draft)
    assert caught.value.code == "transition_not_allowed"


def test_a_published_resource_is_not_edited_in_place(published, admin_scj):
    with pytest.raises(ValidationError):
        actions.update_resource(actor=admin_scj, resource=published, name="改名")


def test_revise_keeps_the_published_version_visible(
    published, admin_scj, authority, reviewer_scj, admin_mzj, django_capture_on_commit_callbacks
):
    actions.revise(actor=admin_scj, resource=published)
    actions.update_resource(actor=admin_scj, resource=published, name="食品经营许可信息（第二版）")
    published.refresh_from_db()
    assert published.status == "draft" and published.version == 1
    # another department sees the published version 1
    other = queries.find_resource(admin_mzj, published.code)
    assert queries.face(admin_mzj, other)["name"] == "食品经营许可信息"
    assert queries.row(admin_mzj, other).status == "published"
    # the provider's staff see their working copy
    mine = queries.find_resource(reviewer_scj, published.code)
    assert queries.face(reviewer_scj, mine)["name"] == "食品经营许可信息（第二版）"
    # classification cannot change once the code was published
    with pytest.raises(ValidationError) as caught:
        actions.update_resource(actor=admin_scj, resource=published, classification="204")
    assert "classification" in caught.value.message_dict
    actions.submit(actor=admin_scj, resource=published)
    with django_capture_on_commit_callbacks(execute=True):
        second = actions.publish(actor=authority, resource=published)
    assert second.version == 2
    assert ResourceVersion.objects.filter(resource=published).count() == 2
    other = queries.find_resource(admin_mzj, published.code)
    assert queries.face(admin_mzj, other)["name"] == "食品经营许可信息（第二版）"
    assert AuditEntry.objects.filter(action="datahub.revise").count() == 1


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen"])
def test_revise_and_withdraw_are_for_the_provider_or_authority(who, request, published):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.revise(actor=actor, resource=published)
    with pytest.raises(PermissionDenied):
        actions.withdraw(actor=actor, resource=published, reasons="不再提供")


def test_withdraw_needs_reasons_and_keeps_versions(
    published, admin_scj, admin_mzj, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        actions.withdraw(actor=admin_scj, resource=published, reasons="")
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw(actor=admin_scj, resource=published, reasons="数据已并入法人单位基础信息")
    published.refresh_from_db()
    assert published.status == "withdrawn" and published.withdrawn_at
    assert published.versions.count() == 1
    assert queries.find_resource(admin_mzj, published.code) is None
    assert AuditEntry.objects.get(action="datahub.withdraw").summary["reasons"]
    # the provider can bring it back as a new version
    actions.revise(actor=admin_scj, resource=published)
    assert published.status == "draft"
    assert queries.find_resource(admin_mzj, published.code) is None


def test_publish_rechecks_the_grade_policy_in_force(draft, admin_scj, authority):
    actions.submit(actor=admin_scj, resource=draft)
    policy = GradePolicy.objects.get(grade="g1")
    actions.update_grade_policy(
        actor=authority,
        policy=policy,
        loosest_sharing="conditional",
        may_open=False,
        default_mask="none",
        approval_route="authority",
    )
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.publish(actor=authority, resource=draft)
    assert "许可证编号" in caught.value.message_dict["items-0-sharing_type"][0]
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_grade_policy_update(authority):
    policy = GradePolicy.objects.get(grade="g3")
    actions.update_grade_policy(
        actor=authority,
        policy=policy,
        loosest_sharing="none",
        may_open=False,
        default_mask="hidden",
        approval_route="authority_provider",
    )
    policy.refresh_from_db()
    assert policy.loosest_sharing == "none" and policy.default_mask == "hidden"
    entry = AuditEntry.objects.get(action="datahub.update_grade_policy")
    assert entry.summary["before"]["loosest_sharing"] == "conditional"


@pytest.mark.parametrize("who", ["admin_scj", "clerk", "citizen"])
def test_grade_policy_is_the_authoritys(who, request):
    policy = GradePolicy.objects.get(grade="g3")
    with pytest.raises(PermissionDenied):
        actions.update_grade_policy(
            actor=request.getfixturevalue(who),
            policy=policy,
            loosest_sharing="none",
            may_open=False,
            default_mask="hidden",
            approval_route="authority",
        )
    policy.refresh_from_db()
    assert policy.loosest_sharing == "conditional"


def test_grade_policy_bad_input(authority):
    policy = GradePolicy.objects.get(grade="g1")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.update_grade_policy(
            actor=authority,
            policy=policy,
            loosest_sharing="none",
            may_open=True,
            default_mask="whatever",
            approval_route="authority",
        )
    assert "default_mask" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.update_grade_policy(
            actor=authority,
            policy=policy,
            loosest_sharing="none",
            may_open=True,
            default_mask="none",
            approval_route="authority",
        )
    assert "may_open" in caught.value.message_dict
    assert not AuditEntry.objects.filter(action="datahub.update_grade_policy").exists()


def test_seeded_classifications_and_policies(db):
    from yiwang.datahub.models import Classification

    assert Classification.objects.get(code="101").name == "人口基础信息"
    assert Classification.objects.get(code="210").parent.code == "2"
    assert GradePolicy.objects.count() == 6
    assert GradePolicy.objects.get(grade="core").loosest_sharing == "none"


def test_missing_reference_data_is_put_back(authority, admin_scj):
    from yiwang.datahub.models import Classification

    Classification.objects.filter(code="210").delete()
    GradePolicy.objects.filter(grade="core").delete()
    with pytest.raises(PermissionDenied):
        actions.ensure_reference_data(actor=admin_scj)
    assert actions.ensure_reference_data(actor=authority) == 2
    assert Classification.objects.get(code="210").parent.code == "2"
    assert GradePolicy.objects.get(grade="core").loosest_sharing == "none"
    assert actions.ensure_reference_data(actor=authority) == 0
    assert AuditEntry.objects.filter(action="datahub.ensure_reference_data").count() == 1
