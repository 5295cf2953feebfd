"""Purpose-bound reveal of the applicant's ID number and phone on a case."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts import actions as accounts
from yiwang.audit.models import AuditEntry
from yiwang.cases import actions
from yiwang.cases.models import Case, Status
from yiwang.notify.models import Message
from yiwang.privacy.models import Disclosure

from .conftest import PASSWORD, pdf_file, staff

pytestmark = pytest.mark.django_db

WHY = {"purpose": "contact", "reason": "电话通知补正场所平面图"}


def reveal(actor, case, field="id_number", **kw):
    return actions.reveal_applicant_data(actor=actor, case=case, field=field, **{**WHY, **kw})


def walk_in(world, key="w1", id_number="440524198001010013"):
    material = world.relief.materials.get(name="申请书")
    case, _ = actions.window_intake(
        actor=world.window_huliao,
        item=world.relief,
        hall=world.hall_huliao,
        applicant_name="王芳",
        applicant_id_number=id_number,
        applicant_phone="13900001111",
        form_data={"shop_name": "王芳", "staff": "1"},
        uploads={material.pk: pdf_file()},
        submission_key=key,
    )
    return case


def test_handling_staff_reveal_with_purpose_and_reason(world, submit):
    case = submit()
    assert reveal(world.reviewer, case) == "11010519491231002X"
    assert reveal(world.approver, case, field="phone", purpose="verify_identity") == "13800135678"
    rows = Disclosure.objects.order_by("created_at")
    assert [(r.actor_id, r.field, r.purpose) for r in rows] == [
        (world.reviewer.pk, "id_number", "contact"),
        (world.approver.pk, "phone", "verify_identity"),
    ]
    first = rows[0]
    assert (first.object_label, first.object_url, first.department_id) == (
        case.number,
        f"/cases/{case.pk}/",
        world.scj.pk,
    )
    assert first.subject_id == world.citizen.pk
    assert (
        AuditEntry.objects.filter(action="personal_data.reveal", object_id=str(case.pk)).count()
        == 2
    )


def test_reason_and_purpose_required(world, submit):
    case = submit()
    with pytest.raises(ValidationError) as info:
        reveal(world.reviewer, case, reason="")
    assert info.value.error_dict["reason"][0].code == "reason_required"
    with pytest.raises(ValidationError) as info:
        reveal(world.reviewer, case, purpose="")
    assert info.value.error_dict["purpose"][0].code == "invalid_purpose"
    with pytest.raises(ValidationError):
        reveal(world.reviewer, case, field="password")
    assert not Disclosure.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="personal_data").exists()


def test_staff_outside_the_case_scope_or_role_refused(world, submit):
    case = submit()
    for actor in (world.reviewer_mzj, world.reviewer_town, world.leader, world.reviewer_huliao):
        # other department, other town's department, a leader (oversees, does not contact),
        # the right department in another town (the item's region is the county)
        with pytest.raises(PermissionDenied):
            reveal(actor, case)
    with pytest.raises(PermissionDenied):
        reveal(world.other_citizen, case)
    assert not Disclosure.objects.exists()


def test_closed_case_refused_after_grace_days(world, submit):
    case = submit()
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=now - timedelta(days=1))
    assert reveal(world.reviewer, case)  # a concluded case may still need a call for a few days
    Case.objects.filter(pk=case.pk).update(closed_at=now - timedelta(days=8))
    with pytest.raises(ValidationError) as info:
        reveal(world.reviewer, case)
    assert info.value.code == "case_closed"
    Case.objects.filter(pk=case.pk).update(status=Status.WITHDRAWN, closed_at=now)
    with pytest.raises(ValidationError) as info:
        reveal(world.reviewer, case)
    assert info.value.code == "case_closed"
    assert Disclosure.objects.count() == 1


def test_window_staff_of_the_intake_hall_may_reveal(world):
    case = walk_in(world)
    assert reveal(world.window_huliao, case, purpose="verify_identity") == "440524198001010013"
    assert reveal(world.reviewer_town, case, field="phone") == "13900001111"
    # recorded on behalf of the window's own unit (none in this fixture) and of the department
    assert Disclosure.objects.get(actor=world.window_huliao).department_id is None
    assert Disclosure.objects.get(actor=world.reviewer_town).department_id == world.town.pk
    with pytest.raises(PermissionDenied):
        reveal(world.reviewer, case)


def test_view_reveals_once_and_keeps_the_page_masked(client, world, submit):
    case = submit()
    url = reverse("cases:reveal", args=[case.pk, "id_number"])
    client.force_login(world.reviewer)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="reveal-id_number"' in page and url in page
    response = client.post(url, WHY)
    html = response.content.decode()
    assert response.status_code == 200 and "11010519491231002X" in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "11010519491231002X" not in detail and "110105********002X" in detail
    # without a reason: refused with the message on the case page, nothing shown or recorded
    response = client.post(url, {"purpose": "contact", "reason": ""}, follow=True)
    assert "11010519491231002X" not in response.content.decode()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Disclosure.objects.count() == 1


def test_view_denies_out_of_scope_and_non_staff(client, world, submit):
    case = submit()
    url = reverse("cases:reveal", args=[case.pk, "id_number"])
    assert login_post(client, world.reviewer_mzj, url).status_code == 404  # cannot see the case
    assert login_post(client, world.reviewer_town, url).status_code == 404
    assert login_post(client, world.leader, url).status_code == 403  # sees it, may not reveal
    assert login_post(client, world.citizen, url).status_code == 403
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="reveal-id_number"' not in page
    assert not Disclosure.objects.exists()


def login_post(client, user, url):
    client.force_login(user)
    return client.post(url, WHY)


def test_limit_refuses_in_the_view_and_alerts_the_auditor(client, world, submit, settings):
    settings.YIWANG_REVEAL_LIMIT_PER_HOUR = 2
    auditor = staff(world.admin, "auditor", "auditor", None, world.dabu)
    cases = [submit() for _ in range(4)]
    client.force_login(world.reviewer)
    for case in cases[:2]:
        assert client.post(reverse("cases:reveal", args=[case.pk, "phone"]), WHY).status_code == 200
    for case in cases[2:]:
        response = client.post(reverse("cases:reveal", args=[case.pk, "phone"]), WHY, follow=True)
        assert "13800135678" not in response.content.decode()
    assert Disclosure.objects.filter(refused=False).count() == 2
    assert Disclosure.objects.filter(refused=True).count() == 2  # kept despite the rollback
    assert Message.objects.filter(recipient=auditor).count() == 1  # one alert per burst


def test_walk_in_sees_earlier_reveals_after_registering(client, world):
    case = walk_in(world, id_number="440524198001010013")
    reveal(world.window_huliao, case, purpose="verify_identity", reason="核验申请人身份证")
    person = accounts.create_citizen(
        actor=None,
        username="wangfang",
        password=PASSWORD,
        real_name="王芳",
        id_number="440524198001010013",
        phone="13700001111",
    )
    client.force_login(person)
    response = client.get(reverse("privacy:mine"))
    rows = list(response.context["page_obj"])
    assert [(r.object_label, r.reason) for r in rows] == [(case.number, "核验申请人身份证")]
    assert "window_huliao" in response.content.decode()
