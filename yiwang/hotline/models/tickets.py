"""The ticket (工单) with its photos and timeline.

The workflow state lives on the ticket row and is written synchronously by
``yiwang.hotline.actions``; the allowed transitions are in ``rules.py``.
Field names are a contract with ``hotline/open311`` and the statistics pages.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.gmcrypto.fields import EncryptedTextField
from yiwang.gmcrypto.masking import mask_name, mask_phone
from yiwang.web.choices import label
from yiwang.workdays.calendar import DeadlineStatus

from .categories import Category
from .choices import (
    OPEN_STATUSES,
    Channel,
    EventAction,
    PhotoStage,
    Satisfaction,
    Status,
    TicketType,
)


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

    #: How alike a proposed duplicate is (0–1), set by ``actions.find_duplicates``; not a column.
    similarity: float

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
