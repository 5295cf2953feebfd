"""Download counts of the open datasets: one row per dataset, format and day.

Nothing about who downloaded: no user, no address, no time of day — a statistic, like the
search counters (``yiwang.search.popular``). A download adds one to its row with an
``UPDATE … SET count = count + 1`` (``F()``), so concurrent downloads never lose a count and
never lock more than that row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DownloadFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", pgettext_lazy("file format", "Excel")


class Download(models.Model):
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("data resource"),
    )
    format = models.CharField(_("format"), max_length=8, choices=DownloadFormat.choices)
    day = models.DateField(_("day"))
    count = models.PositiveBigIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("download count")
        verbose_name_plural = _("download counts")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "format", "day"], name="opendata_download_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.format} {self.day}: {self.count}"
