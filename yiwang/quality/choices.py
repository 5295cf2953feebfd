"""The vocabularies of data quality: rule kinds, the dimensions they score, run states.

Pure: no database. Each rule kind belongs to one dimension (GB/T 36344-2018 names six; the
platform scores the five its rules can measure).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RuleKind(models.TextChoices):
    NOT_NULL = "not_null", _("Not empty")
    UNIQUE = "unique", pgettext_lazy("quality rule", "Unique")
    REGEX = "regex", _("Pattern (regular expression)")
    RANGE = "range", _("Range")
    ENUM = "enum", _("Allowed values")
    REFERENCE = "reference", _("Reference to another resource")
    ID_NUMBER = "id_number", _("Resident ID number check")
    USCC = "uscc", _("Unified social credit code check")
    FRESHNESS = "freshness", _("Freshness (update cycle)")


class Dimension(models.TextChoices):
    # A context of their own: "Validity" elsewhere is a period of validity (有效期).
    COMPLETENESS = "completeness", pgettext_lazy("quality dimension", "Completeness")
    VALIDITY = "validity", pgettext_lazy("quality dimension", "Validity")
    UNIQUENESS = "uniqueness", pgettext_lazy("quality dimension", "Uniqueness")
    CONSISTENCY = "consistency", pgettext_lazy("quality dimension", "Consistency")
    TIMELINESS = "timeliness", pgettext_lazy("quality dimension", "Timeliness")


DIMENSION_OF: dict[str, str] = {
    RuleKind.NOT_NULL: Dimension.COMPLETENESS,
    RuleKind.UNIQUE: Dimension.UNIQUENESS,
    RuleKind.REGEX: Dimension.VALIDITY,
    RuleKind.RANGE: Dimension.VALIDITY,
    RuleKind.ENUM: Dimension.VALIDITY,
    RuleKind.REFERENCE: Dimension.CONSISTENCY,
    RuleKind.ID_NUMBER: Dimension.VALIDITY,
    RuleKind.USCC: Dimension.VALIDITY,
    RuleKind.FRESHNESS: Dimension.TIMELINESS,
}

#: The order pages list the dimensions in.
DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)

#: Rules about the resource as a whole: no column.
RESOURCE_KINDS = frozenset({RuleKind.FRESHNESS})


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("On demand")
    SCHEDULED = "scheduled", _("Scheduled")


def dimension_of(kind: str) -> str:
    return DIMENSION_OF[RuleKind(kind)]
