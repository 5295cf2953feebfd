"""The applicant's actions: keep a draft, submit online, hand in corrections, withdraw."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.catalog.models import ProcessDefinition, ServiceItem
from yiwang.gmcrypto.core import blind_index

from .. import eligibility, material_sources, pending, placement, rules
from ..deadlines import refresh_deadlines
from ..models import Case, Channel, ClockPause, DeadlineStatus, Status
from ._common import (
    add_event,
    ensure_applicant,
    enter_step,
    existing_by_key,
    insert_case,
    lock_case,
    notify_applicant,
    save_case,
    snapshot,
)
from ._content import (
    Uploads,
    check_materials,
    count_materials,
    delete_files,
    ensure_current,
    obtained_instead,
    set_form,
    store_files,
    store_obtained,
    validate_application,
    validate_form,
    write_form_index,
)


@transaction.atomic
def save_draft(
    *,
    actor,
    item: ServiceItem,
    form_data: dict,
    enterprise=None,
    draft: Case | None = None,
    submission_key: str = "",
) -> Case:
    """Keep an unfinished application; no validation beyond the item being open.

    The draft keeps the form's ``submission_key`` (when no other case has it), so the files
    kept for the form (``cases.pending``) are still attached when the draft is resumed."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to save a draft."))
    eligibility.check_online(item, enterprise=enterprise)
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
            region=item.region,  # placed when submitted, from the completed form
            status=Status.DRAFT,
        )
    elif draft.applicant_id != actor.pk or draft.status != Status.DRAFT:
        raise PermissionDenied(_("This draft is not yours or was already submitted."))
    replace = draft.pk is not None
    indexes = set_form(
        draft, item.form_schema, {k: v for k, v in form_data.items() if v not in (None, "")}
    )
    key = submission_key.strip()[:64]
    if key and not draft.submission_key:
        taken = Case.objects.filter(submission_key=key).exclude(pk=draft.pk).exists()
        draft.submission_key = None if taken else key
    draft.save()
    write_form_index(draft, indexes, replace=replace)
    record(actor=actor, action="cases.save_draft", obj=draft)
    return draft


def online_applicant(actor, enterprise) -> material_sources.Applicant:
    """Whose sources an online application draws on: the enterprise's when an agent applies
    for one, else the person's."""
    if enterprise is not None:
        return material_sources.Applicant(
            enterprise.uscc, enterprise.name, user=actor, enterprise=enterprise
        )
    return material_sources.Applicant(actor.id_number or "", actor.display_name, user=actor)


def _fill_online(
    case: Case,
    *,
    actor,
    item: ServiceItem,
    process: ProcessDefinition,
    enterprise,
    now: datetime,
) -> None:
    """Who applies for what, under which limits: the fields an online application sets."""
    case.item, case.item_version, case.process = item, item.version, process
    case.applicant, case.enterprise = actor, enterprise
    case.applicant_name = enterprise.name if enterprise else actor.display_name
    case.applicant_id_number = enterprise.uscc if enterprise else actor.id_number
    case.applicant_id_index = (
        blind_index(case.applicant_id_number, "id") if case.applicant_id_number else ""
    )
    case.applicant_phone = actor.phone
    case.statutory_days, case.promised_days = item.statutory_limit, item.promised_limit
    case.department_id = case.home_department_id = item.department_id
    case.channel, case.status, case.submitted_at = Channel.ONLINE, Status.SUBMITTED, now


def submit_application(
    *,
    actor,
    item: ServiceItem,
    form_data: dict,
    uploads: Uploads,
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
    process = eligibility.check_online(item, enterprise=enterprise)
    ensure_current(item, item_version)
    kept = pending.kept_for(actor, submission_key, item)
    sources = material_sources.look_up(item, online_applicant(actor, enterprise))
    cleaned, checked = validate_application(item, form_data, uploads, kept=kept, sources=sources)
    obtained = obtained_instead(sources, [*checked, *kept])
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
            replace = case.pk is not None  # a draft being submitted
            _fill_online(
                case, actor=actor, item=item, process=process, enterprise=enterprise, now=now
            )
            indexes = set_form(case, item.form_schema, cleaned)
            case.region = placement.case_region(item, form_values=cleaned, enterprise=enterprise)
            case.submission_key = submission_key
            count_materials(case, item, obtained)
            enter_step(case, process.steps[0], now)
            refresh_deadlines(case, now, pauses=())
            insert_case(case)
            write_form_index(case, indexes, replace=replace)
            store_files(case, checked, actor, names, saved, new_case=True)
            store_obtained(case, item, obtained)
            pending.adopt(case, kept, actor=actor, names=names, replaced=checked)
            notify_applicant(
                case,
                _("Application submitted"),
                _("Your application for “%(item)s” was submitted, case number %(number)s.")
                % {"item": item.name, "number": case.number},
            )
            add_event(case, actor, "submit")
            record(actor=actor, action="cases.submit", obj=case, before={}, after=snapshot(case))
    except IntegrityError:
        delete_files(saved)
        existing = existing_by_key(submission_key)
        if existing is not None:
            return existing, False
        raise
    except Exception:
        delete_files(saved)
        raise
    return case, True


def resubmit(
    *,
    actor,
    case: Case,
    uploads: Uploads,
    form_data: dict | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """The applicant hands in the corrections asked for; the clock runs again."""
    ensure_applicant(actor, case)
    checked = check_materials(case.item, uploads, require=False)
    if not checked and form_data is None:
        raise ValidationError(
            _("Upload at least one corrected material or change the form before resubmitting.")
        )
    cleaned = validate_form(case.item, form_data) if form_data is not None else None
    names = {m.pk: m.name for m in case.item.materials.all()}
    saved: list[str] = []
    try:
        with transaction.atomic():
            case = lock_case(case, expected_version)
            rules.ensure_allowed("resubmit", case)
            before = snapshot(case)
            now = timezone.now()
            ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
            indexes = (
                set_form(case, case.item.form_schema, cleaned) if cleaned is not None else None
            )
            store_files(case, checked, actor, names, saved)
            # Corrections are asked for at the accept or a review step: the case is at one.
            step = case.step()
            at_accept = step is not None and step["kind"] == "accept"
            case.status = Status.SUBMITTED if at_accept else Status.IN_PROGRESS
            refresh_deadlines(case, now)
            save_case(case, actor, "resubmit", before, note=note)
            if indexes is not None:
                write_form_index(case, indexes, replace=True)
    except Exception:
        delete_files(saved)
        raise
    return case


@transaction.atomic
def withdraw(*, actor, case: Case, reason: str, expected_version: int | None = None) -> Case:
    ensure_applicant(actor, case)
    if not reason.strip():
        raise ValidationError(_("Please give a reason for withdrawing."))
    case = lock_case(case, expected_version)
    rules.ensure_allowed("withdraw", case)
    before = snapshot(case)
    now = timezone.now()
    ClockPause.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    case.status, case.closed_at = Status.WITHDRAWN, now
    case.current_role, case.deadline_status = "", DeadlineStatus.NORMAL
    return save_case(case, actor, "withdraw", before, note=reason)
