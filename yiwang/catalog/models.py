"""Service-item catalogue (事项目录) with guide elements, materials and processes.

Hierarchy per the national structure: 主项 → 子项 → 业务办理项. Only handling
items (or items without children) are applied for. Codes follow STANDARDS.md:
basic code = type code + 5-digit main item + 3-digit sub-item; implementation
code = basic code + level + division + implementing agency USCC + handling suffix.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemType(models.Model):
    """Item type code list kept as data (e.g. XK 行政许可)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        ordering = ["code"]
        verbose_name = _("item type")
        verbose_name_plural = _("item types")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class NodeLevel(models.TextChoices):
    MAIN = "main", _("Main item")
    SUB = "sub", _("Sub-item")
    HANDLING = "handling", _("Handling item")


class HandlingKind(models.TextChoices):
    NEW = "new", _("New")
    CHANGE = "change", _("Change")
    RENEWAL = "renewal", _("Renewal")
    CANCEL = "cancel", _("Cancellation")


HANDLING_SUFFIX = {"new": "01", "change": "02", "renewal": "03", "cancel": "04"}
LEVEL_LABELS = {
    "1": _("National level"),
    "2": _("Provincial level"),
    "3": _("City level"),
    "4": _("County level"),
    "5": _("Town level"),
}


def derive_code(
    *,
    type_code: str,
    main_number: str,
    sub_number: str,
    level_code: str,
    region_code: str,
    uscc: str,
    node_level: str,
    handling_kind: str,
) -> str:
    """The implementation code (实施编码) of an item with these code fields.

    The one place the code is built: ``ServiceItem.implementation_code`` uses it, and so does
    the Excel import, which matches rows to items before the items exist.
    """
    suffix = HANDLING_SUFFIX[handling_kind] if node_level == NodeLevel.HANDLING else "00"
    return f"{type_code}{main_number}{sub_number}{level_code}{str(region_code)[:6]}{uscc}{suffix}"


class OnlineDepth(models.IntegerChoices):
    WINDOW = 1, _("Window only")
    PRE_REVIEW = 2, _("Online pre-review")
    FULL_ONLINE = 3, _("Fully online")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Audience(models.TextChoices):
    PERSON = "person", _("Natural persons")
    ENTERPRISE = "enterprise", _("Legal persons")
    BOTH = "both", _("Natural and legal persons")


class CaseRegionSource(models.TextChoices):
    """Where a case of the item is, for the region it is filed under (the region decides which
    town-scoped staff see it). Whatever cannot be determined falls back to the next source:
    the chosen one, then the town named in ``case_region_field``, then the registering hall,
    then the item's implementing region; the result always lies within that region."""

    ITEM = "item", _("The item's implementing region")
    APPLICANT = "applicant", _("The applicant's region (an enterprise's registered region)")
    PREMISES = "premises", _("The town named in a form field (premises or address)")
    HALL = "hall", _("The service hall that registered the application")


class Theme(models.Model):
    """A life event (个人办事) or business stage (法人办事) citizens browse services by.

    Themes are data maintained by catalogue admins (the standard list ships in
    ``data/themes.json``); an item may be in several themes (``ServiceItem.themes``).
    ``keywords`` place items automatically (``catalog.themes.suggest_themes``).
    """

    AUDIENCES = [
        (Audience.PERSON, _("Individuals (个人办事)")),
        (Audience.ENTERPRISE, _("Businesses (法人办事)")),
    ]

    audience = models.CharField(_("for whom"), max_length=12, choices=AUDIENCES)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    icon = models.CharField(_("icon"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("shown to citizens"), default=True)
    description = models.CharField(
        pgettext_lazy("theme", "description"), max_length=300, blank=True
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "Space-separated words: items whose name or aliases contain one are placed in the "
            "theme automatically; a word starting with - keeps items containing it out."
        ),
    )

    #: Set by the views that count a theme's items.
    item_count: int = 0

    class Meta:
        ordering = ["audience", "order", "id"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class ServiceItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ItemStatus.PUBLISHED)

    def applicable(self):
        return (
            self.published()
            .exclude(node_level__in=[NodeLevel.MAIN, NodeLevel.SUB], children__isnull=False)
            .distinct()
        )


class ServiceItem(models.Model):
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent item"),
    )
    node_level = models.CharField(
        _("level in hierarchy"),
        max_length=10,
        choices=NodeLevel.choices,
        default=NodeLevel.HANDLING,
    )
    handling_kind = models.CharField(
        _("handling kind"), max_length=10, choices=HandlingKind.choices, default=HandlingKind.NEW
    )
    name = models.CharField(_("item name"), max_length=200)
    aliases = models.TextField(
        _("aliases and everyday phrases"),
        blank=True,
        help_text=_("Comma-separated words citizens use for this item."),
    )
    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, verbose_name=_("item type"))
    main_number = models.CharField(_("main item number"), max_length=5)
    sub_number = models.CharField(_("sub-item number"), max_length=3, default="000")
    level_code = models.CharField(
        _("exercise level code"),
        max_length=1,
        default="3",
        help_text=_("1 national, 2 provincial, 3 city, 4 county, 5 town"),
    )
    competent_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="competent_items",
        verbose_name=_("competent department"),
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("implementing agency"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, verbose_name=_("implementing region")
    )
    legal_basis = models.TextField(_("legal basis"))
    audience = models.CharField(
        _("applicants"), max_length=12, choices=Audience.choices, default=Audience.PERSON
    )
    scope = models.TextField(_("scope of acceptance"), blank=True)
    conditions = models.TextField(_("acceptance conditions"), blank=True)
    procedure = models.JSONField(
        _("procedure"),
        default=list,
        blank=True,
        help_text=_("Ordered list of steps shown in the guide's flow chart."),
    )
    statutory_limit = models.PositiveSmallIntegerField(_("statutory time limit (working days)"))
    promised_limit = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    fees = models.CharField(_("fees"), max_length=200, default="不收费")
    fee_basis = models.CharField(_("fee basis"), max_length=300, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _("online depth"), choices=OnlineDepth.choices, default=OnlineDepth.FULL_ONLINE
    )
    visits = models.PositiveSmallIntegerField(_("visits required"), default=0)
    consult_phone = models.CharField(_("consultation"), max_length=100, blank=True)
    complaint_phone = models.CharField(_("supervision and complaints"), max_length=100, blank=True)
    location = models.CharField(_("place and hours"), max_length=300, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    county_wide = models.BooleanField(_("handled at any hall in the county"), default=True)
    cross_region = models.BooleanField(_("handled across regions"), default=False)
    form_schema = models.JSONField(_("application form (JSON Schema)"), default=dict, blank=True)
    case_region_from = models.CharField(
        _("region of each case"),
        max_length=10,
        choices=CaseRegionSource.choices,
        default=CaseRegionSource.ITEM,
        help_text=_(
            "Where a case is filed: a shop's licence belongs to the town of the shop, so that "
            "town's staff see it."
        ),
    )
    case_region_field = models.CharField(
        _("form field naming the town"),
        max_length=50,
        blank=True,
        help_text=_(
            "Key of the application form field whose value names the town (or is an address "
            "containing it), e.g. premises."
        ),
    )
    downloads = models.JSONField(_("forms to download"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ItemStatus.choices,
        default=ItemStatus.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    changed_since_publish = models.BooleanField(
        _("changed since publication"),
        default=False,
        help_text=_("Set when a published item is edited; cleared when it is published again."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="items", verbose_name=_("themes")
    )
    preferred = models.BooleanField(
        _("shown first among items of the same name"),
        default=False,
        help_text=_(
            "When several departments or levels publish an item of this name, citizens see "
            "this one first."
        ),
    )

    objects = ServiceItemQuerySet.as_manager()

    #: How many other published items have exactly this name (set on list items by
    #: ``catalog.queries.mark_namesakes``; lists then show department and level).
    namesakes: int = 0
    #: Other published items of the same name, shown under this one in search results.
    others: tuple["ServiceItem", ...] = ()

    class Meta:
        ordering = ["item_type__code", "main_number", "sub_number", "id"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "item_type",
                    "main_number",
                    "sub_number",
                    "department",
                    "handling_kind",
                    "node_level",
                ],
                name="catalog_item_unique_code",
            )
        ]
        indexes = [models.Index(fields=["status", "department"], name="catalog_item_status_dept")]

    def __str__(self) -> str:
        return self.name

    @property
    def basic_code(self) -> str:
        return f"{self.item_type.code}{self.main_number}{self.sub_number}"

    @property
    def implementation_code(self) -> str:
        return derive_code(
            type_code=self.item_type.code,
            main_number=self.main_number,
            sub_number=self.sub_number,
            level_code=self.level_code,
            region_code=self.region.code,
            uscc=self.department.uscc,
            node_level=self.node_level,
            handling_kind=self.handling_kind,
        )

    @property
    def level_label(self) -> str:
        """The exercise level in words (县级, 乡镇级 …), telling same-named items apart."""
        return str(LEVEL_LABELS.get(self.level_code, ""))

    @property
    def is_instant(self) -> bool:
        """即办件: promised limit of zero working days."""
        return self.promised_limit == 0

    def active_process(self):
        return self.processes.filter(active=True).order_by("-version").first()


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    ELECTRONIC = "electronic", _("Electronic")


class Replaceable(models.TextChoices):
    NO = "", _("Must be provided")
    LICENCE = "licence", _("Replaceable by an e-licence")
    SHARED = "shared", _("Replaceable by shared data")


class ActiveMaterialManager(models.Manager):
    """Hides materials retired from an item (kept only because existing cases refer to them)."""

    def get_queryset(self):
        return super().get_queryset().filter(retired=False)


class Material(models.Model):
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=_("service item"),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("material name"), max_length=200)
    form = models.CharField(
        _("form"), max_length=12, choices=MaterialForm.choices, default=MaterialForm.ELECTRONIC
    )
    count = models.PositiveSmallIntegerField(_("number of copies"), default=1)
    required = models.BooleanField(_("required"), default=True)
    source = models.CharField(_("source"), max_length=100, default="申请人自备")
    replaceable_by = models.CharField(
        _("replaceable by"),
        max_length=10,
        choices=Replaceable.choices,
        default=Replaceable.NO,
        blank=True,
    )
    #: What replaces it: the licence type code (for an e-licence) or ``resource.field`` (for
    #: shared data). Blank with a replaceable material: staff check by other means.
    replaced_by = models.CharField(
        _("replaced by"),
        max_length=100,
        blank=True,
        help_text=_(
            "For an e-licence, the licence type code; for shared data, the resource code and "
            "field as code.field."
        ),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        editable=False,
        help_text=_("Removed from the item but kept because existing cases refer to it."),
    )

    # ``item.materials`` (reverse relation) uses the default manager: current materials only.
    all_objects = models.Manager()
    objects = ActiveMaterialManager()

    class Meta:
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        ordering = ["item", "position", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class ItemRevision(models.Model):
    """Snapshot of an item as published; cases refer to the version they started with."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        unique_together = [("item", "version")]
        ordering = ["item", "-version"]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version}"


class ProcessDefinition(models.Model):
    """An item's approval process as data (DIGIT business-service style), versioned.

    ``steps`` is an ordered list of
    ``{"key": "review", "name": "审查", "kind": "review", "role": "reviewer", "limit_days": 5}``;
    ``kind`` is one of accept / review / decide / conclude (exactly one accept, first; exactly
    one decide; conclude last); roles come from ``orgs.Role``; a step may name
    ``"department"`` (a USCC) to run in another department than the item's implementing
    agency (joint review). Validated by ``catalog.process.validate_steps``.
    """

    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.CASCADE,
        related_name="processes",
        verbose_name=_("service item"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    steps = models.JSONField(_("steps"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("item", "version")]
        ordering = ["item", "-version"]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")

    def __str__(self) -> str:
        return f"{self.item.name} v{self.version}"

    def step(self, key: str) -> dict:
        for s in self.steps:
            if s["key"] == key:
                return s
        raise KeyError(key)

    def next_step(self, key: str) -> dict | None:
        keys = [s["key"] for s in self.steps]
        i = keys.index(key)
        return self.steps[i + 1] if i + 1 < len(self.steps) else None


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One uploaded workbook imported (or only checked) in the background; see
    ``catalog.import_jobs``. ``result`` holds the report: counts, the rows created, updated
    (with their changed fields) and unchanged, and the errors with their rows."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # Stored under the media root, which is never served in production (DEBUG off): only
    # the task reads it.
    file = models.FileField(_("workbook"), upload_to="catalog-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=10, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        indexes = [models.Index(fields=["actor", "-created_at"], name="catalog_import_actor")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
