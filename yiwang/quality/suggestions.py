"""Rules a resource should probably have, from its published data items.

- the key item: not empty and unique (rows are upserted by it);
- an item that holds resident ID numbers (by column, label or mask, as ``datahub.detection``
  recognises them): the ID check; one that holds USCCs: the USCC check;
- the resource: freshness against its update cycle.

Rules the resource already has are not suggested again. Each suggestion has a ``key``
(``kind:column``) so a page can accept some or all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from yiwang.datahub.choices import DataType, Mask
from yiwang.datahub.models import Resource

from .choices import RuleKind
from .params import published_items

_ID_LABELS = ("身份证", "公民身份号码")
_ID_COLUMNS = ("id_number", "id_no", "idcard", "sfzh")
_USCC_LABELS = ("统一社会信用代码",)
_USCC_COLUMNS = ("uscc", "credit_code", "tyshxydm")


@dataclass(frozen=True)
class Suggestion:
    kind: str
    column: str
    reason: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.column}"


def _holds(item: dict, labels: Iterable[str], columns: Iterable[str], mask: str) -> bool:
    column = item["column"]
    return (
        item.get("mask") == mask
        or any(word in item["name"] for word in labels)
        or any(column == c or column.endswith(f"_{c}") for c in columns)
    )


def suggest(resource: Resource, existing: Iterable[tuple[str, str]] = ()) -> list[Suggestion]:
    """The suggested rules of ``resource`` not in ``existing`` (``(kind, column)`` pairs)."""
    have = set(existing)
    items = published_items(resource)
    if not items:
        return []
    version = resource.current_version
    key = version.snapshot.get("key_item") if version is not None else None
    found: list[Suggestion] = []
    if key in items:
        name = items[key]["name"]
        found.append(
            Suggestion(
                RuleKind.NOT_NULL,
                key,
                _("“%(name)s” is the key: every row needs it.") % {"name": name},
            )
        )
        found.append(
            Suggestion(
                RuleKind.UNIQUE,
                key,
                _("“%(name)s” is the key: no two rows may share it.") % {"name": name},
            )
        )
    for column, item in items.items():
        if item["data_type"] != DataType.STRING:
            continue
        if _holds(item, _ID_LABELS, _ID_COLUMNS, Mask.ID_NUMBER):
            found.append(
                Suggestion(
                    RuleKind.ID_NUMBER,
                    column,
                    _("“%(name)s” holds resident ID numbers.") % {"name": item["name"]},
                )
            )
        elif _holds(item, _USCC_LABELS, _USCC_COLUMNS, Mask.USCC):
            found.append(
                Suggestion(
                    RuleKind.USCC,
                    column,
                    _("“%(name)s” holds unified social credit codes.") % {"name": item["name"]},
                )
            )
    found.append(
        Suggestion(
            RuleKind.FRESHNESS,
            "",
            _("The resource promises an update cycle: check that data arrives on time."),
        )
    )
    return [s for s in found if (s.kind, s.column) not in have]
