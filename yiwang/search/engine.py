"""Ranking: an in-memory index of one kind's documents, scored with BM25F.

Why in memory: a county's catalogue (1,000-10,000 items) and knowledge base fit in a few
megabytes, and scoring every document that matches any query word, with statistics of the
whole collection, is then exact and fast, the same on SQLite and PostgreSQL (the database
only stores the documents). There is no candidate cut that common words could fill.

Scoring (see docs/dev/search.md for the reasoning and how to evaluate it):

* Each query term has alternatives: the word typed (factor 1), the official words the
  lexicon gives for an everyday word (``LEXICON_FACTOR``), and catalogue words that sound
  the same when the typed word occurs nowhere (``SOUND_FACTOR``: 营业执造 -> 执照).
* A word matches a field where it occurs: words of two or more characters as substrings (so
  segmentation differences between document and query do not matter), single characters
  only as whole words of the short fields (开 is not in 公开).
* Per word, BM25F: the field frequencies weighted (title > aliases > keywords > text) and
  length-normalised, saturated by ``K1``, times the word's rarity (IDF over the kind's
  documents). A term scores its best alternative; weak words (证, 办理) count for little.
* Bonuses for typed words adjacent in the title (phrase) and for a title equal to the query.
* The relevance floor: a document is a result only when the terms it matches carry at least
  ``MIN_COVERAGE`` of the query's weight (rarity-weighted), and one of them is in its title,
  aliases or keywords; or when its short fields hold ``MULTI_ANCHOR`` different specific
  terms of the query. One common word (申请, 许可) is not enough to make anything a result.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from pypinyin import Style, lazy_pinyin

from .freshness import StampedMemo
from .lexicon import Expansions, expansions
from .models import SearchDocument
from .text import (
    WEAK_WEIGHT,
    asks_for_service,
    is_weak,
    is_word,
    normalize,
    query_words,
    segment,
    word_lists,
)

# Tokens column layout written by the API: version, then the short fields' words.
TOKENS_VERSION = "v2"
FIELDS = ("title", "aliases", "keywords", "text")
SHORT_FIELDS = ("title", "aliases", "keywords")
FIELD_WEIGHT = {"title": 3.0, "aliases": 2.5, "keywords": 1.2, "text": 0.4}
FIELD_B = {"title": 0.5, "aliases": 0.3, "keywords": 0.3, "text": 0.75}
K1 = 1.2
WORD_CACHE = 20_000

LEXICON_FACTOR = 0.75
SUBWORD_FACTOR = 0.8
SOUND_FACTOR = 0.7
SINGLE_CHAR_WEIGHT = 0.3
MIN_COVERAGE = 0.51  # more than half of what the question asks
MIN_COVERAGE_SERVICE = 0.2
# Results scoring below this share of the best one are noise, not answers.
RELATIVE_FLOOR = 0.25
# A word found nowhere still counts against coverage, but less than the rarest word: it may
# be a detail the catalogue does not mention (异地看病 *报销*) as well as a different matter.
# A question asking for a procedure (data/service_words.txt) counts them for less: 外地人 in
# "外地人怎么办居住证" is context, 火锅 in "哪里有好吃的火锅" is the matter.
UNKNOWN_SHARE = 0.5
# A document must match, in its title, aliases or keywords, at least one *specific* term: one
# found in at most this share of the documents (or in at most SPECIFIC_MIN_DF documents).
SPECIFIC_SHARE = 0.03
SPECIFIC_MIN_DF = 3
FULL_COVERAGE = 0.999
# Two rare words of the question in one title do not meet by chance: a result, whatever
# else the question said (家里困难 孩子读高中能免学费吗 -> 普通高中国家助学金、免学费查询).
MULTI_ANCHOR = 2
# An everyday phrase of the lexicon (three characters or more: 打预防针, 换身份证, 维修基金)
# is what administrators wrote down as a matter of the catalogue: it anchors as two words do.
# Two-character everyday words (火锅, 狗狗) are as often about something else.
RECOGNISED_ANCHOR = 2
RECOGNISED_MIN_LEN = 3
PHRASE_BONUS = 0.3
# Titles of a later stage (变更, 注销 …, data/variant_words.txt) the question did not ask for.
VARIANT_PENALTY = 0.7
# Official words this short are a stage (补办), longer ones whole item names.
STAGE_WORD_MAX = 4
# A question with an everyday phrase of the lexicon (办退休, 上小学, 开饭馆) names its matter
# with it: documents that match none of those phrases are about something the question only
# mentions (达到法定退休*年龄*…, 创业培训开班（含*报名*）) and rank lower.
OFF_MATTER_FACTOR = 0.7
# A term naming only a stage (丢了, 补办) scores this share: "身分证丢了怎么补办" is about the
# ID card first; the many 遗失补办 items of other licences share only the stage.
STAGE_TERM_FACTOR = 0.5
TITLE_EQUALS_BONUS = 2.0
# A question asking whether something needs a permit (要什么证, 要审批吗, 要批吗) is answered by
# an administrative licensing item (行政许可, the item type the keywords carry) rather than by a
# filing or a service of the same matter: those rank this much higher.
PERMIT_QUESTION = re.compile(r"什么(许可)?证|[要需]?[审报]?批[吗么]|要审批|需要审批|许可证")
PERMIT_TYPE = "行政许可"
PERMIT_FACTOR = 1.4
# A question about setting something up (开个农家乐, 办一家幼儿园, 成立合作社) is answered by the
# item that sets it up (设立, 新办, 开业 …) rather than by its filing, subsidy or later changes.
# Read before the measure word is dropped; 开个证明 and 办个证 ask for a paper, not a setting up.
SETUP_QUESTION = re.compile(r"(?:成立|开办|创办|新开|[开办建搞]一?[个家间所])(?![证票]|证明)")
SETUP_WORDS = ("设立", "新办", "开办", "筹设", "新增", "开业")
SETUP_FACTOR = 1.3


_SEP = "\x00"
_CJK = re.compile(r"^[\u3400-\u9fff]+$")


# --- pinyin keys for same-sound matching ---------------------------------------------------

_FUZZY = [
    (re.compile(r"\b([zcs])h"), r"\1"),
    (re.compile(r"ng\b"), "n"),
    (re.compile(r"\bl"), "n"),
]


@lru_cache(maxsize=20_000)
def sound_key(word: str) -> str:
    """Toneless pinyin, syllables space-separated, with the distinctions southern speakers
    (and their typing) blur merged: zh/z, ch/c, sh/s, -ng/-n, l/n."""
    key = " ".join(lazy_pinyin(word, style=Style.NORMAL))
    for pattern, replacement in _FUZZY:
        key = pattern.sub(replacement, key)
    return key


_sounds_of: dict[int, tuple[Expansions, dict[str, list[str]]]] = {}


def _lexicon_sounds(lexicon: Expansions) -> dict[str, list[str]]:
    """Sound key -> the lexicon's everyday words of two or more characters, per lexicon
    version (rebuilt when the lexicon changes)."""
    cached = _sounds_of.get(id(lexicon))
    if cached is None or cached[0] is not lexicon:
        sounds: dict[str, list[str]] = {}
        for term in lexicon.by_term:
            if 2 <= len(term) <= 6 and _CJK.match(term):
                sounds.setdefault(sound_key(term), []).append(term)
        _sounds_of.clear()
        cached = _sounds_of[id(lexicon)] = (lexicon, sounds)
    return cached[1]


# --- the index --------------------------------------------------------------------------------


class FieldIndex:
    """One field of every document: a blob for substring search and whole-word postings."""

    def __init__(self, name: str, values: list[str], words: list[list[str]] | None):
        self.starts: list[int] = []
        position = 0
        for value in values:
            self.starts.append(position)
            position += len(value) + 1
        self.blob = _SEP.join(values)
        lengths = [len(v) for v in values]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        b = FIELD_B[name]
        self.weight = FIELD_WEIGHT[name]
        self.norm = [1 - b + b * (n / average if average else 0) for n in lengths]
        self.postings: dict[str, dict[int, int]] = {}
        for doc, doc_words in enumerate(words or ()):
            for word in doc_words:
                bucket = self.postings.setdefault(word, {})
                bucket[doc] = bucket.get(doc, 0) + 1

    def occurrences(self, word: str) -> dict[int, int]:
        """Document -> number of occurrences of ``word``."""
        if len(word) < 2:
            return self.postings.get(word, {})
        counts: dict[int, int] = {}
        blob, starts = self.blob, self.starts
        at = blob.find(word)
        while at >= 0:
            doc = bisect_right(starts, at) - 1
            counts[doc] = counts.get(doc, 0) + 1
            at = blob.find(word, at + len(word))
        return counts


@dataclass
class Corpus:
    """Every document of one kind, analysed for ranking."""

    ids: list[int]
    keys: list[str]
    titles: list[str]
    urls: list[str]
    texts: list[str]
    public: list[bool]
    initials: list[str]
    full_pinyin: list[str]
    fields: dict[str, FieldIndex]
    vocabulary: dict[str, list[str]] = field(default_factory=dict)  # sound key -> words
    # Word statistics depend on the corpus only, and the same words (申请, 许可, 登记) come
    # back in query after query: kept until the corpus is rebuilt, at most WORD_CACHE words.
    word_stats: dict[str, _WordStats | None] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.ids)

    def idf(self, df: int) -> float:
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))


def short_field_words(title: str, aliases: str, keywords: str) -> str:
    """The tokens column: version, then each short field's words (tab-separated fields)."""
    return "\t".join(
        [TOKENS_VERSION, *(" ".join(segment(value)) for value in (title, aliases, keywords))]
    )


def _stored_words(tokens: str, title: str, aliases: str, keywords: str) -> list[list[str]]:
    parts = tokens.split("\t") if tokens else []
    if len(parts) != 4 or parts[0] != TOKENS_VERSION:  # indexed before this layout
        parts = short_field_words(title, aliases, keywords).split("\t")
    return [part.split() for part in parts[1:]]


def build_corpus(kind: str) -> Corpus:
    rows = (
        SearchDocument.objects.filter(kind=kind)
        .order_by("id")
        .values_list(
            "id",
            "key",
            "title",
            "aliases",
            "keywords",
            "text",
            "tokens",
            "url",
            "public",
            "initials",
            "full_pinyin",
        )
    )
    ids, keys, titles, urls, texts, public, initials, pinyin = [], [], [], [], [], [], [], []
    values: dict[str, list[str]] = {name: [] for name in FIELDS}
    words: dict[str, list[list[str]]] = {name: [] for name in SHORT_FIELDS}
    vocabulary: dict[str, set[str]] = {}
    for pk, key, title, aliases, keywords, text, tokens, url, is_public, ini, full in rows:
        ids.append(pk)
        keys.append(key)
        titles.append(title)
        urls.append(url)
        texts.append(text)
        public.append(is_public)
        initials.append(ini)
        pinyin.append(full)
        for name, value in zip(FIELDS, (title, aliases, keywords, text), strict=True):
            values[name].append(normalize(value))
        for name, doc_words in zip(
            SHORT_FIELDS, _stored_words(tokens, title, aliases, keywords), strict=True
        ):
            words[name].append(doc_words)
            for word in doc_words:
                if 2 <= len(word) <= 6 and _CJK.match(word):
                    vocabulary.setdefault(word, set())
    sounds: dict[str, list[str]] = {}
    for word in vocabulary:
        sounds.setdefault(sound_key(word), []).append(word)
    return Corpus(
        ids=ids,
        keys=keys,
        titles=titles,
        urls=urls,
        texts=texts,
        public=public,
        initials=initials,
        full_pinyin=pinyin,
        fields={name: FieldIndex(name, values[name], words.get(name)) for name in FIELDS},
        vocabulary=sounds,
    )


_corpora: dict[str, StampedMemo[Corpus]] = {}


def corpus(kind: str) -> Corpus:
    """The kind's corpus in this process, rebuilt when any process changed its documents."""
    memo = _corpora.get(kind)
    if memo is None:
        memo = _corpora.setdefault(
            kind, StampedMemo(SearchDocument.objects.filter(kind=kind), lambda: build_corpus(kind))
        )
    return memo.get()


def forget(kind: str) -> None:
    memo = _corpora.get(kind)
    if memo is not None:
        memo.forget()


def kinds_indexed() -> list[str]:
    return list(SearchDocument.objects.order_by().values_list("kind", flat=True).distinct())


# --- queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryTerm:
    """One thing the query asks for, and the words that count as finding it.

    ``alternatives``: word -> factor (1 for the word typed, less for lexicon and same-sound
    words). ``weight``: the term's share of the query (weak and single-character words less).
    """

    token: str
    weight: float
    alternatives: dict[str, float] = field(hash=False)
    typed: bool = True
    # An everyday word the lexicon knows: what administrators wrote down as a matter of the
    # catalogue (养狗, 打预防针), not a word that happens to occur in some title.
    recognised: bool = False


# 开个农家乐, 办一家公司: the measure word between the verb and the thing keeps the lexicon's
# 开农家乐 from matching, and carries no meaning.
_MEASURE_AFTER_VERB = re.compile(r"([开搞办做建弄])一?([个家间所座])")


def _drop_measure_word(match: re.Match[str]) -> str:
    """开个农家乐 -> 开农家乐; but the 个 of 个体户 and the 家 of 家庭农场 begin a word."""
    verb, measure = match.groups()
    following = match.string[match.end() : match.end() + 3]
    if any(is_word(measure + following[:n]) for n in (1, 2, 3) if len(following) >= n):
        return match.group()
    return verb


@dataclass(frozen=True)
class Query:
    """The analysed query: its terms in the order typed, and whether it asks for a service."""

    terms: list[QueryTerm]
    asks_service: bool
    # The normalised question, for cues the segmenter splits (忘了 -> 忘 + stopword 了).
    text: str = ""
    # Whether it asks about setting something up (SETUP_QUESTION).
    setup: bool = False

    def __bool__(self) -> bool:
        return bool(self.terms)


def _plain_terms(fragment: str) -> list[QueryTerm]:
    terms = []
    for word in query_words(fragment):
        token, subwords = word.word, word.subwords
        weight = WEAK_WEIGHT if is_weak(token) or word.context else 1.0
        if len(token) == 1 and weight == 1.0:
            weight = SINGLE_CHAR_WEIGHT
        elif token.isascii() and token.isalpha() and len(token) <= 3:
            weight = WEAK_WEIGHT  # and, or, ok: noise in a Chinese question
        alternatives = {token: 1.0}
        for sub in subwords:
            if not is_weak(sub):
                alternatives.setdefault(sub, SUBWORD_FACTOR)
        terms.append(QueryTerm(token, weight, alternatives))
    return terms


def analyze(query: str, lexicon: Expansions | None = None) -> Query:
    """The query's terms in the order typed: everyday words of the lexicon as one term each
    (with their official words), the rest segmented."""
    typed = normalize(query)
    text = _MEASURE_AFTER_VERB.sub(_drop_measure_word, typed)
    lexicon = lexicon if lexicon is not None else expansions()
    terms: list[QueryTerm] = []
    position = 0
    stop = word_lists().stopwords
    for start, end, everyday in lexicon.find(text):
        if everyday in stop:
            continue
        terms.extend(_plain_terms(text[position:start]))
        position = end
        official = [w for w in lexicon.by_term[everyday] if w not in stop]
        if not official:  # a dialect filler word (乜嘢 = 什么): nothing to search for
            continue
        alternatives = {everyday: 1.0}
        for word in official:
            alternatives.setdefault(word, LEXICON_FACTOR)
        terms.append(QueryTerm(everyday, 1.0, alternatives, recognised=True))
    terms.extend(_plain_terms(text[position:]))
    unique: dict[str, QueryTerm] = {}
    for term in terms:
        unique.setdefault(term.token, term)
    setup = bool(SETUP_QUESTION.search(typed))
    return Query(list(unique.values()), asks_for_service(text), text, setup)


# --- scoring ----------------------------------------------------------------------------------


@dataclass
class _WordStats:
    df: int
    idf: float
    # document -> saturated, weighted term frequency (BM25F), and whether in a short field
    scores: dict[int, float]
    short: set[int]


class Ranker:
    """Scores one query against one corpus."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self._words = corpus.word_stats
        if len(self._words) > WORD_CACHE:
            self._words.clear()

    def stats(self, word: str) -> _WordStats | None:
        if word in self._words:
            return self._words[word]
        per_field = {name: index.occurrences(word) for name, index in self.corpus.fields.items()}
        docs: set[int] = set()
        for counts in per_field.values():
            docs.update(counts)
        if not docs:
            self._words[word] = None
            return None
        weighted: dict[int, float] = {}
        for name, counts in per_field.items():
            index = self.corpus.fields[name]
            for doc, tf in counts.items():
                weighted[doc] = weighted.get(doc, 0.0) + index.weight * tf / index.norm[doc]
        short: set[int] = set()
        for name in SHORT_FIELDS:
            short.update(per_field[name])
        stats = _WordStats(
            df=len(docs),
            idf=self.corpus.idf(len(docs)),
            scores={doc: w * (K1 + 1) / (K1 + w) for doc, w in weighted.items()},
            short=short,
        )
        self._words[word] = stats
        return stats

    def with_sounds(self, term: QueryTerm) -> QueryTerm:
        """A typed term found nowhere gains the catalogue's words that sound the same: all
        of them for a non-word (执造 -> 执照), those starting with the same character for a
        word of the language (补交 -> 补缴, but not 晚上 -> 网上)."""
        if not term.typed or len(term.token) < 2 or self.stats(term.token) is not None:
            return term
        key = sound_key(term.token)
        lexicon = expansions()
        similar = [*self.corpus.vocabulary.get(key, []), *_lexicon_sounds(lexicon).get(key, [])]
        if is_word(term.token):
            similar = [word for word in similar if word[0] == term.token[0]]
        if not similar:
            return term
        alternatives = dict(term.alternatives)
        for word in similar:
            alternatives.setdefault(word, SOUND_FACTOR)
            # An everyday word of the lexicon brings its official words (公祖房 -> 公租房 ->
            # 公共租赁住房), as if it had been typed right.
            for official in lexicon.by_term.get(word, ()):
                alternatives.setdefault(official, SOUND_FACTOR * LEXICON_FACTOR)
        return QueryTerm(term.token, term.weight, alternatives, term.typed, term.recognised)

    def rank(self, query: Query, floor: bool = True) -> list[tuple[float, int]]:
        """(score, document) of every document above the relevance floor, best first
        (``floor=False``: every document matching anything, for suggestions)."""
        terms = self._merge_unknown_singles(self._reattach(query.terms))
        terms = [self.with_sounds(t) for t in terms]
        unknown_idf = self.corpus.idf(0) * UNKNOWN_SHARE
        min_coverage = MIN_COVERAGE_SERVICE if query.asks_service else MIN_COVERAGE
        specific_df = max(SPECIFIC_MIN_DF, SPECIFIC_SHARE * self.corpus.size)
        total_weight = 0.0
        scores: dict[int, float] = {}
        covered: dict[int, float] = {}
        anchored: set[int] = set()
        anchors: dict[int, int] = {}  # document -> how many terms anchor it
        on_matter: set[int] = set()  # documents matching a phrase that names the matter
        for term in terms:
            found = [(w, f, s) for w, f in term.alternatives.items() if (s := self.stats(w))]
            # A word only some guide text uses is context, not the matter asked about.
            term_idf = max((s.idf for _w, _f, s in found if s.short), default=0.0)
            # Capped: a word only one or two unrelated items happen to use (孩子) weighs no
            # more against a match than a word no item uses.
            importance = term.weight * min(term_idf or unknown_idf, unknown_idf)
            total_weight += importance
            best: dict[int, float] = {}
            share: dict[int, float] = {}  # how much of the term a document covers
            term_anchors: set[int] = set()
            for _word, factor, stats in found:
                # Coverage by information: a rare lexicon word covers the term, a common
                # sub-word of it (营业 of 营业性演出) only a little.
                part = min(1.0, stats.idf / term_idf) if term_idf else 1.0
                for doc, saturated in stats.scores.items():
                    best[doc] = max(best.get(doc, 0.0), factor * stats.idf * saturated)
                    share[doc] = max(share.get(doc, 0.0), part)
                if (term.weight >= 1.0 or len(terms) == 1) and stats.df <= specific_df:
                    anchored.update(stats.short)
                    term_anchors.update(stats.short)
            for doc in term_anchors:
                anchors[doc] = anchors.get(doc, 0) + (
                    RECOGNISED_ANCHOR
                    if term.recognised and len(term.token) >= RECOGNISED_MIN_LEN
                    else 1
                )
            scale = STAGE_TERM_FACTOR if self._names_stage_only(term) else 1.0
            for doc, value in best.items():
                scores[doc] = scores.get(doc, 0.0) + term.weight * value * scale
                covered[doc] = covered.get(doc, 0.0) + importance * share[doc]
            if found and self._names_matter(term):
                on_matter.update(best)
        if not scores or not total_weight:
            return []
        if floor:
            # Found in a short field, or every term found (in a long article's text).
            scores = {
                doc: score
                for doc, score in scores.items()
                if anchors.get(doc, 0) >= MULTI_ANCHOR
                or (
                    (coverage := covered[doc] / total_weight) >= min_coverage
                    and (doc in anchored or coverage >= FULL_COVERAGE)
                )
            }
            top = max(scores.values(), default=0.0)
            scores = {doc: score for doc, score in scores.items() if score >= RELATIVE_FLOOR * top}
        if on_matter:
            for doc in scores.keys() - on_matter:
                scores[doc] *= OFF_MATTER_FACTOR
        self._bonuses(terms, scores, query)
        results = list(zip(scores.values(), scores.keys(), strict=True))
        results.sort(key=lambda r: (-r[0], len(self.corpus.titles[r[1]]), r[1]))
        return results

    @staticmethod
    def _names_matter(term: QueryTerm) -> bool:
        """A recognised everyday phrase that stands for a matter (办退休 -> 正常退休), not
        only for a stage of any matter (丢了 -> 补办, 挂失)."""
        if not term.recognised:
            return False
        stage_words = word_lists().stage_words
        return any(w not in stage_words for w in term.alternatives if w != term.token)

    @staticmethod
    def _names_stage_only(term: QueryTerm) -> bool:
        """A term that only says which stage (补办, 丢了 -> 遗失 挂失 补领, 注销): it picks
        among a matter's items, it does not name the matter."""
        stage_words = word_lists().stage_words
        return all(
            w in stage_words for w in term.alternatives if not (term.recognised and w == term.token)
        )

    def _reattach(self, terms: list[QueryTerm]) -> list[QueryTerm]:
        """Mend a cut in the wrong place: 执业证要改 cut as 执业 证要 改 leaves 证要, a non-word
        found nowhere, whose first character completes the word before it (执业证, a word of
        the catalogue). The rest stays a term of its own (要, a single character)."""
        mended = list(terms)
        for i in range(1, len(mended)):
            term, previous = mended[i], mended[i - 1]
            token = term.token
            if (
                len(token) != 2
                or term.recognised
                or previous.recognised
                or self.stats(token) is not None
                or is_word(token)
            ):
                continue
            joined = previous.token + token[0]
            if self.stats(joined) is None:
                continue
            mended[i - 1] = QueryTerm(
                joined, max(previous.weight, 1.0), {joined: 1.0, **previous.alternatives}
            )
            mended[i] = QueryTerm(token[1], SINGLE_CHAR_WEIGHT, {token[1]: 1.0})
        return mended

    def _merge_unknown_singles(self, terms: list[QueryTerm]) -> list[QueryTerm]:
        """Adjacent single characters that are not words of the catalogue (执 造 from a typo
        of 执照), with any unknown word next to them (公祖 房 from 公租房), are tried together,
        as one term, so they can match by sound."""
        merged: list[QueryTerm] = []
        run: list[QueryTerm] = []

        def flush() -> None:
            if len(run) >= 2 and any(len(t.token) == 1 for t in run):
                # Weighing what its characters weighed: 找谁 stays as light as 找 and 谁.
                token = "".join(t.token for t in run)
                weight = min(1.0, sum(t.weight for t in run))
                merged.append(QueryTerm(token, weight, {token: 1.0}))
            else:
                merged.extend(run)
            run.clear()

        for term in terms:
            if (
                len(term.token) <= 3
                and term.typed
                and len(term.alternatives) == 1
                and self.stats(term.token) is None
            ):
                run.append(term)
                continue
            flush()
            merged.append(term)
        flush()
        return merged

    def _bonuses(self, terms: list[QueryTerm], scores: dict[int, float], query: Query) -> None:
        titles = self.corpus.fields["title"]
        text = query.text
        # What the question asks for: its words, and the lexicon's short official words
        # (丢了 -> 补办); not the names of whole items an everyday word stands for
        # (社保卡密码 -> 社会保障卡密码修改, 社会保障卡密码重置 asks for neither stage).
        asked = [
            word
            for term in terms
            for word in term.alternatives
            if word == term.token or len(word) <= STAGE_WORD_MAX
        ]
        for stage in word_lists().variants:
            if stage.asked_in(asked, text):
                continue
            later = {doc for word in stage.words for doc in titles.occurrences(word)}
            for doc in later & scores.keys():
                scores[doc] *= VARIANT_PENALTY
        typed = [t.token for t in terms if t.weight >= 1.0]
        for left, right in pairwise(typed):
            stats = self.stats(left + right)
            if stats is None:
                continue
            for doc in titles.occurrences(left + right):
                if doc in scores:
                    scores[doc] += PHRASE_BONUS * stats.idf
        compact = "".join(typed)
        if len(compact) >= 2:
            for doc in titles.occurrences(compact):
                if doc in scores and normalize(self.corpus.titles[doc]) == compact:
                    scores[doc] += TITLE_EQUALS_BONUS * self.corpus.idf(1)
        if PERMIT_QUESTION.search(text):
            keywords = self.corpus.fields["keywords"]
            for doc in keywords.occurrences(PERMIT_TYPE).keys() & scores.keys():
                scores[doc] *= PERMIT_FACTOR
        if query.setup:
            setting_up = set().union(*(titles.occurrences(word) for word in SETUP_WORDS))
            for doc in setting_up & scores.keys():
                scores[doc] *= SETUP_FACTOR


def rank(kind: str, query: Query, floor: bool = True) -> tuple[Corpus, list[tuple[float, int]]]:
    current = corpus(kind)
    return current, Ranker(current).rank(query, floor)


def pinyin_matches(kind: str, q: str) -> tuple[Corpus, list[tuple[float, int]]]:
    """Documents whose title or alias pinyin (initials or full) matches letters ``q``."""
    current = corpus(kind)
    found: list[tuple[float, int]] = []
    for doc in range(current.size):
        best = 0.0
        for column in (current.initials[doc], current.full_pinyin[doc]):
            for position, word in enumerate(column.split()):
                base = FIELD_WEIGHT["title"] if position == 0 else FIELD_WEIGHT["aliases"]
                if word == q:
                    value = base * 2
                elif word.startswith(q):
                    value = base * 1.5
                elif len(q) >= 3 and q in word:
                    value = base * 0.5
                else:
                    continue
                best = max(best, value)
        if best:
            found.append((best, doc))
    found.sort(key=lambda r: (-r[0], len(current.titles[r[1]]), current.ids[r[1]]))
    return current, found


def words_of(terms: Iterable[QueryTerm]) -> list[str]:
    return list(dict.fromkeys(word for term in terms for word in term.alternatives))
