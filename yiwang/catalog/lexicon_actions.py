"""The search lexicon's audited changes, for the catalogue authority.

The lexicon (everyday word → official words: 狗 → 犬 犬类) lives in the search kernel
(``yiwang.search.lexicon``), which sits below the audit log and cannot record who changed
what. These actions check that the actor is the catalogue authority, call the lexicon's
writing functions and append the audit entry in the same transaction. A change takes effect
on the next search (the lexicon module tells every process to rebuild its copy).

- Shipped entries (``data/lexicon.txt``) can be changed and switched off, never deleted:
  the next upgrade would only bring them back.
- Entries an administrator added can also be deleted.
- Dialect glossary entries are kept in step by the knowledge base (its glossary page) and
  are read-only here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from yiwang.audit.actions import record
from yiwang.search import lexicon
from yiwang.search.models import LexiconEntry, LexiconSource

from .permissions import is_catalog_authority

__all__ = [
    "add_lexicon_entry",
    "change_lexicon_entry",
    "delete_lexicon_entry",
    "set_lexicon_entry_active",
]


def _require_authority(actor) -> None:
    if not is_catalog_authority(actor):
        raise PermissionDenied(gettext("Only the data authority maintains the search lexicon."))


def _editable(entry: LexiconEntry) -> None:
    if entry.source == LexiconSource.GLOSSARY:
        raise ValidationError(
            gettext("“%(term)s” comes from the knowledge base's dialect glossary: change it there.")
            % {"term": entry.term},
            code="glossary",
        )


def _state(entry: LexiconEntry) -> dict:
    return {
        "term": entry.term,
        "official": entry.official,
        "note": entry.note,
        "active": entry.active,
    }


def _locked(entry: LexiconEntry) -> LexiconEntry:
    return LexiconEntry.objects.select_for_update().get(pk=entry.pk)


def _sync(target: LexiconEntry, source: LexiconEntry) -> LexiconEntry:
    """Copy the saved state onto the caller's instance."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


@transaction.atomic
def add_lexicon_entry(*, actor, term: str, official: str, note: str = "") -> LexiconEntry:
    """Add an administrator's entry: searches containing ``term`` also look for ``official``."""
    lexicon.clean(term, official)
    _require_authority(actor)
    entry = lexicon.save_entry(
        term=term, official=official, note=(note or "").strip(), source=LexiconSource.ADMIN
    )
    record(actor=actor, action="catalog.add_lexicon_entry", obj=entry, after=_state(entry))
    return entry


@transaction.atomic
def change_lexicon_entry(
    *, actor, entry: LexiconEntry, official: str, note: str = ""
) -> LexiconEntry:
    """Change the official words and note of a shipped or administrator's entry."""
    lexicon.clean(entry.term, official)
    _require_authority(actor)
    current = _locked(entry)
    _editable(current)
    before = _state(current)
    lexicon.save_entry(
        term=current.term,
        official=official,
        source=current.source,
        note=(note or "").strip(),
        active=current.active,
        entry=current,
    )
    after = _state(current)
    if after != before:
        record(
            actor=actor,
            action="catalog.change_lexicon_entry",
            obj=current,
            before=before,
            after=after,
        )
    return _sync(entry, current)


@transaction.atomic
def set_lexicon_entry_active(*, actor, entry: LexiconEntry, active: bool) -> LexiconEntry:
    """Switch an entry on or off (shipped entries are switched off instead of deleted)."""
    _require_authority(actor)
    current = _locked(entry)
    _editable(current)
    if current.active == bool(active):
        return _sync(entry, current)
    lexicon.set_active(current, bool(active))
    record(
        actor=actor,
        action="catalog.set_lexicon_entry_active",
        obj=current,
        before={"term": current.term, "active": not current.active},
        after={"term": current.term, "active": current.active},
    )
    return _sync(entry, current)


@transaction.atomic
def delete_lexicon_entry(*, actor, entry: LexiconEntry) -> None:
    """Delete an entry an administrator added."""
    _require_authority(actor)
    current = _locked(entry)
    _editable(current)
    if current.source != LexiconSource.ADMIN:
        raise ValidationError(
            gettext(
                "“%(term)s” ships with the platform and cannot be deleted; switch it off instead."
            )
            % {"term": current.term},
            code="shipped",
        )
    record(actor=actor, action="catalog.delete_lexicon_entry", obj=current, before=_state(current))
    lexicon.delete_entry(current)
