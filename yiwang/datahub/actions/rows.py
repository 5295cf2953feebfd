"""Loading rows given as Python values into a resource's hub table (``load_rows``).

For code that already holds the rows — the demo's base registries and open datasets, a
system feeding a small table — rather than a file to import (that is ingestion's, with its
report per row). The values are read as the published items' types (``hub.values.convert``)
and written by key (``hub.store.write_rows``); one unreadable value or a repeated key refuses
the whole call with the row, item and reason, so nothing is half-loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.audit.actions import record

from ..hub import schema, store
from ..hub.store import WriteResult
from ..hub.values import BadValue, as_text, convert
from ..models import Resource
from ._common import require_provider_admin

#: Problems listed in one refusal (the rest are counted): enough to fix a batch.
MAX_PROBLEMS = 20


@transaction.atomic
def load_rows(*, actor, resource: Resource, rows: Iterable[Mapping[str, Any]]) -> WriteResult:
    """Upsert ``rows`` (values by item column) into ``resource``'s hub table.

    The provider's data administrator or the data authority; the resource must be published.
    A column the published items do not have, a value that is not its item's type, a row
    without its key and a key given twice are refused (``ValidationError`` on ``rows``, each
    problem naming the row and the item). Audited as ``datahub.load_rows`` with the counts
    when something changed (never the values).
    """
    require_provider_admin(actor, resource)
    try:
        table = schema.ensure_table(resource)
    except schema.SchemaConflict as exc:
        raise ValidationError({"resource": [str(exc)]}, code="schema_conflict") from exc
    columns = schema.table_columns(table)
    key_column = next(c for c in columns if c.column == table.key_column)
    known = {c.column for c in columns}
    problems: list[str] = []
    converted: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        unknown = sorted(set(raw) - known)
        if unknown:
            problems.append(
                _("Row %(row)d: the resource has no data item “%(column)s”.")
                % {"row": number, "column": unknown[0]}
            )
            continue
        row: dict[str, Any] = {}
        for column in columns:
            try:
                row[column.column] = convert(raw.get(column.column), column)
            except BadValue as exc:
                problems.append(
                    _("Row %(row)d, %(item)s (%(column)s): %(reason)s")
                    % {"row": number, "item": column.name, "column": column.column, "reason": exc}
                )
        if key_column.column not in row:
            continue  # its key could not be read: reported above
        key = row[key_column.column]
        if key is None:
            problems.append(
                _("Row %(row)d has no %(item)s, the key.")
                % {"row": number, "item": key_column.name}
            )
            continue
        text = as_text(key)
        if text in seen:
            problems.append(
                _("Row %(row)d repeats the key of row %(first)d.")
                % {"row": number, "first": seen[text]}
            )
            continue
        seen[text] = number
        converted.append(row)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… and %(n)d more problems.") % {"n": len(problems) - MAX_PROBLEMS})
        raise ValidationError({"rows": shown}, code="bad_rows")
    result = store.write_rows(table, columns, converted)
    if result.created or result.updated:
        record(
            actor=actor,
            action="datahub.load_rows",
            obj=resource,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    return result
