"""The record of each hub table: its name, the columns it has and its row count."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HubTable(models.Model):
    resource = models.OneToOneField(
        "datahub.Resource",
        on_delete=models.PROTECT,
        related_name="hub_table",
        verbose_name=_("resource"),
    )
    table_name = models.CharField(_("table name"), max_length=63, unique=True)
    #: The key item's column: rows are upserted and looked up by it.
    key_column = models.CharField(_("key column"), max_length=63)
    #: [{"column", "data_type", "encrypted"}, ...] as the table has them, in order.
    columns = models.JSONField(_("columns"), default=list)
    #: Kept by every write, so pages never count a million rows.
    row_count = models.PositiveBigIntegerField(_("rows"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    #: The time rows were last written (ingestion or pull).
    written_at = models.DateTimeField(_("data last written at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hub table")
        verbose_name_plural = _("hub tables")

    def __str__(self) -> str:
        return self.table_name
