"""12345 hotline: categories, tickets (工单), the dispatch catalogue, time limits.

The workflow state lives on the ticket row and is written synchronously by
``yiwang.hotline.actions``; the allowed transitions are in ``rules.py``.
Field names are a contract with ``hotline/open311`` and the statistics pages.
"""

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.gmcrypto.fields import EncryptedTextField
from yiwang.gmcrypto.masking import mask_name, mask_phone
from yiwang.regions.models import Level, Region
from yiwang.web.choices import label
from yiwang.web.memo import SharedMemo
from yiwang.workdays.calendar import DeadlineStatus

CONTENT_MAX_CHARS = 2000
#: The county whose 12345 this is (GB/T 2260 code).
COUNTY_CODE = settings.YIWANG_COUNTY_CODE


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    WEB = "web", _("Website")
    OPEN311 = "open311", _("Open311 API")
    GRID = "grid", _("Grid worker")
    SENSOR = "sensor", _("Sensor alert")


class TicketType(models.TextChoices):
    CONSULT = "consult", pgettext_lazy("hotline", "Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    NEW = "new", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Awaiting sign-for")
    SIGNED = "signed", _("Being handled")
    REPLIED = "replied", _("Replied, awaiting review")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned, awaiting review")
    REOPENED = "reopened", _("Reopened, awaiting sign-for")
    MERGED = "merged", _("Merged")


#: Statuses in which a ticket is still being worked on.
OPEN_STATUSES = (
    Status.NEW,
    Status.DISPATCHED,
    Status.SIGNED,
    Status.REPLIED,
    Status.RETURNED,
    Status.REOPENED,
)
#: Statuses in which the lead department's deadline clock runs.
RUNNING_STATUSES = (Status.DISPATCHED, Status.SIGNED, Status.REOPENED)
#: Statuses in which a department still has to sign for the ticket.
UNSIGNED_STATUSES = (Status.DISPATCHED, Status.REOPENED)


class Satisfaction(models.TextChoices):
    NONE = "", _("Not called back")
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class Category(models.Model):
    """A node of the classification tree: 大类 (1) / 中类 (2) / 小类 (3). Tickets use leaves."""

    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(_("code"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=pgettext_lazy("hotline", "parent"),
    )
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("hotline", "level"),
        choices=[(1, _("Major")), (2, _("Middle")), (3, _("Minor"))],
        default=1,
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Words callers use for this category, separated by spaces."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    default_urgent = models.BooleanField(_("urgent by default"), default=False)
    active = models.BooleanField(pgettext_lazy("hotline", "active"), default=True)
    sort = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return self.level == 3 or not self.children.exists()

    def ancestors_ids(self) -> list[int]:
        """This category and its ancestors' ids, nearest first (at most 3 queries-free hops
        when ``parent__parent`` is selected)."""
        ids, node = [], self
        while node is not None:
            ids.append(node.pk)
            node = node.parent
        return ids

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


class Ticket(models.Model):
    # Foreign keys marked db_index=False are covered by a composite index below (its first
    # column) or never looked up by: every index is written on each intake and change.
    number = models.CharField(_("ticket number"), max_length=32, unique=True)
    channel = models.CharField(
        pgettext_lazy("hotline", "channel"), max_length=10, choices=Channel.choices
    )
    type = models.CharField(_("type"), max_length=12, choices=TicketType.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("category"),
        db_index=False,
    )
    content = models.TextField(_("description"))
    # Segmented words of the content (space-separated) for duplicate detection.
    tokens = models.TextField(blank=True, editable=False)

    # The caller (personal data: phone encrypted, exact lookup by blind index).
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_tickets",
        verbose_name=_("citizen account"),
        db_index=False,
    )
    caller_name = models.CharField(_("caller name"), max_length=50, blank=True)
    caller_phone = EncryptedTextField(_("caller phone"), blank=True, default="")
    caller_phone_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    anonymous = models.BooleanField(_("anonymous"), default=False)

    # Place.
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="hotline_tickets",
        verbose_name=pgettext_lazy("hotline", "region"),
    )
    # The town (level 4) containing ``region`` (None when the region is the county itself).
    town = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("town"),
        db_index=False,
    )

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    lead_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotline_lead_tickets",
        verbose_name=_("lead department"),
        db_index=False,
    )
    co_departments = models.ManyToManyField(
        "orgs.Department",
        blank=True,
        related_name="hotline_co_tickets",
        verbose_name=_("co-handling departments"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    dispatcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispatcher"),
        db_index=False,
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
        db_index=False,
    )

    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Deadlines in working days (yiwang.workdays): last day inclusive.
    due_at = models.DateField(_("deadline"), null=True, blank=True)
    sign_due = models.DateField(_("sign-for deadline"), null=True, blank=True)
    due_provisional = models.BooleanField(
        pgettext_lazy("hotline", "deadline provisional"), default=False
    )
    deadline_status = models.CharField(
        _("deadline status"),
        max_length=10,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.NORMAL,
    )
    supervised_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
        db_index=False,
    )
    # A knowledge-base article that answered a consultation at once (即时办结).
    kb_article_id = models.PositiveIntegerField(_("knowledge-base article"), null=True, blank=True)

    satisfaction = models.CharField(
        _("satisfaction"),
        max_length=12,
        choices=Satisfaction.choices,
        blank=True,
        default=Satisfaction.NONE,
    )
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called back by"),
        db_index=False,
    )
    callback_note = models.TextField(_("call-back note"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    # A reference in the source system (Open311 client, sensor alert, grid event).
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="ticket_status_due_idx"),
            models.Index(
                fields=["lead_department", "status", "due_at"], name="ticket_dept_status_idx"
            ),
            models.Index(fields=["-created_at"], name="ticket_created_idx"),
            models.Index(fields=["town", "created_at"], name="ticket_town_created_idx"),
            models.Index(fields=["category", "created_at"], name="ticket_cat_created_idx"),
            models.Index(fields=["caller_phone_index"], name="ticket_caller_idx"),
            models.Index(fields=["citizen", "-created_at"], name="ticket_citizen_idx"),
            models.Index(
                fields=["status", "closed_at"],
                condition=models.Q(status="closed", callback_at__isnull=True),
                name="ticket_callback_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Cheap labels for lists (see yiwang.web.choices).
    @property
    def type_label(self) -> str:
        return label(TicketType, self.type)

    @property
    def status_label(self) -> str:
        return label(Status, self.status)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.caller_phone) if self.caller_phone else ""

    @property
    def masked_name(self) -> str:
        if self.anonymous:
            return str(_("Anonymous"))
        return mask_name(self.caller_name) if self.caller_name else ""


class PhotoStage(models.TextChoices):
    REPORT = "report", _("Reported")
    REPLY = "reply", _("Reply")


class TicketPhoto(models.Model):
    """A JPEG or PNG photo, checked by content and hashed."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="photos", verbose_name=_("ticket")
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=PhotoStage.choices, default=PhotoStage.REPORT
    )
    file = models.FileField(_("file"), upload_to="hotline/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket photo")
        verbose_name_plural = _("ticket photos")

    def __str__(self) -> str:
        return self.original_name


class EventAction(models.TextChoices):
    REGISTER = "register", _("Registered")
    CLOSE_AT_ONCE = "close_at_once", _("Answered from the knowledge base and closed")
    DISPATCH = "dispatch", _("Dispatched")
    SIGN = "sign", _("Signed for")
    REPLY = "reply", _("Replied")
    RETURN = "return", _("Returned")
    REDISPATCH = "redispatch", _("Re-dispatched")
    REJECT_RETURN = "reject_return", _("Return rejected")
    EXTENSION_REQUEST = "extension_request", _("Extension requested")
    EXTENSION_DECISION = "extension_decision", _("Extension decided")
    CLOSE = "close", _("Closed")
    SEND_BACK = "send_back", _("Reply sent back")
    CALLBACK = "callback", _("Called back")
    REOPEN = "reopen", _("Reopened")
    MERGE = "merge", _("Merged")
    SUPERVISE = "supervise", _("Supervised")
    ESCALATE = "escalate", _("Escalated")


class TicketEvent(models.Model):
    """The ticket's timeline (append-only)."""

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("ticket"),
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        db_index=False,
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} @ {self.at:%Y-%m-%d %H:%M}"


class DispatchRule(models.Model):
    """派单目录: category (or an ancestor) × region subtree → lead department + co-handlers.

    The most specific region wins, then the most specific category, then ``priority``.
    """

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="dispatch_rules",
        verbose_name=_("category"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("hotline", "region"),
    )
    lead_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        "orgs.Department", blank=True, related_name="+", verbose_name=_("co-handling departments")
    )
    priority = models.IntegerField(_("priority"), default=0)
    active = models.BooleanField(pgettext_lazy("hotline", "active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch catalogue")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="dispatch_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.region} → {self.lead_department}"


class TimeLimit(models.Model):
    """Working days to handle a ticket of ``type`` (and urgency); ``sign_days`` to sign for it."""

    type = models.CharField(_("type"), max_length=12, choices=TicketType.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    days = models.PositiveSmallIntegerField(_("working days to handle"))
    sign_days = models.PositiveSmallIntegerField(_("working days to sign for"), default=1)

    class Meta:
        ordering = ["type", "urgent"]
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(fields=["type", "urgent"], name="hotline_time_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}{' (urgent)' if self.urgent else ''}: {self.days}"


#: Defaults (STANDARDS.md "12345 hotline"; one bureau's rules): (days, sign_days).
DEFAULT_TIME_LIMITS = {
    (TicketType.CONSULT, False): (3, 1),
    (TicketType.HELP, False): (3, 1),
    (TicketType.COMPLAINT, False): (13, 1),
    (TicketType.REPORT, False): (13, 1),
    (TicketType.SUGGESTION, False): (13, 1),
    (TicketType.CONSULT, True): (0, 0),
    (TicketType.HELP, True): (0, 0),
    (TicketType.COMPLAINT, True): (0, 0),
    (TicketType.REPORT, True): (0, 0),
    (TicketType.SUGGESTION, True): (0, 0),
}


class ExtensionRequest(models.Model):
    """延期申请: asked by the lead department before the deadline, decided by a dispatcher."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("ticket")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    days = models.PositiveSmallIntegerField(_("working days requested"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    previous_due = models.DateField(null=True, blank=True)
    new_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(approved__isnull=True),
                name="one_pending_extension_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket} +{self.days}"

    @property
    def pending(self) -> bool:
        return self.approved is None


CATEGORY_CACHE_KEY = "hotline:categories:v2"


class CategoryTree(NamedTuple):
    by_id: dict[int, Category]
    by_code: dict[str, Category]
    groups: frozenset[int]  # ids of the categories that have children
    # (id, full name, searchable words) of the active leaves, in tree order: what tickets use.
    leaves: list[tuple[int, str, str]]
    leaf_ids: frozenset[int]


def _build_category_tree() -> CategoryTree:
    by_id = {c.pk: c for c in Category.objects.all()}  # Meta.ordering: the tree's order
    for c in by_id.values():
        c.parent = by_id.get(c.parent_id)  # the chain up to the 大类, without queries
    # A group stays a group when all its children are deactivated: tickets need a leaf.
    groups = frozenset(c.parent_id for c in by_id.values() if c.parent_id)
    leaves = [
        (
            c.pk,
            c.full_name,
            " ".join(filter(None, [c.name, c.keywords, c.parent and c.parent.name])),
        )
        for c in by_id.values()
        if c.active and c.pk not in groups
    ]
    return CategoryTree(
        by_id,
        {c.code: c for c in by_id.values()},
        groups,
        leaves,
        frozenset(pk for pk, *_ in leaves),
    )


#: Every category with its parents linked, per process (read-only; see yiwang.web.memo).
category_tree = SharedMemo(CATEGORY_CACHE_KEY, _build_category_tree)


@receiver([post_save, post_delete], sender=Category)
def _forget_categories(sender, **kwargs) -> None:
    """Suggestions, forms and intake follow every change of the tree."""
    category_tree.forget()


class IntakeRegions(NamedTuple):
    county: Region | None
    by_id: dict[int, Region]  # the county, its towns and villages, parents loaded
    choices: list[tuple]  # towns and villages (indented) for the forms, in tree order


def _build_intake_regions() -> IntakeRegions:
    # GB/T 2260: every town's and village's code starts with its county's code.
    regions = list(
        Region.objects.filter(code__startswith=COUNTY_CODE)
        .select_related("parent")
        .order_by("path")
    )
    return IntakeRegions(
        county=next((r for r in regions if r.code == COUNTY_CODE), None),
        by_id={r.pk: r for r in regions},
        choices=[("", "—")]
        + [
            (r.pk, ("\u3000" if r.level == Level.VILLAGE else "") + r.name)
            for r in regions
            if r.level >= Level.TOWN
        ],
    )


#: Where a ticket can be, per process (read-only; see yiwang.web.memo).
intake_regions = SharedMemo("hotline:intake-regions:v2", _build_intake_regions)


@receiver([post_save, post_delete], sender="regions.Region")
def _forget_regions(sender, **kwargs) -> None:
    intake_regions.forget()
