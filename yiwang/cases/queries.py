"""Read side of cases: scoped querysets for staff, the applicant's own cases."""

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from yiwang.accounts.models import normalise_phone, normalise_resident_id
from yiwang.gmcrypto.core import blind_index
from yiwang.orgs.models import Role
from yiwang.orgs.scope import posts_of, scope_q

from .models import OPEN_STATUSES, STAFF_QUEUE_STATUSES, Case

HANDLING_ROLES = (Role.REVIEWER, Role.APPROVER, Role.WINDOW)
OVERSIGHT_ROLES = (Role.DEPT_ADMIN, Role.LEADER, Role.AUTHORITY, Role.AUDITOR)

LIST_RELATED = ("item", "department", "region", "assignee")


def visible_cases(user) -> QuerySet[Case]:
    """Every case a staff member may see: their departments × region subtrees, any role,
    plus cases registered at their own window's hall."""
    if user.is_superuser:
        return Case.objects.exclude(status="draft")
    q = scope_q(
        user,
        roles=[r.value for r in Role],
        department_field="department",
        region_path_field="region__path",
    )
    halls = [p.hall_id for p in posts_of(user, roles=[Role.WINDOW]) if p.hall_id]
    if halls:
        q |= Q(hall_id__in=halls)
    return Case.objects.filter(q).exclude(status="draft")


def with_form_value(qs: QuerySet[Case], *, id_number: str = "", phone: str = "") -> QuerySet[Case]:
    """Cases of ``qs`` whose application form holds this resident ID number or phone.

    Exact match by blind index (the values themselves are encrypted); pass a scoped ``qs``
    such as :func:`visible_cases`.
    """
    digests = []
    if id_number:
        digests.append(blind_index(normalise_resident_id(id_number), "id"))
    if phone:
        digests.append(blind_index(normalise_phone(phone), "phone"))
    return qs.filter(form_indexes__digest__in=digests).distinct()


def inbox(user) -> QuerySet[Case]:
    """Cases waiting for this user: the current step's role is one of the user's roles, in scope."""
    if user.is_superuser:
        return Case.objects.filter(status__in=STAFF_QUEUE_STATUSES)
    q = Q(pk__in=[])
    for role in {p.role for p in posts_of(user)}:
        q |= Q(current_role=role) & scope_q(
            user, roles=[role], department_field="department", region_path_field="region__path"
        )
    return Case.objects.filter(q, status__in=STAFF_QUEUE_STATUSES)


def filtered(qs: QuerySet[Case], params) -> QuerySet[Case]:
    """Filters of the workbench (GET parameters)."""
    if status := params.get("status"):
        qs = qs.filter(status=status)
    if deadline := params.get("deadline"):
        qs = qs.filter(deadline_status=deadline)
    if item := params.get("item"):
        qs = qs.filter(item__name__icontains=item)
    if number := params.get("number"):
        qs = qs.filter(number__startswith=number.strip())
    if params.get("mine"):
        qs = qs.filter(assignee_id=params["mine_user"])
    return qs


def ordered_for_work(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Overdue first: earliest due date first, then oldest."""
    return qs.select_related(*LIST_RELATED).order_by("due_at", "pk")


def my_cases(user) -> QuerySet[Case]:
    return (
        Case.objects.filter(applicant=user)
        .select_related("item", "department")
        .order_by("-created_at")
    )


def open_statuses():
    return OPEN_STATUSES


#: The home page's popular services are the items most applied for over this many days.
POPULAR_DAYS = 30


def most_used_item_ids(
    *, days: int = POPULAR_DAYS, limit: int = 16, now: datetime | None = None
) -> list[int]:
    """Items by the number of cases submitted in the last ``days`` (online and at windows),
    most used first; one grouped query over the (submitted_at, item) index."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        Case.objects.filter(submitted_at__gte=since)
        .values("item")
        .annotate(n=Count("id"))
        .order_by("-n", "item")
        .values_list("item", flat=True)
    )
    return list(rows[:limit])


def materials_reduction(qs: QuerySet[Case]) -> tuple[int, int]:
    """材料减免 over ``qs``: (materials obtained without upload, materials required), summed
    over the submitted cases (the cockpit shows the ratio)."""
    totals = qs.exclude(status="draft").aggregate(
        obtained=Sum("materials_obtained"), required=Sum("materials_required")
    )
    return totals["obtained"] or 0, totals["required"] or 0
