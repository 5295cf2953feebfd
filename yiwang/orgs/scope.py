"""Staff scope: THE single place that decides what a staff member may see and act on.

A post gives a user a role within a department (``None``: every department) and a
region subtree (the post's region and everything below it). A row is in scope when
one of the user's active posts with a matching role covers both its department and
its region. Superusers see everything.

    Case.objects.filter(scope_q(user, roles=["reviewer"], department_field="department",
                                region_path_field="region__path"))
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from .models import Department, Post

_CACHE_ATTR = "_yiwang_posts"


def _role_set(roles: Iterable[str] | str | None) -> set[str] | None:
    if roles is None:
        return None
    if isinstance(roles, str):
        return {roles}
    return {str(r) for r in roles}


def _all_posts(user) -> list[Post]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        # Department and region decide scope; hall and window are read by id (the profile
        # page loads them itself). Sorted here: compiling ORDER BY costs more than the sort.
        cached = sorted(
            Post.objects.filter(user_id=user.pk, active=True).select_related(
                "department", "region"
            ),
            key=lambda post: post.pk,
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_cache(user) -> None:
    """Forget the posts cached on ``user`` (after posts change within the same request)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def posts_of(user, roles: Iterable[str] | str | None = None) -> list[Post]:
    """The user's active posts, optionally only those with one of ``roles``.

    Loaded once per user object (i.e. per request) with department and region.
    """
    posts = _all_posts(user)
    wanted = _role_set(roles)
    if wanted is None:
        return list(posts)
    return [p for p in posts if p.role in wanted]


def has_role(user, role: str) -> bool:
    """Whether the user holds an active post with ``role``. Superusers hold every role."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or posts_of(user, [role]))


def scope_q(
    user, *, roles: Iterable[str] | str, department_field: str, region_path_field: str
) -> Q:
    """A ``Q`` matching rows within the user's posts having one of ``roles``.

    ``department_field`` names the row's department foreign key (e.g. ``"department"``),
    ``region_path_field`` the row's region path (e.g. ``"region__path"``).
    """
    if (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_superuser
    ):
        return Q()
    posts = posts_of(user, roles)
    if not posts:
        return Q(pk__in=[])
    seen: set[tuple[int | None, str]] = set()
    combined: Q | None = None
    for post in posts:
        key = (post.department_id, post.region.path)
        if key in seen:
            continue
        seen.add(key)
        q = Q(**{f"{region_path_field}__startswith": post.region.path})
        if post.department_id is not None:
            q &= Q(**{department_field: post.department_id})
        combined = q if combined is None else combined | q
    return combined if combined is not None else Q(pk__in=[])


def _pk(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, Department):
        return value.pk
    return int(value)


def can_act(user, *, roles: Iterable[str] | str, department, region) -> bool:
    """Whether one object with ``department`` (a Department, its id or None) and ``region``
    (a Region, or None) is within the user's posts having one of ``roles``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if region is None:
        return False
    department_id = _pk(department)
    for post in posts_of(user, roles):
        if post.department_id is not None and post.department_id != department_id:
            continue
        if region.path.startswith(post.region.path):
            return True
    return False
