"""Who may manage the service catalogue.

- superusers and holders of the ``authority`` role (政务服务数据管理局): every item;
- ``dept_admin`` posts: items whose implementing agency is the post's department (any
  department when the post has none) and whose region lies in the post's region subtree.

Everything goes through ``yiwang.orgs.scope``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import can_act, has_role, posts_of, scope_q

from .models import ServiceItem


def is_catalog_authority(user) -> bool:
    """The platform itself, a superuser or a data-authority administrator: every item."""
    if is_system(user):
        return True
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_superuser", False) or has_role(user, Role.AUTHORITY))
    )


def can_use_back_office(user) -> bool:
    if is_system(user) or not getattr(user, "is_authenticated", False):
        return False
    return is_catalog_authority(user) or bool(posts_of(user, [Role.DEPT_ADMIN]))


def can_manage(user, *, department, region) -> bool:
    """Whether ``user`` may create or change an item implemented by ``department`` in ``region``."""
    if is_catalog_authority(user):
        return True
    return can_act(user, roles=[Role.DEPT_ADMIN], department=department, region=region)


def can_manage_item(user, item: ServiceItem) -> bool:
    return can_manage(user, department=item.department_id, region=item.region)


def manageable_items(user) -> QuerySet[ServiceItem]:
    """Every item (drafts included) ``user`` may manage, with the joins lists need."""
    qs = ServiceItem.objects.select_related("item_type", "department", "region")
    if is_catalog_authority(user):
        return qs
    return qs.filter(
        scope_q(
            user,
            roles=[Role.DEPT_ADMIN],
            department_field="department",
            region_path_field="region__path",
        )
    )


def manageable_departments(user) -> QuerySet[Department]:
    """Departments ``user`` may create items for (for choice lists)."""
    qs = Department.objects.select_related("region").order_by("id")
    if is_catalog_authority(user):
        return qs
    posts = posts_of(user, [Role.DEPT_ADMIN])
    if any(p.department_id is None for p in posts):
        return qs
    return qs.filter(pk__in={p.department_id for p in posts})
