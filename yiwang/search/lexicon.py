"""Everyday words and the official words they stand for (狗 → 犬 犬类 犬只).

Citizens ask "养狗要办证吗"; the catalogue says 犬类准养证核发. A query containing an
everyday word of the lexicon is also searched for its official words, at a lower weight
than the words typed (``yiwang.search.engine``). The lexicon lives in the database
(``LexiconEntry``) so catalogue administrators can add and switch off entries and see the
effect on the next search; ``data/lexicon.txt`` ships the platform's entries, loaded after
every ``migrate`` without touching entries an administrator changed; the knowledge base
keeps its dialect glossary in step through :func:`replace_source`.

Writing functions here do not audit (search sits below the audit log): the callers'
actions do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .freshness import StampedMemo
from .models import LexiconEntry, LexiconSource
from .text import DATA_DIR, normalize

SHIPPED_FILE = DATA_DIR / "lexicon.txt"
MAX_TERM_CHARS = 30
MAX_OFFICIAL_WORDS = 12


# --- the shipped file --------------------------------------------------------------------


def parse(lines: Iterable[str]) -> dict[str, list[str]]:
    """Entries of the lexicon file format, everyday word -> official words in file order.

    ``a b => c d``: a and b each stand for c and d. ``a b c``: interchangeable, each stands
    for the others. ``#`` starts a comment.
    """
    entries: dict[str, list[str]] = {}

    def add(term: str, words: Iterable[str]) -> None:
        bucket = entries.setdefault(term, [])
        bucket.extend(w for w in words if w != term and w not in bucket)

    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            targets = [normalize(w) for w in right.split()]
            for term in left.split():
                add(normalize(term), targets)
        else:
            group = [normalize(w) for w in line.split()]
            for term in group:
                add(term, group)
    return {term: words for term, words in entries.items() if words}


def shipped_entries() -> dict[str, list[str]]:
    if not SHIPPED_FILE.exists():
        return {}
    return parse(SHIPPED_FILE.read_text(encoding="utf-8").splitlines())


def load_shipped(model=LexiconEntry) -> int:
    """Add the shipped entries the database does not hold yet; returns how many.

    An administrator's change to a shipped entry (switched off, other words) is kept:
    only missing terms are added, never updated or re-enabled.
    """
    entries = shipped_entries()
    have = set(model.objects.filter(source=LexiconSource.SHIPPED).values_list("term", flat=True))
    missing = [
        model(term=term, official=" ".join(words), source=LexiconSource.SHIPPED)
        for term, words in entries.items()
        if term not in have and len(term) <= MAX_TERM_CHARS
    ]
    model.objects.bulk_create(missing, batch_size=500)
    if missing:
        changed()
    return len(missing)


# --- writing -----------------------------------------------------------------------------


def clean(term: str, official: str | Iterable[str]) -> tuple[str, str]:
    """The normalised ``(term, official)`` of an entry; ValidationError naming the field."""
    term = normalize(term or "").strip()
    words = official.split() if isinstance(official, str) else list(official)
    words = list(dict.fromkeys(normalize(w).strip() for w in words if w and w.strip()))
    errors: dict[str, str] = {}
    if not term:
        errors["term"] = _("Enter the everyday word.")
    elif len(term) > MAX_TERM_CHARS or any(c.isspace() for c in term):
        errors["term"] = _("The everyday word must be one word of at most %(n)d characters.") % {
            "n": MAX_TERM_CHARS
        }
    words = [w for w in words if w != term]
    if not words:
        errors["official"] = _(
            "Enter at least one official word, different from the everyday word, "
            "separated by spaces."
        )
    elif len(words) > MAX_OFFICIAL_WORDS:
        errors["official"] = _("Give at most %(n)d official words.") % {"n": MAX_OFFICIAL_WORDS}
    elif len(" ".join(words)) > 300:
        errors["official"] = _("The official words must fit in 300 characters.")
    if errors:
        raise ValidationError(errors)
    return term, " ".join(words)


@transaction.atomic
def save_entry(
    *,
    term: str,
    official: str | Iterable[str],
    source: str = LexiconSource.ADMIN,
    note: str = "",
    active: bool = True,
    entry: LexiconEntry | None = None,
) -> LexiconEntry:
    """Create an entry, or change ``entry``; takes effect on the next search."""
    term, words = clean(term, official)
    clash = LexiconEntry.objects.filter(term=term, source=source)
    if entry is not None:
        clash = clash.exclude(pk=entry.pk)
    if clash.exists():
        raise ValidationError({"term": _("“%(term)s” is already in the lexicon.") % {"term": term}})
    entry = entry or LexiconEntry(source=source)
    entry.term, entry.official, entry.note, entry.active = term, words, note[:200], active
    entry.full_clean(exclude=["source"])
    entry.save()
    changed()
    return entry


@transaction.atomic
def set_active(entry: LexiconEntry, active: bool) -> LexiconEntry:
    entry.active = active
    entry.save(update_fields=["active", "updated_at"])
    changed()
    return entry


@transaction.atomic
def delete_entry(entry: LexiconEntry) -> None:
    entry.delete()
    changed()


@transaction.atomic
def replace_source(source: str, entries: Mapping[str, Iterable[str]]) -> int:
    """Make the active entries of ``source`` exactly ``entries`` (the knowledge base's
    dialect glossary calls this whenever its terms change); returns how many are kept."""
    wanted: dict[str, str] = {}
    for term, words in entries.items():
        try:
            clean_term, clean_words = clean(term, words)
        except ValidationError:
            continue
        wanted[clean_term] = clean_words
    LexiconEntry.objects.filter(source=source).exclude(term__in=wanted).delete()
    current = {e.term: e for e in LexiconEntry.objects.filter(source=source)}
    for term, words in wanted.items():
        row = current.get(term)
        if row is None:
            LexiconEntry.objects.create(term=term, official=words, source=source)
        elif row.official != words or not row.active:
            row.official, row.active = words, True
            row.save(update_fields=["official", "active", "updated_at"])
    changed()
    return len(wanted)


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expansions:
    """The active lexicon: everyday word -> official words (all sources merged)."""

    by_term: dict[str, tuple[str, ...]]
    longest: int

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Everyday words in ``text`` as ``(start, end, term)``, longest match first at each
        position, not overlapping."""
        found: list[tuple[int, int, str]] = []
        i, n = 0, len(text)
        while i < n:
            for size in range(min(self.longest, n - i), 0, -1):
                piece = text[i : i + size]
                if piece in self.by_term:
                    found.append((i, i + size, piece))
                    i += size
                    break
            else:
                i += 1
        return found


def _build() -> Expansions:
    merged: dict[str, list[str]] = {}
    rows = LexiconEntry.objects.filter(active=True).values_list("term", "official")
    for term, official in rows.order_by("source", "term"):
        bucket = merged.setdefault(term, [])
        bucket.extend(w for w in official.split() if w not in bucket)
    return Expansions(
        by_term={t: tuple(ws) for t, ws in merged.items() if ws},
        longest=max((len(t) for t in merged), default=0),
    )


_memo = StampedMemo(LexiconEntry.objects.all(), _build)


def expansions() -> Expansions:
    """The active lexicon of this process, rebuilt when any process changed it."""
    return _memo.get()


def changed() -> None:
    _memo.forget()
