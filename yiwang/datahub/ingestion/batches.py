"""The rows of a file, taken a chunk at a time, converted column by column and checked.

A chunk's cells are converted a column at a time with the converters of ``mapping``. A row
with a bad value, an empty key or a key an earlier row of the file already had is reported
(``report.Problems``) and left out; the others' values are given column by column, as
``hub.store.write_chunks`` takes them. Chunks are made as the writer takes them, so the
database writes one chunk while the next is read and converted. Only the keys of the file
are held from chunk to chunk (to find duplicates), never its converted rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from operator import itemgetter
from typing import Any

from django.utils.translation import gettext as _

from ..hub.values import BadValue, HubColumn, texts_of
from .mapping import Mapping
from .readers import Table
from .report import Problems

Problem = tuple[HubColumn, Any, str]  # the column, the cell as read, the reason


class ConvertedRows:
    """The rows of ``table``, taken a chunk at a time, converted and checked."""

    def __init__(self, table: Table, mapping: Mapping, problems: Problems):
        self.check = _Check(mapping, problems)
        self.width = max(mapping.positions) + 1
        self.source = iter(table.rows)
        #: Rows of data read so far (empty rows are not counted).
        self.read = 0
        #: True once the last row has been read.
        self.done = False

    def take(self, count: int, chunk: int) -> Iterator[list[list[Any]]]:
        """The next ``count`` rows of the file at most, ``chunk`` at a time: the values of
        the rows to write, column by column. A chunk whose rows all failed is left out."""
        while count > 0 and not self.done:
            wanted = min(chunk, count)
            taken = list(islice(self.source, wanted))
            count -= len(taken)
            if len(taken) < wanted:
                self.done = True
            numbers, rows = self._filled(taken)
            self.read += len(rows)
            if rows:
                data = self.check.converted(numbers, rows)
                if data[0]:
                    yield data

    def _filled(self, taken: list[tuple[int, list[Any]]]) -> tuple[list[int], list[list[Any]]]:
        """The numbers and cells of the rows that are not empty, each at least as long as the
        mapping needs."""
        if not taken:
            return [], []
        numbers, rows = (list(part) for part in zip(*taken, strict=True))
        if not all(map(any, rows)):
            kept = [i for i, cells in enumerate(rows) if any(cells)]
            numbers, rows = [numbers[i] for i in kept], [rows[i] for i in kept]
        width = self.width
        if rows and min(map(len, rows)) < width:
            rows = [[*cells, *([None] * (width - len(cells)))] for cells in rows]
        return numbers, rows


class _Check:
    """Converts the rows of a batch column by column and reports the rows it cannot write.
    Holds the keys of the file seen so far."""

    def __init__(self, mapping: Mapping, problems: Problems):
        self.mapping = mapping
        self.problems = problems
        key_column = mapping.columns[mapping.key_index]
        self.key_column = key_column
        self.key_position = mapping.positions[mapping.key_index]
        self.fold = key_column.encrypted  # blind indexes ignore case: so must this check
        self.empty_key = _("The key item “%(name)s” is empty: the row was not written.") % {
            "name": key_column.name
        }
        self.duplicate = _("Same key as row %(row)d: the row was not written.")
        self.seen: dict[str, int] = {}

    def converted(self, numbers: list[int], rows: list[list[Any]]) -> list[list[Any]]:
        mapping = self.mapping
        bad: dict[int, list[Problem]] = {}
        data: list[list[Any]] = []
        for position, convert_column, convert, column in zip(
            mapping.positions,
            mapping.column_converters,
            mapping.converters,
            mapping.columns,
            strict=True,
        ):
            cells = list(map(itemgetter(position), rows))
            values = convert_column(cells)
            if values is None:
                values = []
                for index, cell in enumerate(cells):
                    try:
                        values.append(convert(cell))
                    except BadValue as exc:
                        bad.setdefault(index, []).append((column, cell, str(exc)))
                        values.append(None)
            data.append(values)
        self._check_keys(numbers, rows, data[mapping.key_index], bad)
        if not bad:
            return data
        for index in sorted(bad):
            self._report(numbers[index], rows[index], bad[index])
        kept = [index for index in range(len(rows)) if index not in bad]
        return [[values[index] for index in kept] for values in data]

    def _check_keys(
        self,
        numbers: list[int],
        rows: list[list[Any]],
        keys: list[Any],
        bad: dict[int, list[Problem]],
    ) -> None:
        """Mark rows with an empty key or a key seen before; remember the others' keys.
        A row already bad is left out: its key may come again in a good row."""
        seen = self.seen
        if not bad and None not in keys:
            texts = texts_of(keys)
            if self.fold:
                texts = list(map(str.upper, texts))
            if len(set(texts)) == len(texts) and seen.keys().isdisjoint(texts):
                seen.update(zip(texts, numbers, strict=True))
                return
        for index, key in enumerate(keys):
            if index in bad:
                continue
            if key is None:
                bad[index] = [(self.key_column, None, self.empty_key)]
                continue
            text = texts_of([key])[0]
            if self.fold:
                text = text.upper()
            first = seen.get(text)
            if first is None:
                seen[text] = numbers[index]
            else:
                cell = rows[index][self.key_position]
                bad[index] = [(self.key_column, cell, self.duplicate % {"row": first})]

    def _report(self, number: int, cells: list[Any], bad: list[Problem]) -> None:
        problems = self.problems
        reasons = []
        for column, value, message in bad:
            entry = problems.add(number, column, value, message)
            reasons.append(f"{column.name}: {entry['message']}")
        problems.failed_row(number, cells, reasons)
