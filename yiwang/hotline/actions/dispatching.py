"""Dispatch (派单): the dispatch catalogue's suggestion, sending a ticket to its lead department
and co-handlers, re-dispatching it elsewhere, and refusing a department's return."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.orgs.models import Department

from ..models import Category, DispatchRule, Status, Ticket
from ._common import (
    MAX_REASON_CHARS,
    clean_text,
    clip,
    notify_department,
    raise_errors,
    transition,
    user_or_none,
)
from .access import ensure_dispatcher
from .deadlines import start_clock


def suggest_dispatch(ticket: Ticket) -> tuple[Department | None, list[Department]]:
    """The 派单目录's suggestion: the most specific region, then category, then priority."""
    category_ids: list[int] = []
    node: Category | None = ticket.category
    while node is not None:
        category_ids.append(node.pk)
        node = node.parent
    rules_ = (
        DispatchRule.objects.filter(active=True, category_id__in=category_ids)
        .select_related("region", "lead_department")
        .prefetch_related("co_departments")
    )
    best, best_key = None, None
    for rule in rules_:
        if not ticket.region.path.startswith(rule.region.path):
            continue
        key = (len(rule.region.path), -category_ids.index(rule.category_id), rule.priority)
        if best_key is None or key > best_key:
            best, best_key = rule, key
    if best is None:
        return None, []
    return best.lead_department, list(best.co_departments.all())


def _clean_departments(
    lead: Department | None, co: Iterable[Department] | None
) -> tuple[Department, list[Department]]:
    """The lead department (required) and the co-handlers without it or repeats."""
    if lead is None:
        raise ValidationError({"lead_department": [_("Choose the lead department.")]})
    co_list: list[Department] = []
    for dept in co or ():
        if dept.pk != lead.pk and dept.pk not in {d.pk for d in co_list}:
            co_list.append(dept)
    return lead, co_list


def _assign(ticket: Ticket, actor, lead: Department, now: datetime) -> None:
    """Hand the ticket to ``lead`` (unsigned) and start its clock."""
    ticket.lead_department = lead
    ticket.dispatcher = user_or_none(actor)
    ticket.handler = None
    ticket.signed_at = None
    ticket.dispatched_at = now
    ticket.status = Status.DISPATCHED
    start_clock(ticket, now)


@transaction.atomic
def dispatch(
    *,
    actor,
    ticket: Ticket,
    lead_department: Department | None,
    co_departments: Iterable[Department] = (),
    note: str = "",
) -> Ticket:
    """派单: send a new ticket to its lead department (主办) and co-handlers (协办); the clock starts."""
    lead, co = _clean_departments(lead_department, co_departments)
    with transition(
        "dispatch", actor=actor, ticket=ticket, by=ensure_dispatcher, note=clip(note)
    ) as change:
        ticket = change.ticket
        _assign(ticket, actor, lead, change.now)
    ticket.co_departments.set(co)
    notify_department(
        ticket,
        _("New 12345 ticket"),
        _("Ticket %(number)s has been dispatched to you; sign for it by %(sign_due)s.")
        % {"number": ticket.number, "sign_due": ticket.sign_due},
    )
    return ticket


@transaction.atomic
def redispatch(
    *,
    actor,
    ticket: Ticket,
    lead_department: Department | None,
    co_departments: Iterable[Department] = (),
    note: str = "",
) -> Ticket:
    """改派: send a returned (or misrouted) ticket to another department; its clock restarts."""
    lead, co = _clean_departments(lead_department, co_departments)
    with transition(
        "redispatch", actor=actor, ticket=ticket, by=ensure_dispatcher, note=clip(note)
    ) as change:
        ticket = change.ticket
        if lead.pk == ticket.lead_department_id and ticket.status == Status.RETURNED:
            raise ValidationError(
                {
                    "lead_department": [
                        _(
                            "%(dept)s returned this ticket; choose another department, or reject "
                            "the return to send it back to them."
                        )
                        % {"dept": lead.name}
                    ]
                }
            )
        change.data["previous_department"] = ticket.lead_department_id
        _assign(ticket, actor, lead, change.now)
    ticket.co_departments.set(co)
    notify_department(
        ticket,
        _("New 12345 ticket"),
        _("Ticket %(number)s has been re-dispatched to you; sign for it by %(sign_due)s.")
        % {"number": ticket.number, "sign_due": ticket.sign_due},
    )
    return ticket


@transaction.atomic
def reject_return(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """The dispatcher refuses a return: the ticket goes back to the same department (clock unchanged)."""
    errors: dict = {}
    reason = clean_text(reason, "reason", _("reason"), MAX_REASON_CHARS, errors)
    raise_errors(errors)
    with transition(
        "reject_return", actor=actor, ticket=ticket, by=ensure_dispatcher, note=reason
    ) as change:
        ticket = change.ticket
        ticket.status = Status.SIGNED if ticket.signed_at else Status.DISPATCHED
    notify_department(
        ticket,
        _("Return rejected"),
        _("The return of ticket %(number)s was rejected: %(reason)s")
        % {"number": ticket.number, "reason": reason},
    )
    return ticket
