"""The grade policy (one row per grade): changed by the data authority only.

A change applies to what is entered, submitted and published from then on: resources
already published keep their published definition until they are revised (``submit`` and
``publish`` check the items against the policy in force).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from ..choices import ApprovalRoute, Mask, SharingType
from ..models import GradePolicy
from ._common import require_authority
from ._validation import raise_if

POLICY_FIELDS = ("loosest_sharing", "may_open", "default_mask", "approval_route")


def _snapshot(policy: GradePolicy) -> dict:
    return {name: getattr(policy, name) for name in POLICY_FIELDS}


@transaction.atomic
def update_grade_policy(
    *,
    actor,
    policy: GradePolicy,
    loosest_sharing: str,
    may_open: bool,
    default_mask: str,
    approval_route: str,
) -> GradePolicy:
    errors: dict[str, list[str]] = {}
    checks = (
        ("loosest_sharing", loosest_sharing, SharingType),
        ("default_mask", default_mask, Mask),
        ("approval_route", approval_route, ApprovalRoute),
    )
    for name, value, choices in checks:
        if value not in choices.values:
            errors[name] = [_("Choose one of the listed values.")]
    if not errors and may_open and loosest_sharing == SharingType.NONE:
        errors["may_open"] = [_("Data that may not be shared cannot be opened to the public.")]
    raise_if(errors)
    require_authority(actor)
    policy = GradePolicy.objects.select_for_update().get(pk=policy.pk)
    before = _snapshot(policy)
    policy.loosest_sharing = loosest_sharing
    policy.may_open = bool(may_open)
    policy.default_mask = default_mask
    policy.approval_route = approval_route
    policy.save()
    record(
        actor=actor,
        action="datahub.update_grade_policy",
        obj=policy,
        before=before,
        after=_snapshot(policy),
        grade=policy.grade,
    )
    return policy
