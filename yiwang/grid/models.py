"""Grid governance (网格化管理) and city-management cases (数字化城管, GB/T 30428)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .geo import validate_polygon


class Grid(models.Model):
    """A unit grid (单元网格): a polygon under one village or community."""

    code = models.CharField(_("grid code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="grids",
        verbose_name=_("village or community"),
    )
    polygon = models.JSONField(_("boundary (GeoJSON Polygon)"), validators=[validate_polygon])
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GridAssignment",
        related_name="grids",
        verbose_name=_("grid workers"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GridAssignment(models.Model):
    grid = models.ForeignKey(
        Grid, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("grid")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grid_assignments",
        verbose_name=_("grid worker"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        constraints = [
            models.UniqueConstraint(fields=["grid", "user"], name="grid_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} · {self.user_id}"


class ComponentClass(models.TextChoices):
    PUBLIC_FACILITY = "public_facility", _("Public facilities")
    ROAD_TRAFFIC = "road_traffic", _("Roads and traffic")
    CITY_APPEARANCE = "city_appearance", _("City appearance and environment")
    GREENING = "greening", _("Parks and greening")
    HOUSING_LAND = "housing_land", _("Buildings and land")
    OTHER_FACILITY = "other_facility", _("Other facilities")
    EXTENDED = "extended", _("Extended components")


class EventClass(models.TextChoices):
    CITY_APPEARANCE = "city_appearance", _("City appearance and environment")
    ADVERTISING = "advertising", _("Publicity and advertising")
    CONSTRUCTION = "construction", _("Construction management")
    EMERGENCY = "emergency", _("Emergencies")
    STREET_ORDER = "street_order", _("Street order")
    EXTENDED = "extended", _("Extended events")


class ComponentStatus(models.TextChoices):
    INTACT = "intact", _("Intact")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Missing")
    OCCUPIED = "occupied", _("Occupied")
    REMOVED = "removed", _("Removed")


class Component(models.Model):
    """A city component (部件) with the attributes of GB/T 30428."""

    code = models.CharField(_("identification code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    component_class = models.CharField(
        _("component class"), max_length=20, choices=ComponentClass.choices
    )
    subclass = models.CharField(_("subclass"), max_length=50, blank=True)
    competent_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("competent department"),
    )
    owner_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owning department"),
    )
    maintenance_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("maintaining department"),
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="components", verbose_name=_("grid")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ComponentStatus.choices, default=ComponentStatus.INTACT
    )
    initial_date = models.DateField(_("initial date"))
    changed_date = models.DateField(_("change date"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=100, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["code"]
        verbose_name = _("component")
        verbose_name_plural = _("components")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PlaceKind(models.TextChoices):
    BUILDING = "building", _("Building")
    SHOP = "shop", _("Shop")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    SITE = "site", _("Construction site")
    PUBLIC = "public", _("Public place")
    OTHER = "other", _("Other")


class Place(models.Model):
    """A place in the light 人地事物 registry, linked to its grid."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=PlaceKind.choices)
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="places", verbose_name=_("grid")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["grid", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    PUBLIC = "public", _("Public report")
    VIDEO = "video", _("Video surveillance")
    REFERRAL = "referral", _("Referral")
    SENSOR = "sensor", _("Sensor")


class Kind(models.TextChoices):
    COMPONENT = "component", _("Component")
    EVENT = "event", _("Event")


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
    subclass = models.CharField(_("subclass"), max_length=50, blank=True)
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


class SensorType(models.TextChoices):
    WATERLOGGING = "waterlogging", _("Waterlogging monitor")
    MANHOLE = "manhole", _("Manhole cover displacement")
    SMOKE = "smoke", _("Smoke detector")
    NOISE = "noise", _("Noise monitor")


class SensorDevice(models.Model):
    device_id = models.CharField(_("device ID"), max_length=64, unique=True)
    sensor_type = models.CharField(
        pgettext_lazy("city event", "type"), max_length=20, choices=SensorType.choices
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    address = models.CharField(_("address"), max_length=200, blank=True)
    grid = models.ForeignKey(
        Grid,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("grid"),
    )
    active = models.BooleanField(pgettext_lazy("city event", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["device_id"]
        verbose_name = _("sensor device")
        verbose_name_plural = _("sensor devices")

    def __str__(self) -> str:
        return self.name or self.device_id


class AlertChannel(models.TextChoices):
    WEBHOOK = "webhook", _("HTTP webhook")
    MQTT = "mqtt", _("MQTT")
    OTHER = "other", _("Other")


class SensorAlert(models.Model):
    """Every alert received, accepted or not (rejected ones keep the error text)."""

    device = models.ForeignKey(
        SensorDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("device"),
    )
    device_ref = models.CharField(_("device ID as sent"), max_length=64, blank=True)
    sensor_type = models.CharField(pgettext_lazy("city event", "type"), max_length=20, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    channel = models.CharField(
        pgettext_lazy("city event", "channel"),
        max_length=10,
        choices=AlertChannel.choices,
        default=AlertChannel.OTHER,
    )
    event = models.ForeignKey(
        CityEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=pgettext_lazy("city event", "case"),
    )
    ticket = models.ForeignKey(
        "hotline.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sensor_alerts",
        verbose_name=_("12345 ticket"),
    )
    duplicate = models.BooleanField(_("linked to an open case"), default=False)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("sensor alert")
        verbose_name_plural = _("sensor alerts")

    def __str__(self) -> str:
        return f"{self.device_ref} · {self.sensor_type} · {self.received_at:%Y-%m-%d %H:%M}"


GRID_INDEX_CACHE_KEY = "grid:index:v1"


@receiver([post_save, post_delete], sender=Grid)
def _forget_grid_index(sender, **kwargs) -> None:
    """Locating a point reads a cached index of the polygons; any change of a grid drops it."""
    cache.delete(GRID_INDEX_CACHE_KEY)
