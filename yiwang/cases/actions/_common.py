"""What every case action shares: the lock, the checks of who may act, the step the case is
in, and saving with its timeline event and audit entry in one place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.notify.actions import notify
from yiwang.orgs.models import Department
from yiwang.orgs.scope import can_act

from .. import rules
from ..models import Case, CaseEvent


def snapshot(case: Case) -> dict:
    """The few fields an audit entry records before and after a case action."""
    return {
        "status": case.status,
        "step": case.current_step,
        "department": case.department_id,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "decision": case.decision,
    }


def add_event(
    case: Case, actor, action: str, note: str = "", public: bool = True, step: str | None = None
) -> None:
    """Put an action on the case's timeline (``public``: the applicant sees it too)."""
    CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor else _("System"),
        action=action,
        step=case.current_step if step is None else step,
        note=note,
        public=public,
    )


def save_case(
    case: Case,
    actor,
    action: str,
    before: dict,
    note: str = "",
    public: bool = True,
    *,
    at_step: str | None = None,
    **audit_extra,
) -> Case:
    """Save, and put the action on the timeline at the step it was taken in (not the one the
    case moved on to), so that two review steps in a row are told apart."""
    case.version += 1
    case.save()
    add_event(case, actor, action, note, public, step=at_step or before.get("step"))
    record(
        actor=actor,
        action=f"cases.{action}",
        obj=case,
        before=before,
        after=snapshot(case),
        **audit_extra,
    )
    return case


def lock_case(case: Case, expected_version: int | None) -> Case:
    """Re-read the case under a row lock; refuse actions taken on a stale page."""
    fresh = (
        Case.objects.select_for_update().select_related("process", "item", "region").get(pk=case.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ValidationError(
            _(
                "This case was changed by someone else while you were looking at it. Reload the page and try again."
            ),
            code="stale",
        )
    return fresh


def ensure_staff(actor, case: Case, roles: Iterable[str] | None = None) -> None:
    """Staff with a post of ``roles`` (default: the current step's) over the case's department
    × region."""
    roles = list(roles) if roles is not None else [case.current_role]
    if not can_act(actor, roles=roles, department=case.department, region=case.region):
        raise PermissionDenied(
            _("You are not authorised to handle this case: it belongs to %(dept)s, %(region)s.")
            % {"dept": case.department.name, "region": case.region.name}
        )


def ensure_applicant(actor, case: Case) -> None:
    if actor is None or case.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant can do this."))


def ensure_assignable(actor, case: Case) -> None:
    """A claimed case is reserved for the one who claimed it."""
    if case.assignee_id and case.assignee_id != actor.pk:
        raise ValidationError(
            _("%(name)s has claimed this case; only they can act on it.") % {"name": case.assignee}
        )


def staff_transition(
    action: str, actor, case: Case, expected_version: int | None
) -> tuple[Case, dict]:
    """Lock the case, check that ``action`` is allowed in its state and that ``actor`` may take
    it; return the fresh case and its snapshot before the action."""
    case = lock_case(case, expected_version)
    rules.ensure_allowed(action, case)
    ensure_staff(actor, case)
    ensure_assignable(actor, case)
    return case, snapshot(case)


def enter_step(case: Case, step: dict | None, now: datetime) -> None:
    """Move the case into ``step`` (``None``: past the last one), unclaimed, with the
    department the step names or else the case's home department."""
    case.current_step = step["key"] if step else ""
    case.current_role = step["role"] if step else ""
    case.step_started_at = now
    case.assignee = None
    if step and step.get("department"):
        case.department = Department.objects.get(uscc=step["department"])
    elif step:
        case.department_id = case.home_department_id


def notify_applicant(case: Case, title: str, body: str, sms: bool = False) -> None:
    if case.applicant_id:
        notify(user=case.applicant, title=title, body=body, link=f"/cases/{case.pk}/", sms=sms)


def insert_case(case: Case) -> None:
    """Write a new case; its number embeds the primary key, so it follows in one small UPDATE."""
    case.version += 1
    case.save()
    case.number = f"{case.region.code[:6]}{timezone.localdate():%Y%m%d}{case.pk:08d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)


def existing_by_key(submission_key: str | None) -> Case | None:
    """The case a submission with this key already created, if any (a repeated POST)."""
    if not submission_key:
        return None
    return Case.objects.filter(submission_key=submission_key).first()
