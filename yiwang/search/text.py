"""Chinese text analysis for search: segmentation, synonyms and pinyin.

Documents and queries go through the same ``segment``: NFKC normalisation
(full-width letters and digits become ASCII), lower case, rjieba
``cut_for_search`` with the domain dictionary, punctuation and stopwords
removed. The word lists live in ``data/`` so non-programmers can maintain them.

rjieba's ``cut_for_search`` yields a long word together with its 2- and 3-
character dictionary sub-words (食品经营许可 -> 食品 经营 许可 食品经营许可);
we additionally yield longer dictionary sub-words (异地就医备案 -> 异地就医), so
a query for any reasonable part of a long term still meets the same token.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin
from rjieba import Jieba

DATA_DIR = Path(__file__).resolve().parent / "data"

# Frequency floor for dictionary words without an explicit one: high enough
# that 起屋 in 我想起屋 beats the general-purpose word 想起.
DEFAULT_WORD_FREQ = 3000
# Query weight of a weak word (see data/stopwords.txt) and of a synonym
# relative to the word the user typed.
WEAK_WEIGHT = 0.2
SYNONYM_WEIGHT = 0.8
# Only the start of very long bodies is segmented.
MAX_SEGMENT_CHARS = 30_000
# Longest token searched for dictionary sub-words of 4+ characters.
MAX_SUBWORD_SOURCE = 16

_WORD_PIECE = re.compile(r"[^\W_]+")
_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """NFKC + lower case: ＡＢＣ１２３ -> abc123."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _data_lines(name: str) -> list[str]:
    lines = []
    for raw in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Lexicon:
    stopwords: frozenset[str]
    weak: frozenset[str]
    synonyms: dict[str, tuple[str, ...]] = field(hash=False)
    words: dict[str, int | None] = field(hash=False)


def _parse_synonyms(lines: list[str]) -> dict[str, tuple[str, ...]]:
    expansions: dict[str, list[str]] = {}

    def add(src: str, targets: list[str]) -> None:
        bucket = expansions.setdefault(src, [])
        for target in targets:
            if target != src and target not in bucket:
                bucket.append(target)

    for line in lines:
        if "=>" in line:
            left, right = line.split("=>", 1)
            sources = [normalize(w) for w in left.split()]
            targets = [normalize(w) for w in right.split()]
            for src in sources:
                add(src, targets)
        else:
            group = [normalize(w) for w in line.split()]
            for src in group:
                add(src, group)
    return {k: tuple(v) for k, v in expansions.items() if v}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    stop, weak = set(), set()
    for line in _data_lines("stopwords.txt"):
        if line.startswith("~"):
            weak.add(normalize(line[1:].strip()))
        else:
            stop.add(normalize(line))
    words: dict[str, int | None] = {}
    for line in _data_lines("words.txt"):
        parts = line.split()
        words[normalize(parts[0])] = int(parts[1]) if len(parts) > 1 else None
    synonym_lines = _data_lines("synonyms.txt")
    for line in synonym_lines:
        for word in line.replace("=>", " ").split():
            words.setdefault(normalize(word), None)
    return Lexicon(
        stopwords=frozenset(stop),
        weak=frozenset(weak),
        synonyms=_parse_synonyms(synonym_lines),
        words=words,
    )


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter() -> Jieba:
    # A private instance: other code using rjieba's default instance is not
    # affected by our dictionary, and ours is complete before anyone uses it.
    with _jieba_lock:
        jieba = Jieba()
        for word, freq in lexicon().words.items():
            if len(word) < 2:
                continue
            jieba.add_word(word, freq or max(jieba.suggest_freq(word), DEFAULT_WORD_FREQ), None)
        return jieba


def _raw_tokens(text: str) -> list[str]:
    jieba = _segmenter()
    out: list[str] = []
    for tok in jieba.cut_for_search(normalize(text)[:MAX_SEGMENT_CHARS]):
        for piece in _WORD_PIECE.findall(tok):
            out.append(piece)
            if piece.isascii() or len(piece) > MAX_SUBWORD_SOURCE:
                continue
            # Longer dictionary sub-words than cut_for_search's 2/3-grams.
            for size in range(4, len(piece)):
                for start in range(len(piece) - size + 1):
                    sub = piece[start : start + size]
                    if jieba.has_word(sub):
                        out.append(sub)
    return out


def segment(text: str) -> list[str]:
    """Search tokens of ``text`` in order, stopwords and punctuation removed.

    Weak words (such as 证) are kept; duplicates are kept (frequency matters
    for ranking).
    """
    stop = lexicon().stopwords
    return [tok for tok in _raw_tokens(text) if tok not in stop]


def expand(token: str) -> tuple[str, ...]:
    """Synonyms of one token (one step, not transitive); () if none."""
    return lexicon().synonyms.get(normalize(token), ())


def is_weak(token: str) -> bool:
    return token in lexicon().weak


def _pinyin(text: str, style: Style) -> str:
    syllables = lazy_pinyin(normalize(text), style=style, errors="default")
    return _ALNUM.sub("", "".join(syllables).lower())


def initials(text: str) -> str:
    """Pinyin initials: 食品经营许可 -> spjyxk (letters and digits kept)."""
    return _pinyin(text, Style.FIRST_LETTER)


def full_pinyin(text: str) -> str:
    """Toneless pinyin without spaces: 食品经营许可 -> shipinjingyingxuke."""
    return _pinyin(text, Style.NORMAL)


@dataclass(frozen=True)
class QueryTerm:
    """One token of a query and the words that count as a match for it.

    ``alternatives`` maps each acceptable word to its factor (1.0 for the
    word typed, SYNONYM_WEIGHT for a synonym); ``weight`` is the term's weight
    in the score (WEAK_WEIGHT for weak words).
    """

    token: str
    weight: float
    alternatives: dict[str, float] = field(hash=False)


def analyze_query(query: str) -> list[QueryTerm]:
    """Distinct query tokens with synonym expansion, in the order typed."""
    terms: list[QueryTerm] = []
    seen: set[str] = set()
    for tok in segment(query):
        if tok in seen:
            continue
        seen.add(tok)
        alternatives = {tok: 1.0}
        for syn in expand(tok):
            alternatives.setdefault(syn, SYNONYM_WEIGHT)
        terms.append(
            QueryTerm(
                token=tok, weight=WEAK_WEIGHT if is_weak(tok) else 1.0, alternatives=alternatives
            )
        )
    return terms


def split_aliases(aliases: str | Iterable[str] | None) -> list[str]:
    """Aliases given as a list or as one string separated by spaces/commas/、/；."""
    if not aliases:
        return []
    if not isinstance(aliases, str):
        aliases = " ".join(a for a in aliases if a)
    return [a for a in re.split(r"[\s,，、;；|/]+", aliases) if a]
