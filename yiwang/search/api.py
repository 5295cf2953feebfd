"""Shared Chinese search: index documents of any kind, search them.

    from yiwang.search import api as search

    search.index_document("item", "44142200-001", "食品经营许可", text=guide,
                          aliases="开饭店 开餐馆 餐饮店", keywords="行政许可 市场监管局",
                          url="/services/1/")
    hits = search.search("开饭店要办什么证", kind="item")   # -> list[Hit]
    found = search.find("开饭店要办什么证", kind="item", limit=20, offset=0)
    found.total, found.hits                                 # a real count, one page

Query pipeline:

1. Normalise (NFKC, lower case, traditional to simplified, numerals before units to
   digits), truncate to ``MAX_QUERY_CHARS``; empty -> nothing.
2. Letters only (``spjy``, ``jhdj``, ``shipin``): match pinyin initials / full pinyin of
   titles and aliases (staff typing initials). Falls through to 3 when nothing matches.
3. Otherwise analyse (lexicon words, segmentation, weak words) and rank every document of
   the kind with BM25F above the relevance floor (``yiwang.search.engine``).

The index is derived data (rebuildable from its sources by ``search_reindex``), so these
functions do not write audit entries; the callers' own actions do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import engine
from .models import SearchDocument
from .text import full_pinyin, initials, normalize, split_aliases

MAX_QUERY_CHARS = 100
MAX_LIMIT = 100
SNIPPET_BEFORE = 20
SNIPPET_LENGTH = 80

_KIND_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
_PINYIN_QUERY = re.compile(r"^[a-z]+$")
_PINYIN_SEPARATORS = re.compile(r"[\s']+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Hit:
    kind: str
    key: str
    title: str
    url: str
    score: float
    # The text and the matched words: the snippet is cut only when someone reads it (a
    # search may match thousands of documents; a page shows twenty).
    text: str = field(default="", repr=False, compare=False)
    words: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def snippet(self) -> str:
        return _snippet(self.text, self.words)


@dataclass(frozen=True)
class Found:
    """One page of results and how many there are in all (above the relevance floor)."""

    hits: list[Hit]
    total: int


@dataclass(frozen=True)
class RebuildResult:
    kind: str
    indexed: int
    removed: int


# --- writing ----------------------------------------------------------------


def _validate(kind: str, key: str, title: str, url: str) -> None:
    errors = {}
    if not _KIND_RE.match(kind or ""):
        errors["kind"] = _(
            "Search kind %(kind)r is invalid: use 1-32 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter (for example \"item\")."
        ) % {"kind": kind}
    if not key or len(key) > 128:
        errors["key"] = _("Search key must be 1-128 characters long (got %(n)d).") % {
            "n": len(key or "")
        }
    if not title.strip() or len(title) > 300:
        errors["title"] = _(
            "Search title must be 1-300 characters long and not blank (got %(n)d)."
        ) % {"n": len(title)}
    if len(url) > 500:
        errors["url"] = _("Search URL must be at most 500 characters long (got %(n)d).") % {
            "n": len(url)
        }
    if errors:
        raise ValidationError(errors)


def _analyse(title: str, aliases: list[str], keywords: str) -> dict[str, str]:
    names = [title, *aliases]
    return {
        "tokens": engine.short_field_words(title, " ".join(aliases), keywords),
        "initials": " ".join(filter(None, (initials(n) for n in names))),
        "full_pinyin": " ".join(filter(None, (full_pinyin(n) for n in names))),
    }


@transaction.atomic
def index_document(
    kind: str,
    key: str | int,
    title: str,
    text: str = "",
    aliases: str | Iterable[str] = "",
    url: str = "",
    public: bool = True,
    keywords: str | Iterable[str] = "",
) -> SearchDocument:
    """Add or replace the document ``(kind, key)``.

    ``aliases``: other names people use (开饭店 开餐馆), as a list or one string
    separated by spaces, commas, 、 or ；. ``keywords``: words that classify it (type,
    department, themes), weighed between aliases and text. Raises ValidationError on bad
    input.
    """
    kind, key, fields = _fields(kind, key, title, text, aliases, url, public, keywords)
    doc, _created = SearchDocument.objects.update_or_create(kind=kind, key=key, defaults=fields)
    engine.forget(kind)
    return doc


def _fields(kind, key, title, text, aliases, url, public, keywords) -> tuple[str, str, dict]:
    key = str(key).strip()
    title = (title or "").strip()
    text = text or ""
    url = url or ""
    _validate(kind, key, title, url)
    alias_list = list(dict.fromkeys(split_aliases(aliases)))
    keyword_text = " ".join(dict.fromkeys(split_aliases(keywords)))
    return (
        kind,
        key,
        {
            "title": title,
            "aliases": " ".join(alias_list),
            "keywords": keyword_text,
            "text": text,
            "url": url,
            "public": bool(public),
            **_analyse(title, alias_list, keyword_text),
        },
    )


@transaction.atomic
def index_documents(kind: str, documents: Iterable[Mapping]) -> int:
    """Add or replace many documents of ``kind`` at once (bulk writes); returns how many.

    Each document is a mapping with the keyword arguments of ``index_document``.
    """
    prepared: dict[str, dict] = {}
    for doc in documents:
        data = dict(doc)
        data.pop("kind", None)
        if "key" not in data or "title" not in data:
            raise ValidationError(
                _("Every document given to index_documents(%(kind)r) needs a key and a title.")
                % {"kind": kind}
            )
        _kind, key, fields = _fields(
            kind,
            data["key"],
            data["title"],
            data.get("text", ""),
            data.get("aliases", ""),
            data.get("url", ""),
            data.get("public", True),
            data.get("keywords", ""),
        )
        prepared[key] = fields
    if not prepared:
        return 0
    existing: dict[str, SearchDocument] = {}
    keys = list(prepared)
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        existing.update((d.key, d) for d in SearchDocument.objects.filter(kind=kind, key__in=batch))
    names = [*next(iter(prepared.values())), "updated_at"]
    changed: list[SearchDocument] = []
    created: list[SearchDocument] = []
    now = timezone.now()
    for key, fields in prepared.items():
        row = existing.get(key) or SearchDocument(kind=kind, key=key)
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = now
        (changed if row.pk else created).append(row)
    SearchDocument.objects.bulk_create(created, batch_size=500)
    SearchDocument.objects.bulk_update(changed, names, batch_size=500)
    engine.forget(kind)
    return len(prepared)


@transaction.atomic
def remove_document(kind: str, key: str | int) -> bool:
    """Remove ``(kind, key)`` from the index; False if it was not there."""
    deleted, _detail = SearchDocument.objects.filter(kind=kind, key=str(key).strip()).delete()
    engine.forget(kind)
    return deleted > 0


def remove_documents(kind: str, keys: Iterable[str | int]) -> int:
    """Remove many documents of ``kind`` in one statement; returns how many were there."""
    wanted = [str(key).strip() for key in keys]
    if not wanted:
        return 0
    deleted, _detail = SearchDocument.objects.filter(kind=kind, key__in=wanted).delete()
    engine.forget(kind)
    return deleted


@transaction.atomic
def rebuild(kind: str, documents: Iterable[Mapping]) -> RebuildResult:
    """Make the index for ``kind`` exactly ``documents``.

    Each document is a mapping with the keyword arguments of ``index_document`` (``key``
    and ``title`` required). Documents of this kind not in the iterable are removed. All
    or nothing.
    """
    seen: set[str] = set()
    batch: list[Mapping] = []
    for doc in documents:
        batch.append(doc)
        seen.add(str(doc.get("key", "")).strip())
        if len(batch) >= 500:
            index_documents(kind, batch)
            batch = []
    index_documents(kind, batch)
    stale = [
        pk
        for pk, key in SearchDocument.objects.filter(kind=kind).values_list("pk", "key")
        if key not in seen
    ]
    for start in range(0, len(stale), 500):
        SearchDocument.objects.filter(pk__in=stale[start : start + 500]).delete()
    engine.forget(kind)
    return RebuildResult(kind=kind, indexed=len(seen), removed=len(stale))


# --- searching --------------------------------------------------------------


def _kinds(kind: str | Iterable[str] | None) -> list[str] | None:
    if kind is None:
        return None
    if isinstance(kind, str):
        return [kind]
    return list(kind)


def _snippet(text: str, words: Iterable[str]) -> str:
    """About SNIPPET_LENGTH characters of ``text`` around the longest of
    ``words`` it contains (the start of the text when none)."""
    flat = _SPACES.sub(" ", text or "").strip()
    if len(flat) <= SNIPPET_LENGTH:
        return flat
    lowered = flat.lower()
    found = [(len(w), -p, p) for w in words if w for p in [lowered.find(w)] if p >= 0]
    pos = max(found)[2] if found else 0
    start = max(0, min(pos - SNIPPET_BEFORE, len(flat) - SNIPPET_LENGTH))
    excerpt = flat[start : start + SNIPPET_LENGTH]
    if start > 0:
        excerpt = "…" + excerpt
    if start + SNIPPET_LENGTH < len(flat):
        excerpt += "…"
    return excerpt


def _hits(
    corpus: engine.Corpus,
    kind: str,
    ranked: list[tuple[float, int]],
    public_only: bool,
    words: tuple[str, ...],
) -> list[tuple[float, Hit]]:
    return [
        (
            score,
            Hit(
                kind,
                corpus.keys[doc],
                corpus.titles[doc],
                corpus.urls[doc],
                round(score, 3),
                corpus.texts[doc],
                words,
            ),
        )
        for score, doc in ranked
        if corpus.public[doc] or not public_only
    ]


def _ranked(query: str, kinds: list[str], public_only: bool, floor: bool) -> list[Hit]:
    compact = _PINYIN_SEPARATORS.sub("", query)
    scored: list[tuple[float, Hit]] = []
    if _PINYIN_QUERY.match(compact):
        for kind in kinds:
            corpus, ranked = engine.pinyin_matches(kind, compact)
            scored += _hits(corpus, kind, ranked, public_only, ())
    if not scored:
        analysed = engine.analyze(query)
        if not analysed:
            return []
        words = tuple(engine.words_of(analysed.terms))
        for kind in kinds:
            corpus, ranked = engine.rank(kind, analysed, floor)
            scored += _hits(corpus, kind, ranked, public_only, words)
    if len(kinds) > 1:
        scored.sort(key=lambda pair: -pair[0])
    return [hit for _score, hit in scored]


def find(
    query: str,
    kind: str | Iterable[str] | None = None,
    public_only: bool = True,
    limit: int | None = 20,
    offset: int = 0,
    floor: bool = True,
) -> Found:
    """One page of the best matches for ``query`` and the number of matches in all; never
    raises on odd input.

    ``kind``: one kind, several, or None for all. ``public_only=False`` also returns
    documents indexed with ``public=False`` (staff-only). ``limit=None`` returns every
    match. ``floor=False`` drops the relevance floor: every document matching any word,
    for suggestions while someone types, never for answers to a question.
    """
    query = normalize((query or "")[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS].strip()
    if not query:
        return Found([], 0)
    kinds = _kinds(kind) or engine.kinds_indexed()
    hits = _ranked(query, kinds, public_only, floor)
    offset = max(0, int(offset))
    page = hits[offset:] if limit is None else hits[offset : offset + max(1, int(limit))]
    return Found(page, len(hits))


def search(
    query: str,
    kind: str | Iterable[str] | None = None,
    public_only: bool = True,
    limit: int = 20,
    floor: bool = True,
) -> list[Hit]:
    """The best matches for ``query`` (at most ``limit``, capped at ``MAX_LIMIT``)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    return find(query, kind, public_only, limit=limit, floor=floor).hits
