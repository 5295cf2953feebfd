"""Staff accounts and their posts (role × department × region scope)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM, is_system
from yiwang.orgs import scope
from yiwang.orgs.models import Department, Hall, Post, Role, Window
from yiwang.regions.models import Region

from ..models import Kind, RealNameLevel, User
from ._common import (
    _clean_password,
    _clean_phone,
    _clean_real_name,
    _clean_username,
    _errors,
    _is_staff_admin,
    _save_new_user,
    _user_snapshot,
)


def _post_problems(role: str, department, region, hall, window) -> tuple[list[str], Hall | None]:
    """What is wrong with one post's parts, and its hall (a window's hall when none is given)."""
    roles = set(Role.values)
    problems: list[str] = []
    if role not in roles:
        problems.append(
            _("the role “%(role)s” does not exist (choose one of: %(roles)s)")
            % {"role": role, "roles": ", ".join(sorted(roles))}
        )
    if department is not None and not isinstance(department, Department):
        problems.append(_("the department is not a department"))
    if not isinstance(region, Region):
        problems.append(_("choose the region the post covers"))
    if hall is not None and not isinstance(hall, Hall):
        problems.append(_("the hall is not a service hall"))
    if window is not None:
        if not isinstance(window, Window):
            problems.append(_("the window is not a window"))
        elif hall is None:
            hall = window.hall
        elif window.hall_id != hall.pk:
            problems.append(
                _("window %(window)s is not in %(hall)s") % {"window": window, "hall": hall}
            )
    return problems, hall


def clean_posts(posts: Iterable[dict], errors: dict) -> list[Post]:
    """Unsaved ``Post`` objects from specs (role, department, region, hall, window);
    problems go to ``errors["posts"]``, one message per post, numbered from 1."""
    cleaned: list[Post] = []
    for number, spec in enumerate(posts or [], start=1):
        if not isinstance(spec, dict):
            errors.setdefault("posts", []).append(
                ValidationError(
                    _(
                        "Post %(n)d: give role, department, region (and optionally hall and window)."
                    ),
                    code="invalid",
                    params={"n": number},
                )
            )
            continue
        role = str(spec.get("role") or "")
        department = spec.get("department")
        region = spec.get("region")
        window = spec.get("window")
        problems, hall = _post_problems(role, department, region, spec.get("hall"), window)
        if problems:
            errors.setdefault("posts", []).append(
                ValidationError(
                    _("Post %(n)d: %(problems)s."),
                    code="invalid_post",
                    params={"n": number, "problems": "; ".join(str(p) for p in problems)},
                )
            )
            continue
        cleaned.append(
            Post(role=role, department=department, region=region, hall=hall, window=window)
        )
    return cleaned


def _may_create_post(actor, post: Post) -> bool:
    if is_system(actor) or _is_staff_admin(actor):
        return True
    # A department administrator staffs their own department within their own area.
    return post.department is not None and scope.can_act(
        actor, roles=[Role.DEPT_ADMIN], department=post.department, region=post.region
    )


def _check_may_create_post(actor, post: Post) -> None:
    if not _may_create_post(actor, post):
        raise PermissionDenied(
            _(
                "You may only create posts in your own department and area (%(post)s is outside "
                "it). Ask the data authority administrator."
            )
            % {"post": post}
        )


def _post_snapshot(post: Post) -> dict:
    return {
        "role": post.role,
        "department": post.department_id,
        "region": post.region.code,
        "hall": post.hall_id,
        "window": post.window_id,
    }


@transaction.atomic
def create_staff(
    *,
    actor,
    username: str,
    password: str,
    real_name: str,
    phone: str = "",
    posts: list[dict],
) -> User:
    """Create a staff account with its posts (role × department × region scope)."""
    errors: dict[str, list] = {}
    username = _clean_username(username, errors)
    real_name = _clean_real_name(real_name, errors)
    phone = _clean_phone(phone, errors, required=False)
    user = User(username=username, real_name=real_name, kind=Kind.STAFF)
    _clean_password(password, user, errors)
    new_posts = clean_posts(posts, errors)
    _errors(errors)
    if not (is_system(actor) or _is_staff_admin(actor) or scope.has_role(actor, Role.DEPT_ADMIN)):
        raise PermissionDenied(
            _(
                "Only an administrator (data authority or department administrator) can create staff "
                "accounts."
            )
        )
    for post in new_posts:
        _check_may_create_post(actor, post)

    user.phone = phone
    user.realname_level = RealNameLevel.IN_PERSON
    user.set_password(password)
    _save_new_user(user)
    for post in new_posts:
        post.user = user
    Post.objects.bulk_create(new_posts)
    scope.clear_cache(user)
    record(
        actor=actor or SYSTEM,
        action="accounts.staff_created",
        obj=user,
        after={**_user_snapshot(user), "posts": [_post_snapshot(p) for p in new_posts]},
    )
    return user


@transaction.atomic
def add_post(
    *,
    actor,
    user: User,
    role: str,
    region: Region,
    department: Department | None = None,
    hall: Hall | None = None,
    window: Window | None = None,
) -> Post:
    """Give an existing staff member another post."""
    errors: dict[str, list] = {}
    if user.kind != Kind.STAFF:
        errors["user"] = [
            ValidationError(
                _("%(name)s is not a staff account; only staff hold posts."),
                code="not_staff",
                params={"name": user.display_name},
            )
        ]
    posts = clean_posts(
        [
            {
                "role": role,
                "department": department,
                "region": region,
                "hall": hall,
                "window": window,
            }
        ],
        errors,
    )
    _errors(errors)
    post = posts[0]
    _check_may_create_post(actor, post)
    post.user = user
    post.save()
    scope.clear_cache(user)
    record(
        actor=actor or SYSTEM,
        action="accounts.post_added",
        obj=user,
        after={"post": post.pk, **_post_snapshot(post)},
    )
    return post


@transaction.atomic
def set_post_active(*, actor, post: Post, active: bool) -> Post:
    """End a post (it stays on record) or reinstate it."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("user", "department", "region")
        .get(pk=post.pk)
    )
    if not _may_create_post(actor, post):
        raise PermissionDenied(
            _(
                "You may only change posts in your own department and area. Ask the data authority "
                "administrator."
            )
        )
    if post.active == bool(active):
        return post
    post.active = bool(active)
    post.save(update_fields=["active"])
    scope.clear_cache(post.user)
    record(
        actor=actor or SYSTEM,
        action="accounts.post_ended" if not active else "accounts.post_reinstated",
        obj=post.user,
        after={"post": post.pk, "active": post.active},
    )
    return post
