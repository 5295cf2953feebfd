"""Check the everyday-to-official lexicon (yiwang/search/data/lexicon.txt).

Run as ``.venv/bin/python tools/check_lexicon.py [--strict] [--tokens] [FILE]``.

The file is parsed with the rules of the search lexicon: ``#`` starts a comment,
``a b => c d`` is a one-way line (each everyday word on the left expands to the official
words on the right), a line without ``=>`` is a group of interchangeable words, and a
``# --- name ---`` comment starts a section. Reported:

- errors (exit status 1): malformed lines (more than one ``=>``, an empty side, a group of
  fewer than two words, a word with ``=``/``>``/separator punctuation in it, a word or an
  official side too long for the database columns, more than 12 official words);
- warnings: an everyday word listed twice in one section (or, separately, in two
  sections); an everyday word mapped to itself, or contained in each of its official words
  (search matches words as substrings, so the expansion adds nothing); an official word
  that occurs in no item name of the sample corpora (the demo's items and the real
  district catalogue in ``tests/data/real-catalogue/`` or ``../shared/data/real-catalogue/``
  when present); an everyday word that is itself common in item names; a line whose
  official words are all very common (expanding to them alone makes ranking worse).

``--strict`` makes warnings fail as well. ``--tokens`` also lists official words that the
search segmenter never produces as a token of an item name (only substring matches).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEXICON = ROOT / "yiwang" / "search" / "data" / "lexicon.txt"
DEMO_ITEMS = ROOT / "yiwang" / "demo" / "data" / "items.json"
# The real district catalogue: the repository's test copy, else the shared data folder.
REAL_ITEMS = [
    base / "real-catalogue" / "guangan-511602-items.tsv"
    for base in (ROOT / "tests" / "data", ROOT.parent / "shared" / "data")
]

# Column sizes of yiwang.search.models.LexiconEntry and the limit of yiwang.search.lexicon.
MAX_TERM = 30
MAX_OFFICIAL = 300
MAX_OFFICIAL_WORDS = 12
# An everyday word found in this many item names is an official word already.
COMMON_TERM_NAMES = 15
# An official word found in more than this share of item names says little alone.
COMMON_OFFICIAL_SHARE = 0.04

SECTION = re.compile(r"^#\s*-{2,}\s*(.+?)\s*-*\s*$")
BAD_CHARS = re.compile(r"[=>,，、;；:：/|()（）\"'“”]")


def _search_normalize():
    """The search's own normalisation (simplified characters, numerals as digits) when the
    project can be imported; NFKC and lower case otherwise."""
    sys.path.insert(0, str(ROOT))
    try:
        from yiwang.search.text import normalize as search_normalize
    except ImportError:
        return None
    return search_normalize


_NORMALIZE = _search_normalize()


def normalize(text: str) -> str:
    if _NORMALIZE is not None:
        return _NORMALIZE(text)
    return unicodedata.normalize("NFKC", text or "").lower()


@dataclass
class Line:
    number: int
    section: str
    everyday: list[str]
    official: list[str] = field(default_factory=list)
    group: bool = False

    def expansions(self) -> dict[str, list[str]]:
        """Each everyday word and what it expands to."""
        if self.group:
            return {w: [o for o in self.everyday if o != w] for w in self.everyday}
        return {w: list(self.official) for w in self.everyday}


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse(text: str, report: Report) -> list[Line]:
    lines: list[Line] = []
    section = "(no section)"
    for number, raw in enumerate(text.splitlines(), start=1):
        header = SECTION.match(raw.strip())
        if header:
            section = header.group(1)
            continue
        content = raw.split("#", 1)[0].strip()
        if not content:
            continue
        where = f"line {number}"
        if content.count("=>") > 1:
            report.errors.append(f"{where}: more than one '=>': {content}")
            continue
        if "=>" in content:
            left, right = (side.split() for side in content.split("=>"))
            if not left or not right:
                report.errors.append(f"{where}: empty side of '=>': {content}")
                continue
            entry = Line(
                number, section, [normalize(w) for w in left], [normalize(w) for w in right]
            )
        else:
            words = [normalize(w) for w in content.split()]
            if len(words) < 2:
                report.errors.append(f"{where}: a group needs at least two words: {content}")
                continue
            entry = Line(number, section, words, group=True)
        bad = [w for w in entry.everyday + entry.official if BAD_CHARS.search(w)]
        if bad:
            report.errors.append(
                f"{where}: word with a stray '=', '>' or separator: {' '.join(bad)}"
            )
            continue
        long_words = [w for w in entry.everyday if len(w) > MAX_TERM]
        if long_words:
            report.errors.append(
                f"{where}: everyday word longer than {MAX_TERM}: {' '.join(long_words)}"
            )
            continue
        if any(len(" ".join(targets)) > MAX_OFFICIAL for targets in entry.expansions().values()):
            report.errors.append(f"{where}: official words longer than {MAX_OFFICIAL} characters")
            continue
        if any(len(targets) > MAX_OFFICIAL_WORDS for targets in entry.expansions().values()):
            report.errors.append(f"{where}: more than {MAX_OFFICIAL_WORDS} official words")
            continue
        lines.append(entry)
    return lines


def item_names() -> tuple[list[str], list[str]]:
    """Names of the sample corpora and the corpora that were found."""
    names: list[str] = []
    found: list[str] = []
    if DEMO_ITEMS.exists():
        data = json.loads(DEMO_ITEMS.read_text(encoding="utf-8"))
        items = data.get("items", []) if isinstance(data, dict) else data
        names += [normalize(item["name"]) for item in items]
        found.append(str(DEMO_ITEMS.relative_to(ROOT)))
    real = next((path for path in REAL_ITEMS if path.exists()), None)
    if real is not None:
        with real.open(encoding="utf-8", newline="") as f:
            names += [normalize(row["name"]) for row in csv.DictReader(f, delimiter="\t")]
        found.append(str(real.relative_to(ROOT) if real.is_relative_to(ROOT) else real))
    return names, found


def check(lines: list[Line], names: list[str], report: Report, tokens: bool) -> None:
    seen_in_section: dict[tuple[str, str], int] = {}
    sections_of: dict[str, list[str]] = defaultdict(list)
    for entry in lines:
        for word, targets in entry.expansions().items():
            key = (entry.section, word)
            if key in seen_in_section:
                report.warnings.append(
                    f"line {entry.number}: '{word}' already listed on line "
                    f"{seen_in_section[key]} of section {entry.section}"
                )
            else:
                seen_in_section[key] = entry.number
                if entry.section not in sections_of[word]:
                    sections_of[word].append(entry.section)
            if not entry.group and word in targets:
                report.warnings.append(f"line {entry.number}: '{word}' is mapped to itself")
            elif not entry.group and all(word in target for target in targets):
                # Words match as substrings: the typed word already finds every target.
                report.warnings.append(
                    f"line {entry.number}: expanding '{word}' adds nothing (in every official word)"
                )
    for word, sections in sections_of.items():
        if len(sections) > 1:
            report.warnings.append(f"'{word}' is listed in several sections: {', '.join(sections)}")
    if not names:
        return
    limit = max(3, int(len(names) * COMMON_OFFICIAL_SHARE))
    counts: dict[str, int] = {}

    def names_with(word: str) -> int:
        if word not in counts:
            counts[word] = sum(1 for name in names if word in name)
        return counts[word]

    missing: Counter[str] = Counter()
    for entry in lines:
        if entry.group:
            continue
        for word in entry.official:
            if not names_with(word):
                missing[word] += 1
        for word in entry.everyday:
            if names_with(word) >= COMMON_TERM_NAMES:
                report.warnings.append(
                    f"line {entry.number}: everyday word '{word}' is in {names_with(word)} item names"
                )
        if all(names_with(word) > limit for word in entry.official):
            report.warnings.append(
                f"line {entry.number}: every official word is common (> {limit} names): "
                f"{' '.join(entry.official)}"
            )
    for word, uses in sorted(missing.items()):
        report.warnings.append(
            f"official word '{word}' is in no item name (used on {uses} line(s))"
        )
    if tokens:
        from yiwang.search.text import segment

        produced = {tok for name in names for tok in segment(name)}
        loose = sorted(
            {
                w
                for e in lines
                if not e.group
                for w in e.official
                if names_with(w) and w not in produced
            }
        )
        for word in loose:
            report.warnings.append(f"official word '{word}' matches item names only as a substring")


def summary(lines: list[Line]) -> list[str]:
    per_section: dict[str, set[str]] = defaultdict(set)
    for entry in lines:
        per_section[entry.section].update(entry.everyday)
    out = [f"{len(words):4d}  {section}" for section, words in per_section.items()]
    everyday = {w for e in lines for w in e.everyday}
    out.append(f"{len(everyday):4d}  everyday words in all ({len(lines)} lines)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=LEXICON)
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--tokens", action="store_true", help="check segmentation of official words"
    )
    parser.add_argument("--quiet", action="store_true", help="no per-section summary")
    args = parser.parse_args(argv)
    report = Report()
    lines = parse(args.file.read_text(encoding="utf-8"), report)
    names, corpora = item_names()
    check(lines, names, report, args.tokens)
    if not args.quiet:
        print("\n".join(summary(lines)))
        print(f"item names checked: {len(names)} from {', '.join(corpora) or 'no corpus found'}")
    for message in report.warnings:
        print(f"warning: {message}")
    for message in report.errors:
        print(f"error: {message}")
    print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    return 1 if report.errors or (args.strict and report.warnings) else 0


if __name__ == "__main__":
    sys.exit(main())
