"""Helpers shared by the knowledge actions: the editor's permission error, resolving a
category, and copying a locked row back onto the caller's instance."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext

from yiwang.web.params import MAX_ID, parse_int

from ..models import KnowledgeCategory


def _deny_editor() -> PermissionDenied:
    return PermissionDenied(
        gettext(
            "Only the data authority and department administrators can edit the knowledge base."
        )
    )


def _category(value, errors: dict) -> KnowledgeCategory | None:
    if value in (None, ""):
        return None
    if isinstance(value, KnowledgeCategory):
        return value
    pk = parse_int(value, minimum=1, maximum=MAX_ID)
    category = KnowledgeCategory.objects.filter(pk=pk).first() if pk else None
    if category is None:
        errors["category"] = gettext(
            "Category %(value)s does not exist: choose one from the list."
        ) % {"value": value}
    return category


def _sync(target: models.Model, source: models.Model) -> None:
    """Copy a freshly locked row's values onto the instance the caller holds."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
