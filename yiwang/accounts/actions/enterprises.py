"""Enterprises (法人) and their agents (经办人): registration, authorisation, acting for one."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, is_system
from yiwang.regions.models import Region

from ..models import (
    Enterprise,
    EnterpriseAgent,
    Kind,
    User,
    normalise_uscc,
    validate_enterprise_uscc,
)
from ._common import _collect, _errors, _is_staff_with_post, _is_user

# --- enterprises -------------------------------------------------------------------


def _enterprise_snapshot(enterprise: Enterprise) -> dict:
    return {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "legal_representative": enterprise.legal_representative,
        "region": enterprise.region.code if enterprise.region is not None else None,
        "address": enterprise.address,
    }


def _clean_enterprise_name(value: str, errors: dict) -> str:
    name = " ".join((value or "").split())
    if not name:
        errors["name"] = [
            ValidationError(_("Enter the enterprise's registered name."), code="required")
        ]
    elif len(name) > 100:
        errors["name"] = [
            ValidationError(
                _("The name is too long: use at most 100 characters."), code="max_length"
            )
        ]
    return name


def _clean_uscc(value: str, errors: dict) -> str:
    """A well-formed unified social credit code no enterprise is registered under yet."""
    code = normalise_uscc(value)
    if not code:
        errors["uscc"] = [
            ValidationError(
                _("Enter the 18-character unified social credit code from the business licence."),
                code="required",
            )
        ]
        return code
    _collect(errors, "uscc", validate_enterprise_uscc, code)
    existing = None if "uscc" in errors else Enterprise.objects.filter(uscc=code).first()
    if existing is not None:
        errors["uscc"] = [
            ValidationError(
                _(
                    "An enterprise with the unified social credit code %(uscc)s is already registered "
                    "(%(name)s). Ask its legal representative to add you as an agent."
                ),
                code="duplicate_uscc",
                params={"uscc": code, "name": existing.name},
            )
        ]
    return code


def _clean_legal_representative(value: str, errors: dict) -> str:
    name = " ".join((value or "").split())
    if not name:
        errors["legal_representative"] = [
            ValidationError(_("Enter the name of the legal representative."), code="required")
        ]
    elif len(name) > 50:
        errors["legal_representative"] = [
            ValidationError(
                _("The legal representative's name is too long: use at most 50 characters."),
                code="max_length",
            )
        ]
    return name


def _clean_address(value: str, errors: dict) -> str:
    address = (value or "").strip()
    if len(address) > 200:
        errors["address"] = [
            ValidationError(
                _("The address is too long: use at most 200 characters."), code="max_length"
            )
        ]
    return address


@transaction.atomic
def create_enterprise(
    *,
    actor,
    name: str,
    uscc: str,
    legal_representative: str,
    region: Region | None = None,
    address: str = "",
) -> Enterprise:
    """Register a legal person (法人) identified by its unified social credit code."""
    errors: dict[str, list] = {}
    name = _clean_enterprise_name(name, errors)
    code = _clean_uscc(uscc, errors)
    legal_representative = _clean_legal_representative(legal_representative, errors)
    address = _clean_address(address, errors)
    if region is not None and not isinstance(region, Region):
        errors["region"] = [ValidationError(_("Choose a region from the list."), code="invalid")]
    _errors(errors)
    if not (is_system(actor) or _is_staff_with_post(actor)):
        raise PermissionDenied(
            _(
                "Only service staff can register an enterprise. Bring the business licence to a "
                "service hall window."
            )
        )

    enterprise = Enterprise.objects.create(
        name=name,
        uscc=code,
        legal_representative=legal_representative,
        region=region,
        address=address,
    )
    record(
        actor=actor or SYSTEM,
        action="accounts.enterprise_created",
        obj=enterprise,
        after=_enterprise_snapshot(enterprise),
    )
    return enterprise


# --- agents ----------------------------------------------------------------------------


def _is_legal_representative_agent(actor, enterprise: Enterprise) -> bool:
    today = timezone.localdate()
    return (
        _is_user(actor)
        and EnterpriseAgent.objects.filter(
            enterprise=enterprise,
            user=actor,
            is_legal_representative=True,
        )
        .exclude(valid_until__lt=today)
        .exists()
    )


def _may_manage_agents(actor, enterprise: Enterprise) -> bool:
    """Service staff, and the enterprise's own legal representative, authorise its agents."""
    return (
        is_system(actor)
        or _is_staff_with_post(actor)
        or _is_legal_representative_agent(actor, enterprise)
    )


def _new_agent_errors(
    enterprise: Enterprise, user: User, valid_until: datetime.date | None
) -> dict[str, list]:
    """Why ``user`` cannot become an agent of ``enterprise`` until ``valid_until``, by field."""
    errors: dict[str, list] = {}
    if user.kind == Kind.STAFF:
        errors["user"] = [
            ValidationError(
                _(
                    "%(name)s is a staff account; staff cannot act for an enterprise. Use the person's "
                    "own citizen account."
                ),
                code="staff_agent",
                params={"name": user.display_name},
            )
        ]
    elif not user.is_active:
        errors["user"] = [
            ValidationError(
                _("%(name)s's account is disabled and cannot be authorised."),
                code="inactive",
                params={"name": user.display_name},
            )
        ]
    elif EnterpriseAgent.objects.filter(enterprise=enterprise, user=user).exists():
        errors["user"] = [
            ValidationError(
                _("%(name)s is already an agent of %(enterprise)s."),
                code="duplicate_agent",
                params={"name": user.display_name, "enterprise": enterprise.name},
            )
        ]
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = [
            ValidationError(
                _(
                    "The authorisation end date %(date)s is in the past. Choose today or a later date."
                ),
                code="past",
                params={"date": valid_until.isoformat()},
            )
        ]
    return errors


@transaction.atomic
def add_agent(
    *,
    actor,
    enterprise: Enterprise,
    user: User,
    is_legal_representative: bool = False,
    valid_until: datetime.date | None = None,
) -> EnterpriseAgent:
    """Authorise ``user`` to act for ``enterprise`` (经办人授权)."""
    _errors(_new_agent_errors(enterprise, user, valid_until))
    if not _may_manage_agents(actor, enterprise):
        raise PermissionDenied(
            _("Only service staff or the enterprise's legal representative can authorise agents.")
        )

    agent = EnterpriseAgent.objects.create(
        enterprise=enterprise,
        user=user,
        is_legal_representative=is_legal_representative,
        valid_until=valid_until,
    )
    record(
        actor=actor or SYSTEM,
        action="accounts.agent_added",
        obj=enterprise,
        after={
            "user": user.pk,
            "username": user.username,
            "is_legal_representative": is_legal_representative,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return agent


@transaction.atomic
def update_agent(
    *,
    actor,
    agent: EnterpriseAgent,
    is_legal_representative: bool,
    valid_until: datetime.date | None,
) -> EnterpriseAgent:
    """Change an agent's authorisation (legal-representative flag, end date)."""
    agent = (
        EnterpriseAgent.objects.select_for_update(of=("self",))
        .select_related("enterprise", "user")
        .get(pk=agent.pk)
    )
    if not _may_manage_agents(actor, agent.enterprise):
        raise PermissionDenied(
            _("Only service staff or the enterprise's legal representative can change agents.")
        )
    before = {
        "is_legal_representative": agent.is_legal_representative,
        "valid_until": agent.valid_until.isoformat() if agent.valid_until else None,
    }
    agent.is_legal_representative = bool(is_legal_representative)
    agent.valid_until = valid_until
    agent.save(update_fields=["is_legal_representative", "valid_until"])
    record(
        actor=actor or SYSTEM,
        action="accounts.agent_changed",
        obj=agent.enterprise,
        before=before,
        user=agent.user_id,
        after={
            "is_legal_representative": agent.is_legal_representative,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    return agent


@transaction.atomic
def remove_agent(*, actor, enterprise: Enterprise, user: User) -> None:
    """Withdraw an agent's authorisation."""
    agent = (
        EnterpriseAgent.objects.select_for_update().filter(enterprise=enterprise, user=user).first()
    )
    if agent is None:
        raise ValidationError(
            _("%(name)s is not an agent of %(enterprise)s."),
            code="not_agent",
            params={"name": user.display_name, "enterprise": enterprise.name},
        )
    if not _may_manage_agents(actor, enterprise):
        raise PermissionDenied(
            _("Only service staff or the enterprise's legal representative can withdraw agents.")
        )
    agent.delete()
    record(
        actor=actor or SYSTEM,
        action="accounts.agent_removed",
        obj=enterprise,
        before={"user": user.pk, "username": user.username},
    )


# --- acting for an enterprise -------------------------------------------------------------


@transaction.atomic
def start_acting_for(*, actor, enterprise: Enterprise | None) -> Enterprise | None:
    """Check that ``actor`` may act for ``enterprise`` now (None: act as themself) and audit it.

    The caller stores the choice (the web session key ``acting_enterprise_id``).
    """
    if not _is_user(actor):
        raise PermissionDenied(_("Log in first."))
    if enterprise is not None:
        agent = EnterpriseAgent.objects.filter(enterprise=enterprise, user=actor).first()
        if agent is None:
            raise PermissionDenied(
                _("You are not an authorised agent of %(enterprise)s.")
                % {"enterprise": enterprise.name}
            )
        if agent.valid_until is not None and agent.valid_until < timezone.localdate():
            raise ValidationError(
                _(
                    "Your authorisation to act for %(enterprise)s ended on %(date)s. Ask its legal "
                    "representative to renew it."
                ),
                code="expired",
                params={"enterprise": enterprise.name, "date": agent.valid_until.isoformat()},
            )
    record(
        actor=actor,
        action="accounts.act_as",
        obj=enterprise,
        after={"enterprise": enterprise.pk if enterprise else None},
    )
    return enterprise
