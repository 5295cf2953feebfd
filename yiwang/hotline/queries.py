"""Read-side helpers for the hotline pages: suggestions, caller history, lists."""

from __future__ import annotations

import logging

from django.db.models import QuerySet

from yiwang.accounts.models import normalise_phone
from yiwang.gmcrypto.core import blind_index
from yiwang.knowledge.queries import suggest_articles as kb_suggest

from . import actions
from .models import OPEN_STATUSES, Status, Ticket, category_tree

log = logging.getLogger(__name__)

LIST_PAGE_SIZE = 50
MAX_PAGES = 20


def leaf_categories() -> list[tuple[int, str, str]]:
    """(id, full name, searchable words) of active leaf categories, in tree order."""
    return category_tree.get().leaves


def suggest_categories(text: str, limit: int = 3) -> list[dict]:
    """Leaf categories whose name, keywords or parent share words with ``text``."""
    words = set(actions.tokens_of(text))
    if not words:
        return []
    scored = []
    for pk, full_name, haystack in leaf_categories():
        score = sum(len(w) for w in words if w in haystack)
        if score:
            scored.append((score, pk, full_name))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [{"pk": pk, "name": name} for _, pk, name in scored[:limit]]


def suggest_articles(text: str, limit: int = 5) -> list:
    """Knowledge-base answers for ``text`` (none when the lookup fails: the agent goes on
    typing the call, the form must not break)."""
    try:
        return list(kb_suggest(text, limit=limit))
    except Exception:
        log.exception("knowledge-base suggestions failed")
        return []


def caller_history(phone: str, limit: int = 10) -> list[Ticket]:
    phone = normalise_phone(phone or "")
    if not phone:
        return []
    index = blind_index(phone, actions.PHONE_INDEX_PURPOSE)
    return list(
        Ticket.objects.filter(caller_phone_index=index)
        .select_related("category", "lead_department", "region")
        .order_by("-created_at")[:limit]
    )


def list_base(user) -> QuerySet[Ticket]:
    """Scoped tickets for lists: no per-row queries, and no decrypting or long text lists never show."""
    return (
        actions.visible_tickets(user)
        .select_related("category", "region", "town", "lead_department")
        .defer("tokens", "callback_note")
    )


def capped_page(qs: QuerySet[Ticket], page: int) -> tuple[list[Ticket], bool, int]:
    """Rows of ``page`` (1-based, capped at ``MAX_PAGES``) without COUNT(*); and whether more follow."""
    page = max(1, min(page, MAX_PAGES))
    start = (page - 1) * LIST_PAGE_SIZE
    rows = list(qs[start : start + LIST_PAGE_SIZE + 1])
    has_next = len(rows) > LIST_PAGE_SIZE and page < MAX_PAGES
    return rows[:LIST_PAGE_SIZE], has_next, page


DISPATCH_STATUSES = (Status.NEW, Status.RETURNED, Status.REPLIED)
OPEN = OPEN_STATUSES
