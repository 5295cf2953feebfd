"""Who may do what in the data resource catalogue (everything through ``yiwang.orgs.scope``).

- The data authority (``authority`` posts, superusers, the platform itself): every resource,
  every status; the only one who publishes, returns and edits the grade policy.
- A department's data administrator is that department's ``dept_admin`` post (within its
  region subtree): registers, edits, submits, revises and withdraws its own resources.
- Any member of staff reads the catalogue (published versions); staff with a post in the
  provider department (or a post for every department) also see its working copies.
- Citizens and anonymous visitors: nothing in this slice (the open-data portal comes later).
"""

from __future__ import annotations

from django.db.models import Q

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import can_act, has_role, posts_of


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_authority(user) -> bool:
    if is_system(user):
        return True
    return _active(user) and bool(user.is_superuser or has_role(user, Role.AUTHORITY))


def is_staff_reader(user) -> bool:
    return _active(user) and bool(user.is_superuser or getattr(user, "kind", "") == "staff")


def can_manage_provider(user, department: Department | None) -> bool:
    """Whether ``user`` may register and edit resources provided by ``department``."""
    if is_authority(user):
        return True
    if department is None or not _active(user):
        return False
    return can_act(user, roles=[Role.DEPT_ADMIN], department=department, region=department.region)


def managed_departments_q(user, field: str = "provider") -> Q:
    """Rows of the departments whose resources ``user`` administers."""
    if is_authority(user):
        return Q()
    if not _active(user):
        return Q(pk__in=[])
    combined = Q(pk__in=[])
    for post in posts_of(user, [Role.DEPT_ADMIN]):
        q = Q(**{f"{field}__region__path__startswith": post.region.path})
        if post.department_id is not None:
            q &= Q(**{f"{field}_id": post.department_id})
        combined |= q
    return combined


def working_copy_q(user, field: str = "provider") -> Q:
    """Resources whose working copy (drafts included) ``user`` may read: the authority all,
    staff those of the departments of their posts (every department for a post without one)."""
    if is_authority(user):
        return Q()
    if not is_staff_reader(user):
        return Q(pk__in=[])
    departments = {p.department_id for p in posts_of(user)}
    if None in departments:
        return Q()
    return Q(**{f"{field}_id__in": sorted(d for d in departments if d is not None)})


def sees_working_copy_of(user, provider_id: int) -> bool:
    """Whether ``user`` reads the working copies of ``provider_id``'s resources (no query
    once the user's posts are loaded)."""
    if is_authority(user):
        return True
    if not is_staff_reader(user):
        return False
    departments = {p.department_id for p in posts_of(user)}
    return None in departments or provider_id in departments


def sees_working_copy(user, resource) -> bool:
    return sees_working_copy_of(user, resource.provider_id)


def manageable_departments(user):
    """The departments ``user`` may register resources for (the authority: all)."""
    qs = Department.objects.select_related("region").order_by("id")
    if is_authority(user):
        return qs
    if not _active(user):
        return qs.none()
    combined = Q(pk__in=[])
    for post in posts_of(user, [Role.DEPT_ADMIN]):
        q = Q(region__path__startswith=post.region.path)
        if post.department_id is not None:
            q &= Q(pk=post.department_id)
        combined |= q
    return qs.filter(combined)
