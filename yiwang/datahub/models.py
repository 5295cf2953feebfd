"""The data resource catalogue (政务数据资源目录, GB/T 21063): classification tree, resources
with their data items, published versions and the grade policy (GB/T 43697-2024).

A ``Resource`` row is the provider's *working copy*; what the catalogue shows to everyone
else is its ``current_version`` (a ``ResourceVersion`` snapshot written by ``publish``). So a
provider can revise a published resource without consumers seeing the draft. Later slices
(sharing requests, grants, the exchange API, ingestion into hub tables, quality rules, the
open-data portal) read the published definition through ``ResourceVersion`` and refer to
items by their ``column``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import (
    ApprovalRoute,
    DataType,
    Grade,
    Mask,
    OpenType,
    ResourceFormat,
    ResourceStatus,
    SharingMethod,
    SharingType,
    UpdateCycle,
)

COLUMN_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
#: Digits per level of the classification code: 类 1, 项 2, 目 3, 细目 3.
CODE_DIGITS = {1: 1, 2: 2, 3: 3, 4: 3}
#: Width of the sequence number (顺序码) appended to the classification code.
SEQUENCE_DIGITS = 3


class Classification(models.Model):
    """信息资源分类: 类 (level 1: 基础/主题/部门), 项, 目, 细目."""

    code = models.CharField(
        _("code"),
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^[0-9]{1,9}$", _("A classification code is digits only."))],
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=pgettext_lazy("classification", "parent"),
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("resource classification")
        verbose_name_plural = _("resource classifications")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kind_code(self) -> str:
        """The code of the top class (1 基础, 2 主题, 3 部门)."""
        return self.code[:1]


class Resource(models.Model):
    code = models.CharField(_("resource code"), max_length=12, unique=True)
    sequence = models.PositiveSmallIntegerField(_("sequence number"))
    name = models.CharField(_("resource name"), max_length=200)
    classification = models.ForeignKey(
        Classification,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("classification"),
    )
    provider = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="data_resources",
        verbose_name=_("provider"),
    )
    summary = models.TextField(_("summary"), max_length=2000)
    format = models.CharField(_("format"), max_length=20, choices=ResourceFormat.choices)
    sharing_type = models.CharField(_("sharing type"), max_length=20, choices=SharingType.choices)
    sharing_conditions = models.TextField(_("sharing conditions"), blank=True, max_length=2000)
    sharing_method = models.CharField(
        _("sharing method"), max_length=20, choices=SharingMethod.choices
    )
    legal_basis = models.TextField(
        pgettext_lazy("data resource", "legal basis"), blank=True, max_length=2000
    )
    open_type = models.CharField(_("open type"), max_length=20, choices=OpenType.choices)
    update_cycle = models.CharField(_("update cycle"), max_length=20, choices=UpdateCycle.choices)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    related = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("related resources")
    )
    key_item = models.ForeignKey(
        "DataItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key item"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    #: The last published version (0: never published).
    version = models.PositiveIntegerField(_("version"), default=0)
    current_version = models.ForeignKey(
        "ResourceVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    #: Set by ``withdraw``: the published version is no longer in the catalogue.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    #: The authority's reasons when returned, the reasons of a withdrawal.
    review_note = models.TextField(_("review note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "sequence"], name="datahub_resource_sequence"
            )
        ]
        indexes = [
            models.Index(fields=["status", "provider"]),
            models.Index(fields=["provider", "updated_at"]),
            models.Index(fields=["sharing_type"]),
            models.Index(fields=["open_type"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def in_catalogue(self) -> bool:
        """Whether others see a published version of it."""
        return self.current_version_id is not None and self.withdrawn_at is None

    @property
    def editable(self) -> bool:
        return self.status in (ResourceStatus.DRAFT, ResourceStatus.RETURNED)


class DataItem(models.Model):
    """信息项: one field of a resource; ``column`` becomes the hub table's column."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="items", verbose_name=_("resource")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(pgettext_lazy("data item", "item name"), max_length=100)
    column = models.CharField(
        _("column"),
        max_length=63,
        validators=[
            RegexValidator(
                COLUMN_PATTERN,
                _("Use lower-case letters, digits and _ only, starting with a letter."),
            )
        ],
    )
    data_type = models.CharField(_("data type"), max_length=20, choices=DataType.choices)
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    mask = models.CharField(_("mask"), max_length=20, choices=Mask.choices, default=Mask.NONE)
    sharing_type = models.CharField(_("sharing type"), max_length=20, choices=SharingType.choices)
    personal = models.BooleanField(_("identifies a person"), default=False)
    description = models.CharField(
        pgettext_lazy("data item", "description"), max_length=500, blank=True
    )

    class Meta:
        ordering = ["resource", "order", "id"]
        verbose_name = _("data item")
        verbose_name_plural = _("data items")
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="datahub_item_name"),
            models.UniqueConstraint(fields=["resource", "column"], name="datahub_item_column"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.column})"


class ResourceVersion(models.Model):
    """A published definition. ``snapshot`` holds every metadata field and the items;
    the columns beside it repeat what the catalogue filters on, so lists need no JSON."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="versions", verbose_name=_("resource")
    )
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    name = models.CharField(_("resource name"), max_length=200)
    classification = models.ForeignKey(
        Classification, on_delete=models.PROTECT, related_name="+", verbose_name=_("classification")
    )
    provider = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    sharing_type = models.CharField(_("sharing type"), max_length=20, choices=SharingType.choices)
    open_type = models.CharField(_("open type"), max_length=20, choices=OpenType.choices)
    update_cycle = models.CharField(_("update cycle"), max_length=20, choices=UpdateCycle.choices)
    release_date = models.DateField(_("release date"))
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        ordering = ["resource", "-version"]
        verbose_name = _("published resource version")
        verbose_name_plural = _("published resource versions")
        constraints = [
            models.UniqueConstraint(fields=["resource", "version"], name="datahub_version_unique")
        ]
        indexes = [
            models.Index(fields=["sharing_type"]),
            models.Index(fields=["provider"]),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.get('code', '')} v{self.version}"


class GradePolicy(models.Model):
    """What each grade allows (one row per grade, seeded; changed by the authority only)."""

    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, unique=True)
    loosest_sharing = models.CharField(
        _("loosest sharing type allowed"), max_length=20, choices=SharingType.choices
    )
    may_open = models.BooleanField(_("may be opened"))
    default_mask = models.CharField(_("default mask"), max_length=20, choices=Mask.choices)
    approval_route = models.CharField(
        _("approval route"), max_length=30, choices=ApprovalRoute.choices
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("grade policy")
        verbose_name_plural = _("grade policies")

    def __str__(self) -> str:
        return str(self.get_grade_display())


# The hub, ingestion and sharing (C15) models live in their own modules; importing them here
# registers them.
from .hub.models import HubTable  # noqa: E402, F401
from .ingestion.models import Ingestion, PullSource  # noqa: E402, F401
from .sharing.models import Grant, SharingEvent, SharingRequest  # noqa: E402, F401
