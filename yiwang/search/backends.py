"""The only database-specific part of search: the full-text index and the
candidate query that uses it.

* SQLite: an FTS5 table ``search_fts(tokens)`` whose rowid is the document id,
  kept in sync by triggers on the document table (so bulk deletes, cascades,
  ``flush`` and the admin can never leave it stale), ranked by ``bm25``.
* PostgreSQL: a GIN index over ``to_tsvector('simple', tokens)``; the query ORs
  one ``plainto_tsquery('simple', %s)`` per word (each word is a bound
  parameter, so tsquery syntax in user input cannot break it), ranked by
  ``ts_rank``.
* Anything else (or SQLite built without FTS5): a ``LIKE`` scan, slower but
  correct, because the caller re-ranks in Python anyway.

``install`` is idempotent. The migration calls it, and so does a
``post_migrate`` handler: Django's SQLite schema editor rebuilds a table to
alter it, which silently drops its triggers, so every ``migrate`` re-checks
them and resynchronises the FTS table if any were missing.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.db.models import Q

logger = logging.getLogger(__name__)

DOC_TABLE = "search_searchdocument"
FTS_TABLE = "search_fts"
GIN_INDEX = "search_doc_tokens_gin"
MAX_WORDS = 64

# Literal SQL (table names spelled out) so no query text is ever built here.
_TRIGGERS = {
    "search_doc_fts_ai": """
        CREATE TRIGGER IF NOT EXISTS search_doc_fts_ai
        AFTER INSERT ON search_searchdocument BEGIN
            INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens);
        END""",
    "search_doc_fts_ad": """
        CREATE TRIGGER IF NOT EXISTS search_doc_fts_ad
        AFTER DELETE ON search_searchdocument BEGIN
            DELETE FROM search_fts WHERE rowid = old.id;
        END""",
    "search_doc_fts_au": """
        CREATE TRIGGER IF NOT EXISTS search_doc_fts_au
        AFTER UPDATE ON search_searchdocument BEGIN
            DELETE FROM search_fts WHERE rowid = old.id;
            INSERT INTO search_fts(rowid, tokens) VALUES (new.id, new.tokens);
        END""",
}


def _sqlite_names(cursor, kind: str) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
    return {row[0] for row in cursor.fetchall()}


def sqlite_has_fts(connection) -> bool:
    with connection.cursor() as cursor:
        return FTS_TABLE in _sqlite_names(cursor, "table")


def install(connection) -> None:
    """Create the vendor's full-text index if it is missing (idempotent)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {DOC_TABLE} "
                "USING gin (to_tsvector('simple', tokens))"
            )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            tables = _sqlite_names(cursor, "table")
            if DOC_TABLE not in tables:
                return
            triggers = _sqlite_names(cursor, "trigger")
            if FTS_TABLE in tables and triggers.issuperset(_TRIGGERS):
                return
            try:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
                    "USING fts5(tokens, tokenize = 'unicode61')"
                )
            except OperationalError:  # SQLite compiled without FTS5
                logger.warning("SQLite has no FTS5; search falls back to LIKE scans")
                return
            for sql in _TRIGGERS.values():
                cursor.execute(sql)
            cursor.execute("DELETE FROM search_fts")
            cursor.execute(
                "INSERT INTO search_fts(rowid, tokens) SELECT id, tokens FROM search_searchdocument"
            )


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
        elif connection.vendor == "sqlite":
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def _fts5_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _filters(kinds: list[str] | None, public_only: bool) -> tuple[str, list[object]]:
    sql = ""
    params: list[object] = []
    if kinds:
        sql += " AND d.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")"
        params.extend(kinds)
    if public_only:
        sql += " AND d.public = %s"
        params.append(True)
    return sql, params


def candidates(
    connection, words: list[str], *, kinds: list[str] | None, public_only: bool, limit: int
) -> list[int]:
    """Ids of documents whose tokens contain any of ``words``, best first."""
    words = [w for w in dict.fromkeys(words) if w][:MAX_WORDS]
    if not words:
        return []
    filter_sql, filter_params = _filters(kinds, public_only)
    # The SQL below is assembled from module constants and "%s" placeholders
    # only; every user-derived value is a bound parameter (hence the noqa).
    if connection.vendor == "postgresql":
        tsquery = " || ".join(["plainto_tsquery('simple', %s)"] * len(words))
        sql = (
            f"SELECT d.id FROM {DOC_TABLE} d, (SELECT {tsquery} AS q) qq "  # noqa: S608
            f"WHERE to_tsvector('simple', d.tokens) @@ qq.q{filter_sql} "
            "ORDER BY ts_rank(to_tsvector('simple', d.tokens), qq.q) DESC, d.id LIMIT %s"
        )
        params = [*words, *filter_params, limit]
    elif connection.vendor == "sqlite" and sqlite_has_fts(connection):
        match = "{tokens} : (" + " OR ".join(_fts5_phrase(w) for w in words) + ")"
        sql = (
            f"SELECT d.id FROM {FTS_TABLE} JOIN {DOC_TABLE} d ON d.id = {FTS_TABLE}.rowid "  # noqa: S608
            f"WHERE {FTS_TABLE} MATCH %s{filter_sql} "
            f"ORDER BY bm25({FTS_TABLE}), d.id LIMIT %s"
        )
        params = [match, *filter_params, limit]
    else:
        return _like_candidates(words, kinds=kinds, public_only=public_only, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _like_candidates(
    words: list[str], *, kinds: list[str] | None, public_only: bool, limit: int
) -> list[int]:
    from .models import SearchDocument

    cond = Q()
    for word in words:
        cond |= Q(tokens__contains=word)
    qs = SearchDocument.objects.filter(cond)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if public_only:
        qs = qs.filter(public=True)
    return list(qs.order_by("id").values_list("id", flat=True)[:limit])
