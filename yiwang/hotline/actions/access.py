"""Who may see and act on a ticket.

Agents and dispatchers act within their post's region subtree (their department, 数据局 or
none, does not limit them); handlers act on tickets whose lead department is theirs, within
their region. ``visible_tickets`` is the one scoped queryset of staff pages and exports.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from yiwang.orgs.models import Role
from yiwang.orgs.scope import can_act, covers, posts_of, posts_subtree_q

from ..models import Ticket
from ._common import is_user


def is_handler_of(user, ticket: Ticket) -> bool:
    return can_act(
        user, roles=[Role.HANDLER], department=ticket.lead_department_id, region=ticket.region
    )


def visible_tickets(user, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """THE scoped queryset of tickets a staff member may see.

    Agents, dispatchers, leaders and auditors: their posts' region subtrees.
    Handlers: tickets led or co-handled by their department within their region.
    """
    qs = Ticket.objects.all() if queryset is None else queryset
    if not is_user(user):
        return qs.none()
    if user.is_superuser:
        return qs
    combined = posts_subtree_q(user, [Role.AGENT, Role.DISPATCHER, Role.LEADER, Role.AUDITOR])
    through = Ticket.co_departments.through
    for post in posts_of(user, [Role.HANDLER]):
        in_region = Q(region__path__startswith=post.region.path)
        if post.department_id is None:
            combined |= in_region
            continue
        co = Exists(
            through.objects.filter(ticket_id=OuterRef("pk"), department_id=post.department_id)
        )
        combined |= in_region & (Q(lead_department_id=post.department_id) | Q(co))
    return qs.filter(combined)


def ensure_dispatcher(actor, ticket: Ticket) -> None:
    if not covers(actor, [Role.DISPATCHER], ticket.region):
        raise PermissionDenied(
            _("Only a 12345 dispatcher responsible for %(region)s can do this.")
            % {"region": ticket.region.name}
        )


def ensure_agent(actor, ticket: Ticket) -> None:
    if not covers(actor, [Role.AGENT, Role.DISPATCHER], ticket.region):
        raise PermissionDenied(
            _("Only a 12345 agent responsible for %(region)s can do this.")
            % {"region": ticket.region.name}
        )


def ensure_handler(actor, ticket: Ticket) -> None:
    if not is_handler_of(actor, ticket):
        dept = ticket.lead_department.name if ticket.lead_department else _("no department")
        raise PermissionDenied(
            _(
                "You cannot handle ticket %(number)s: it is assigned to %(dept)s in %(region)s, "
                "which is outside your post."
            )
            % {"number": ticket.number, "dept": dept, "region": ticket.region.name}
        )
