"""Adding an everyday phrase to an item's aliases (re-exported by ``catalog.actions``).

The search report shows what citizens typed and did not find; a catalogue administrator
adds such a query to the item it should have found. Aliases are part of the guide as
published (its revision snapshot), so like any edit of a published item the alias takes
effect at once and flags the item as changed since publication (the publication rule of
``catalog.actions``).
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from yiwang.audit.actions import record

from . import indexing
from .models import ItemStatus, ServiceItem
from .permissions import can_manage_item
from .validation.items import TEXT_LIMITS

__all__ = ["MAX_ALIAS_CHARS", "add_alias", "alias_list"]

#: The longest alias ``add_alias`` takes (the longest search query that is recorded).
MAX_ALIAS_CHARS = 30
#: What the item form allows for all aliases together.
ALIASES_MAX_CHARS = TEXT_LIMITS["aliases"]
_SEPARATORS = re.compile(r"[,，、;；\n]")


def alias_list(aliases: str) -> list[str]:
    """The item's aliases as a list (stored comma-separated)."""
    return [a.strip() for a in _SEPARATORS.split(aliases or "") if a.strip()]


def _error(message: str, code: str) -> ValidationError:
    return ValidationError({"alias": [ValidationError(message, code=code)]})


def _clean(alias: str) -> str:
    alias = " ".join((alias or "").split())
    if not alias:
        raise _error(gettext("Enter the alias to add."), "required")
    if len(alias) > MAX_ALIAS_CHARS or " " in alias or _SEPARATORS.search(alias):
        raise _error(
            gettext(
                "An alias is one phrase of at most %(n)d characters, without spaces, commas or 、."
            )
            % {"n": MAX_ALIAS_CHARS},
            "invalid",
        )
    return alias


@transaction.atomic
def add_alias(*, actor, item: ServiceItem, alias: str) -> ServiceItem:
    """Add ``alias`` to the item's aliases; the search finds the item by it once committed."""
    alias = _clean(alias)
    current = (
        ServiceItem.objects.select_for_update(of=("self",))
        .select_related("department", "region")
        .get(pk=item.pk)
    )
    existing = alias_list(current.aliases)
    if alias.casefold() in {a.casefold() for a in [current.name, *existing]}:
        raise _error(
            gettext("“%(alias)s” is already the name or an alias of “%(name)s”.")
            % {"alias": alias, "name": current.name},
            "duplicate",
        )
    aliases = ",".join([*existing, alias])
    if len(aliases) > ALIASES_MAX_CHARS:
        raise _error(
            gettext(
                "“%(name)s” has too many aliases to add another (at most %(n)d characters in "
                "all); remove some in the item's form first."
            )
            % {"name": current.name, "n": ALIASES_MAX_CHARS},
            "too_long",
        )
    if not can_manage_item(actor, current):
        raise PermissionDenied(
            gettext(
                "You may not change “%(name)s”: only the administrator of %(department)s or the "
                "data authority can."
            )
            % {"name": current.name, "department": current.department.name}
        )
    before = current.aliases
    fields = ["aliases", "updated_at"]
    current.aliases = aliases
    if current.status == ItemStatus.PUBLISHED:
        current.changed_since_publish = True
        fields.append("changed_since_publish")
        item_id = current.pk
        transaction.on_commit(lambda: indexing.index_item(item_id))
    current.save(update_fields=fields)
    record(
        actor=actor,
        action="catalog.add_alias",
        obj=current,
        before={"aliases": before},
        after={"aliases": aliases},
    )
    item.aliases, item.changed_since_publish = current.aliases, current.changed_since_publish
    return item
