"""Chinese text analysis for search: normalisation, segmentation and pinyin.

Documents and queries go through the same ``normalize`` and ``segment``: NFKC
(full-width letters and digits become ASCII), lower case, traditional characters
to simplified (OpenCC ``t2s``: 養狗 -> 养狗), Chinese numerals before a unit to
digits (十八岁 -> 18岁, 两个 -> 2个), then rjieba ``cut_for_search`` with the
domain dictionary, punctuation and stopwords removed. The word lists live in
``data/`` so non-programmers can maintain them; everyday-to-official words are
the lexicon's (``yiwang.search.lexicon``).

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
from functools import cached_property, lru_cache
from pathlib import Path

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin
from rjieba import Jieba

DATA_DIR = Path(__file__).resolve().parent / "data"

# Frequency floor for dictionary words without an explicit one: high enough
# that 起屋 in 我想起屋 beats the general-purpose word 想起.
DEFAULT_WORD_FREQ = 3000
# Query weight of a weak word (see data/stopwords.txt) relative to the others.
WEAK_WEIGHT = 0.2
# Only the start of very long bodies is segmented.
MAX_SEGMENT_CHARS = 30_000
# Longest token searched for dictionary sub-words of 4+ characters.
MAX_SUBWORD_SOURCE = 16

_WORD_PIECE = re.compile(r"[^\W_]+")
_ALNUM = re.compile(r"[^a-z0-9]+")


_NUMERAL_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_NUMERAL_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_NUMERAL_UNITS = {"十": 10, "百": 100, "千": 1000}
# A run of numerals counts as a number only before one of these (a unit or measure word):
# 十八岁, 两个孩子, 三级; not 一网通办, 十分, 万一.
_CN_NUMBER = re.compile(
    r"[零〇一二两三四五六七八九十百千]+(?=[岁周个年月日天次人孩胎类级层楼米亩吨元份张辆台名所户间])"
)


def _numeral_value(numeral: str) -> int | None:
    """十八 -> 18, 二十一 -> 21, 一百零五 -> 105, 三 -> 3; None for runs that are not one
    number (一二 in a list)."""
    total, digit, seen_unit = 0, None, False
    for char in numeral:
        if char in "零〇" and seen_unit:  # 一百零五: a gap, not a digit
            continue
        if char in _NUMERAL_DIGITS:
            if digit is not None and not seen_unit:
                return None
            digit, seen_unit = _NUMERAL_DIGITS[char], False
        else:
            total += (1 if digit is None else digit) * _NUMERAL_UNITS[char]
            digit, seen_unit = None, True
    return total + (digit or 0)


def _digits(match: re.Match[str]) -> str:
    value = _numeral_value(match.group())
    return match.group() if value is None else str(value)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def normalize(text: str) -> str:
    """NFKC, lower case, simplified characters, numerals before units as digits:
    ＡＢＣ１２３ -> abc123, 營業執照 -> 营业执照, 十八岁 -> 18岁."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    if not text.isascii():
        text = _CN_NUMBER.sub(_digits, _t2s().convert(text))
    return text


def _data_lines(name: str) -> list[str]:
    lines: list[str] = []
    path = DATA_DIR / name
    if not path.exists():
        return lines
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@dataclass(frozen=True)
class Stage:
    """A later stage of a matter (data/variant_words.txt): the words titles use for it, and
    the cues that show a question asks for it although titles do not use them."""

    words: tuple[str, ...]
    cues: tuple[str, ...] = ()

    def asked_in(self, words: Iterable[str], text: str = "") -> bool:
        """Whether a question with these words (typed and lexicon) asks for this stage; a
        one-character cue (补) only as a word of its own, not inside 补贴. Longer cues count
        in the question's text as well: the segmenter may have cut them (忘了 -> 忘, 了)."""
        words = list(words)
        joined = " ".join([*words, text])
        return any(
            (word in words) if len(word) == 1 else (word in joined)
            for word in (*self.words, *self.cues)
        )


def _stage(line: str) -> Stage:
    words, _, cues = line.partition("|")
    return Stage(
        tuple(normalize(w) for w in words.split()), tuple(normalize(c) for c in cues.split())
    )


@dataclass(frozen=True)
class WordLists:
    stopwords: frozenset[str]
    weak: frozenset[str]
    service: tuple[str, ...]
    variants: tuple[Stage, ...]
    words: dict[str, int | None] = field(hash=False)

    @cached_property
    def stage_words(self) -> frozenset[str]:
        """Every word and cue of a later stage (补办, 丢了, 注销 …)."""
        return frozenset(w for stage in self.variants for w in (*stage.words, *stage.cues))


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
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
    # Everyday words of the shipped lexicon segment as one word (开饭店, not 开 饭店).
    for line in _data_lines("lexicon.txt"):
        for word in line.replace("=>", " ").split():
            words.setdefault(normalize(word), None)
    return WordLists(
        stopwords=frozenset(stop),
        weak=frozenset(weak),
        service=tuple(normalize(line) for line in _data_lines("service_words.txt")),
        variants=tuple(_stage(line) for line in _data_lines("variant_words.txt")),
        words=words,
    )


_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter() -> Jieba:
    # A private instance: other code using rjieba's default instance is not
    # affected by our dictionary, and ours is complete before anyone uses it.
    with _jieba_lock:
        jieba = Jieba()
        for word, freq in word_lists().words.items():
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
    stop = word_lists().stopwords
    return [tok for tok in _raw_tokens(text) if tok not in stop]


def _cut(text: str) -> list[str]:
    """Words of ``text`` in the segmenter's precise mode (no sub-words)."""
    return [
        piece
        for tok in _segmenter().cut(normalize(text)[:MAX_SEGMENT_CHARS])
        for piece in _WORD_PIECE.findall(tok)
    ]


# Parts of speech (the segmenter's tags) of words that frame a question rather than name its
# matter: numerals and measure words (几户), pronouns (自己, 这边), adverbs (一起), place and
# words (家里, 村里), prepositions, conjunctions, particles, interjections.
_CONTEXT_TAGS = frozenset({"m", "mq", "q", "r", "rr", "rz", "d", "f", "p"})
_CONTEXT_TAG_PREFIXES = ("u", "y", "e", "o", "c")


@dataclass(frozen=True)
class QueryWord:
    word: str
    subwords: list[str]
    # A word that frames the question (家里, 一起, 几户) rather than names its matter.
    context: bool


def _is_context_tag(tag: str) -> bool:
    return tag in _CONTEXT_TAGS or tag.startswith(_CONTEXT_TAG_PREFIXES)


def query_words(text: str) -> list[QueryWord]:
    """The words of a query, each with its shorter search words (新房子 -> 新房 房子), in
    order, stopwords removed: a query word counts once however many sub-words it has."""
    stop = word_lists().stopwords
    out: list[QueryWord] = []
    # tag() segments as cut() does (precise mode), and says what kind of word each is;
    # words of our dictionary have no tag and are never context.
    for token, tag in _segmenter().tag(normalize(text)[:MAX_SEGMENT_CHARS]):
        for word in _WORD_PIECE.findall(token):
            if word in stop:
                continue
            subs = [t for t in _raw_tokens(word) if t != word and t not in stop]
            out.append(QueryWord(word, list(dict.fromkeys(subs)), _is_context_tag(tag or "")))
    return out


_FUNCTION_CHARS = frozenset("哪个去要能想在就来得")


def asks_for_service(text: str) -> bool:
    """Whether ``text`` has a word of data/service_words.txt (办, 申请, 证 …); one-character
    ones count only as whole words (办 in 去哪办, not in 怎么办)."""
    lists = word_lists()
    text = normalize(text)
    if any(word in text for word in lists.service if len(word) > 1):
        return True
    for word in _cut(text):
        if word in lists.service:
            return True
        # The segmenter glues a procedure verb to a function word: 去哪领 -> 去 哪领.
        if len(word) == 2 and any(
            word[i] in lists.service and word[1 - i] in _FUNCTION_CHARS for i in (0, 1)
        ):
            return True
    return False


def is_word(token: str) -> bool:
    """Whether ``token`` is a word of the segmentation dictionary (晚上 is; 执造, a typo,
    is not)."""
    return bool(_segmenter().has_word(normalize(token)))


def is_weak(token: str) -> bool:
    return token in word_lists().weak


def _pinyin(text: str, style: Style) -> str:
    syllables = lazy_pinyin(normalize(text), style=style, errors="default")
    return _ALNUM.sub("", "".join(syllables).lower())


def initials(text: str) -> str:
    """Pinyin initials: 食品经营许可 -> spjyxk (letters and digits kept)."""
    return _pinyin(text, Style.FIRST_LETTER)


def full_pinyin(text: str) -> str:
    """Toneless pinyin without spaces: 食品经营许可 -> shipinjingyingxuke."""
    return _pinyin(text, Style.NORMAL)


def split_aliases(aliases: str | Iterable[str] | None) -> list[str]:
    """Aliases given as a list or as one string separated by spaces/commas/、/；."""
    if not aliases:
        return []
    if not isinstance(aliases, str):
        aliases = " ".join(a for a in aliases if a)
    return [a for a in re.split(r"[\s,，、;；|/]+", aliases) if a]
