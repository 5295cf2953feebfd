"""Migration cases 0005: timeline events written before the fix in 0898a4c named the step the
case moved on to; the migration makes them name the step they concluded, and back."""

import importlib

import pytest
from django.apps import apps

from yiwang.cases import actions
from yiwang.cases.models import CaseEvent
from yiwang.catalog import actions as catalog

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

migration = importlib.import_module("yiwang.cases.migrations.0005_timeline_events_name_their_step")

TWO_REVIEWS = [
    {"key": "accept", "name": "受理", "kind": "accept", "role": "reviewer", "limit_days": 1},
    {"key": "first", "name": "初审", "kind": "review", "role": "reviewer", "limit_days": 2},
    {"key": "second", "name": "复审", "kind": "review", "role": "reviewer", "limit_days": 2},
    {"key": "decide", "name": "决定", "kind": "decide", "role": "approver", "limit_days": 1},
    {"key": "conclude", "name": "办结", "kind": "conclude", "role": "reviewer", "limit_days": 0},
]


def steps_of(case) -> list[tuple[str, str]]:
    return list(
        CaseEvent.objects.filter(case=case)
        .exclude(action__in=["submit", "intake", "conclude"])
        .order_by("at", "pk")
        .values_list("action", "step")
    )


@pytest.fixture
def decided(world, submit):
    catalog.set_process(actor=world.admin, item=world.food, steps=TWO_REVIEWS)
    world.food.refresh_from_db()
    case = actions.accept(actor=world.reviewer, case=submit())
    case = actions.pass_review(actor=world.reviewer, case=case, opinion="材料齐全")
    case = actions.pass_review(actor=world.reviewer, case=case, opinion="符合条件")
    return actions.decide(actor=world.approver, case=case, approve=True, reason="")


RIGHT = [
    ("accept", "accept"),
    ("pass_review", "first"),
    ("pass_review", "second"),
    ("approve", "decide"),
]
OLD = [
    ("accept", "first"),
    ("pass_review", "second"),
    ("pass_review", "decide"),
    ("approve", "conclude"),
]


def write_old_form(case):
    """What the code before the fix stored: the step after the one concluded."""
    for (action, step), event in zip(
        OLD,
        CaseEvent.objects.filter(case=case, action__in=migration.STEP_KINDS).order_by("at", "pk"),
        strict=True,
    ):
        assert event.action == action
        CaseEvent.objects.filter(pk=event.pk).update(step=step)


def test_new_events_already_name_their_step(decided):
    assert steps_of(decided) == RIGHT


def test_forwards_corrects_old_events_and_leaves_right_ones(decided, world, submit):
    write_old_form(decided)
    correct = actions.accept(actor=world.reviewer, case=submit())  # written after the fix
    assert steps_of(decided) == OLD
    migration.forwards(apps, None)
    assert steps_of(decided) == RIGHT
    assert steps_of(correct) == [("accept", "accept")]
    migration.forwards(apps, None)  # running it twice changes nothing
    assert steps_of(decided) == RIGHT


def test_backwards_restores_the_old_form(decided):
    migration.backwards(apps, None)
    assert steps_of(decided) == OLD
    migration.forwards(apps, None)
    assert steps_of(decided) == RIGHT


def test_window_intake_acceptance_is_corrected(world):
    material = world.relief.materials.get(name="申请书")
    case, _ = actions.window_intake(
        actor=world.window_huliao,
        item=world.relief,
        hall=world.hall_huliao,
        applicant_name="王芳",
        applicant_id_number="440524188001010014",
        applicant_phone="13900001111",
        form_data={"shop_name": "x", "staff": "1"},
        uploads={material.pk: pdf_file()},
        submission_key="w1",
    )
    CaseEvent.objects.filter(case=case, action="accept").update(step="review")  # the old form
    migration.forwards(apps, None)
    assert CaseEvent.objects.get(case=case, action="accept").step == "accept"


def test_history_that_does_not_fit_the_process_is_left_alone(decided):
    write_old_form(decided)
    # An extra review event the process has no step for: the case is not touched.
    extra = CaseEvent.objects.filter(case=decided, action="pass_review").first()
    CaseEvent.objects.create(case=decided, action="pass_review", step="x", at=extra.at)
    before = steps_of(decided)
    migration.forwards(apps, None)
    assert steps_of(decided) == before
