"""What is in the grids: the grids themselves and their workers, city components (部件, with
the attributes of GB/T 30428) and places (人地事物)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from ..geo import validate_polygon
from .code_lists import ComponentClass, subclass_label


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
    subclass = models.ForeignKey(
        "CaseSubclass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subclass"),
    )
    # Free text from before the code list, kept where no subclass of the list matched.
    subclass_note = models.CharField(_("subclass (former free text)"), max_length=50, blank=True)
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

    @property
    def subclass_label(self) -> str:
        return subclass_label(self.subclass_id, self.subclass_note)


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


GRID_INDEX_CACHE_KEY = "grid:index:v1"


@receiver([post_save, post_delete], sender=Grid)
def _forget_grid_index(sender, **kwargs) -> None:
    """Locating a point reads a cached index of the polygons; any change of a grid drops it."""
    cache.delete(GRID_INDEX_CACHE_KEY)
