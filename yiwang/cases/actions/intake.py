"""无差别全科受理: window staff register and accept a walk-in's application at any hall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import User, validate_mobile, validate_resident_id
from yiwang.catalog import personal_formats
from yiwang.catalog.models import ProcessDefinition, ServiceItem
from yiwang.gmcrypto.core import blind_index
from yiwang.orgs.models import Hall, Role
from yiwang.orgs.scope import posts_of

from .. import eligibility, material_sources, pending, placement
from ..deadlines import refresh_deadlines
from ..models import Case, Channel, Status
from ._common import (
    add_event,
    enter_step,
    existing_by_key,
    insert_case,
    notify_applicant,
    save_case,
)
from ._content import (
    Uploads,
    count_materials,
    delete_files,
    ensure_current,
    obtained_instead,
    set_form,
    store_files,
    store_obtained,
    validate_application,
    write_form_index,
)


@dataclass(frozen=True)
class WalkIn:
    """The walk-in applicant as the window staff typed them in, trimmed."""

    name: str
    id_number: str
    phone: str

    @classmethod
    def typed(cls, name: str, id_number: str, phone: str) -> WalkIn:
        return cls(name.strip(), id_number.strip().upper(), phone.strip())

    def errors(self) -> dict[str, list[str]]:
        """What is wrong with the applicant section, by input."""
        errors: dict[str, list[str]] = {}
        if not self.name:
            errors["applicant_name"] = [_("Enter the applicant's name.")]
        for field, value, validator in (
            ("applicant_id_number", self.id_number, validate_resident_id),
            ("applicant_phone", self.phone, validate_mobile),
        ):
            try:
                validator(value)
            except ValidationError as exc:
                errors[field] = exc.messages
        return errors


def _ensure_window_post(actor, hall: Hall) -> None:
    window_posts = [p for p in posts_of(actor, roles=[Role.WINDOW]) if p.hall_id == hall.pk]
    if not window_posts and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(
            _("You do not have a window post at %(hall)s.") % {"hall": hall.name}
        )


def _on_intake_fields(exc: ValidationError, linked: dict[str, str]) -> ValidationError:
    """Errors of the form fields filled from the applicant section, shown on that section (the
    form does not show those fields), unless it already has its own."""
    errors = dict(exc.message_dict)
    for field, key in linked.items():
        moved = errors.pop(f"form_{key}", [])
        if moved and field not in errors:
            errors[field] = moved
    return ValidationError(errors)


def _window_case(
    item: ServiceItem,
    process: ProcessDefinition,
    hall: Hall,
    walk_in: WalkIn,
    *,
    actor,
    now: datetime,
) -> Case:
    """The new case, unsaved: registered and accepted at ``hall`` now; the applicant's account,
    when they have one, found by their ID number."""
    id_index = blind_index(walk_in.id_number, "id")
    return Case(
        item=item,
        item_version=item.version,
        process=process,
        applicant=User.objects.filter(id_number_index=id_index).first(),
        applicant_name=walk_in.name,
        applicant_id_number=walk_in.id_number,
        applicant_id_index=id_index,
        applicant_phone=walk_in.phone,
        statutory_days=item.statutory_limit,
        promised_days=item.promised_limit,
        department=item.department,
        home_department=item.department,
        channel=Channel.WINDOW,
        hall=hall,
        intake_by=actor,
        status=Status.IN_PROGRESS,
        submitted_at=now,
        accepted_at=now,
    )


def _accept_at_window(
    case: Case, actor, hall: Hall, process: ProcessDefinition, now: datetime
) -> None:
    """The window accepts on the spot; the case moves on to the next step."""
    first = process.steps[0]["key"]
    enter_step(case, process.next_step(first), now)
    refresh_deadlines(case, now, pauses=())
    notify_applicant(
        case,
        _("Application accepted"),
        _("Your application for “%(item)s” was accepted at %(hall)s, case number %(number)s.")
        % {"item": case.item.name, "hall": hall.name, "number": case.number},
    )
    save_case(
        case,
        actor,
        "accept",
        {},
        note=_("Accepted at the window"),
        at_step=first,
        hall=hall.name,
    )


def window_intake(
    *,
    actor,
    item: ServiceItem,
    hall: Hall,
    applicant_name: str,
    applicant_id_number: str,
    applicant_phone: str,
    form_data: dict,
    uploads: Uploads,
    submission_key: str,
    item_version: int | None = None,
) -> tuple[Case, bool]:
    """Register and accept a walk-in's application. Returns (case, created); a repeated
    submission returns the first case."""
    _ensure_window_post(actor, hall)
    if not eligibility.hall_handles(item, hall):
        raise eligibility.not_at_hall(item)
    existing = existing_by_key(submission_key)
    if existing is not None:
        return existing, False
    process, _halls = eligibility.check_intake(item, [hall])
    ensure_current(item, item_version)
    walk_in = WalkIn.typed(applicant_name, applicant_id_number, applicant_phone)
    # The applicant's name and ID number are typed once, in the applicant section; the form
    # fields that hold them are filled from it.
    typed = {"applicant_name": walk_in.name, "applicant_id_number": walk_in.id_number}
    linked = personal_formats.applicant_fields(item.form_schema)
    form_data = {**form_data, **{key: typed[field] for field, key in linked.items()}}
    kept = pending.kept_for(actor, submission_key, item)
    sources = material_sources.look_up(
        item, material_sources.Applicant(walk_in.id_number, walk_in.name)
    )
    try:
        cleaned, checked = validate_application(
            item, form_data, uploads, walk_in.errors(), kept=kept, sources=sources
        )
    except ValidationError as exc:
        raise _on_intake_fields(exc, linked) from None
    obtained = obtained_instead(sources, [*checked, *kept])
    names = {m.pk: m.name for m in item.materials.all()}
    saved: list[str] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            case = _window_case(item, process, hall, walk_in, actor=actor, now=now)
            case.region = placement.case_region(item, form_values=cleaned, hall=hall)
            case.submission_key = submission_key
            indexes = set_form(case, item.form_schema, cleaned)
            count_materials(case, item, obtained)
            enter_step(case, process.steps[0], now)
            insert_case(case)
            write_form_index(case, indexes, replace=False)
            store_files(case, checked, actor, names, saved, new_case=True)
            store_obtained(case, item, obtained)
            pending.adopt(case, kept, actor=actor, names=names, replaced=checked)
            add_event(case, actor, "intake", note=hall.name)
            _accept_at_window(case, actor, hall, process, now)
    except Exception:
        delete_files(saved)
        raise
    return case, True
