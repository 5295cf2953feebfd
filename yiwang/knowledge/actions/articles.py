"""Articles of the knowledge base: create a draft, edit, publish and unpublish (search is
updated on commit), and count public readings."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from yiwang.audit.actions import record
from yiwang.catalog.models import ServiceItem
from yiwang.orgs.models import Department
from yiwang.web.params import MAX_ID, parse_int

from .. import indexing
from ..models import Article, ArticleStatus
from ..permissions import can_manage_article, can_manage_department
from ._common import _category, _deny_editor, _sync

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


def _department(value, errors: dict):
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
