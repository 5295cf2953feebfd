"""The category tree of the knowledge base: two levels at most, unique names under one
parent, no cycles; a category still used by articles or subcategories cannot be deleted.
Only the data authority changes it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext, ngettext

from yiwang.audit.actions import record

from ..models import Article, KnowledgeCategory
from ..permissions import can_manage_categories
from ._common import _category, _sync

CATEGORY_FIELDS = ("name", "parent", "position")
# The FAQ page lists top-level categories and one level below them, nothing deeper.
MAX_CATEGORY_DEPTH = 2
MAX_POSITION = 32767  # PositiveSmallIntegerField


def _deny_categories() -> PermissionDenied:
    return PermissionDenied(gettext("Only the data authority can change the categories."))


def _category_name(value, errors: dict) -> str:
    name = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not name or len(name) > 60:
        errors["name"] = gettext("A category needs a name of 1 to 60 characters, e.g. 社会保障.")
    return name


def _parent(value, errors: dict) -> KnowledgeCategory | None:
    found: dict = {}
    parent = _category(value, found)
    if found:
        errors["parent"] = found["category"]
    return parent


def _position(value, errors: dict) -> int:
    if value in (None, ""):
        return 0
    try:
        position = int(value)
    except (TypeError, ValueError):
        position = -1
    if not 0 <= position <= MAX_POSITION:
        errors["position"] = gettext(
            "The position must be a whole number from 0 to %(max)d; smaller numbers come first."
        ) % {"max": MAX_POSITION}
    return position


def _check_parent(parent: KnowledgeCategory | None, category: KnowledgeCategory | None) -> None:
    """Refuse a parent that makes a cycle or a third level. Reads the current tree, so call
    it after locking the category."""
    if parent is None:
        return
    if category is not None:
        ancestor_id: int | None = parent.pk
        seen: set[int] = set()
        while ancestor_id is not None and ancestor_id not in seen:
            if ancestor_id == category.pk:
                raise ValidationError(
                    {
                        "parent": gettext(
                            "A category cannot be placed under itself or under one of its own "
                            "subcategories."
                        )
                    }
                )
            seen.add(ancestor_id)
            ancestor_id = (
                KnowledgeCategory.objects.filter(pk=ancestor_id)
                .values_list("parent_id", flat=True)
                .first()
            )
    if parent.parent_id is not None:
        raise ValidationError(
            {
                "parent": gettext(
                    "“%(parent)s” is itself a subcategory: categories have two levels at most, "
                    "so choose a top-level category as the parent."
                )
                % {"parent": parent.name}
            }
        )
    if category is not None and category.children.exists():
        raise ValidationError(
            {
                "parent": gettext(
                    "“%(name)s” has subcategories, so it must stay at the top level: categories "
                    "have two levels at most."
                )
                % {"name": category.name}
            }
        )


def _check_unique_name(
    name: str, parent: KnowledgeCategory | None, category: KnowledgeCategory | None
) -> None:
    siblings = KnowledgeCategory.objects.filter(name=name, parent=parent)
    if category is not None:
        siblings = siblings.exclude(pk=category.pk)
    if siblings.exists():
        raise ValidationError(
            {"name": gettext("The category “%(name)s” already exists here.") % {"name": name}}
        )


def _category_snapshot(category: KnowledgeCategory) -> dict:
    return {"name": category.name, "parent": category.parent_id, "position": category.position}


def _locked_category(category: KnowledgeCategory) -> KnowledgeCategory:
    current = KnowledgeCategory.objects.select_for_update().filter(pk=category.pk).first()
    if current is None:
        raise ValidationError(gettext("This category no longer exists."), code="gone")
    return current


def category_in_use(category: KnowledgeCategory) -> list[str]:
    """Why ``category`` cannot be deleted (empty: it can). Articles of any status count."""
    problems = []
    articles = Article.objects.filter(category=category).count()
    if articles:
        problems.append(
            ngettext(
                "“%(name)s” still has %(count)d article: move it to another category first.",
                "“%(name)s” still has %(count)d articles: move them to another category first.",
                articles,
            )
            % {"name": category.name, "count": articles}
        )
    children = category.children.count()
    if children:
        problems.append(
            ngettext(
                "“%(name)s” still has %(count)d subcategory: delete or move it first.",
                "“%(name)s” still has %(count)d subcategories: delete or move them first.",
                children,
            )
            % {"name": category.name, "count": children}
        )
    return problems


@transaction.atomic
def create_category(
    *, actor, name: str, parent: KnowledgeCategory | None = None, position: int = 0
) -> KnowledgeCategory:
    errors: dict[str, str] = {}
    name = _category_name(name, errors)
    parent = _parent(parent, errors)
    position = _position(position, errors)
    if errors:
        raise ValidationError(errors)
    if not can_manage_categories(actor):
        raise _deny_categories()
    _check_parent(parent, None)
    _check_unique_name(name, parent, None)
    category = KnowledgeCategory.objects.create(name=name, parent=parent, position=position)
    record(
        actor=actor,
        action="knowledge.create_category",
        obj=category,
        after=_category_snapshot(category),
    )
    return category


@transaction.atomic
def update_category(*, actor, category: KnowledgeCategory, **fields) -> KnowledgeCategory:
    """Rename, move (``parent``: a category, its id or None for the top level) or reorder
    (``position``) a category. Fields not given stay as they are."""
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("Unknown category fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    errors: dict[str, str] = {}
    data: dict = {}
    if "name" in fields:
        data["name"] = _category_name(fields["name"], errors)
    if "parent" in fields:
        data["parent"] = _parent(fields["parent"], errors)
    if "position" in fields:
        data["position"] = _position(fields["position"], errors)
    if errors:
        raise ValidationError(errors)
    if not can_manage_categories(actor):
        raise _deny_categories()
    current = _locked_category(category)
    parent = data.get("parent", current.parent)
    if getattr(parent, "pk", None) != current.parent_id:
        _check_parent(parent, current)
    _check_unique_name(data.get("name", current.name), parent, current)
    before = _category_snapshot(current)
    for name, value in data.items():
        setattr(current, name, value)
    after = _category_snapshot(current)
    if after != before:
        current.save()
        record(
            actor=actor,
            action="knowledge.update_category",
            obj=current,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    _sync(category, current)
    return category


@transaction.atomic
def delete_category(*, actor, category: KnowledgeCategory) -> None:
    """Delete an empty category: refused while articles or subcategories use it."""
    if not can_manage_categories(actor):
        raise _deny_categories()
    # The row lock also holds back articles being filed under it until we commit.
    current = _locked_category(category)
    problems = category_in_use(current)
    if problems:
        raise ValidationError([ValidationError(p, code="in_use") for p in problems])
    record(
        actor=actor,
        action="knowledge.delete_category",
        obj=current,
        before=_category_snapshot(current),
    )
    current.delete()
