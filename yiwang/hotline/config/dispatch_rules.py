"""Audited changes to the dispatch catalogue (派单目录): category × region subtree → lead
department + co-handling departments."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.orgs.models import Department
from yiwang.regions.models import Region

from ..models import COUNTY_CODE, Category, DispatchRule
from ._common import clean_line, ensure_can_configure, whole_number

PRIORITY_MIN, PRIORITY_MAX = -999, 999
NOTE_MAX_CHARS = 200


def rule_snapshot(rule: DispatchRule, co_ids: Iterable[int] | None = None) -> dict:
    if co_ids is None:
        co_ids = [d.pk for d in rule.co_departments.all()]
    return {
        "category": rule.category.code,
        "region": rule.region.code,
        "lead_department": rule.lead_department_id,
        "co_departments": sorted(co_ids),
        "priority": rule.priority,
        "active": rule.active,
        "note": rule.note,
    }


@transaction.atomic
def save_dispatch_rule(
    *,
    actor,
    rule: DispatchRule | None = None,
    category: Category | None,
    region: Region | None,
    lead_department: Department | None,
    co_departments: Iterable[Department] = (),
    priority: int | str = 0,
    active: bool = True,
    note: str = "",
) -> DispatchRule:
    """Create (``rule=None``) or change one 派单目录 rule: category × region subtree → lead
    department + co-handling departments. One rule per category and region."""
    errors: dict = {}
    _check_target(category, region, lead_department, errors)
    co = _clean_co_departments(lead_department, co_departments, errors)
    priority_n = _clean_priority(priority, errors)
    note = clean_line(note, "note", _("note"), NOTE_MAX_CHARS, errors)
    if errors or category is None or region is None or lead_department is None:
        raise ValidationError(errors)
    ensure_can_configure(actor)

    duplicate = {
        "region": [
            _(
                "There is already a rule for “%(category)s” in %(region)s: edit that rule "
                "instead of adding a second one."
            )
            % {"category": category.full_name, "region": region.name}
        ]
    }
    clash = DispatchRule.objects.filter(category=category, region=region)
    if rule is not None:
        rule = DispatchRule.objects.select_for_update().get(pk=rule.pk)
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError(duplicate, code="duplicate")

    before = None if rule is None else rule_snapshot(rule)
    rule = rule or DispatchRule()
    rule.category, rule.region, rule.lead_department = category, region, lead_department
    rule.priority, rule.active, rule.note = priority_n, bool(active), note
    try:
        with transaction.atomic():  # a concurrent twin fails on the unique constraint
            rule.save()
    except IntegrityError:
        raise ValidationError(duplicate, code="duplicate") from None
    rule.co_departments.set(co)
    after = rule_snapshot(rule, [d.pk for d in co])
    if after != before:
        record(
            actor=actor,
            action="hotline.dispatch_rule_saved",
            obj=rule,
            before=before,
            after=after,
            created=before is None,
        )
    return rule


def _check_target(
    category: Category | None,
    region: Region | None,
    lead_department: Department | None,
    errors: dict,
) -> None:
    if category is None:
        errors["category"] = [_("Choose the category the rule applies to.")]
    if region is None:
        errors["region"] = [_("Choose the region the rule applies to.")]
    elif not region.code.startswith(COUNTY_CODE):
        errors["region"] = [
            _("%(region)s is outside 大埔县: choose the county or one of its towns or villages.")
            % {"region": region.name}
        ]
    if lead_department is None:
        errors["lead_department"] = [_("Choose the lead department.")]


def _clean_priority(value, errors: dict) -> int:
    priority = whole_number(value)
    if priority is None or not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        errors["priority"] = [
            _(
                "The priority must be a whole number from %(min)d to %(max)d (a larger number "
                "wins when two rules are equally specific)."
            )
            % {"min": PRIORITY_MIN, "max": PRIORITY_MAX}
        ]
        return 0
    return priority


def _clean_co_departments(
    lead: Department | None, co_departments: Iterable[Department], errors: dict
) -> list[Department]:
    """The co-handling departments without repeats; the lead department among them is an error."""
    co: list[Department] = []
    for dept in co_departments or ():
        if lead is not None and dept.pk == lead.pk:
            errors["co_departments"] = [
                _(
                    "%(name)s is the lead department, so it cannot also be a co-handling "
                    "department: untick it."
                )
                % {"name": dept.name}
            ]
        elif dept.pk not in {d.pk for d in co}:
            co.append(dept)
    return co


@transaction.atomic
def delete_dispatch_rule(*, actor, rule: DispatchRule) -> None:
    ensure_can_configure(actor)
    rule = (
        DispatchRule.objects.select_for_update(of=("self",))
        .select_related("category", "region")
        .get(pk=rule.pk)
    )
    record(
        actor=actor, action="hotline.dispatch_rule_deleted", obj=rule, before=rule_snapshot(rule)
    )
    rule.delete()
