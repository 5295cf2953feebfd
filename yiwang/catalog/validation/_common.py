"""The state of one item check, shared by the steps of ``clean_item_fields``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..models import ServiceItem


class ItemCheck:
    """The fields being checked (``data``, cleaned in place), the item they change (None: a
    new item) and the messages found so far, keyed by field."""

    def __init__(self, fields: dict[str, Any], instance: ServiceItem | None) -> None:
        self.data: dict[str, Any] = dict(fields)
        self.instance = instance
        self.errors: defaultdict[str, list[str]] = defaultdict(list)

    @property
    def creating(self) -> bool:
        return self.instance is None

    def final(self, field: str) -> Any:
        """The value the item will have: the given one, else the item's current one."""
        if field in self.data:
            return self.data[field]
        return getattr(self.instance, field) if self.instance is not None else None

    def add(self, field: str, message: Any) -> None:
        self.errors[field].append(str(message))
