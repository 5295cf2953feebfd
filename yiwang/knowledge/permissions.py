"""Who may edit the knowledge base (everything goes through ``yiwang.orgs.scope``).

- the platform itself (a ``SystemActor``, e.g. the demo loader), superusers and the
  ``authority`` role: every article and the glossary;
- ``dept_admin`` posts: articles of their department (any department when the post has
  none) and the glossary. 12345 agents and other staff read, they do not edit.
- the category tree is county-wide: only the platform, superusers and the ``authority``
  role change it (department administrators see it in the back office).
"""

from __future__ import annotations

from django.db.models import QuerySet

from yiwang.audit.actors import is_system
from yiwang.orgs.models import Department, Role
from yiwang.orgs.scope import has_role, posts_of

from .models import Article


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_knowledge_authority(user) -> bool:
    if is_system(user):
        return True
    return _active(user) and bool(user.is_superuser or has_role(user, Role.AUTHORITY))


def _admin_departments(user) -> set[int | None]:
    return {p.department_id for p in posts_of(user, [Role.DEPT_ADMIN])}


def can_use_back_office(user) -> bool:
    if is_system(user) or not _active(user):
        return False
    return is_knowledge_authority(user) or bool(_admin_departments(user))


def can_edit_glossary(user) -> bool:
    return can_use_back_office(user) or is_system(user)


def can_manage_categories(user) -> bool:
    return is_knowledge_authority(user)


def can_manage_department(user, department_id: int | None) -> bool:
    """Whether ``user`` may manage articles of ``department_id`` (None: county-wide)."""
    if is_knowledge_authority(user):
        return True
    if not _active(user):
        return False
    departments = _admin_departments(user)
    return None in departments or (department_id is not None and department_id in departments)


def can_manage_article(user, article: Article) -> bool:
    return can_manage_department(user, article.department_id)


def manageable_articles(user) -> QuerySet[Article]:
    qs = Article.objects.select_related("category", "department")
    if is_knowledge_authority(user):
        return qs
    departments = _admin_departments(user) if _active(user) else set()
    if None in departments:
        return qs
    return qs.filter(department_id__in={d for d in departments if d is not None})


def manageable_departments(user):

    qs = Department.objects.order_by("id")
    if is_knowledge_authority(user):
        return qs
    departments = _admin_departments(user) if _active(user) else set()
    if None in departments:
        return qs
    return qs.filter(pk__in=departments)


def is_staff_reader(user) -> bool:
    """Staff (agents, dispatchers, handlers …) may use the suggestion fragment."""
    return _active(user) and (user.is_superuser or getattr(user, "kind", "") == "staff")
