"""Using licences (C7 用证): what holders allow and what departments read.

- ``grant`` / ``withdraw_grant``: a holder lets one department read their licences of one
  type, for a stated purpose, until a day (用证授权);
- ``read_licence``: a department's staff read a holder's licence, on the holder's grant or
  on a case of the holder that their department handles; every reading is a ``LicenceUse``
  the holder sees, and an in-app notice to them;
- the holder's annotated copies (加注件) are in ``copies``.

As in ``actions``, a refusal raises before anything is written, and every change and every
reading is audited as ``licences.<verb>``. The issuing department managing its own licences
does not come through here (``actions`` does that).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts.models import Enterprise, EnterpriseAgent
from yiwang.accounts.queries import agent_memberships, user_by_id_number
from yiwang.audit.actions import record
from yiwang.cases.models import OPEN_STATUSES, Case
from yiwang.notify.actions import notify
from yiwang.orgs.models import Department
from yiwang.workdays.calendar import local_date

from .actions import holder_index
from .models import (
    HolderKind,
    Licence,
    LicenceType,
    LicenceUse,
    UseBasis,
    UseGrant,
)
from .permissions import departments_of

PURPOSE_MAX = 200  # the models' purpose columns
NOTIFY_AGENTS_MAX = 20  # an enterprise's agents told of a use (a bound on one action's writes)


def today() -> dt.date:
    """Today in Beijing time: grants run to the end of a local day."""
    return local_date(timezone.now())


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def purpose_of(text: str | None, errors: dict[str, ValidationError]) -> str:
    """The purpose with its spaces collapsed; a missing or too long one adds an error under
    ``purpose`` to ``errors`` (the caller raises them together with its own)."""
    purpose = " ".join((text or "").split())
    if not purpose:
        errors["purpose"] = ValidationError(
            _("State the purpose of use; the holder sees it."), code="purpose_required"
        )
    elif len(purpose) > PURPOSE_MAX:
        errors["purpose"] = ValidationError(
            _("The purpose is %(length)d characters long; shorten it to at most %(max)d.")
            % {"length": len(purpose), "max": PURPOSE_MAX},
            code="purpose_too_long",
        )
    return purpose


def acts_for(actor, kind: str, index: str) -> bool:
    """Whether ``actor`` is this holder: the person with this ID number, or a currently
    authorised agent of the enterprise with this USCC."""
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)):
        return False
    if kind == HolderKind.PERSON:
        return bool(actor.id_number) and holder_index(actor.id_number) == index
    return any(holder_index(m.enterprise.uscc) == index for m in agent_memberships(actor))


def holds(actor, licence: Licence) -> bool:
    # A person's licence may be linked by account alone (issued before the ID was known).
    if licence.holder_kind == HolderKind.PERSON and licence.holder_user_id == actor.pk:
        return bool(getattr(actor, "is_active", False))
    return acts_for(actor, licence.holder_kind, licence.holder_index)


# --- grants -----------------------------------------------------------------------------------


def grant(
    *,
    actor,
    holder_kind: str,
    holder_index: str,
    holder_name: str,
    licence_type: LicenceType | None,
    department: Department | None,
    purpose: str,
    expires_on: dt.date | None,
) -> UseGrant:
    """The holder lets ``department`` read their licences of ``licence_type`` until
    ``expires_on`` (inclusive), for ``purpose``."""
    if not acts_for(actor, holder_kind, holder_index):
        raise PermissionDenied(_("Only the holder can allow the use of their licences."))
    errors: dict[str, ValidationError] = {}
    purpose = purpose_of(purpose, errors)
    first_day = today()
    if expires_on is None:
        errors["expires_on"] = ValidationError(
            _("Choose the last day the department may use the licence."), code="expiry_required"
        )
    elif expires_on <= first_day:
        errors["expires_on"] = ValidationError(
            _("The last day of the grant must be after today."), code="expiry_past"
        )
    elif expires_on > _one_year_after(first_day):
        errors["expires_on"] = ValidationError(
            _("A grant lasts at most one year; choose a day until %(day)s.")
            % {"day": _one_year_after(first_day).isoformat()},
            code="expiry_too_far",
        )
    if department is None:
        errors["department"] = ValidationError(
            _("Choose the department you allow."), code="department_required"
        )
    if licence_type is None:
        errors["licence_type"] = ValidationError(
            _("Choose the licence type."), code="type_required"
        )
    elif not Licence.objects.filter(
        holder_kind=holder_kind, holder_index=holder_index, licence_type=licence_type
    ).exists():
        errors["licence_type"] = ValidationError(
            _("You hold no %(type)s.") % {"type": licence_type.name}, code="type_not_held"
        )
    if errors or licence_type is None or department is None or expires_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        made = UseGrant.objects.create(
            holder_kind=holder_kind,
            holder_index=holder_index,
            holder_name=holder_name,
            licence_type=licence_type,
            department=department,
            purpose=purpose,
            expires_on=expires_on,
            created_by=actor,
        )
        record(
            actor=actor,
            action="licences.grant",
            obj=made,
            after={
                "type": licence_type.code,
                "department": department.pk,
                "purpose": purpose,
                "expires_on": expires_on.isoformat(),
            },
        )
    return made


def withdraw_grant(*, actor, grant: UseGrant) -> UseGrant:
    """The holder takes a grant back: from now on it allows no reading."""
    if not acts_for(actor, grant.holder_kind, grant.holder_index):
        raise PermissionDenied(_("Only the holder can withdraw their grant."))
    with transaction.atomic():
        grant = UseGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise ValidationError(_("This grant is already withdrawn."), code="already_withdrawn")
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record(actor=actor, action="licences.withdraw_grant", obj=grant)
    return grant


def active_grant(
    *, kind: str, index: str, licence_type: LicenceType, departments
) -> UseGrant | None:
    """A grant of the holder now allowing one of ``departments`` to read ``licence_type``."""
    return (
        UseGrant.objects.filter(
            holder_kind=kind,
            holder_index=index,
            licence_type=licence_type,
            department__in=list(departments),
            revoked_at__isnull=True,
            expires_on__gte=today(),
        )
        .select_related("department")
        .order_by("-expires_on", "-id")
        .first()
    )


# --- departments reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class Basis:
    """Why a department may read a holder's licence now."""

    kind: str  # UseBasis
    department: Department
    grant: UseGrant | None = None
    case: Case | None = None


def _case_holder_index(case) -> str:
    if case.enterprise_id is not None:
        return holder_index(case.enterprise.uscc)
    return holder_index(case.applicant_id_number) if case.applicant_id_number else ""


def authorise(*, actor, kind: str, index: str, licence_type: LicenceType, case=None) -> Basis:
    """The basis on which ``actor`` may read this holder's licences of ``licence_type``:
    a case of the holder their department handles (when given), else the holder's grant.
    Raises PermissionDenied otherwise."""
    departments = departments_of(actor)
    if not departments:
        raise PermissionDenied(_("Only the staff of a department can use a holder's licences."))
    closed = None
    if case is not None:
        ours = {d.pk: d for d in departments}
        handled = [ours[pk] for pk in (case.department_id, case.home_department_id) if pk in ours]
        wanted = HolderKind.ENTERPRISE if case.enterprise_id else HolderKind.PERSON
        if handled and wanted == kind and _case_holder_index(case) == index:
            if case.status in OPEN_STATUSES:
                return Basis(UseBasis.CASE, handled[0], case=case)
            closed = case  # the holder's, ours, but over: only a grant still allows
    found = active_grant(kind=kind, index=index, licence_type=licence_type, departments=departments)
    if found is not None:
        return Basis(UseBasis.GRANT, found.department, grant=found)
    if closed is not None:
        raise PermissionDenied(
            _(
                "Case %(number)s is no longer being handled; a closed case does not allow "
                "using the holder's licences."
            )
            % {"number": closed.number}
        )
    raise PermissionDenied(
        _("No grant from the holder and no case of the holder in your department.")
    )


def read_licence(*, actor, licence: Licence, purpose: str, case=None) -> Licence:
    """A department's staff read ``licence`` for ``purpose``; recorded, audited, and the
    holder told. Raises PermissionDenied without a basis (see ``authorise``)."""
    errors: dict[str, ValidationError] = {}
    purpose = purpose_of(purpose, errors)
    basis = authorise(
        actor=actor,
        kind=licence.holder_kind,
        index=licence.holder_index,
        licence_type=licence.licence_type,
        case=case,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        use = LicenceUse.objects.create(
            licence=licence,
            department=basis.department,
            actor=actor,
            purpose=purpose,
            basis=basis.kind,
            grant=basis.grant,
            case=basis.case,
        )
        record(
            actor=actor,
            action="licences.use",
            obj=licence,
            after={
                "use": use.pk,
                "department": basis.department.pk,
                "basis": basis.kind,
                "grant": basis.grant.pk if basis.grant else None,
                "case": basis.case.pk if basis.case else None,
                "purpose": purpose,
            },
        )
        _tell_holder(licence, basis.department, purpose)
    return licence


def _holder_accounts(licence: Licence) -> list:
    if licence.holder_kind == HolderKind.PERSON:
        user = licence.holder_user or user_by_id_number(licence.holder_code)
        return [user] if user is not None else []
    enterprise = (
        licence.holder_enterprise or Enterprise.objects.filter(uscc=licence.holder_code).first()
    )
    if enterprise is None:
        return []
    agents = (
        EnterpriseAgent.objects.filter(enterprise=enterprise)
        .exclude(valid_until__lt=today())
        .select_related("user")
        .order_by("-is_legal_representative", "id")[:NOTIFY_AGENTS_MAX]
    )
    return [agent.user for agent in agents]


def _tell_holder(licence: Licence, department: Department, purpose: str) -> None:
    # In-app only: a use is routine (the holder allowed it, or applied for it) and the
    # log on the licence's page is the record; an SMS for each reading would be noise.
    for user in _holder_accounts(licence):
        notify(
            user=user,
            title=_("%(department)s used your %(licence)s")
            % {"department": department.name, "licence": licence.name},
            body=_("Purpose: %(purpose)s") % {"purpose": purpose},
            link=reverse("licences:mine-detail", args=[licence.identifier]),
        )
