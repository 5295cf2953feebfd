"""Every state change of a case. Views, APIs, commands and tasks call these.

Each action validates, checks permission, writes the case and its timeline,
appends the audit entry in the same transaction, and notifies on commit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.catalog import personal_formats
from yiwang.catalog.forms_schema import clean_data
from yiwang.catalog.models import ItemStatus, OnlineDepth, Replaceable, ServiceItem
from yiwang.gmcrypto.core import blind_index
from yiwang.notify.actions import notify
from yiwang.orgs.models import Role
from yiwang.orgs.scope import can_act, posts_of
from yiwang.privacy.actions import disclosing, record_disclosure
from yiwang.web.uploads import CheckedFile, check_upload
from yiwang.workdays import calendar as workdays

from . import rules
from .models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseMaterial,
    Channel,
    ClockPause,
    DeadlineStatus,
    Decision,
    FormValueIndex,
    PauseKind,
    Status,
)

log = logging.getLogger(__name__)


# --- helpers ----------------------------------------------------------------


def _snapshot(case: Case) -> dict:
    return {
        "status": case.status,
        "step": case.current_step,
        "department": case.department_id,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "decision": case.decision,
    }


def _event(
    case: Case, actor, action: str, note: str = "", public: bool = True, step: str | None = None
) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor else _("System"),
        action=action,
        step=case.current_step if step is None else step,
        note=note,
        public=public,
    )


def _save(
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
    _event(case, actor, action, note, public, step=at_step or before.get("step"))
    record(
        actor=actor,
        action=f"cases.{action}",
        obj=case,
        before=before,
        after=_snapshot(case),
        **audit_extra,
    )
    return case


def _lock(case: Case, expected_version: int | None) -> Case:
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


def _ensure_staff(actor, case: Case, roles: Iterable[str] | None = None) -> None:
    roles = list(roles) if roles is not None else [case.current_role]
    if not can_act(actor, roles=roles, department=case.department, region=case.region):
        raise PermissionDenied(
            _("You are not authorised to handle this case: it belongs to %(dept)s, %(region)s.")
            % {"dept": case.department.name, "region": case.region.name}
        )


def _ensure_applicant(actor, case: Case) -> None:
    if actor is None or case.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the applicant can do this."))


def _enter_step(case: Case, step: dict | None, now: datetime) -> None:
    case.current_step = step["key"] if step else ""
    case.current_role = step["role"] if step else ""
    case.step_started_at = now
    case.assignee = None
    if step and step.get("department"):
        from yiwang.orgs.models import Department

        case.department = Department.objects.get(uscc=step["department"])
    elif step:
        case.department_id = case.home_department_id


def refresh_deadlines(case: Case, now: datetime | None = None, pauses=None) -> None:
    """Recompute due dates and status from the working-day calendar and the pauses.

    ``pauses``: the case's (start, end) intervals when the caller knows them (a new case has none).
    """
    now = now or timezone.now()
    if pauses is None:
        pauses = [(p.started_at, p.ended_at) for p in case.pauses.all()]
    provisional = False
    if case.accepted_at:
        promised = workdays.due_date(case.accepted_at, case.promised_days, pauses, now=now)
        statutory = workdays.due_date(case.accepted_at, case.statutory_days, pauses, now=now)
        case.due_at, case.statutory_due = promised.date, statutory.date
        provisional = promised.provisional or statutory.provisional
    step = case.step()
    if step and case.step_started_at:
        step_pauses = [(s, e) for s, e in pauses if e is None or e > case.step_started_at]
        step_due = workdays.due_date(case.step_started_at, step["limit_days"], step_pauses, now=now)
        case.step_due = step_due.date
        provisional = provisional or step_due.provisional
        if not case.accepted_at:
            case.due_at = step_due.date
    case.due_provisional = provisional
    if case.status in (Status.SUBMITTED, Status.IN_PROGRESS) and case.due_at:
        case.deadline_status = workdays.deadline_status(case.due_at, timezone.localdate(now))
    elif case.status not in (Status.CORRECTION, Status.SPECIAL):
        case.deadline_status = DeadlineStatus.NORMAL


def _store_files(
    case: Case,
    files: Mapping[int, CheckedFile],
    actor,
    names: Mapping[int, str],
    saved: list[str],
    new_case: bool = False,
) -> None:
    for material_id, checked in files.items():
        path = default_storage.save(
            f"cases/{timezone.now():%Y/%m}/{checked.sha256[:16]}.{checked.extension}",
            ContentFile(checked.content),
        )
        saved.append(path)
        if not new_case:  # a case being created has no earlier files to supersede
            CaseMaterial.objects.filter(
                case=case, material_id=material_id, superseded=False
            ).update(superseded=True)
        CaseMaterial.objects.create(
            case=case,
            material_id=material_id,
            name=names[material_id],
            file=path,
            original_name=checked.original_name,
            sha256=checked.sha256,
            size=checked.size,
            content_type=checked.content_type,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )


def _check_materials(
    item: ServiceItem, uploads: Mapping[int, object], *, require: bool, existing: Iterable[int] = ()
) -> dict[int, CheckedFile]:
    """Validate every upload and that required materials are present. Raises with all errors."""
    materials = {m.pk: m for m in item.materials.all()}
    errors: dict[str, list[str]] = {}
    checked: dict[int, CheckedFile] = {}
    for material_id, upload in uploads.items():
        material = materials.get(int(material_id))
        if material is None:
            errors.setdefault("__all__", []).append(
                _("An uploaded file does not match any material of this item.")
            )
            continue
        try:
            checked[material.pk] = check_upload(upload, material.name)
        except ValidationError as exc:
            errors.setdefault(f"material_{material.pk}", []).extend(exc.messages)
    if require:
        have = set(checked) | set(existing)
        for material in materials.values():
            exempt = material.replaceable_by in (Replaceable.LICENCE, Replaceable.SHARED)
            if (
                material.required
                and not exempt
                and material.pk not in have
                and f"material_{material.pk}" not in errors
            ):
                errors.setdefault(f"material_{material.pk}", []).append(
                    _("“%(name)s” is required; please upload it.") % {"name": material.name}
                )
    if errors:
        raise ValidationError(errors)
    return checked


def _set_form(case: Case, schema: dict | None, values: dict) -> list[tuple[str, str]]:
    """Put the form on the case: personal values encrypted apart, masks in ``form_data``.

    Returns the blind indexes to write with :func:`_write_form_index` once the case is saved.
    """
    shown, personal = personal_formats.split(schema, values)
    case.form_data = shown
    case.form_pii = json.dumps(personal, ensure_ascii=False) if personal else ""
    return personal_formats.blind_indexes(schema, personal)


def _write_form_index(case: Case, indexes: list[tuple[str, str]], *, replace: bool) -> None:
    if replace:
        FormValueIndex.objects.filter(case=case).delete()
    if indexes:
        FormValueIndex.objects.bulk_create(
            FormValueIndex(case=case, field=field, digest=digest) for field, digest in indexes
        )


def _validate_form(item: ServiceItem, form_data: dict) -> dict:
    cleaned, errors = clean_data(item.form_schema or {}, form_data)
    if errors:
        raise ValidationError({f"form_{k}": [v] for k, v in errors.items()})
    return cleaned


def _validate_application(
    item: ServiceItem,
    form_data: dict,
    uploads: Mapping[int, object],
    errors: dict[str, list[str]] | None = None,
) -> tuple[dict, dict[int, CheckedFile]]:
    """Form and materials together, so the applicant sees every problem at once."""
    errors = dict(errors or {})
    cleaned: dict = {}
    checked: dict[int, CheckedFile] = {}
    try:
        cleaned = _validate_form(item, form_data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = _check_materials(item, uploads, require=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned, checked


def _ensure_online(item: ServiceItem) -> None:
    if item.online_depth == OnlineDepth.WINDOW:
        raise ValidationError(
            _("“%(name)s” can only be applied for at a service hall window.") % {"name": item.name},
            code="window_only",
        )


def _ensure_applicable(item: ServiceItem, item_version: int | None):
    """Raise unless the item takes applications now; return its active process."""
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError(
            _("“%(name)s” is not open for applications.") % {"name": item.name}, code="item_closed"
        )
    if item_version is not None and item_version != item.version:
        raise ValidationError(
            _(
                "The guide of “%(name)s” was updated while you were filling in the form. Please check the form and submit again."
            )
            % {"name": item.name},
            code="stale_item",
        )
    process = item.active_process()
    if process is None:
        raise ValidationError(
            _("“%(name)s” has no approval process configured yet.") % {"name": item.name}
        )
    return process


def _notify_applicant(case: Case, title: str, body: str, sms: bool = False) -> None:
    if case.applicant_id:
        notify(user=case.applicant, title=title, body=body, link=f"/cases/{case.pk}/", sms=sms)


def _number(case: Case) -> str:
    return f"{case.region.code[:6]}{timezone.localdate():%Y%m%d}{case.pk:08d}"


def _insert(case: Case) -> None:
    """Write a new case; its number embeds the primary key, so it follows in one small UPDATE."""
    case.version += 1
    case.save()
    case.number = _number(case)
    Case.objects.filter(pk=case.pk).update(number=case.number)


def _existing_by_key(submission_key: str | None) -> Case | None:
    if not submission_key:
        return None
    return Case.objects.filter(submission_key=submission_key).first()


# --- applicant actions --------------------------------------------------------


@transaction.atomic
def save_draft(
    *, actor, item: ServiceItem, form_data: dict, enterprise=None, draft: Case | None = None
) -> Case:
    """Keep an unfinished application; no validation beyond the item being open."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to save a draft."))
    _ensure_applicable(item, None)
    _ensure_online(item)
    if draft is None:
        process = item.active_process()
        draft = Case(
            item=item,
            item_version=item.version,
            process=process,
            applicant=actor,
            enterprise=enterprise,
            applicant_name=enterprise.name if enterprise else actor.display_name,
            department=item.department,
            home_department=item.department,
            region=item.region,
            status=Status.DRAFT,
        )
    elif draft.applicant_id != actor.pk or draft.status != Status.DRAFT:
        raise PermissionDenied(_("This draft is not yours or was already submitted."))
    replace = draft.pk is not None
    indexes = _set_form(
        draft, item.form_schema, {k: v for k, v in form_data.items() if v not in (None, "")}
    )
    draft.save()
    _write_form_index(draft, indexes, replace=replace)
    record(actor=actor, action="cases.save_draft", obj=draft)
    return draft


def submit_application(
    *,
    actor,
    item: ServiceItem,
    form_data: dict,
    uploads: Mapping[int, object],
    submission_key: str,
    item_version: int | None = None,
    enterprise=None,
    draft: Case | None = None,
) -> tuple[Case, bool]:
    """An online application. Returns (case, created); a repeated submission returns the first case."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to apply."))
    # A repeated submission (double click, resent form) is caught by the unique submission key
    # when the case is inserted, below: no extra query on the common path.
    process = _ensure_applicable(item, item_version)
    _ensure_online(item)
    if item.audience == "enterprise" and enterprise is None:
        raise ValidationError(
            _("Only enterprises can apply for this item. Choose the enterprise you act for first.")
        )
    cleaned, checked = _validate_application(item, form_data, uploads)
    names = {m.pk: m.name for m in item.materials.all()}
    saved: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            case = (
                draft
                if draft is not None
                and draft.status == Status.DRAFT
                and draft.applicant_id == actor.pk
                else Case()
            )
            case.item, case.item_version, case.process = item, item.version, process
            case.applicant, case.enterprise = actor, enterprise
            case.applicant_name = enterprise.name if enterprise else actor.display_name
            case.applicant_id_number = enterprise.uscc if enterprise else actor.id_number
            case.applicant_id_index = (
                blind_index(case.applicant_id_number, "id") if case.applicant_id_number else ""
            )
            case.applicant_phone = actor.phone
            replace = case.pk is not None  # a draft being submitted
            indexes = _set_form(case, item.form_schema, cleaned)
            case.statutory_days, case.promised_days = item.statutory_limit, item.promised_limit
            case.department_id = case.home_department_id = item.department_id
            case.region = item.region
            case.channel, case.status, case.submitted_at = Channel.ONLINE, Status.SUBMITTED, now
            case.submission_key = submission_key
            _enter_step(case, process.steps[0], now)
            refresh_deadlines(case, now, pauses=())
            _insert(case)
            _write_form_index(case, indexes, replace=replace)
            _store_files(case, checked, actor, names, saved, new_case=True)
            _notify_applicant(
                case,
                _("Application submitted"),
                _("Your application for “%(item)s” was submitted, case number %(number)s.")
                % {"item": item.name, "number": case.number},
            )
            _event(case, actor, "submit")
            record(actor=actor, action="cases.submit", obj=case, before={}, after=_snapshot(case))
    except IntegrityError:
        for path in saved:
            default_storage.delete(path)
        existing = _existing_by_key(submission_key)
        if existing is not None:
            return existing, False
        raise
    except Exception:
        for path in saved:
            default_storage.delete(path)
        raise
    return case, True


def resubmit(
    *,
    actor,
    case: Case,
    uploads: Mapping[int, object],
    form_data: dict | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """The applicant hands in the corrections asked for; the clock runs again."""
    _ensure_applicant(actor, case)
    checked = _check_materials(case.item, uploads, require=False)
    if not checked and form_data is None:
        raise ValidationError(
            _("Upload at least one corrected material or change the form before resubmitting.")
        )
    cleaned = _validate_form(case.item, form_data) if form_data is not None else None
    names = {m.pk: m.name for m in case.item.materials.all()}
    saved: list[str] = []
    try:
        with transaction.atomic():
            case = _lock(case, expected_version)
            rules.ensure_allowed("resubmit", case)
            before = _snapshot(case)
            now = timezone.now()
            ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
            indexes = (
                _set_form(case, case.item.form_schema, cleaned) if cleaned is not None else None
            )
            _store_files(case, checked, actor, names, saved)
            step = case.step()
            case.status = Status.SUBMITTED if step["kind"] == "accept" else Status.IN_PROGRESS
            refresh_deadlines(case, now)
            _save(case, actor, "resubmit", before, note=note)
            if indexes is not None:
                _write_form_index(case, indexes, replace=True)
    except Exception:
        for path in saved:
            default_storage.delete(path)
        raise
    return case


@transaction.atomic
def withdraw(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    _ensure_applicant(actor, case)
    if not reason.strip():
        raise ValidationError(_("Please give a reason for withdrawing."))
    case = _lock(case, expected_version)
    rules.ensure_allowed("withdraw", case)
    before = _snapshot(case)
    now = timezone.now()
    ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    case.status, case.closed_at = Status.WITHDRAWN, now
    case.current_role, case.deadline_status = "", DeadlineStatus.NORMAL
    return _save(case, actor, "withdraw", before, note=reason)


# --- window intake -------------------------------------------------------------


def _on_intake_fields(exc: ValidationError, linked: dict[str, str]) -> ValidationError:
    """Errors of the form fields filled from the applicant section, shown on that section (the
    form does not show those fields), unless it already has its own."""
    errors = dict(exc.message_dict)
    for field, key in linked.items():
        moved = errors.pop(f"form_{key}", [])
        if moved and field not in errors:
            errors[field] = moved
    return ValidationError(errors)


def window_intake(
    *,
    actor,
    item: ServiceItem,
    hall,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str,
    form_data: dict,
    uploads: Mapping[int, object],
    submission_key: str,
    item_version: int | None = None,
) -> tuple[Case, bool]:
    """无差别全科受理: window staff register and accept a walk-in's application at any hall."""
    from yiwang.accounts.models import User, validate_mobile, validate_resident_id
    from yiwang.orgs.scope import posts_of

    window_posts = [p for p in posts_of(actor, roles=[Role.WINDOW]) if p.hall_id == hall.pk]
    if not window_posts and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(
            _("You do not have a window post at %(hall)s.") % {"hall": hall.name}
        )
    if (
        not item.county_wide
        and not hall.region.contains(item.region)
        and not item.region.contains(hall.region)
    ):
        raise ValidationError(
            _(
                "“%(item)s” is not handled county-wide; it can only be registered at a hall of %(region)s."
            )
            % {"item": item.name, "region": item.region.name}
        )
    existing = _existing_by_key(submission_key)
    if existing is not None:
        return existing, False
    process = _ensure_applicable(item, item_version)
    if item.audience == "enterprise":
        raise ValidationError(
            _(
                "“%(name)s” is for legal persons; register it with the enterprise's agent in the enterprise service."
            )
            % {"name": item.name},
            code="enterprise_only",
        )
    errors: dict[str, list[str]] = {}
    applicant_name = applicant_name.strip()
    applicant_id_number = applicant_id_number.strip().upper()
    if not applicant_name:
        errors["applicant_name"] = [_("Enter the applicant's name.")]
    for field, value, validator in (
        ("applicant_id_number", applicant_id_number, validate_resident_id),
        ("applicant_phone", applicant_phone.strip(), validate_mobile),
    ):
        try:
            validator(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    typed = {"applicant_name": applicant_name, "applicant_id_number": applicant_id_number}
    linked = personal_formats.applicant_fields(item.form_schema)
    form_data = {**form_data, **{key: typed[field] for field, key in linked.items()}}
    try:
        cleaned, checked = _validate_application(item, form_data, uploads, errors)
    except ValidationError as exc:
        raise _on_intake_fields(exc, linked) from None
    names = {m.pk: m.name for m in item.materials.all()}
    id_index = blind_index(applicant_id_number, "id")
    saved: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            case = Case(
                item=item,
                item_version=item.version,
                process=process,
                applicant=User.objects.filter(id_number_index=id_index).first(),
                applicant_name=applicant_name,
                applicant_id_number=applicant_id_number,
                applicant_id_index=id_index,
                applicant_phone=applicant_phone.strip(),
                statutory_days=item.statutory_limit,
                promised_days=item.promised_limit,
                department=item.department,
                home_department=item.department,
                region=item.region,
                channel=Channel.WINDOW,
                hall=hall,
                intake_by=actor,
                status=Status.IN_PROGRESS,
                submitted_at=now,
                accepted_at=now,
                submission_key=submission_key,
            )
            indexes = _set_form(case, item.form_schema, cleaned)
            _enter_step(case, process.steps[0], now)
            _insert(case)
            _write_form_index(case, indexes, replace=False)
            _store_files(case, checked, actor, names, saved, new_case=True)
            _event(case, actor, "intake", note=hall.name)
            # The window accepts on the spot; the case moves on to the next step.
            _enter_step(case, process.next_step(process.steps[0]["key"]), now)
            refresh_deadlines(case, now, pauses=())
            _notify_applicant(
                case,
                _("Application accepted"),
                _(
                    "Your application for “%(item)s” was accepted at %(hall)s, case number %(number)s."
                )
                % {"item": item.name, "hall": hall.name, "number": case.number},
            )
            _save(
                case,
                actor,
                "accept",
                {},
                note=_("Accepted at the window"),
                at_step=process.steps[0]["key"],
                hall=hall.name,
            )
    except Exception:
        for path in saved:
            default_storage.delete(path)
        raise
    return case, True


# --- staff actions -------------------------------------------------------------


@transaction.atomic
def claim(*, actor, case: Case, expected_version: int | None = None) -> Case:
    case = _lock(case, expected_version)
    rules.ensure_allowed("claim", case)
    _ensure_staff(actor, case)
    if case.assignee_id and case.assignee_id != actor.pk:
        raise ValidationError(
            _("%(name)s has already claimed this case.") % {"name": case.assignee}
        )
    before = _snapshot(case)
    case.assignee = actor
    return _save(case, actor, "claim", before, public=False)


@transaction.atomic
def release(*, actor, case: Case, expected_version: int | None = None) -> Case:
    """Give a claimed case back to the queue: by the claimer, or by the department's administrator
    when the claimer is away."""
    case = _lock(case, expected_version)
    rules.ensure_allowed("release", case)
    if case.assignee_id is None:
        raise ValidationError(_("Nobody has claimed this case."))
    if case.assignee_id != actor.pk:
        _ensure_staff(actor, case, roles=[Role.DEPT_ADMIN])
    before = _snapshot(case)
    case.assignee = None
    return _save(case, actor, "release", before, public=False)


def _ensure_assignable(actor, case: Case) -> None:
    if case.assignee_id and case.assignee_id != actor.pk:
        raise ValidationError(
            _("%(name)s has claimed this case; only they can act on it.") % {"name": case.assignee}
        )


def _staff_transition(
    action: str, actor, case: Case, expected_version: int | None
) -> tuple[Case, dict]:
    case = _lock(case, expected_version)
    rules.ensure_allowed(action, case)
    _ensure_staff(actor, case)
    _ensure_assignable(actor, case)
    return case, _snapshot(case)


@transaction.atomic
def accept(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    case, before = _staff_transition("accept", actor, case, expected_version)
    now = timezone.now()
    case.accepted_at, case.status = now, Status.IN_PROGRESS
    _enter_step(case, case.process.next_step(case.current_step), now)
    refresh_deadlines(case, now)
    _notify_applicant(
        case,
        _("Application accepted"),
        _("Your application %(number)s was accepted. Promised completion by %(due)s.")
        % {"number": case.number, "due": case.due_at},
    )
    _save(case, actor, "accept", before, note=note)
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
    case, before = _staff_transition("reject", actor, case, expected_version)
    case.status, case.closed_at, case.current_role = Status.REJECTED, timezone.now(), ""
    case.decision_reason, case.remedy = reason, rules.remedy_text(case.region)
    case.deadline_status = DeadlineStatus.NORMAL
    _notify_applicant(
        case,
        _("Application not accepted"),
        _("Your application %(number)s was not accepted: %(reason)s")
        % {"number": case.number, "reason": reason},
        sms=True,
    )
    _save(case, actor, "reject", before, note=reason)
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
    case, before = _staff_transition("request_correction", actor, case, expected_version)
    now = timezone.now()
    ClockPause.objects.create(case=case, kind=PauseKind.CORRECTION, started_at=now, reason=missing)
    case.status = Status.CORRECTION
    refresh_deadlines(case, now)
    _notify_applicant(
        case,
        _("Corrections needed"),
        _("Your application %(number)s needs corrections: %(missing)s")
        % {"number": case.number, "missing": missing},
        sms=True,
    )
    _save(case, actor, "request_correction", before, note=missing)
    return case


@transaction.atomic
def pass_review(*, actor, case: Case, opinion: str, expected_version: int | None = None) -> Case:
    if not opinion.strip():
        raise ValidationError({"opinion": [_("Write your review opinion.")]})
    case, before = _staff_transition("pass_review", actor, case, expected_version)
    now = timezone.now()
    _enter_step(case, case.process.next_step(case.current_step), now)
    refresh_deadlines(case, now)
    return _save(case, actor, "pass_review", before, note=opinion)


@transaction.atomic
def start_special(
    *, actor, case: Case, procedure: str, reason: str, expected_version: int | None = None
) -> Case:
    """特别程序 (hearing, expert review, inspection, testing): not counted in the time limit."""
    if procedure not in rules.SPECIAL_PROCEDURES:
        raise ValidationError({"procedure": [_("Choose a special procedure.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("State why the special procedure is needed.")]})
    case, before = _staff_transition("start_special", actor, case, expected_version)
    now = timezone.now()
    ClockPause.objects.create(
        case=case, kind=PauseKind.SPECIAL, started_at=now, reason=reason, procedure=procedure
    )
    case.status = Status.SPECIAL
    refresh_deadlines(case, now)
    note = f"{rules.SPECIAL_PROCEDURES[procedure]}：{reason}"
    _notify_applicant(case, _("Special procedure started"), note)
    _save(case, actor, "start_special", before, note=note)
    return case


@transaction.atomic
def end_special(*, actor, case: Case, result: str, expected_version: int | None = None) -> Case:
    if not result.strip():
        raise ValidationError({"result": [_("Record the result of the special procedure.")]})
    case = _lock(case, expected_version)
    rules.ensure_allowed("end_special", case)
    _ensure_staff(actor, case)
    before = _snapshot(case)
    now = timezone.now()
    ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now, result=result)
    case.status = Status.IN_PROGRESS
    refresh_deadlines(case, now)
    return _save(case, actor, "end_special", before, note=result)


@transaction.atomic
def decide(
    *, actor, case: Case, approve: bool, reason: str, expected_version: int | None = None
) -> Case:
    """准予 or 不予; a refusal needs reasons and states the remedies."""
    if not approve and not reason.strip():
        raise ValidationError({"reason": [_("A refusal must state its reasons.")]})
    case, before = _staff_transition("decide", actor, case, expected_version)
    now = timezone.now()
    case.decision = Decision.APPROVED if approve else Decision.REFUSED
    case.decision_reason = reason
    case.remedy = "" if approve else rules.remedy_text(case.region)
    _enter_step(case, case.process.next_step(case.current_step), now)
    refresh_deadlines(case, now)
    _notify_applicant(
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
    _save(case, actor, "approve" if approve else "refuse", before, note=reason)
    if case.current_step == "" or case.step() is None:
        _close(case, actor, now)
    return case


def _close(case: Case, actor, now: datetime) -> None:
    before = _snapshot(case)
    case.status, case.closed_at, case.current_role = Status.CLOSED, now, ""
    case.deadline_status = (
        DeadlineStatus.OVERDUE
        if case.due_at and timezone.localdate(now) > case.due_at
        else DeadlineStatus.NORMAL
    )
    _save(case, actor, "conclude", before)


@transaction.atomic
def conclude(*, actor, case: Case, note: str = "", expected_version: int | None = None) -> Case:
    """办结: the result (decision document) is available to the applicant."""
    case, _before = _staff_transition("conclude", actor, case, expected_version)
    _close(case, actor, timezone.now())
    _notify_applicant(
        case,
        _("Case concluded"),
        _("Your case %(number)s is concluded. Download the decision in “My cases”.")
        % {"number": case.number},
        sms=True,
    )
    return case


@transaction.atomic
def transfer(
    *, actor, case: Case, department, reason: str, expected_version: int | None = None
) -> Case:
    """转办: hand the case to the department that is really competent."""
    if not reason.strip():
        raise ValidationError({"reason": [_("State why the case is transferred.")]})
    case, before = _staff_transition("transfer", actor, case, expected_version)
    if department.pk == case.department_id:
        raise ValidationError({"department": [_("The case is already with this department.")]})
    old = case.department
    case.department, case.home_department, case.assignee = department, department, None
    _notify_applicant(
        case,
        _("Case transferred"),
        _("Your case %(number)s was transferred to %(dept)s.")
        % {"number": case.number, "dept": department.name},
    )
    _save(case, actor, "transfer", before, note=f"{old.name} → {department.name}：{reason}")
    return case


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


# --- the worker's sweep -------------------------------------------------------------


def recompute_provisional(now: datetime | None = None) -> int:
    """After the holiday calendar changes, recompute deadlines that were provisional."""
    now = now or timezone.now()
    count = 0
    with workdays.pinned():
        for pk in Case.objects.filter(due_provisional=True, status__in=OPEN_STATUSES).values_list(
            "pk", flat=True
        ):
            with transaction.atomic():
                case = Case.objects.select_for_update().select_related("process").get(pk=pk)
                before = _snapshot(case)
                refresh_deadlines(case, now)
                case.save(
                    update_fields=[
                        "deadline_status",
                        "due_at",
                        "statutory_due",
                        "step_due",
                        "due_provisional",
                    ]
                )
                record(
                    actor=None,
                    action="cases.recompute_deadline",
                    obj=case,
                    before=before,
                    after=_snapshot(case),
                )
                count += 1
    return count


def sweep_deadlines(now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Recompute deadline status of open cases; escalate newly overdue ones once."""
    with workdays.pinned():
        return _sweep(now or timezone.now(), batch)


def _sweep(now: datetime, batch: int) -> dict[str, int]:
    from yiwang.orgs.models import Post

    counts = {"checked": 0, "warning": 0, "overdue": 0, "escalated": 0}
    last = 0
    while True:
        ids = list(
            Case.objects.filter(
                status__in=[
                    Status.SUBMITTED,
                    Status.IN_PROGRESS,
                    Status.CORRECTION,
                    Status.SPECIAL,
                ],
                pk__gt=last,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update()
                    .select_related("process", "department", "region")
                    .get(pk=pk)
                )
                old = case.deadline_status
                refresh_deadlines(case, now)
                counts["checked"] += 1
                if case.deadline_status == DeadlineStatus.WARNING:
                    counts["warning"] += 1
                if case.deadline_status == DeadlineStatus.OVERDUE:
                    counts["overdue"] += 1
                changed = case.deadline_status != old
                if case.deadline_status == DeadlineStatus.OVERDUE and case.escalated_at is None:
                    case.escalated_at = now
                    changed = True
                    counts["escalated"] += 1
                    _event(
                        case,
                        None,
                        "escalate",
                        note=_("Overdue: escalated to the department's approvers"),
                        public=False,
                    )
                    record(actor=None, action="cases.escalate", obj=case, after=_snapshot(case))
                    posts = Post.objects.filter(
                        active=True,
                        department=case.department,
                        role__in=[Role.APPROVER, Role.DEPT_ADMIN],
                    ).select_related("user", "region")
                    for post in posts:
                        if post.region.contains(case.region):
                            notify(
                                user=post.user,
                                title=_("Overdue case"),
                                body=_("Case %(number)s (%(item)s) is overdue.")
                                % {"number": case.number, "item": case.item.name},
                                link=f"/cases/{case.pk}/",
                            )
                if changed:
                    case.save(
                        update_fields=[
                            "deadline_status",
                            "due_at",
                            "statutory_due",
                            "step_due",
                            "due_provisional",
                            "escalated_at",
                        ]
                    )
    return counts
