"""Administrative divisions: GB/T 2260 (6 digits) and GB/T 10114 (9/12 digits)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWN = 4, _("Town")
    VILLAGE = 5, _("Village or community")


class RegionQuerySet(models.QuerySet):
    def subtree(self, root: "Region"):
        """The root and everything below it (one indexed prefix scan)."""
        return self.filter(path__startswith=root.path)


class Region(models.Model):
    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Materialised path of codes ("440000/441400/441422/"): subtree = prefix match.
    path = models.CharField(max_length=200, db_index=True, editable=False)
    retired = models.BooleanField(_("retired"), default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)

    @property
    def county(self) -> "Region | None":
        """The county-level division this region belongs to (itself if it is one)."""
        node: Region | None = self
        while node is not None and node.level > Level.COUNTY:
            node = node.parent
        return node if node is not None and node.level == Level.COUNTY else None

    @property
    def town(self) -> "Region | None":
        """The town-level division this region belongs to (itself if it is one; ``None`` above
        town level). Walks ``parent``: select it related to avoid a query."""
        node: Region | None = self
        while node is not None and node.level > Level.TOWN:
            node = node.parent
        return node if node is not None and node.level == Level.TOWN else None

    @property
    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None and node.level >= Level.COUNTY:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))
