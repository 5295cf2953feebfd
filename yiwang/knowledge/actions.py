"""State changes of the knowledge base. Every change goes through here.

- ``create_article`` makes a draft; ``update_article`` edits (a published article stays
  published and is re-indexed at once); ``publish_article`` makes it visible (public
  pages, API and search) from its ``valid_from`` until its ``valid_until``;
  ``unpublish_article`` takes it back to draft and out of search.
- ``create_category``, ``update_category`` and ``delete_category`` maintain the category
  tree (two levels at most, unique names under one parent, no cycles; a category still
  used by articles or subcategories cannot be deleted).
- ``add_glossary_term``, ``update_glossary_term`` and ``delete_glossary_term`` maintain the
  dialect glossary. Query expansion reads the glossary on every search; the article index
  holds dialect terms as aliases and is rebuilt on commit of every change.

Permissions: see ``knowledge.permissions`` (authority, superusers, department
administrators; 12345 agents may not edit; categories: the authority only). Search is
updated on commit.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from yiwang.audit.actions import record
from yiwang.web.params import MAX_ID, parse_int

from . import indexing
from .models import Article, ArticleStatus, GlossaryTerm, KnowledgeCategory
from .permissions import (
    can_edit_glossary,
    can_manage_article,
    can_manage_categories,
    can_manage_department,
)

__all__ = [
    "add_glossary_term",
    "category_in_use",
    "count_view",
    "create_article",
    "create_category",
    "delete_category",
    "delete_glossary_term",
    "publish_article",
    "unpublish_article",
    "update_article",
    "update_category",
    "update_glossary_term",
]

ARTICLE_FIELDS = (
    "title",
    "question",
    "answer",
    "category",
    "department",
    "aliases",
    "service_items",
    "valid_from",
    "valid_until",
    "public",
)
MAX_ANSWER = 20_000
MAX_ALIASES = 1_000


# --- helpers ------------------------------------------------------------------------------


def _deny_editor() -> PermissionDenied:
    return PermissionDenied(
        gettext(
            "Only the data authority and department administrators can edit the knowledge base."
        )
    )


def _require_department(actor, department) -> None:
    department_id = getattr(department, "pk", department)
    if not can_manage_department(actor, department_id):
        if department is None:
            raise PermissionDenied(
                gettext(
                    "Only the data authority can manage county-wide articles: choose your own "
                    "department as the responsible department."
                )
            )
        raise PermissionDenied(
            gettext(
                "You may not manage the articles of “%(department)s”: only that department's "
                "administrator or the data authority can."
            )
            % {"department": getattr(department, "name", department)}
        )


def _snapshot(article: Article, item_ids: list[int] | None = None) -> dict:
    if item_ids is None:
        item_ids = sorted(article.service_items.values_list("pk", flat=True))
    return {
        "title": article.title,
        "question": article.question,
        "answer": article.answer,
        "category": article.category_id,
        "department": article.department_id,
        "aliases": article.aliases,
        "service_items": item_ids,
        "valid_from": article.valid_from.isoformat() if article.valid_from else None,
        "valid_until": article.valid_until.isoformat() if article.valid_until else None,
        "public": article.public,
        "status": article.status,
    }


def _reindex_on_commit(article_id: int) -> None:
    transaction.on_commit(lambda: indexing.index_article(article_id))


def _text(value, name: str, errors: dict, *, required: bool, max_length: int) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        errors[name] = {
            "title": gettext("Enter a title, e.g. 开饭店需要办哪些证？"),
            "answer": gettext("Enter the answer citizens and agents will read."),
        }.get(name, gettext("This field is required."))
    elif len(value) > max_length:
        errors[name] = gettext("Too long: %(count)d characters, at most %(max)d are allowed.") % {
            "count": len(value),
            "max": max_length,
        }
    return value


def _date(value, name: str, errors: dict) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[name] = gettext("“%(value)s” is not a date: use the form 2026-01-31.") % {
            "value": value
        }
        return None


def _category(value, errors: dict) -> KnowledgeCategory | None:
    if value in (None, ""):
        return None
    if isinstance(value, KnowledgeCategory):
        return value
    pk = parse_int(value, minimum=1, maximum=MAX_ID)
    category = KnowledgeCategory.objects.filter(pk=pk).first() if pk else None
    if category is None:
        errors["category"] = gettext(
            "Category %(value)s does not exist: choose one from the list."
        ) % {"value": value}
    return category


def _department(value, errors: dict):
    from yiwang.orgs.models import Department

    if value in (None, ""):
        return None
    if isinstance(value, Department):
        return value
    pk = parse_int(value, minimum=1, maximum=MAX_ID)
    department = Department.objects.filter(pk=pk).first() if pk else None
    if department is None:
        errors["department"] = gettext(
            "Department %(value)s does not exist: choose one from the list."
        ) % {"value": value}
    return department


def _service_item_ids(values, errors: dict) -> list[int]:
    from yiwang.catalog.models import ServiceItem

    wanted: list[int] = []
    for value in values or ():
        pk = getattr(value, "pk", value)
        try:
            wanted.append(int(pk))
        except (TypeError, ValueError):
            errors["service_items"] = gettext("“%(value)s” is not a service item id.") % {
                "value": value
            }
            return []
    wanted = sorted(set(wanted))
    existing = set(ServiceItem.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [pk for pk in wanted if pk not in existing]
    if missing:
        errors["service_items"] = gettext(
            "These service items do not exist: %(ids)s. Choose items from the catalogue."
        ) % {"ids": ", ".join(map(str, missing))}
    return wanted


def _clean(fields: dict, *, current: Article | None) -> tuple[dict, list[int] | None]:
    """Validate article fields; returns the model fields and the service item ids (None:
    unchanged). Raises ValidationError with every problem at once."""
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("Unknown article fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    errors: dict[str, str] = {}
    data: dict = {}

    def given(name: str) -> bool:
        return current is None or name in fields

    if given("title"):
        data["title"] = _text(fields.get("title"), "title", errors, required=True, max_length=200)
    if given("question"):
        data["question"] = _text(
            fields.get("question"), "question", errors, required=False, max_length=500
        )
    if given("answer"):
        data["answer"] = _text(
            fields.get("answer"), "answer", errors, required=True, max_length=MAX_ANSWER
        )
    if given("aliases"):
        data["aliases"] = _text(
            fields.get("aliases"), "aliases", errors, required=False, max_length=MAX_ALIASES
        )
    if given("category"):
        data["category"] = _category(fields.get("category"), errors)
    if given("department"):
        data["department"] = _department(fields.get("department"), errors)
    if given("valid_from"):
        data["valid_from"] = _date(fields.get("valid_from"), "valid_from", errors)
    if given("valid_until"):
        data["valid_until"] = _date(fields.get("valid_until"), "valid_until", errors)
    if given("public"):
        data["public"] = bool(fields.get("public", True))
    valid_from = data.get("valid_from", current.valid_from if current else None)
    valid_until = data.get("valid_until", current.valid_until if current else None)
    if valid_from and valid_until and valid_until < valid_from and "valid_until" not in errors:
        errors["valid_until"] = gettext(
            "The article cannot expire (%(until)s) before it becomes valid (%(from)s): "
            "correct one of the two dates."
        ) % {"until": valid_until.isoformat(), "from": valid_from.isoformat()}
    item_ids = (
        _service_item_ids(fields.get("service_items"), errors)
        if "service_items" in fields
        else None
    )
    if errors:
        raise ValidationError(errors)
    if item_ids is None and current is None:
        item_ids = []
    return data, item_ids


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _sync(target: models.Model, source: models.Model) -> None:
    """Copy a freshly locked row's values onto the instance the caller holds."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# --- articles ------------------------------------------------------------------------------


@transaction.atomic
def create_article(*, actor, **fields) -> Article:
    """Create a draft article. ``service_items``: ServiceItems or their ids."""
    data, item_ids = _clean(fields, current=None)
    _require_department(actor, data.get("department"))
    article = Article.objects.create(
        created_by=actor if getattr(actor, "pk", None) else None,
        status=ArticleStatus.DRAFT,
        **data,
    )
    article.service_items.set(item_ids or [])
    record(
        actor=actor,
        action="knowledge.create_article",
        obj=article,
        after=_snapshot(article, item_ids or []),
    )
    return article


@transaction.atomic
def update_article(*, actor, article: Article, **fields) -> Article:
    """Change some fields of an article. A published article is re-indexed at once."""
    if not can_manage_article(actor, article):
        raise _deny_editor()
    current = _locked(article)
    data, item_ids = _clean(fields, current=current)
    if "department" in data and data["department"] != current.department:
        _require_department(actor, data["department"])
    before = _snapshot(current)
    for name, value in data.items():
        setattr(current, name, value)
    if current.status == ArticleStatus.PUBLISHED and current.expired:
        raise ValidationError(
            {
                "valid_until": gettext(
                    "A published article cannot be given a past expiry date: unpublish it "
                    "instead, or choose a date from today on."
                )
            }
        )
    current.save()
    if item_ids is not None:
        current.service_items.set(item_ids)
    after = _snapshot(current, item_ids)
    record(actor=actor, action="knowledge.update_article", obj=current, before=before, after=after)
    _sync(article, current)
    if current.status == ArticleStatus.PUBLISHED:
        _reindex_on_commit(current.pk)
    return article


@transaction.atomic
def publish_article(*, actor, article: Article) -> Article:
    """Publish: public (if marked public) and suggested from ``valid_from`` to ``valid_until``."""
    if not can_manage_article(actor, article):
        raise _deny_editor()
    current = _locked(article)
    if current.status == ArticleStatus.PUBLISHED:
        raise ValidationError(
            gettext("“%(title)s” is already published.") % {"title": current.title}
        )
    valid_until = current.valid_until
    if current.expired and valid_until is not None:  # only a past "valid until" expires
        raise ValidationError(
            {
                "valid_until": gettext(
                    "“%(title)s” expired on %(date)s: set a later “valid until” date before "
                    "publishing it."
                )
                % {"title": current.title, "date": valid_until.isoformat()}
            }
        )
    current.status = ArticleStatus.PUBLISHED
    current.published_at = timezone.now()
    current.save(update_fields=["status", "published_at", "updated_at"])
    record(
        actor=actor,
        action="knowledge.publish_article",
        obj=current,
        before={"status": ArticleStatus.DRAFT},
        after={"status": ArticleStatus.PUBLISHED},
    )
    _sync(article, current)
    _reindex_on_commit(current.pk)
    return article


@transaction.atomic
def unpublish_article(*, actor, article: Article, reason: str = "") -> Article:
    """Take a published article back to draft: off the public pages, API and suggestions."""
    if not can_manage_article(actor, article):
        raise _deny_editor()
    current = _locked(article)
    if current.status != ArticleStatus.PUBLISHED:
        raise ValidationError(gettext("“%(title)s” is not published.") % {"title": current.title})
    reason = (reason or "").strip()[:500]
    current.status = ArticleStatus.DRAFT
    current.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="knowledge.unpublish_article",
        obj=current,
        before={"status": ArticleStatus.PUBLISHED},
        after={"status": ArticleStatus.DRAFT},
        reason=reason,
    )
    _sync(article, current)
    article_id = current.pk
    transaction.on_commit(lambda: indexing.index_article(article_id))
    return article


def count_view(article: Article) -> None:
    """Count one reading of a public article (a statistic for “popular articles”: not
    audited, like the search index)."""
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


# --- categories ---------------------------------------------------------------------------

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


# --- dialect glossary ----------------------------------------------------------------------

GLOSSARY_FIELDS = ("term", "standard", "dialect", "note")
DEFAULT_DIALECT = "客家话"


def _clean_glossary(term, standard, dialect, note) -> dict:
    """Validate a glossary entry; returns the cleaned fields or raises every problem at once."""
    from yiwang.search.text import split_aliases

    term = (term or "").strip()
    standard = " ".join(split_aliases(standard or ""))
    dialect = (dialect or "").strip() or DEFAULT_DIALECT
    note = (note or "").strip()
    errors = {}
    if not term or len(term) > 30 or any(ch.isspace() for ch in term):
        errors["term"] = gettext(
            "Enter the dialect word as one word of 1 to 30 characters, e.g. 起屋."
        )
    if not standard or len(standard) > 100:
        errors["standard"] = gettext(
            "Enter the standard word(s) it means (at most 100 characters), e.g. 建房."
        )
    elif term and term in standard.split():
        errors["standard"] = gettext("The standard word must differ from the dialect word.")
    if len(dialect) > 20:
        errors["dialect"] = gettext("The dialect name may have at most 20 characters.")
    if len(note) > 200:
        errors["note"] = gettext("The note may have at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return {"term": term, "standard": standard, "dialect": dialect, "note": note}


def _check_unique_term(data: dict, entry: GlossaryTerm | None = None) -> None:
    others = GlossaryTerm.objects.filter(term=data["term"], dialect=data["dialect"])
    if entry is not None:
        others = others.exclude(pk=entry.pk)
    if others.exists():
        raise ValidationError(
            {
                "term": gettext("“%(term)s” is already in the %(dialect)s glossary.")
                % {"term": data["term"], "dialect": data["dialect"]}
            }
        )


def _glossary_snapshot(entry: GlossaryTerm) -> dict:
    return {name: getattr(entry, name) for name in GLOSSARY_FIELDS}


def _reindex_glossary_on_commit() -> None:
    # Query expansion reads the glossary table on every search (no cache to clear); the
    # article index holds dialect terms as aliases, so rebuild it once the change is saved.
    transaction.on_commit(indexing.sync_validity)


@transaction.atomic
def add_glossary_term(
    *, actor, term: str, standard: str, dialect: str = DEFAULT_DIALECT, note: str = ""
) -> GlossaryTerm:
    """Add a dialect word and the standard word(s) it means; re-indexes the articles."""
    data = _clean_glossary(term, standard, dialect, note)
    if not can_edit_glossary(actor):
        raise _deny_editor()
    _check_unique_term(data)
    entry = GlossaryTerm.objects.create(**data)
    record(actor=actor, action="knowledge.add_glossary_term", obj=entry, after=data)
    _reindex_glossary_on_commit()
    return entry


def _locked_term(entry: GlossaryTerm) -> GlossaryTerm:
    current = GlossaryTerm.objects.select_for_update().filter(pk=entry.pk).first()
    if current is None:
        raise ValidationError(gettext("This glossary term no longer exists."), code="gone")
    return current


@transaction.atomic
def update_glossary_term(*, actor, entry: GlossaryTerm, **fields) -> GlossaryTerm:
    """Change a glossary entry (``term``, ``standard``, ``dialect``, ``note``; fields not
    given stay). Search uses the new words as soon as the change is committed."""
    unknown = set(fields) - set(GLOSSARY_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("Unknown glossary fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if not can_edit_glossary(actor):
        raise _deny_editor()
    current = _locked_term(entry)
    before = _glossary_snapshot(current)
    data = _clean_glossary(**{**before, **fields})
    _check_unique_term(data, current)
    if data != before:
        for name, value in data.items():
            setattr(current, name, value)
        current.save()
        record(
            actor=actor,
            action="knowledge.update_glossary_term",
            obj=current,
            before={k: v for k, v in before.items() if data[k] != v},
            after={k: v for k, v in data.items() if before[k] != v},
        )
        if (data["term"], data["standard"]) != (before["term"], before["standard"]):
            _reindex_glossary_on_commit()
    _sync(entry, current)
    return entry


@transaction.atomic
def delete_glossary_term(*, actor, entry: GlossaryTerm) -> None:
    """Remove a glossary entry: searches with the dialect word no longer expand."""
    if not can_edit_glossary(actor):
        raise _deny_editor()
    current = _locked_term(entry)
    record(
        actor=actor,
        action="knowledge.delete_glossary_term",
        obj=current,
        before=_glossary_snapshot(current),
    )
    current.delete()
    _reindex_glossary_on_commit()
