"""Showing staff an applicant's personal data in full: purpose-bound, limited, recorded.

Who may, and for how long after a case ends, is one rule (``_ensure_may_reveal_applicant``) for
the applicant's own data and for the personal values of the application form."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.catalog import personal_formats
from yiwang.orgs.models import Role
from yiwang.orgs.scope import can_act, posts_of
from yiwang.privacy.actions import disclosing, record_disclosure

from ..models import OPEN_STATUSES, Case, Status

#: Posts that handle cases and may need to call or identify the applicant (not leaders,
#: auditors or data administrators: they oversee, they do not contact applicants).
REVEAL_ROLES = (Role.WINDOW, Role.REVIEWER, Role.APPROVER, Role.DEPT_ADMIN)
#: A concluded or refused case may still need a call (handing over the licence, questions
#: about the decision) for this many days after it ended; a withdrawn one never does.
REVEAL_DAYS_AFTER_CLOSE = 7


def _ensure_may_reveal_applicant(actor, case: Case) -> None:
    """Staff handling cases of the case's department × region (or at the window hall where it
    was registered), while the case is open or ended at most ``REVEAL_DAYS_AFTER_CLOSE`` ago."""
    in_scope = can_act(
        actor, roles=REVEAL_ROLES, department=case.department, region=case.region
    ) or bool(
        case.hall_id
        and any(p.hall_id == case.hall_id for p in posts_of(actor, roles=[Role.WINDOW]))
    )
    if not in_scope:
        raise PermissionDenied(
            _(
                "You cannot see this applicant's personal data: case %(number)s belongs to "
                "%(dept)s, %(region)s, which none of your case-handling posts covers."
            )
            % {"number": case.number, "dept": case.department.name, "region": case.region.name}
        )
    if case.status in OPEN_STATUSES:
        return
    ended = case.closed_at
    recent = ended is not None and timezone.now() - ended <= timedelta(days=REVEAL_DAYS_AFTER_CLOSE)
    if case.status in (Status.CLOSED, Status.REJECTED) and recent:
        return
    raise ValidationError(
        _(
            "Case %(number)s is %(status)s and no longer needs contact with the applicant: "
            "personal data of cases is shown in full only while they are open and for "
            "%(days)d days after they end."
        )
        % {
            "number": case.number,
            "status": case.get_status_display(),
            "days": REVEAL_DAYS_AFTER_CLOSE,
        },
        code="case_closed",
    )


def may_reveal_applicant(actor, case: Case) -> bool:
    """Whether the case page offers the reveal of the applicant's data (the action checks again)."""
    try:
        _ensure_may_reveal_applicant(actor, case)
    except (PermissionDenied, ValidationError):
        return False
    return True


@disclosing
def reveal_applicant_data(*, actor, case: Case, field: str, purpose: str, reason: str) -> str:
    """Show staff the applicant's full ID number or phone for a purpose and a reason; counted
    against the per-staff limit and recorded (privacy.record_disclosure) with the audit entry.
    The value is returned for one rendering only: never stored in the session or a cookie."""
    if field not in ("id_number", "phone"):
        text = _("Only the applicant's ID number or phone can be shown in full.")
        raise ValidationError({"field": [ValidationError(text, code="invalid_field")]})
    case = Case.objects.select_related("department", "region", "applicant").get(pk=case.pk)
    _ensure_may_reveal_applicant(actor, case)
    value = case.applicant_id_number if field == "id_number" else case.applicant_phone
    if not value:
        text = _("The applicant gave no such data: there is nothing to show.")
        raise ValidationError({"field": [ValidationError(text, code="no_value")]})
    record_disclosure(
        actor=actor,
        obj=case,
        field=field,
        purpose=purpose,
        reason=reason,
        subject=case.applicant,
        subject_id_number=case.applicant_id_number,
        subject_phone=case.applicant_phone,
        subject_label=case.applicant_name,
        # On whose behalf: the case's department, or the window staff member's own unit.
        department=case.department
        if can_act(actor, roles=REVEAL_ROLES, department=case.department, region=case.region)
        else None,
        object_label=case.number or "",
        object_url=f"/cases/{case.pk}/",
    )
    return value


@disclosing
def reveal_form_value(*, actor, case: Case, key: str, purpose: str, reason: str) -> str:
    """Show staff one personal value of the application form in full; purpose-bound, counted
    against the per-staff limit and recorded (privacy.record_disclosure) with the audit entry.
    The value is returned for one rendering only: never stored in the session or a cookie."""
    case = Case.objects.select_related("item", "department", "region", "applicant").get(pk=case.pk)
    _ensure_may_reveal_applicant(actor, case)  # the same rule as the applicant's own data
    personal = case.personal_form_data()
    if key not in personal:
        raise ValidationError(
            _("“%(key)s” is not a personal data field of this application form.") % {"key": key},
            code="invalid_field",
        )
    value = str(personal[key])
    fmt = personal_formats.personal_fields(case.item.form_schema).get(key, "")
    prop = (case.item.form_schema or {}).get("properties", {}).get(key) or {}
    record_disclosure(
        actor=actor,
        obj=case,
        field=f"form:{key}",
        purpose=purpose,
        reason=reason,
        subject=case.applicant,
        subject_id_number=value if fmt == personal_formats.RESIDENT_ID else "",
        subject_phone=value if personal_formats.INDEX_PURPOSES.get(fmt) == "phone" else "",
        subject_label=case.applicant_name,
        department=case.department,
        object_label=case.number or "",
        field_label=str(prop.get("title") or key),
    )
    return value
