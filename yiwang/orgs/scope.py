"""Staff scope: THE single place that decides what a staff member may see and act on.

A post gives a user a role within a department (``None``: every department) and a
region subtree (the post's region and everything below it). A row is in scope when
one of the user's active posts with a matching role covers both its department and
its region. Superusers see everything.

    Case.objects.filter(scope_q(user, roles=["reviewer"], department_field="department",
                                region_path_field="region__path"))

It also holds the region-tree helpers every app needs (regions carry a materialised
``path`` of codes, so a subtree is a prefix match): ``subtree_q``, ``posts_subtree_q``,
``covers``, ``ancestor_paths``, ``subtree_or_ancestors_q``, and the county of the deployment
(``county_region``, ``county_regions``). Whether the platform itself acts is
``yiwang.audit.actors.is_system`` (``audit`` sits below ``orgs``, and ``regions`` needs it too).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.regions.models import Region

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


# --- region subtrees ---------------------------------------------------------------


def _active_user(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def subtree_q(paths: Iterable[str], field: str = "region__path") -> Q:
    """Rows whose region path (``field``) lies in one of the subtrees rooted at ``paths``.

    Paths inside another of ``paths`` are dropped (one prefix scan per root); no paths
    matches nothing."""
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    combined = Q(pk__in=[])
    for root in roots:
        combined |= Q(**{f"{field}__startswith": root})
    return combined


def posts_subtree_q(user, roles: Iterable[str] | str, field: str = "region__path") -> Q:
    """Rows in the region subtree of any of the user's posts with one of ``roles``, whatever
    the post's department (dispatchers, leaders, auditors). Superusers: everything."""
    if not _active_user(user):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    return subtree_q((post.region.path for post in posts_of(user, roles)), field)


def covers(user, roles: Iterable[str] | str, region: Region | None) -> bool:
    """Whether a post of ``user`` with one of ``roles`` covers ``region`` (any department)."""
    if not _active_user(user):
        return False
    if user.is_superuser:
        return True
    if region is None:
        return False
    return any(region.path.startswith(post.region.path) for post in posts_of(user, roles))


def ancestor_paths(region_or_path: Region | str) -> list[str]:
    """The paths of the regions above one: ``"440000/441400/441422/"`` →
    ``["440000/", "440000/441400/"]`` (no query)."""
    path = region_or_path if isinstance(region_or_path, str) else region_or_path.path
    parts = path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def subtree_or_ancestors_q(region: Region, field: str = "region__path") -> Q:
    """Rows whose region is ``region``, below it, or above it (e.g. the posts and items that
    concern a town: the town's own, its villages', and the county's and province's)."""
    return Q(**{f"{field}__startswith": region.path}) | Q(
        **{f"{field}__in": ancestor_paths(region)}
    )


# --- the county of this deployment -------------------------------------------------


def county_code() -> str:
    return settings.YIWANG_COUNTY_CODE


def county_region() -> Region:
    """The county this deployment serves (``YIWANG_COUNTY_CODE``); a clear error when the
    administrative divisions are not loaded yet."""
    county = Region.objects.filter(code=county_code()).first()
    if county is None:
        raise ValidationError(
            _(
                "The county region %(code)s does not exist yet: load the administrative "
                "divisions first."
            )
            % {"code": county_code()},
            code="no_county",
        )
    return county


def county_regions():
    """The county and every town and village in it, in tree order (none before they are
    loaded)."""
    county = Region.objects.filter(code=county_code()).first()
    if county is None:
        return Region.objects.none()
    return Region.objects.subtree(county).order_by("path")
