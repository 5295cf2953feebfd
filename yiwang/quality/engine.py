"""Applying a resource's rules to its rows in one pass, and scoring the result.

Pure: rows come in as dicts (``{"_id": ..., column: value}``, values converted as the hub
reads them), reference keys through a callable, so tests can feed any rows. ``runs`` feeds
``hub.read.iterate`` and stores what comes out.

The pass is the hot loop of a quality run (a million rows must take well under a minute),
so the rules are compiled first into a plan per column: the not-empty rule's counter, then
the value checks (``checks``), each a plain function. Empty values are counted only by the
not-empty rule: the other rules check the values that are there. Every failure is counted;
only the first ``cap`` become issues (the caller masks and stores them).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from yiwang.datahub.choices import DataType
from yiwang.datahub.hub.values import HubColumn, convert

from . import checks
from .choices import DIMENSIONS, RuleKind, dimension_of

#: Rows between two progress reports.
PROGRESS_EVERY = 50_000


@dataclass(frozen=True)
class RuleSpec:
    """What the engine needs of a rule (a ``QualityRule`` or a test's stand-in)."""

    id: int | None
    kind: str
    column: str
    params: dict


@dataclass
class RuleResult:
    rule: int | None
    kind: str
    column: str
    dimension: str
    checked: int = 0
    failed: int = 0
    #: Why the rule could not be applied (e.g. its column is no longer in the data).
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "column": self.column,
            "dimension": self.dimension,
            "checked": self.checked,
            "failed": self.failed,
            "note": self.note,
        }


@dataclass(frozen=True)
class RawIssue:
    """A failure before masking: the row's raw key and value stay in memory only."""

    result: int  # index into ``Outcome.results``
    row_id: int | None
    key: Any
    column: str
    value: Any
    message: str


@dataclass
class Outcome:
    rows: int = 0
    results: list[RuleResult] = field(default_factory=list)
    issues: list[RawIssue] = field(default_factory=list)

    @property
    def issue_total(self) -> int:
        return sum(r.failed for r in self.results)


@dataclass
class _Column:
    name: str
    not_null: int | None = None  # index of the not-empty rule's result
    value_checks: list[tuple[int, checks.Check]] = field(default_factory=list)


@dataclass
class Plan:
    results: list[RuleResult]
    columns: list[_Column]
    key_column: str

    @property
    def read_columns(self) -> list[str]:
        """The columns a pass must read: the checked ones and the key (to name rows)."""
        names = [c.name for c in self.columns]
        return names if self.key_column in names else [self.key_column, *names]


def _compile(
    spec: RuleSpec,
    column: HubColumn,
    key_column: str,
    reference_keys: Callable[[str], Collection[str]],
) -> checks.Check:
    kind, params = spec.kind, spec.params
    if kind == RuleKind.UNIQUE:
        # The hub table's key is unique by construction: no need to remember a million keys.
        return checks.always_passes if column.column == key_column else checks.unique_check()
    if kind == RuleKind.REGEX:
        return checks.regex_check(params["pattern"])
    if kind == RuleKind.RANGE:
        low, high = params.get("min"), params.get("max")
        return checks.range_check(
            None if low is None else convert(low, column),
            None if high is None else convert(high, column),
        )
    if kind == RuleKind.ENUM:
        return checks.enum_check(params["values"], text_column=column.data_type == DataType.STRING)
    if kind == RuleKind.REFERENCE:
        code = params["resource"]
        return checks.reference_check(lambda: reference_keys(code), code)
    if kind == RuleKind.ID_NUMBER:
        return checks.id_number_check()
    if kind == RuleKind.USCC:
        return checks.uscc_check()
    raise ValueError(f"no value check for rule kind {kind!r}")


def build_plan(
    specs: Iterable[RuleSpec],
    columns: dict[str, HubColumn],
    key_column: str,
    reference_keys: Callable[[str], Collection[str]],
) -> Plan:
    """The plan of the row rules in ``specs`` (resource-level rules are left to the caller).

    ``columns``: the hub table's columns by name; a rule whose column is not among them is
    kept in the results, unchecked, with a note.
    """
    results: list[RuleResult] = []
    by_column: dict[str, _Column] = {}
    for spec in specs:
        if spec.kind == RuleKind.FRESHNESS:
            continue
        result = RuleResult(spec.id, spec.kind, spec.column, dimension_of(spec.kind))
        results.append(result)
        index = len(results) - 1
        column = columns.get(spec.column)
        if column is None:
            result.note = _("The data no longer has this column.")
            continue
        plan = by_column.setdefault(spec.column, _Column(spec.column))
        if spec.kind == RuleKind.NOT_NULL:
            plan.not_null = index
        else:
            plan.value_checks.append((index, _compile(spec, column, key_column, reference_keys)))
    return Plan(results, list(by_column.values()), key_column)


def apply(
    plan: Plan,
    rows: Iterable[dict],
    *,
    cap: int,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Check every row of ``rows`` once against the plan."""
    results = plan.results
    checked = [0] * len(results)
    failed = [0] * len(results)
    issues: list[RawIssue] = []
    key_column = plan.key_column
    columns = [(c.name, c.not_null, tuple(c.value_checks)) for c in plan.columns]
    not_null_rules = [c.not_null for c in plan.columns if c.not_null is not None]
    empty = _("Empty.")
    n = 0
    for row in rows:
        n += 1
        for name, not_null, value_checks in columns:
            value = row[name]
            if value is None:
                if not_null is not None:
                    failed[not_null] += 1
                    if len(issues) < cap:
                        issues.append(
                            RawIssue(not_null, row["_id"], row[key_column], name, None, empty)
                        )
                continue
            for index, check in value_checks:
                checked[index] += 1
                message = check(value)
                if message is not None:
                    failed[index] += 1
                    if len(issues) < cap:
                        issues.append(
                            RawIssue(index, row["_id"], row[key_column], name, value, message)
                        )
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    for index in not_null_rules:
        checked[index] = n
    for index, result in enumerate(results):
        result.checked, result.failed = checked[index], failed[index]
    return Outcome(rows=n, results=list(results), issues=issues)


def score_dimensions(results: Iterable[RuleResult]) -> tuple[dict[str, float], float | None]:
    """Per dimension the share of passing checks (0–100, two decimals), for the dimensions
    with at least one check; and the overall score, the mean of those (None: none)."""
    checked: dict[str, int] = {}
    passed: dict[str, int] = {}
    for result in results:
        if not result.checked:
            continue
        checked[result.dimension] = checked.get(result.dimension, 0) + result.checked
        passed[result.dimension] = passed.get(result.dimension, 0) + result.checked - result.failed
    scores = {
        dim: round(100 * passed[dim] / checked[dim], 2) for dim in DIMENSIONS if checked.get(dim)
    }
    overall = round(sum(scores.values()) / len(scores), 2) if scores else None
    return scores, overall
