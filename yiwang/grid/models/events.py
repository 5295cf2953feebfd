"""City-management cases (城管案件): the case, its photos and its timeline."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .code_lists import ComponentClass, EventClass, Kind, code_list, subclass_key, subclass_label
from .registry import Component, Grid


class Source(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    PUBLIC = "public", _("Public report")
    VIDEO = "video", _("Video surveillance")
    REFERRAL = "referral", _("Referral")
    SENSOR = "sensor", _("Sensor")


class EventStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    FILED = "filed", _("Filed")
    CANCELLED = "cancelled", _("Cancelled")
    DISPATCHED = "dispatched", pgettext_lazy("city event", "Dispatched")
    HANDLED = "handled", _("Handled")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", pgettext_lazy("city event", "Closed")
    EVALUATED = "evaluated", _("Evaluated")


OPEN_STATUSES = (
    EventStatus.COLLECTED,
    EventStatus.FILED,
    EventStatus.DISPATCHED,
    EventStatus.HANDLED,
    EventStatus.VERIFIED,
)


class DeadlineStatus(models.TextChoices):
    NONE = "", _("No deadline")
    NORMAL = "normal", _("On time")
    WARNING = "warning", pgettext_lazy("city event", "Due soon")
    OVERDUE = "overdue", _("Overdue")


class CityEvent(models.Model):
    """A city-management case (城管案件)."""

    number = models.CharField(
        pgettext_lazy("city event", "case number"), max_length=20, unique=True
    )
    source = models.CharField(
        pgettext_lazy("city event", "source"), max_length=10, choices=Source.choices
    )
    kind = models.CharField(
        pgettext_lazy("city event", "type"), max_length=10, choices=Kind.choices
    )
    category = models.CharField(_("class"), max_length=20)
    subclass = models.ForeignKey(
        "CaseSubclass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subclass"),
    )
    # Free text: from before the code list where none matched, or what a sensor reports.
    subclass_note = models.CharField(_("subclass note"), max_length=50, blank=True)
    component = models.ForeignKey(
        Component,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("component"),
    )
    description = models.TextField(pgettext_lazy("city event", "description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    grid = models.ForeignKey(
        Grid,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("grid"),
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_city_events",
        verbose_name=_("reporter"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.COLLECTED
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("city event", "handling department"),
    )
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True)
    dispatched_at = models.DateTimeField(
        pgettext_lazy("city event", "dispatched at"), null=True, blank=True
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False)
    deadline_status = models.CharField(
        _("deadline status"),
        max_length=10,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.NONE,
        blank=True,
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(
        pgettext_lazy("city event", "closed at"), null=True, blank=True
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    reply = models.TextField(_("department reply"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    verify_note = models.TextField(_("verification note"), blank=True)
    rework_count = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    score = models.PositiveSmallIntegerField(
        _("evaluation score"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    evaluation_note = models.TextField(_("evaluation note"), blank=True)
    # "<device_id>:<type>" for sensor events: de-duplication while one is open.
    sensor_key = models.CharField(max_length=120, blank=True, db_index=True)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("city-management case")
        verbose_name_plural = _("city-management cases")
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["grid", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def category_label(self) -> str:
        choices = ComponentClass if self.kind == Kind.COMPONENT else EventClass
        try:
            return str(choices(self.category).label)
        except ValueError:
            return self.category

    @property
    def subclass_label(self) -> str:
        return subclass_label(self.subclass_id, self.subclass_note)

    @property
    def subclass_value(self) -> str:
        """The subclass as forms name it ("event:0116"), or ""."""
        sub = code_list.get().by_id.get(self.subclass_id) if self.subclass_id else None
        return subclass_key(sub.case_class.kind, sub.code) if sub is not None else ""


class PhotoPhase(models.TextChoices):
    BEFORE = "before", _("Before handling")
    AFTER = "after", _("After handling")
    VERIFY = "verify", _("On-site verification")


class EventPhoto(models.Model):
    event = models.ForeignKey(
        CityEvent,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=pgettext_lazy("city event", "case"),
    )
    phase = models.CharField(_("phase"), max_length=10, choices=PhotoPhase.choices)
    file = models.FileField(_("file"), upload_to="grid/%Y/%m/")
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.event_id} · {self.phase}"


class EventLog(models.Model):
    """The case's timeline (one row per step)."""

    event = models.ForeignKey(
        CityEvent,
        on_delete=models.CASCADE,
        related_name="logs",
        verbose_name=pgettext_lazy("city event", "case"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case log entry")
        verbose_name_plural = _("case log")

    def __str__(self) -> str:
        return f"{self.event_id} · {self.action}"
