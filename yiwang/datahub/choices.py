"""The vocabularies of the data resource catalogue (GB/T 21063, 政务信息资源目录编制指南,
GB/T 43697-2024) and their strictness orders.

Pure: no database. The orders say which value is "stricter" (shares or opens less), the one
comparison the grade rules and the item-versus-resource rule need.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Shared unconditionally")
    CONDITIONAL = "conditional", _("Shared on conditions")
    NONE = "none", _("Not shared")


class SharingMethod(models.TextChoices):
    INTERFACE = "interface", _("Interface")
    FILE = "file", pgettext_lazy("sharing method", "File")


class OpenType(models.TextChoices):
    OPEN = "open", _("Open unconditionally")
    CONDITIONAL = "conditional", _("Open on conditions")
    CLOSED = "closed", _("Not open")


class ResourceFormat(models.TextChoices):
    DATABASE = "database", _("Database")
    SPREADSHEET = "spreadsheet", _("Spreadsheet")
    DOCUMENT = "document", _("Electronic document")
    INTERFACE = "interface", _("Interface")
    IMAGE = "image", _("Image")
    STREAM = "stream", _("Audio or video")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Statuses in which the provider may still edit the working copy.
EDITABLE_STATUSES = (ResourceStatus.DRAFT, ResourceStatus.RETURNED)


class DataType(models.TextChoices):
    STRING = "string", _("Text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes/no")


class Grade(models.TextChoices):
    """GB/T 43697-2024: general data in four levels, then important and core data."""

    G1 = "g1", _("General data, level 1 (public)")
    G2 = "g2", _("General data, level 2 (internal)")
    G3 = "g3", _("General data, level 3 (sensitive)")
    G4 = "g4", _("General data, level 4 (sensitive personal)")
    IMPORTANT = "important", _("Important data")
    CORE = "core", _("Core data")


class Mask(models.TextChoices):
    NONE = "none", _("Not masked")
    ID_NUMBER = "id_number", _("Resident ID number")
    PHONE = "phone", _("Phone number")
    NAME = "name", _("Person's name")
    USCC = "uscc", _("Unified social credit code")
    BANK_ACCOUNT = "bank_account", _("Bank account")
    ADDRESS = "address", _("Address")
    HIDDEN = "hidden", pgettext_lazy("mask", "Hidden")


class ApprovalRoute(models.TextChoices):
    AUTHORITY = "authority", _("Data authority review only")
    AUTHORITY_PROVIDER = "authority_provider", _("Data authority, then the provider")


#: Loosest first: a later value shares or opens less.
SHARING_ORDER = (SharingType.UNCONDITIONAL, SharingType.CONDITIONAL, SharingType.NONE)
GRADE_ORDER = (Grade.G1, Grade.G2, Grade.G3, Grade.G4, Grade.IMPORTANT, Grade.CORE)
#: How strict a mask is, for 就高从严 when detection sees several kinds of value.
MASK_ORDER = (
    Mask.NONE,
    Mask.ADDRESS,
    Mask.NAME,
    Mask.PHONE,
    Mask.USCC,
    Mask.ID_NUMBER,
    Mask.BANK_ACCOUNT,
    Mask.HIDDEN,
)


def sharing_rank(value: str) -> int:
    return SHARING_ORDER.index(SharingType(value))


def grade_rank(value: str) -> int:
    return GRADE_ORDER.index(Grade(value))


def looser_sharing(value: str, limit: str) -> bool:
    """Whether sharing type ``value`` shares more than ``limit`` allows."""
    return sharing_rank(value) < sharing_rank(limit)


def stricter_sharing(a: str, b: str) -> str:
    return SHARING_ORDER[max(sharing_rank(a), sharing_rank(b))].value


def stricter_grade(a: str, b: str) -> str:
    return GRADE_ORDER[max(grade_rank(a), grade_rank(b))].value


def stricter_mask(a: str, b: str) -> str:
    return MASK_ORDER[max(MASK_ORDER.index(Mask(a)), MASK_ORDER.index(Mask(b)))].value
