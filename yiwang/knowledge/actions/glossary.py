"""The dialect glossary: add, change and remove dialect words and the standard words they
mean. Every change is copied into the shared search lexicon (source "glossary"), so dialect
words expand every search, service items included; the article index also holds dialect
terms as aliases and is rebuilt on commit of every change."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from yiwang.audit.actions import record
from yiwang.search import lexicon
from yiwang.search.models import LexiconSource
from yiwang.search.text import split_aliases

from .. import indexing
from ..models import GlossaryTerm
from ..permissions import can_edit_glossary
from ._common import _deny_editor, _sync

GLOSSARY_FIELDS = ("term", "standard", "dialect", "note")
DEFAULT_DIALECT = "客家话"


def _clean_glossary(term, standard, dialect, note) -> dict:
    """Validate a glossary entry; returns the cleaned fields or raises every problem at once."""
    term = (term or "").strip()
    standard = " ".join(split_aliases(standard or ""))
    dialect = (dialect or "").strip() or DEFAULT_DIALECT
    note = (note or "").strip()
    errors = {}
    if not term or len(term) > 30 or any(ch.isspace() for ch in term):
        errors["term"] = gettext(
            "Enter the dialect word as one word of 1 to 30 characters, e.g. 起屋."
        )
    if not standard or len(standard) > 100:
        errors["standard"] = gettext(
            "Enter the standard word(s) it means (at most 100 characters), e.g. 建房."
        )
    elif term and term in standard.split():
        errors["standard"] = gettext("The standard word must differ from the dialect word.")
    if len(dialect) > 20:
        errors["dialect"] = gettext("The dialect name may have at most 20 characters.")
    if len(note) > 200:
        errors["note"] = gettext("The note may have at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    return {"term": term, "standard": standard, "dialect": dialect, "note": note}


def _check_unique_term(data: dict, entry: GlossaryTerm | None = None) -> None:
    others = GlossaryTerm.objects.filter(term=data["term"], dialect=data["dialect"])
    if entry is not None:
        others = others.exclude(pk=entry.pk)
    if others.exists():
        raise ValidationError(
            {
                "term": gettext("“%(term)s” is already in the %(dialect)s glossary.")
                % {"term": data["term"], "dialect": data["dialect"]}
            }
        )


def _glossary_snapshot(entry: GlossaryTerm) -> dict:
    return {name: getattr(entry, name) for name in GLOSSARY_FIELDS}


def sync_lexicon() -> int:
    """Make the search lexicon's glossary entries exactly the glossary (same transaction)."""
    words: dict[str, list[str]] = {}
    for term, standard in GlossaryTerm.objects.values_list("term", "standard"):
        words.setdefault(term, []).extend(split_aliases(standard))
    return lexicon.replace_source(LexiconSource.GLOSSARY, words)


def _glossary_changed() -> None:
    sync_lexicon()
    # The article index holds dialect terms as aliases: rebuild it once the change is saved.
    transaction.on_commit(indexing.sync_validity)


@transaction.atomic
def add_glossary_term(
    *, actor, term: str, standard: str, dialect: str = DEFAULT_DIALECT, note: str = ""
) -> GlossaryTerm:
    """Add a dialect word and the standard word(s) it means; re-indexes the articles."""
    data = _clean_glossary(term, standard, dialect, note)
    if not can_edit_glossary(actor):
        raise _deny_editor()
    _check_unique_term(data)
    entry = GlossaryTerm.objects.create(**data)
    record(actor=actor, action="knowledge.add_glossary_term", obj=entry, after=data)
    _glossary_changed()
    return entry


def _locked_term(entry: GlossaryTerm) -> GlossaryTerm:
    current = GlossaryTerm.objects.select_for_update().filter(pk=entry.pk).first()
    if current is None:
        raise ValidationError(gettext("This glossary term no longer exists."), code="gone")
    return current


@transaction.atomic
def update_glossary_term(*, actor, entry: GlossaryTerm, **fields) -> GlossaryTerm:
    """Change a glossary entry (``term``, ``standard``, ``dialect``, ``note``; fields not
    given stay). Search uses the new words as soon as the change is committed."""
    unknown = set(fields) - set(GLOSSARY_FIELDS)
    if unknown:
        raise ValidationError(
            gettext("Unknown glossary fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if not can_edit_glossary(actor):
        raise _deny_editor()
    current = _locked_term(entry)
    before = _glossary_snapshot(current)
    data = _clean_glossary(**{**before, **fields})
    _check_unique_term(data, current)
    if data != before:
        for name, value in data.items():
            setattr(current, name, value)
        current.save()
        record(
            actor=actor,
            action="knowledge.update_glossary_term",
            obj=current,
            before={k: v for k, v in before.items() if data[k] != v},
            after={k: v for k, v in data.items() if before[k] != v},
        )
        if (data["term"], data["standard"]) != (before["term"], before["standard"]):
            _glossary_changed()
    _sync(entry, current)
    return entry


@transaction.atomic
def delete_glossary_term(*, actor, entry: GlossaryTerm) -> None:
    """Remove a glossary entry: searches with the dialect word no longer expand."""
    if not can_edit_glossary(actor):
        raise _deny_editor()
    current = _locked_term(entry)
    record(
        actor=actor,
        action="knowledge.delete_glossary_term",
        obj=current,
        before=_glossary_snapshot(current),
    )
    current.delete()
    _glossary_changed()
