"""Shared Chinese search: index documents of any kind, search them.

    from yiwang.search import api as search

    search.index_document("item", "44142200-001", "食品经营许可", text=guide,
                          aliases="开饭店 开餐馆 餐饮店", url="/services/1/")
    hits = search.search("开饭店要办什么证", kind="item")   # -> list[Hit]

Query pipeline:

1. Normalise (NFKC, lower case), truncate to ``MAX_QUERY_CHARS``; empty -> [].
2. Letters only (``spjy``, ``jhdj``, ``shipin``): match pinyin initials / full
   pinyin of titles and aliases (staff typing initials). Falls through to 3
   when nothing matches.
3. Otherwise segment (stopwords out, weak words such as 证 kept at low weight),
   expand synonyms, and fetch up to ``CANDIDATES`` documents containing any
   of the words from the database's full-text index (``backends``).
4. Re-rank in Python: for every query term, the best of its alternatives
   (the word typed, or a synonym at 0.8) found in title (3) > aliases (2) >
   text (1), times the term's weight; plus a bonus when the title is the query.

The index is derived data (rebuildable from its sources by ``search_reindex``),
so these functions do not write audit entries; the callers' own actions do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import backends
from .models import SearchDocument
from .text import (
    QueryTerm,
    analyze_query,
    full_pinyin,
    initials,
    normalize,
    segment,
    split_aliases,
)

MAX_QUERY_CHARS = 100
MAX_LIMIT = 100
CANDIDATES = 200
SNIPPET_BEFORE = 20
SNIPPET_LENGTH = 80

TITLE_WEIGHT, ALIAS_WEIGHT, TEXT_WEIGHT = 3.0, 2.0, 1.0

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
    snippet: str


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


def _analyse(title: str, aliases: list[str], text: str) -> dict[str, str]:
    title_tokens = segment(title)
    alias_tokens = [tok for alias in aliases for tok in segment(alias)]
    tokens = title_tokens * 3 + alias_tokens * 2 + segment(text)
    names = [title, *aliases]
    return {
        "tokens": " ".join(tokens),
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
) -> SearchDocument:
    """Add or replace the document ``(kind, key)``.

    ``aliases``: other names people use (开饭店 开餐馆), as a list or one string
    separated by spaces, commas, 、 or ；. Raises ValidationError on bad input.
    """
    key = str(key).strip()
    title = (title or "").strip()
    text = text or ""
    url = url or ""
    _validate(kind, key, title, url)
    alias_list = list(dict.fromkeys(split_aliases(aliases)))
    fields = {
        "title": title,
        "aliases": " ".join(alias_list),
        "text": text,
        "url": url,
        "public": bool(public),
        **_analyse(title, alias_list, text),
    }
    doc, _created = SearchDocument.objects.update_or_create(kind=kind, key=key, defaults=fields)
    return doc


@transaction.atomic
def remove_document(kind: str, key: str | int) -> bool:
    """Remove ``(kind, key)`` from the index; False if it was not there."""
    deleted, _detail = SearchDocument.objects.filter(kind=kind, key=str(key).strip()).delete()
    return deleted > 0


@transaction.atomic
def rebuild(kind: str, documents: Iterable[Mapping]) -> RebuildResult:
    """Make the index for ``kind`` exactly ``documents``.

    Each document is a mapping with the keyword arguments of
    ``index_document`` (``key`` and ``title`` required). Documents of this kind
    not in the iterable are removed. All or nothing.
    """
    seen: set[str] = set()
    for doc in documents:
        data = dict(doc)
        data.pop("kind", None)
        if "key" not in data or "title" not in data:
            raise ValidationError(
                _("Every document given to rebuild(%(kind)r) needs a key and a title.")
                % {"kind": kind}
            )
        indexed = index_document(kind, **data)
        seen.add(indexed.key)
    stale = [
        pk
        for pk, key in SearchDocument.objects.filter(kind=kind).values_list("pk", "key")
        if key not in seen
    ]
    for start in range(0, len(stale), 500):
        SearchDocument.objects.filter(pk__in=stale[start : start + 500]).delete()
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


class _Fields:
    """A candidate's title/aliases/text, normalised for matching."""

    def __init__(self, doc: SearchDocument):
        self.title = normalize(doc.title)
        self.aliases = normalize(doc.aliases)
        self.text = normalize(doc.text)
        self.title_tokens = set(segment(doc.title))
        self.alias_tokens = set(segment(doc.aliases))
        self.all_tokens = set(doc.tokens.split())

    def weight_of(self, word: str) -> float:
        # One-character words must match a whole token (开 is not in 公开);
        # longer words may also match as a substring, which forgives
        # segmentation that differs between document and query.
        substring = len(word) >= 2
        if word in self.title_tokens or (substring and word in self.title):
            return TITLE_WEIGHT
        if word in self.alias_tokens or (substring and word in self.aliases):
            return ALIAS_WEIGHT
        if word in self.all_tokens or (substring and word in self.text):
            return TEXT_WEIGHT
        return 0.0


def _score(fields: _Fields, terms: list[QueryTerm], compact_query: str) -> float:
    score = 0.0
    for term in terms:
        best = max(fields.weight_of(word) * factor for word, factor in term.alternatives.items())
        score += best * term.weight
    if score and compact_query:
        if fields.title == compact_query:
            score += 5
        elif len(compact_query) >= 2 and compact_query in fields.title:
            score += 2
    return score


def _token_search(query: str, kinds: list[str] | None, public_only: bool, limit: int) -> list[Hit]:
    terms = analyze_query(query)
    if not terms:
        return []
    words = list(dict.fromkeys(word for term in terms for word in term.alternatives))
    ids = backends.candidates(
        connection, words, kinds=kinds, public_only=public_only, limit=CANDIDATES
    )
    if not ids:
        return []
    docs = SearchDocument.objects.in_bulk(ids)
    compact = _SPACES.sub("", query)
    ranked = []
    for position, pk in enumerate(ids):
        doc = docs.get(pk)
        if doc is None:
            continue
        score = _score(_Fields(doc), terms, compact)
        if score > 0:
            ranked.append((-score, position, doc, score))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [
        Hit(doc.kind, doc.key, doc.title, doc.url, round(score, 3), _snippet(doc.text, words))
        for _neg, _pos, doc, score in ranked[:limit]
    ]


def _pinyin_score(doc: SearchDocument, q: str) -> float:
    best = 0.0
    for column in (doc.initials, doc.full_pinyin):
        for index, word in enumerate(column.split()):
            base = TITLE_WEIGHT if index == 0 else ALIAS_WEIGHT
            if word == q:
                value = base * 2
            elif word.startswith(q):
                value = base * 1.5
            elif len(q) >= 3 and q in word:
                value = base * 0.5
            else:
                value = 0.0
            best = max(best, value)
    return best


def _pinyin_search(q: str, kinds: list[str] | None, public_only: bool, limit: int) -> list[Hit]:
    qs = SearchDocument.objects.filter(Q(initials__contains=q) | Q(full_pinyin__contains=q))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if public_only:
        qs = qs.filter(public=True)
    qs = qs.only("kind", "key", "title", "url", "text", "initials", "full_pinyin")
    ranked = []
    for doc in qs.order_by("id")[: CANDIDATES * 5]:
        score = _pinyin_score(doc, q)
        if score > 0:
            ranked.append((-score, len(doc.title), doc.pk, doc, score))
    ranked.sort(key=lambda r: r[:3])
    return [
        Hit(doc.kind, doc.key, doc.title, doc.url, score, _snippet(doc.text, ()))
        for *_order, doc, score in ranked[:limit]
    ]


def search(
    query: str,
    kind: str | Iterable[str] | None = None,
    public_only: bool = True,
    limit: int = 20,
) -> list[Hit]:
    """Best matches for ``query``; never raises on odd input.

    ``kind``: one kind, several, or None for all. ``public_only=False`` also
    returns documents indexed with ``public=False`` (staff-only). ``limit`` is
    capped at ``MAX_LIMIT``.
    """
    query = normalize((query or "")[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS].strip()
    limit = max(1, min(int(limit), MAX_LIMIT))
    if not query:
        return []
    kinds = _kinds(kind)
    compact = _PINYIN_SEPARATORS.sub("", query)
    if _PINYIN_QUERY.match(compact):
        hits = _pinyin_search(compact, kinds, public_only, limit)
        if hits:
            return hits
    return _token_search(query, kinds, public_only, limit)
