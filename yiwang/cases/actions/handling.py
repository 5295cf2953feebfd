"""Staff handling a case along its process: claim and release, accept or reject, ask for
corrections, review, special procedures, decide, conclude, transfer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.orgs.models import Department, Role

from .. import rules
from ..deadlines import refresh_deadlines
from ..models import Case, ClockPause, DeadlineStatus, Decision, PauseKind, Status
from ..signals import case_approved
from ._common import (
    ensure_staff,
    enter_step,
    lock_case,
    notify_applicant,
    save_case,
    snapshot,
    staff_transition,
)


@transaction.atomic
def claim(*, actor, case: Case, expected_version: int | None = None) -> Case:
    case = lock_case(case, expected_version)
    rules.ensure_allowed("claim", case)
    ensure_staff(actor, case)
    if case.assignee_id and case.assignee_id != actor.pk:
        raise ValidationError(
            _("%(name)s has already claimed this case.") % {"name": case.assignee}
        )
    before = snapshot(case)
    case.assignee = actor
    return save_case(case, actor, "claim", before, public=False)


@transaction.atomic
def release(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """Give a claimed case back to the queue: by the claimer, or by the department's administrator
    when the claimer is away."""
    case = lock_case(case, expected_version)
    rules.ensure_allowed("release", case)
    if case.assignee_id is None:
        raise ValidationError(_("Nobody has claimed this case."))
    if case.assignee_id != actor.pk:
        ensure_staff(actor, case, roles=[Role.DEPT_ADMIN])
    before = snapshot(case)
    case.assignee = None
    return save_case(case, actor, "release", before, public=False)


@transaction.atomic
def accept(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    case, before = staff_transition("accept", actor, case, expected_version)
    now = timezone.now()
    case.accepted_at, case.status = now, Status.IN_PROGRESS
    enter_step(case, case.process.next_step(case.current_step), now)
    refresh_deadlines(case, now)
    notify_applicant(
        case,
        _("Application accepted"),
        _("Your application %(number)s was accepted. Promised completion by %(due)s.")
        % {"number": case.number, "due": case.due_at},
    )
    save_case(case, actor, "accept", before, note=note)
    return case


@transaction.atomic
def accept_many(*, actor, cases: Iterable[Case]) -> list[Case]:
    """Bulk 受理: all or nothing."""
    return [accept(actor=actor, case=c) for c in cases]


@transaction.atomic
def reject(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    """不予受理, with reasons and remedies."""
    if not reason.strip():
        raise ValidationError(
            {"reason": [_("State the reasons for not accepting the application.")]}
        )
    case, before = staff_transition("reject", actor, case, expected_version)
    case.status, case.closed_at, case.current_role = Status.REJECTED, timezone.now(), ""
    case.decision_reason, case.remedy = reason, rules.remedy_text(case.region)
    case.deadline_status = DeadlineStatus.NORMAL
    notify_applicant(
        case,
        _("Application not accepted"),
        _("Your application %(number)s was not accepted: %(reason)s")
        % {"number": case.number, "reason": reason},
        sms=True,
    )
    save_case(case, actor, "reject", before, note=reason)
    return case


@transaction.atomic
def request_correction(
    *, actor, case: Case, missing: str, expected_version: int | None = None
) -> Case:
    """一次性告知补正: tell everything that is missing at once; the clock stops until resubmission."""
    if not missing.strip():
        raise ValidationError(
            {"missing": [_("List everything the applicant must correct or add, all at once.")]}
        )
    case, before = staff_transition("request_correction", actor, case, expected_version)
    now = timezone.now()
    ClockPause.objects.create(case=case, kind=PauseKind.CORRECTION, started_at=now, reason=missing)
    case.status = Status.CORRECTION
    refresh_deadlines(case, now)
    notify_applicant(
        case,
        _("Corrections needed"),
        _("Your application %(number)s needs corrections: %(missing)s")
        % {"number": case.number, "missing": missing},
        sms=True,
    )
    save_case(case, actor, "request_correction", before, note=missing)
    return case


@transaction.atomic
def pass_review(*, actor, case: Case, opinion: str, expected_version: int | None = None) -> Case:
    if not opinion.strip():
        raise ValidationError({"opinion": [_("Write your review opinion.")]})
    case, before = staff_transition("pass_review", actor, case, expected_version)
    now = timezone.now()
    enter_step(case, case.process.next_step(case.current_step), now)
    refresh_deadlines(case, now)
    return save_case(case, actor, "pass_review", before, note=opinion)


@transaction.atomic
def start_special(
    *, actor, case: Case, procedure: str, reason: str, expected_version: int | None = None
) -> Case:
    """特别程序 (hearing, expert review, inspection, testing): not counted in the time limit."""
    if procedure not in rules.SPECIAL_PROCEDURES:
        raise ValidationError({"procedure": [_("Choose a special procedure.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("State why the special procedure is needed.")]})
    case, before = staff_transition("start_special", actor, case, expected_version)
    now = timezone.now()
    ClockPause.objects.create(
        case=case, kind=PauseKind.SPECIAL, started_at=now, reason=reason, procedure=procedure
    )
    case.status = Status.SPECIAL
    refresh_deadlines(case, now)
    note = f"{rules.SPECIAL_PROCEDURES[procedure]}：{reason}"
    notify_applicant(case, _("Special procedure started"), note)
    save_case(case, actor, "start_special", before, note=note)
    return case


@transaction.atomic
def end_special(*, actor, case: Case, result: str, expected_version: int | None = None) -> Case:
    if not result.strip():
        raise ValidationError({"result": [_("Record the result of the special procedure.")]})
    case = lock_case(case, expected_version)
    rules.ensure_allowed("end_special", case)
    ensure_staff(actor, case)
    before = snapshot(case)
    now = timezone.now()
    ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now, result=result)
    case.status = Status.IN_PROGRESS
    refresh_deadlines(case, now)
    return save_case(case, actor, "end_special", before, note=result)


@transaction.atomic
def decide(
    *, actor, case: Case, approve: bool, reason: str, expected_version: int | None = None
) -> Case:
    """准予 or 不予; a refusal needs reasons and states the remedies."""
    if not approve and not reason.strip():
        raise ValidationError({"reason": [_("A refusal must state its reasons.")]})
    case, before = staff_transition("decide", actor, case, expected_version)
    now = timezone.now()
    case.decision = Decision.APPROVED if approve else Decision.REFUSED
    case.decision_reason = reason
    case.remedy = "" if approve else rules.remedy_text(case.region)
    enter_step(case, case.process.next_step(case.current_step), now)
    refresh_deadlines(case, now)
    notify_applicant(
        case,
        _("Decision made"),
        (
            _("Your application %(number)s was approved.")
            if approve
            else _("Your application %(number)s was refused: %(reason)s")
        )
        % {"number": case.number, "reason": reason},
        sms=True,
    )
    save_case(case, actor, "approve" if approve else "refuse", before, note=reason)
    if approve:
        case_approved.send(sender=Case, case=case, actor=actor)
    if case.current_step == "" or case.step() is None:
        _close(case, actor, now)
    return case


def _close(case: Case, actor, now: datetime) -> None:
    """Close the case; its deadline status is fixed as met (normal) or missed (overdue)."""
    before = snapshot(case)
    case.status, case.closed_at, case.current_role = Status.CLOSED, now, ""
    case.deadline_status = (
        DeadlineStatus.OVERDUE
        if case.due_at and timezone.localdate(now) > case.due_at
        else DeadlineStatus.NORMAL
    )
    save_case(case, actor, "conclude", before)


@transaction.atomic
def conclude(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """办结: the result (decision document) is available to the applicant."""
    case, _before = staff_transition("conclude", actor, case, expected_version)
    _close(case, actor, timezone.now())
    notify_applicant(
        case,
        _("Case concluded"),
        _("Your case %(number)s is concluded. Download the decision in “My cases”.")
        % {"number": case.number},
        sms=True,
    )
    return case


@transaction.atomic
def transfer(
    *,
    actor,
    case: Case,
    department: Department,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """转办: hand the case to the department that is really competent."""
    if not reason.strip():
        raise ValidationError({"reason": [_("State why the case is transferred.")]})
    case, before = staff_transition("transfer", actor, case, expected_version)
    if department.pk == case.department_id:
        raise ValidationError({"department": [_("The case is already with this department.")]})
    old = case.department
    case.department, case.home_department, case.assignee = department, department, None
    notify_applicant(
        case,
        _("Case transferred"),
        _("Your case %(number)s was transferred to %(dept)s.")
        % {"number": case.number, "dept": department.name},
    )
    save_case(case, actor, "transfer", before, note=f"{old.name} → {department.name}：{reason}")
    return case
