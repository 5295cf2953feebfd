"""Who may manage and who may use a department's seals (everything through ``orgs.scope``).

- Managing (create, rotate the key, replace the picture, deactivate, and the pages): the
  platform administrators — superusers and the data authority (``authority`` posts, the
  政务服务数据管理局 that runs the platform) — for every department; a department's
  administrator (``dept_admin`` post of that department, or of every department, whose region
  covers the department's) for that department's seals. The platform itself (a
  ``SystemActor``) too: the demo loader and commands.
- Signing with a seal (``signing.sign``): staff holding an active post *in the seal's
  department* (any role: the clerk who issues a licence signs with the department's seal),
  or the platform itself for automatic issuance. Being a platform administrator is not
  enough: a seal speaks for its department only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import can_act, has_role, posts_of

from .models import Seal


def _active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_platform_admin(user) -> bool:
    if is_system(user):
        return True
    return _active_user(user) and bool(user.is_superuser or has_role(user, Role.AUTHORITY))


def can_manage(user, department: Department | None) -> bool:
    """Whether ``user`` may manage the seals of ``department``."""
    if is_platform_admin(user):
        return True
    if department is None or not _active_user(user):
        return False
    return can_act(user, roles=[Role.DEPT_ADMIN], department=department, region=department.region)


def require_manager(user, department: Department) -> None:
    if not can_manage(user, department):
        raise PermissionDenied(
            _(
                "Only the administrators of %(department)s and the platform administrators "
                "can manage its seals."
            )
            % {"department": department.name}
        )


def uses_back_office(user) -> bool:
    """Whether ``user`` manages any seals at all (the list page and the nav entry)."""
    if is_system(user) or not _active_user(user):
        return False
    return is_platform_admin(user) or bool(posts_of(user, [Role.DEPT_ADMIN]))


def managed_departments_q(user, field: str = "department") -> Q:
    """Rows (seals, by their ``field``) of the departments whose seals ``user`` manages."""
    if is_platform_admin(user):
        return Q()
    if not _active_user(user):
        return Q(pk__in=[])
    combined = Q(pk__in=[])
    for post in posts_of(user, [Role.DEPT_ADMIN]):
        q = Q(**{f"{field}__region__path__startswith": post.region.path})
        if post.department_id is not None:
            q &= Q(**{f"{field}_id": post.department_id})
        combined |= q
    return combined


def manageable_departments(user):
    """The departments ``user`` may create seals for."""
    qs = Department.objects.select_related("region").order_by("id")
    if is_platform_admin(user):
        return qs
    if not _active_user(user):
        return qs.none()
    combined = Q(pk__in=[])
    for post in posts_of(user, [Role.DEPT_ADMIN]):
        q = Q(region__path__startswith=post.region.path)
        if post.department_id is not None:
            q &= Q(pk=post.department_id)
        combined |= q
    return qs.filter(combined)


def can_sign_with(actor, seal: Seal) -> bool:
    """Whether ``actor`` may sign in the name of ``seal``'s department."""
    if is_system(actor):
        return True
    if not _active_user(actor) or getattr(actor, "kind", "") != "staff":
        return False
    return any(post.department_id == seal.department_id for post in posts_of(actor))


def require_signer(actor, seal: Seal) -> None:
    if not can_sign_with(actor, seal):
        raise PermissionDenied(
            _("Only staff of %(department)s (or the platform itself) can sign with its seal.")
            % {"department": seal.department.name}
        )
