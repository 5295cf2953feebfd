"""The rules of sharing, in one place: who may act on a request, which items may be asked
for, which route a request takes, and its time limits (working days, from the settings).

**Route** (the clear rule): a request goes to the provider after the conformity review when
*any* requested item is shared on conditions, *or* the grade policy of any requested item's
grade says ``authority_provider``. Only when every item is unconditional and every grade's
route is ``authority`` is the grant issued on the authority's approval. The policy in force
at submission is copied onto the request (``route``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Q

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import can_act, posts_of
from yiwang.workdays import calendar as workdays

from ..choices import ApprovalRoute, Mask, SharingType
from ..permissions import is_authority
from .models import RequestStatus

#: A step is close to its deadline (预警) when at most this many working days remain.
WARN_WITHIN = 1


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_dept_admin_of(user, department: Department) -> bool:
    """A ``dept_admin`` post of ``department`` (within its region), a superuser or the
    platform. The data authority as such is *not* a department's administrator."""
    if is_system(user):
        return True
    if not _active(user):
        return False
    return can_act(user, roles=[Role.DEPT_ADMIN], department=department, region=department.region)


def admin_departments(user) -> list[Department]:
    """The departments ``user`` may request data for: those of their ``dept_admin`` posts
    (a post for every department does not make its holder a consumer)."""
    if not _active(user):
        return []
    seen: dict[int, Department] = {}
    for post in posts_of(user, [Role.DEPT_ADMIN]):
        department = post.department
        if department is not None and department.pk not in seen:
            seen[department.pk] = department
    return list(seen.values())


def department_ids(user) -> set[int | None]:
    """Departments of the user's active posts (``None``: a post for every department)."""
    return {p.department_id for p in posts_of(user)}


def visible_q(user, consumer: str = "consumer", provider: str = "resource__provider") -> Q:
    """Requests or grants ``user`` sees: the authority all; staff those of their departments
    as consumer or as provider; everyone else nothing."""
    if is_authority(user):
        return Q()
    if not _active(user) or getattr(user, "kind", "") != "staff":
        return Q(pk__in=[])
    ids = department_ids(user)
    if None in ids:
        return Q()
    mine = sorted(i for i in ids if i is not None)
    return Q(**{f"{consumer}_id__in": mine}) | Q(**{f"{provider}_id__in": mine})


def provider_q(user, field: str = "resource__provider") -> Q:
    """Rows about resources of the departments ``user`` administers (``dept_admin`` posts;
    superusers and the platform: all)."""
    if is_system(user):
        return Q()
    if not _active(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    posts = posts_of(user, [Role.DEPT_ADMIN])
    if any(p.department_id is None for p in posts):
        return Q()
    return Q(**{f"{field}_id__in": sorted({p.department_id for p in posts if p.department_id})})


# --- items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemChoice:
    """One item of the published version, as the request form shows it."""

    column: str
    name: str
    grade: str
    sharing_type: str
    mask: str
    blocked: str  # "" when it may be requested; else "none" or "hidden"


def item_choices(snapshot: dict) -> list[ItemChoice]:
    rows = []
    for item in snapshot.get("items", []):
        blocked = ""
        if item["sharing_type"] == SharingType.NONE:
            blocked = "none"
        elif item["mask"] == Mask.HIDDEN:
            blocked = "hidden"
        rows.append(
            ItemChoice(
                column=item["column"],
                name=item["name"],
                grade=item["grade"],
                sharing_type=item["sharing_type"],
                mask=item["mask"],
                blocked=blocked,
            )
        )
    return rows


def route_for(items: list[dict], routes_by_grade: dict[str, str]) -> str:
    """``authority_provider`` when any item is conditional or its grade's policy asks for the
    provider; else ``authority`` (see the module docstring)."""
    for item in items:
        if item["sharing_type"] != SharingType.UNCONDITIONAL:
            return ApprovalRoute.AUTHORITY_PROVIDER
        if routes_by_grade.get(item["grade"]) != ApprovalRoute.AUTHORITY:
            return ApprovalRoute.AUTHORITY_PROVIDER
    return ApprovalRoute.AUTHORITY


# --- time limits ---------------------------------------------------------------------------


def limit_for(status: str) -> int:
    """The configured limit of the step a request enters (0: no clock)."""
    if status == RequestStatus.REVIEW:
        return settings.YIWANG_SHARING_REVIEW_DAYS
    if status == RequestStatus.PROVIDER:
        return settings.YIWANG_SHARING_PROVIDER_DAYS
    if status == RequestStatus.DISPUTED:
        return settings.YIWANG_SHARING_COORDINATION_DAYS
    return 0


def max_period_end(start: date) -> date:
    """The last end date a request starting on ``start`` may ask for."""
    years = settings.YIWANG_SHARING_MAX_YEARS
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def deadline_status(due_at: datetime | None, today: date | None = None) -> str:
    """正常/预警/超期 of a step due at ``due_at`` ("" when no clock runs)."""
    if due_at is None:
        return ""
    return workdays.deadline_status(
        workdays.local_date(due_at), today or workdays.today(), WARN_WITHIN
    )
