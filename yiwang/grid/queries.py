"""What a user may see: cases, grids. One place for the scope of reads."""

from __future__ import annotations

from django.db.models import Q

from yiwang.orgs.models import Role
from yiwang.orgs.scope import can_act, covers, posts_of, posts_subtree_q, scope_q

from . import actions, rules
from .models import CityEvent, Grid, GridAssignment

OVERSIGHT_ROLES = [Role.DISPATCHER, Role.LEADER, Role.AUTHORITY]


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_overseer(user) -> bool:
    """Dispatchers and leaders (and the data authority): the map and the full list."""
    return _active(user) and (user.is_superuser or bool(posts_of(user, OVERSIGHT_ROLES)))


def is_grid_worker(user) -> bool:
    return _active(user) and bool(posts_of(user, [Role.GRID_WORKER]))


def events_q(user) -> Q:
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    q = posts_subtree_q(user, OVERSIGHT_ROLES)
    if posts_of(user, [Role.HANDLER]):
        q |= scope_q(
            user,
            roles=[Role.HANDLER],
            department_field="department",
            region_path_field="region__path",
        )
    if posts_of(user, [Role.GRID_WORKER]):
        q |= Q(grid__in=GridAssignment.objects.filter(user=user).values("grid")) | Q(reporter=user)
    return q


def visible_events(user):
    return CityEvent.objects.filter(events_q(user))


def visible_grids(user):
    if not _active(user):
        return Grid.objects.none()
    if user.is_superuser:
        return Grid.objects.all()
    q = posts_subtree_q(user, [*OVERSIGHT_ROLES, Role.HANDLER], field="village__path")
    q |= Q(pk__in=GridAssignment.objects.filter(user=user).values("grid"))
    return Grid.objects.filter(q)


def my_grids(user) -> list[Grid]:
    """The grids a grid worker works from (their assignments; a superuser: every grid they
    see), with their villages: the choices of the phone pages' forms."""
    grids = user.grids.all() if not user.is_superuser else visible_grids(user)
    return list(grids.select_related("village"))


def allowed_actions(user, event: CityEvent) -> list[str]:
    """The actions ``user`` may take on ``event`` now (state table × role)."""
    possible = rules.possible_actions(event.status)
    out = []
    for action in possible:
        if action in ("file", "cancel", "dispatch", "close"):
            ok = covers(user, [Role.DISPATCHER], event.region)
        elif action == "evaluate":
            ok = covers(user, [Role.DISPATCHER, Role.LEADER], event.region)
        elif action == "handle":
            ok = can_act(
                user, roles=[Role.HANDLER], department=event.department, region=event.region
            )
        elif action == "verify":
            ok = actions.is_worker_of(user, event.grid)
        else:
            ok = False
        if ok:
            out.append(action)
    return out
