"""Rule actions: success, specific errors for bad parameters, permissions, audit; the
suggested rules; sensitive-field detection."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry
from yiwang.quality import actions
from yiwang.quality.choices import RuleKind
from yiwang.quality.models import QualityRule

from .conftest import licence_row, write

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict[str, list[str]]:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- creating, changing and deleting rules ---------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "column", "params", "stored"),
    [
        (RuleKind.NOT_NULL, "licence_no", {}, {}),
        (RuleKind.UNIQUE, "operator_name", {}, {}),
        (RuleKind.REGEX, "phone", {"pattern": r"1[3-9]\d{9}"}, {"pattern": r"1[3-9]\d{9}"}),
        (RuleKind.RANGE, "staff_count", {"min": "1", "max": " 500 "}, {"min": "1", "max": "500"}),
        (
            RuleKind.RANGE,
            "issued_on",
            {"min": "2020/1/5", "max": ""},
            {"min": "2020-01-05", "max": None},
        ),
        (RuleKind.ENUM, "status", {"values": "有效\n注销\n\n有效"}, {"values": ["有效", "注销"]}),
        (RuleKind.ID_NUMBER, "legal_rep_id", {}, {}),
        (RuleKind.USCC, "uscc", {}, {}),
        (RuleKind.FRESHNESS, "", {"grace_days": "3"}, {"grace_days": 3}),
    ],
)
def test_each_kind_of_rule_is_created_normalised_and_audited(
    licences, admin_scj, kind, column, params, stored
):
    rule = actions.create_rule(
        actor=admin_scj, resource=licences, kind=kind, column=column, params=params
    )
    assert (rule.kind, rule.column, rule.params) == (kind, column, stored)
    entry = AuditEntry.objects.get(action="quality.create_rule")
    assert entry.summary["after"]["kind"] == kind
    assert entry.actor_id == admin_scj.pk


def test_a_reference_rule_names_a_catalogued_resource_with_a_key(licences, entities, authority):
    rule = actions.create_rule(
        actor=authority,
        resource=licences,
        kind=RuleKind.REFERENCE,
        column="uscc",
        params={"reference": entities.code},
    )
    assert rule.params == {"resource": entities.code}


@pytest.mark.parametrize(
    ("kind", "column", "params", "field", "words"),
    [
        (
            RuleKind.REGEX,
            "phone",
            {"pattern": "1[3-9"},
            "pattern",
            "Not a valid regular expression",
        ),
        (RuleKind.REGEX, "phone", {"pattern": ""}, "pattern", "Write the pattern"),
        (RuleKind.REGEX, "phone", {"pattern": "x" * 301}, "pattern", "longer than 300"),
        (
            RuleKind.RANGE,
            "staff_count",
            {"min": "10", "max": "2"},
            "max",
            "greater than the maximum",
        ),
        (RuleKind.RANGE, "staff_count", {}, "min", "Give a minimum, a maximum or both"),
        (RuleKind.RANGE, "staff_count", {"min": "ten"}, "min", "not a whole number"),
        (RuleKind.RANGE, "issued_on", {"min": "2024-02-30"}, "min", "not a real date"),
        (RuleKind.RANGE, "status", {"min": "1"}, "column", "applies to numbers and dates"),
        (RuleKind.ENUM, "status", {"values": "\n \n"}, "values", "at least one allowed value"),
        (RuleKind.ENUM, "staff_count", {"values": "1\nmany"}, "values", "“many”"),
        (RuleKind.NOT_NULL, "salary", {}, "column", "no published data item “salary”"),
        (RuleKind.NOT_NULL, "", {}, "column", "Choose the data item"),
        (RuleKind.ID_NUMBER, "staff_count", {}, "column", "apply to text items"),
        (RuleKind.REFERENCE, "uscc", {}, "reference", "Give the code"),
        (RuleKind.REFERENCE, "uscc", {"reference": "999999"}, "reference", "No published resource"),
        (RuleKind.FRESHNESS, "", {"grace_days": "-1"}, "grace_days", "from 0 to 366"),
        ("sparkle", "status", {}, "kind", "Choose a rule"),
    ],
)
def test_bad_parameters_get_specific_errors_and_nothing_is_written(
    licences, admin_scj, kind, column, params, field, words
):
    errors = errors_of(
        lambda: actions.create_rule(
            actor=admin_scj, resource=licences, kind=kind, column=column, params=params
        )
    )
    assert words in " ".join(errors[field])
    assert not QualityRule.objects.exists()
    assert not AuditEntry.objects.filter(action="quality.create_rule").exists()


def test_a_reference_to_an_unpublished_resource_is_refused(licences, draft, admin_scj):
    errors = errors_of(
        lambda: actions.create_rule(
            actor=admin_scj,
            resource=licences,
            kind=RuleKind.REFERENCE,
            column="uscc",
            params={"reference": draft.code},
        )
    )
    assert "No published resource" in errors["reference"][0]


def test_a_reference_to_a_resource_without_a_key_is_refused(licences, entities, admin_scj):
    # Publishing now requires a key; versions published before that have none.
    version = entities.current_version
    version.snapshot = {**version.snapshot, "key_item": None}
    version.save(update_fields=["snapshot"])
    errors = errors_of(
        lambda: actions.create_rule(
            actor=admin_scj,
            resource=licences,
            kind=RuleKind.REFERENCE,
            column="uscc",
            params={"reference": entities.code},
        )
    )
    assert "has no key item" in errors["reference"][0]


def test_rules_need_a_published_resource(draft, admin_scj):
    with translation.override("en"), pytest.raises(ValidationError, match="not been published"):
        actions.create_rule(
            actor=admin_scj, resource=draft, kind=RuleKind.NOT_NULL, column="licence_no"
        )


def test_a_second_rule_of_the_same_kind_on_the_same_item_is_refused(licences, admin_scj):
    actions.create_rule(
        actor=admin_scj, resource=licences, kind=RuleKind.NOT_NULL, column="licence_no"
    )
    errors = errors_of(
        lambda: actions.create_rule(
            actor=admin_scj, resource=licences, kind=RuleKind.NOT_NULL, column="licence_no"
        )
    )
    assert "already has a rule of this kind" in errors["kind"][0]


@pytest.mark.parametrize("who", ["admin_mzj", "clerk", "citizen"])
def test_only_the_provider_admin_or_the_authority_manages_rules(licences, admin_scj, who, request):
    outsider = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.create_rule(
            actor=outsider, resource=licences, kind=RuleKind.NOT_NULL, column="licence_no"
        )
    rule = actions.create_rule(
        actor=admin_scj, resource=licences, kind=RuleKind.NOT_NULL, column="licence_no"
    )
    with pytest.raises(PermissionDenied):
        actions.update_rule(actor=outsider, rule=rule, column="operator_name")
    with pytest.raises(PermissionDenied):
        actions.delete_rule(actor=outsider, rule=rule)
    with pytest.raises(PermissionDenied):
        actions.accept_suggestions(actor=outsider, resource=licences)
    assert QualityRule.objects.count() == 1


def test_update_and_delete_a_rule(licences, admin_scj, authority):
    rule = actions.create_rule(
        actor=admin_scj,
        resource=licences,
        kind=RuleKind.RANGE,
        column="staff_count",
        params={"min": "1"},
    )
    actions.update_rule(actor=authority, rule=rule, params={"min": "0", "max": "99"})
    rule.refresh_from_db()
    assert rule.params == {"min": "0", "max": "99"}
    errors = errors_of(
        lambda: actions.update_rule(actor=authority, rule=rule, params={"min": "5", "max": "1"})
    )
    assert "max" in errors
    rule.refresh_from_db()
    assert rule.params == {"min": "0", "max": "99"}
    actions.delete_rule(actor=admin_scj, rule=rule)
    assert not QualityRule.objects.exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="quality.").values_list("action", flat=True)
    ) == ["quality.create_rule", "quality.update_rule", "quality.delete_rule"]


# --- suggestions -----------------------------------------------------------------------------


def test_suggested_rules_are_accepted_in_one_go(licences, admin_scj):
    created = actions.accept_suggestions(actor=admin_scj, resource=licences)
    assert sorted((r.kind, r.column) for r in created) == [
        ("freshness", ""),
        ("id_number", "legal_rep_id"),
        ("not_null", "licence_no"),
        ("unique", "licence_no"),
        ("uscc", "uscc"),
    ]
    with translation.override("en"), pytest.raises(ValidationError, match="No suggested rule"):
        actions.accept_suggestions(actor=admin_scj, resource=licences)


def test_only_the_chosen_suggestions_are_accepted(licences, admin_scj):
    created = actions.accept_suggestions(
        actor=admin_scj, resource=licences, keys=["uscc:uscc", "bogus:x"]
    )
    assert [(r.kind, r.column) for r in created] == [("uscc", "uscc")]


# --- sensitive-field detection ---------------------------------------------------------------


def test_detection_from_the_data_flags_items_published_too_loosely(licences, admin_scj):
    write(licences, [licence_row(i, operator_name=f"{'张王李'[i % 3]}三") for i in range(30)])
    findings = {f.column: f for f in actions.detect_sensitive(actor=admin_scj, resource=licences)}
    phone = findings["phone"]
    assert (phone.grade, phone.suggested_grade, phone.suggested_mask) == ("g1", "g3", "phone")
    assert phone.differs and phone.raise_grade and phone.stricter_mask
    assert findings["operator_name"].differs  # person names published as g1
    assert findings["phone"].samples == 30
    legal = findings["legal_rep_id"]
    assert (legal.grade, legal.suggested_grade) == ("g4", "g4") and not legal.differs
    assert not findings["staff_count"].differs
    entry = AuditEntry.objects.get(action="quality.detect_sensitive")
    assert "phone" in entry.summary["differences"]


def test_detection_is_for_the_provider_admin(licences, admin_mzj):
    with pytest.raises(PermissionDenied):
        actions.detect_sensitive(actor=admin_mzj, resource=licences)


def test_schedule_runs_is_the_platforms(licences, admin_scj):
    with pytest.raises(PermissionDenied):
        actions.schedule_runs(actor=admin_scj)
    assert actions.schedule_runs(actor=SYSTEM) == 0
