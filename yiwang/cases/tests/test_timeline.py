"""The case timeline names the step each review event concluded, so two review steps in a row
(初审, 复审) are told apart on the staff and public pages."""

import re

import pytest
from django.urls import reverse

from yiwang.cases import actions
from yiwang.cases.models import CaseEvent
from yiwang.catalog import actions as catalog

from .conftest import pdf_file

pytestmark = pytest.mark.django_db

TWO_REVIEWS = [
    {"key": "accept", "name": "受理", "kind": "accept", "role": "reviewer", "limit_days": 1},
    {"key": "first", "name": "初审", "kind": "review", "role": "reviewer", "limit_days": 2},
    {"key": "second", "name": "复审", "kind": "review", "role": "reviewer", "limit_days": 2},
    {"key": "decide", "name": "决定", "kind": "decide", "role": "approver", "limit_days": 1},
    {"key": "conclude", "name": "办结", "kind": "conclude", "role": "reviewer", "limit_days": 0},
]


def _steps_shown(html: str) -> list[str]:
    return re.findall(r'data-testid="timeline-step">([^<]*)<', html)


@pytest.fixture
def reviewed(world, submit):
    catalog.set_process(actor=world.admin, item=world.food, steps=TWO_REVIEWS)
    world.food.refresh_from_db()
    case = actions.accept(actor=world.reviewer, case=submit())
    case = actions.pass_review(actor=world.reviewer, case=case, opinion="材料齐全")
    return actions.pass_review(actor=world.reviewer, case=case, opinion="符合条件")


def test_review_events_record_the_step_they_concluded(reviewed):
    events = CaseEvent.objects.filter(case=reviewed, action="pass_review").order_by("pk")
    assert [e.step for e in events] == ["first", "second"]
    assert reviewed.current_step == "decide"


def test_staff_timeline_names_each_review_step(client, world, reviewed):
    client.force_login(world.reviewer)
    html = client.get(reverse("cases:detail", args=[reviewed.pk])).content.decode()
    assert _steps_shown(html) == ["受理", "初审", "复审"]


def test_public_tracking_page_names_each_review_step(client, reviewed):
    html = client.get(reverse("cases:track", args=[reviewed.track_token])).content.decode()
    assert _steps_shown(html) == ["受理", "初审", "复审"]


def test_window_acceptance_names_the_acceptance_step(client, world):
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
    assert CaseEvent.objects.get(case=case, action="accept").step == "accept"
