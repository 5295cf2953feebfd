"""Sensitive-field detection from the data: sample each column's values, ask
``datahub.detection`` what the item should be, and compare with its published grade.

Up to ``detection.MAX_SAMPLES`` non-empty values per column are read with ``hub.read.page``
(at most ``MAX_ROWS`` rows, so a sparse column does not make it read the whole table). The
values stay in memory: the page shows only the suggestion and its reason. 就高从严: a
suggestion stricter than the published grade or mask is a difference to act on; a looser one
is shown but the stricter published setting stands.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.datahub import detection
from yiwang.datahub.choices import MASK_ORDER, Grade, Mask, grade_rank
from yiwang.datahub.hub import read
from yiwang.datahub.hub.values import as_text
from yiwang.datahub.models import Resource

from .params import published_items

#: Rows read at most, in pages of ``PAGE``.
MAX_ROWS = 2000
PAGE = 200


@dataclass(frozen=True)
class Finding:
    column: str
    name: str
    samples: int
    grade: str
    mask: str
    personal: bool
    suggested_grade: str
    suggested_mask: str
    suggested_personal: bool
    reason: str

    @property
    def recognised(self) -> bool:
        """Whether a kind of sensitive value was recognised. Without one, detection
        suggests internal data (二级) by default: a published grade below that was the
        provider's own decision, not a difference the data show."""
        return (
            self.suggested_mask != Mask.NONE
            or self.suggested_personal
            or self.suggested_grade != Grade.G2
        )

    @property
    def raise_grade(self) -> bool:
        return self.recognised and _rank(self.suggested_grade) > _rank(self.grade)

    @property
    def lower_grade(self) -> bool:
        return _rank(self.suggested_grade) < _rank(self.grade)

    @property
    def stricter_mask(self) -> bool:
        return _mask_rank(self.suggested_mask) > _mask_rank(self.mask)

    @property
    def mark_personal(self) -> bool:
        return self.suggested_personal and not self.personal

    @property
    def differs(self) -> bool:
        """Whether the data call for a stricter setting than the published one."""
        return self.raise_grade or self.stricter_mask or self.mark_personal


def _rank(grade: str) -> int:
    return grade_rank(grade) if grade in Grade.values else -1


def _mask_rank(mask: str) -> int:
    return MASK_ORDER.index(Mask(mask)) if mask in Mask.values else 0


def sample(resource: Resource, columns: list[str]) -> dict[str, list[str]]:
    """Up to ``detection.MAX_SAMPLES`` non-empty values (as text) of each column."""
    wanted = detection.MAX_SAMPLES
    samples: dict[str, list[str]] = {c: [] for c in columns}
    if not columns:
        return samples
    after: int | None = None
    read_rows = 0
    while read_rows < MAX_ROWS:
        rows, after = read.page(resource, columns=columns, after=after, limit=PAGE)
        read_rows += len(rows)
        for row in rows:
            for column in columns:
                value = row[column]
                if value is not None and len(samples[column]) < wanted:
                    samples[column].append(as_text(value))
        if after is None or all(len(v) >= wanted for v in samples.values()):
            break
    return samples


def detect(resource: Resource) -> list[Finding]:
    """A finding per published item the hub table holds, in the items' order."""
    items = published_items(resource)
    table = read.table_of(resource)
    held = {c["column"] for c in table.columns} if table is not None else set()
    columns = [c for c in items if c in held]
    samples = sample(resource, columns) if table is not None and table.row_count else {}
    findings = []
    for column, item in items.items():
        values = samples.get(column, [])
        suggestion = detection.suggest(column, item["name"], values)
        findings.append(
            Finding(
                column=column,
                name=item["name"],
                samples=len(values),
                grade=item["grade"],
                mask=item.get("mask") or Mask.NONE,
                personal=bool(item.get("personal")),
                suggested_grade=suggestion.grade,
                suggested_mask=suggestion.mask,
                suggested_personal=suggestion.personal,
                reason=suggestion.reason,
            )
        )
    return findings
