"""Case actions: success, permission denial (other department, other town) and bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.audit.actions import verify
from yiwang.audit.models import AuditEntry
from yiwang.cases import actions
from yiwang.cases.models import Case, CaseMaterial, ClockPause, Decision, Status
from yiwang.notify.models import Message

from .conftest import pdf_file, png_file

pytestmark = pytest.mark.django_db


def test_online_submission_creates_case_at_the_accept_step(world, submit):
    case = submit()
    assert case.status == Status.SUBMITTED
    assert case.current_step == "accept" and case.current_role == "reviewer"
    assert case.number.startswith("441422")
    assert case.form_data == {"shop_name": "客家味道小吃店", "staff": 3}
    assert case.statutory_days == 20 and case.promised_days == 5
    assert case.due_at is not None  # the accept step's own deadline until accepted
    f = CaseMaterial.objects.get(case=case)
    assert len(f.sha256) == 64 and f.content_type == "application/pdf"
    assert Message.objects.filter(recipient=world.citizen).exists()
    assert AuditEntry.objects.filter(action="cases.submit", object_id=str(case.pk)).exists()
    assert verify().ok


def test_double_submission_returns_the_first_case(world):
    material = world.food.materials.get(name="申请书")
    kwargs = {
        "actor": world.citizen,
        "item": world.food,
        "form_data": {"shop_name": "店", "staff": "2"},
        "submission_key": "same-key",
    }
    first, created = actions.submit_application(uploads={material.pk: pdf_file()}, **kwargs)
    second, created_again = actions.submit_application(uploads={material.pk: pdf_file()}, **kwargs)
    assert created and not created_again and first.pk == second.pk
    assert Case.objects.count() == 1


def test_bad_form_and_missing_material_are_reported_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as exc:
        actions.submit_application(
            actor=world.citizen,
            item=world.food,
            form_data={"shop_name": "", "staff": "0"},
            uploads={},
            submission_key="k1",
        )
    errors = exc.value.message_dict
    assert "form_shop_name" in errors and "form_staff" in errors
    material = world.food.materials.get(name="申请书")
    assert f"material_{material.pk}" in errors
    # 营业执照 can be replaced by an e-licence: never demanded
    licence = world.food.materials.get(name="营业执照")
    assert f"material_{licence.pk}" not in errors
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_wrong_and_oversized_files_are_refused(world, settings):
    material = world.food.materials.get(name="申请书")
    fake = pdf_file("evil.pdf")
    fake.file.write(b"")
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError) as exc:
        actions.submit_application(
            actor=world.citizen,
            item=world.food,
            form_data={"shop_name": "店", "staff": "1"},
            uploads={material.pk: exe},
            submission_key="k2",
        )
    assert "PDF" in " ".join(exc.value.messages)
    settings.YIWANG_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        actions.submit_application(
            actor=world.citizen,
            item=world.food,
            form_data={"shop_name": "店", "staff": "1"},
            uploads={material.pk: pdf_file(size=4096)},
            submission_key="k3",
        )
    assert "MB" in " ".join(exc.value.messages)
    assert Case.objects.count() == 0


def test_stale_item_version_is_refused(world):
    material = world.food.materials.get(name="申请书")
    with pytest.raises(ValidationError) as exc:
        actions.submit_application(
            actor=world.citizen,
            item=world.food,
            form_data={"shop_name": "店", "staff": "1"},
            uploads={material.pk: pdf_file()},
            submission_key="k4",
            item_version=world.food.version - 1,
        )
    assert exc.value.code == "stale_item"


def test_full_happy_path_with_correction(world, submit):
    case = submit()
    case = actions.accept(actor=world.reviewer, case=case)
    assert case.status == Status.IN_PROGRESS and case.current_step == "review"
    assert case.accepted_at and case.due_at and case.statutory_due >= case.due_at
    case = actions.request_correction(
        actor=world.reviewer, case=case, missing="请补充经营场所平面图"
    )
    assert case.status == Status.CORRECTION
    assert ClockPause.objects.filter(case=case, ended_at__isnull=True).count() == 1
    plan = world.food.materials.get(name="场所平面图")
    case = actions.resubmit(actor=world.citizen, case=case, uploads={plan.pk: png_file()})
    assert case.status == Status.IN_PROGRESS and case.current_step == "review"
    assert not ClockPause.objects.filter(case=case, ended_at__isnull=True).exists()
    case = actions.pass_review(actor=world.reviewer, case=case, opinion="材料齐全，符合条件")
    assert case.current_step == "decide" and case.current_role == "approver"
    case = actions.decide(actor=world.approver, case=case, approve=True, reason="")
    assert case.decision == Decision.APPROVED and case.current_step == "conclude"
    case = actions.conclude(actor=world.reviewer, case=case)
    assert case.status == Status.CLOSED and case.closed_at
    actions_seen = list(case.events.values_list("action", flat=True))
    assert actions_seen == [
        "submit",
        "accept",
        "request_correction",
        "resubmit",
        "pass_review",
        "approve",
        "conclude",
    ]
    assert verify().ok


def test_refusal_needs_reasons_and_states_remedies(world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    case = actions.pass_review(actor=world.reviewer, case=case, opinion="不符合条件")
    with pytest.raises(ValidationError):
        actions.decide(actor=world.approver, case=case, approve=False, reason=" ")
    case = actions.decide(
        actor=world.approver, case=case, approve=False, reason="经营场所不符合要求"
    )
    assert case.decision == Decision.REFUSED
    assert "行政复议" in case.remedy or "reconsideration" in case.remedy


def test_not_accepted_with_reasons(world, submit):
    case = submit()
    with pytest.raises(ValidationError):
        actions.reject(actor=world.reviewer, case=case, reason="")
    case = actions.reject(actor=world.reviewer, case=case, reason="不属于本部门职责")
    assert case.status == Status.REJECTED and case.remedy


def test_illegal_transitions_are_refused_with_a_clear_message(world, submit):
    case = submit()
    with pytest.raises(ValidationError) as exc:
        actions.decide(actor=world.approver, case=case, approve=True, reason="")
    assert exc.value.code == "transition_not_allowed"
    with pytest.raises(ValidationError):
        actions.pass_review(actor=world.reviewer, case=case, opinion="ok")
    with pytest.raises(ValidationError):
        actions.resubmit(
            actor=world.citizen, case=case, uploads={}, form_data={"shop_name": "x", "staff": "1"}
        )


def test_staff_of_another_department_or_town_cannot_act(world, submit):
    case = submit()
    with pytest.raises(PermissionDenied):
        actions.accept(actor=world.reviewer_mzj, case=case)
    with pytest.raises(
        PermissionDenied
    ):  # scj reviewer scoped to 湖寮镇 only; the case is county-level
        actions.accept(actor=world.reviewer_huliao, case=case)
    with pytest.raises(PermissionDenied):  # approver may not do the reviewer's step
        actions.accept(actor=world.approver, case=case)
    with pytest.raises(PermissionDenied):  # the applicant cannot accept their own case
        actions.accept(actor=world.citizen, case=case)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_only_the_applicant_withdraws(world, submit):
    case = submit()
    with pytest.raises(PermissionDenied):
        actions.withdraw(actor=world.other_citizen, case=case, reason="不办了")
    with pytest.raises(ValidationError):
        actions.withdraw(actor=world.citizen, case=case, reason="")
    case = actions.withdraw(actor=world.citizen, case=case, reason="不办了")
    assert case.status == Status.WITHDRAWN


def test_stale_form_is_refused(world, submit):
    case = submit()
    old_version = case.version
    actions.claim(actor=world.reviewer, case=case)
    with pytest.raises(ValidationError) as exc:
        actions.accept(actor=world.reviewer, case=case, expected_version=old_version)
    assert exc.value.code == "stale"


def test_claimed_case_is_reserved_for_the_claimer(world, submit):
    from yiwang.cases.tests.conftest import staff

    other = staff(world.admin, "reviewer_scj_2", "reviewer", world.scj, world.dabu)
    case = actions.claim(actor=world.reviewer, case=submit())
    with pytest.raises(ValidationError):
        actions.accept(actor=other, case=case)
    with pytest.raises(ValidationError):
        actions.claim(actor=other, case=case)


def test_special_procedure_pauses_the_clock(world, submit):
    case = actions.accept(actor=world.reviewer, case=submit())
    with pytest.raises(ValidationError):
        actions.start_special(actor=world.reviewer, case=case, procedure="nonsense", reason="x")
    case = actions.start_special(
        actor=world.reviewer, case=case, procedure="inspection", reason="现场核查"
    )
    assert case.status == Status.SPECIAL
    with pytest.raises(ValidationError):
        actions.pass_review(actor=world.reviewer, case=case, opinion="x")
    case = actions.end_special(actor=world.reviewer, case=case, result="核查合格")
    assert case.status == Status.IN_PROGRESS
    assert ClockPause.objects.get(case=case).result == "核查合格"


def test_transfer_to_another_department(world, submit):
    case = submit()
    case = actions.transfer(
        actor=world.reviewer, case=case, department=world.mzj, reason="属民政职责"
    )
    assert case.department == world.mzj
    with pytest.raises(PermissionDenied):
        actions.accept(actor=world.reviewer, case=case)
    actions.accept(actor=world.reviewer_mzj, case=case)


def test_bulk_accept_is_all_or_nothing(world, submit):
    a, b = submit(), submit()
    actions.withdraw(actor=world.citizen, case=b, reason="重复")
    with pytest.raises(ValidationError):
        actions.accept_many(actor=world.reviewer, cases=[a, b])
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED
    c = submit()
    actions.accept_many(actor=world.reviewer, cases=[a, c])
    assert set(Case.objects.filter(pk__in=[a.pk, c.pk]).values_list("status", flat=True)) == {
        Status.IN_PROGRESS
    }


def test_window_intake_for_another_towns_item(world):
    """全县通办: 湖寮镇's window registers an item implemented by 高陂镇."""
    material = world.relief.materials.get(name="申请书")
    case, created = actions.window_intake(
        actor=world.window_huliao,
        item=world.relief,
        hall=world.hall_huliao,
        applicant_name="王芳",
        applicant_id_number="440524188001010014",
        applicant_phone="13900001111",
        form_data={"shop_name": "王芳", "staff": "1"},
        uploads={material.pk: pdf_file()},
        submission_key="w1",
    )
    assert created and case.status == Status.IN_PROGRESS and case.current_step == "review"
    assert case.hall == world.hall_huliao and case.region == world.gaobei and case.accepted_at
    assert case.applicant == world.other_citizen  # linked by the ID's blind index
    assert case.masked_id_number == "440524********0014"
    actions.pass_review(actor=world.reviewer_town, case=case, opinion="符合")


def test_window_intake_bad_input_and_scope(world):
    material = world.relief.materials.get(name="申请书")
    with pytest.raises(ValidationError) as exc:
        actions.window_intake(
            actor=world.window_huliao,
            item=world.relief,
            hall=world.hall_huliao,
            applicant_name="",
            applicant_id_number="110105194912310021",
            applicant_phone="123",
            form_data={},
            uploads={material.pk: pdf_file()},
            submission_key="w2",
        )
    errors = exc.value.message_dict
    assert {"applicant_name", "applicant_id_number", "applicant_phone"} <= set(errors)
    with pytest.raises(PermissionDenied):  # not a window post at that hall
        actions.window_intake(
            actor=world.window_huliao,
            item=world.relief,
            hall=world.hall_gaobei,
            applicant_name="王芳",
            applicant_id_number="440524188001010014",
            applicant_phone="13900001111",
            form_data={"shop_name": "x", "staff": "1"},
            uploads={material.pk: pdf_file()},
            submission_key="w3",
        )
    with pytest.raises(ValidationError):  # not county-wide: only at 高陂镇's halls
        actions.window_intake(
            actor=world.window_huliao,
            item=world.local_only,
            hall=world.hall_huliao,
            applicant_name="王芳",
            applicant_id_number="440524188001010014",
            applicant_phone="13900001111",
            form_data={"shop_name": "x", "staff": "1"},
            uploads={world.local_only.materials.get(name="申请书").pk: pdf_file()},
            submission_key="w4",
        )
    assert Case.objects.count() == 0


def test_failed_action_leaves_no_audit_or_event(world, submit):
    case = submit()
    before_audit, before_events = AuditEntry.objects.count(), case.events.count()
    with pytest.raises(PermissionDenied):
        actions.accept(actor=world.reviewer_mzj, case=case)
    assert AuditEntry.objects.count() == before_audit and case.events.count() == before_events


def test_release_claim_by_claimer_or_department_admin(world, submit):
    from yiwang.cases.tests.conftest import staff

    other = staff(world.admin, "reviewer_scj_3", "reviewer", world.scj, world.dabu)
    dept_admin = staff(world.admin, "admin_scj", "dept_admin", world.scj, world.dabu)
    case = actions.claim(actor=world.reviewer, case=submit())
    with pytest.raises(PermissionDenied):
        actions.release(actor=other, case=case)
    case = actions.release(actor=dept_admin, case=case)
    assert case.assignee is None
    with pytest.raises(ValidationError):
        actions.release(actor=world.reviewer, case=case)
    case = actions.claim(actor=other, case=case)
    case = actions.release(actor=other, case=case)
    assert case.assignee is None
