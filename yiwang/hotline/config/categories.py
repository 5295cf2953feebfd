"""Audited changes to the category tree (大类 / 中类 / 小类)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from ..models import Category
from ._common import clean_line, ensure_can_configure, raise_errors, whole_number

MAX_LEVEL = 3
CODE_MAX_CHARS = 20
CODE_RE = re.compile(r"^[0-9A-Za-z_-]+$")
NAME_MAX_CHARS = 50
TEXT_MAX_CHARS = 300
#: The largest sort order (the column is a 32-bit integer).
MAX_SORT = 2**31 - 1


def category_snapshot(category: Category) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "level": category.level,
        "parent": category.parent.code if category.parent else None,
        "keywords": category.keywords,
        "description": category.description,
        "default_urgent": category.default_urgent,
        "active": category.active,
        "sort": category.sort,
    }


def _clean_category_fields(fields: dict, errors: dict) -> dict:
    """Normalise the editable fields present in ``fields`` (name, keywords, ...)."""
    cleaned: dict[str, object] = {}
    if "name" in fields:
        cleaned["name"] = clean_line(
            fields["name"], "name", _("category name"), NAME_MAX_CHARS, errors, required=True
        )
    if "keywords" in fields:
        cleaned["keywords"] = clean_line(
            fields["keywords"], "keywords", _("keywords"), TEXT_MAX_CHARS, errors
        )
    if "description" in fields:
        cleaned["description"] = clean_line(
            fields["description"],
            "description",
            _("service description"),
            TEXT_MAX_CHARS,
            errors,
        )
    for flag in ("default_urgent", "active"):
        if flag in fields:
            cleaned[flag] = bool(fields[flag])
    if "sort" in fields:
        sort = whole_number(fields["sort"])
        if sort is None or sort < 0:
            errors["sort"] = [_("The sort order must be a whole number, 0 or more.")]
        elif sort > MAX_SORT:
            errors["sort"] = [_("The sort order may be at most %(max)d.") % {"max": MAX_SORT}]
        cleaned["sort"] = sort
    return cleaned


def _check_sibling_name(name: str, parent_id: int | None, exclude_pk, errors: dict) -> None:
    siblings = Category.objects.filter(parent_id=parent_id, name=name)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if name and siblings.exists():
        errors.setdefault("name", []).append(
            _("Another category at this place in the tree is already called “%(name)s”.")
            % {"name": name}
        )


# --- create -------------------------------------------------------------------------------


@transaction.atomic
def create_category(
    *,
    actor,
    code: str,
    name: str,
    parent: Category | None = None,
    level: int | None = None,
    keywords: str = "",
    description: str = "",
    default_urgent: bool = False,
    active: bool = True,
    sort: int = 0,
) -> Category:
    """Add a 大类 (no parent), 中类 or 小类: its level is its parent's level + 1."""
    errors: dict = {}
    code = _clean_code(code, errors)
    fields = _clean_category_fields(
        {
            "name": name,
            "keywords": keywords,
            "description": description,
            "default_urgent": default_urgent,
            "active": active,
            "sort": sort,
        },
        errors,
    )
    raise_errors(errors)
    ensure_can_configure(actor)

    if parent is not None:
        parent = Category.objects.select_for_update().get(pk=parent.pk)
    expected = _check_place(parent, level, bool(fields["active"]), errors)
    code_taken = [
        _("The code %(code)s is already used by another category; codes must be unique.")
        % {"code": code}
    ]
    if Category.objects.filter(code=code).exists():
        errors["code"] = code_taken
    _check_sibling_name(str(fields["name"]), parent.pk if parent else None, None, errors)
    raise_errors(errors)

    try:
        with transaction.atomic():  # a concurrent twin fails on the unique code
            category = Category.objects.create(code=code, parent=parent, level=expected, **fields)
    except IntegrityError:
        raise ValidationError({"code": code_taken}, code="duplicate") from None
    record(
        actor=actor,
        action="hotline.category_created",
        obj=category,
        after=category_snapshot(category),
    )
    return category


def _clean_code(code, errors: dict) -> str:
    code = str(code or "").strip()
    if not code:
        errors["code"] = [_("Enter the category code.")]
    elif len(code) > CODE_MAX_CHARS or not CODE_RE.match(code):
        errors["code"] = [
            _(
                "The code may contain only letters, digits, “-” and “_”, at most %(max)d "
                "characters (e.g. 0101 for a 中类 under 01)."
            )
            % {"max": CODE_MAX_CHARS}
        ]
    return code


def _check_place(parent: Category | None, level, active: bool, errors: dict) -> int:
    """The new category's level below ``parent`` (errors when the tree would grow too deep,
    the level given disagrees, or it would be active under an inactive parent)."""
    expected = 1 if parent is None else parent.level + 1
    if parent is not None and parent.level >= MAX_LEVEL:
        errors["parent"] = [
            _(
                "“%(name)s” is a 小类 (level 3), the lowest level: categories have at most "
                "3 levels (大类 / 中类 / 小类). Choose a 大类 or 中类 as the parent."
            )
            % {"name": parent.name}
        ]
    elif level is not None and whole_number(level) != expected:
        errors["level"] = [
            _(
                "The level must be one below the parent's: %(expected)d here "
                "(1 = 大类 without a parent, 2 = 中类, 3 = 小类)."
            )
            % {"expected": expected}
        ]
    if parent is not None and active and not parent.active:
        errors["active"] = [
            _(
                "The parent “%(name)s” is not in use: activate it first, or add this category "
                "as not in use."
            )
            % {"name": parent.name}
        ]
    return expected


# --- update -------------------------------------------------------------------------------


@transaction.atomic
def update_category(
    *,
    actor,
    category: Category,
    name: str | None = None,
    keywords: str | None = None,
    description: str | None = None,
    default_urgent: bool | None = None,
    active: bool | None = None,
    sort: int | None = None,
) -> Category:
    """Change a category's editable fields (``None``: unchanged). Code, level and parent
    are fixed once created: tickets, Open311 clients and statistics refer to them."""
    given = {
        k: v
        for k, v in {
            "name": name,
            "keywords": keywords,
            "description": description,
            "default_urgent": default_urgent,
            "active": active,
            "sort": sort,
        }.items()
        if v is not None
    }
    errors: dict = {}
    fields = _clean_category_fields(given, errors)
    raise_errors(errors)
    ensure_can_configure(actor)

    category = _lock_with_parent(category)
    before = category_snapshot(category)
    _check_activity(category, fields, errors)
    if "name" in fields:
        _check_sibling_name(str(fields["name"]), category.parent_id, category.pk, errors)
    raise_errors(errors)

    for field, value in fields.items():
        setattr(category, field, value)
    after = category_snapshot(category)
    if after == before:
        return category
    category.save()
    changed = [k for k in after if after[k] != before[k]]
    record(
        actor=actor,
        action="hotline.category_updated",
        obj=category,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        code=category.code,
    )
    return category


def _lock_with_parent(category: Category) -> Category:
    """The category re-read under a row lock, its parent locked first (the order
    ``create_category`` uses), so activating a child and deactivating its parent cannot
    both pass their checks."""
    parent_id = Category.objects.values_list("parent_id", flat=True).get(pk=category.pk)
    if parent_id is not None:
        Category.objects.select_for_update().get(pk=parent_id)
    return (
        Category.objects.select_for_update(of=("self",))
        .select_related("parent")
        .get(pk=category.pk)
    )


def _check_activity(category: Category, fields: dict, errors: dict) -> None:
    """A category in use keeps its children company: no deactivating a category with active
    children, no activating one under an inactive parent."""
    if fields.get("active") is False and category.active:
        active_children = list(
            category.children.filter(active=True)
            .order_by("sort", "code")[:5]
            .values_list("name", flat=True)
        )
        if active_children:
            errors["active"] = [
                _(
                    "“%(name)s” still has sub-categories in use (%(children)s): deactivate "
                    "them first."
                )
                % {"name": category.name, "children": "、".join(active_children)}
            ]
    if fields.get("active") is True and category.parent and not category.parent.active:
        errors["active"] = [
            _("The parent “%(name)s” is not in use: activate it first.")
            % {"name": category.parent.name}
        ]


# --- delete -------------------------------------------------------------------------------


def category_in_use(category: Category) -> str:
    """Why ``category`` cannot be deleted ("" when it can)."""
    if category.children.exists():
        return _("It has sub-categories: delete them first.")
    if category.tickets.exists():
        return _(
            "Tickets use it, so it is kept for their history: deactivate it instead "
            "(untick “Active”)."
        )
    count = category.dispatch_rules.count()
    if count:
        return _("It is used by dispatch rules (%(count)d): delete them first.") % {"count": count}
    return ""


@transaction.atomic
def delete_category(*, actor, category: Category) -> None:
    """Remove a category nothing refers to (a mistake). A used one is deactivated instead."""
    ensure_can_configure(actor)
    category = (
        Category.objects.select_for_update(of=("self",))
        .select_related("parent")
        .get(pk=category.pk)
    )
    reason = category_in_use(category)
    if reason:
        raise ValidationError(
            _("“%(name)s” cannot be deleted. %(reason)s")
            % {"name": category.name, "reason": reason},
            code="in_use",
        )
    record(
        actor=actor,
        action="hotline.category_deleted",
        obj=category,
        before=category_snapshot(category),
    )
    category.delete()
