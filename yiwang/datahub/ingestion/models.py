"""Ingestion jobs and scheduled pulls (imported by ``datahub.models``).

An ``Ingestion`` is one load of rows into a resource's hub table, from an uploaded file or a
pull. Its counters are updated after every batch, so a page polling it follows the run; its
``errors`` keep the first ``MAX_STORED_ERRORS`` problems (values masked when personal) and
``error_count`` the exact total; every failed row, with its reasons, is in ``failed_file``.
A ``PullSource`` is an HTTP JSON endpoint fetched on a schedule; the value of its optional
header (an API key) is encrypted at rest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.gmcrypto.fields import EncryptedTextField

#: Problems kept on the job; the total is exact, every failed row is in the download.
MAX_STORED_ERRORS = 1000


class IngestionSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    PULL = "pull", _("Scheduled pull")


class IngestionFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (.xlsx)"
    XLS = "xls", "Excel 97-2003 (.xls)"
    JSON = "json", "JSON"


class IngestionStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("ingestion", "Queued")
    RUNNING = "running", pgettext_lazy("ingestion", "Running")
    DONE = "done", pgettext_lazy("ingestion", "Done")
    FAILED = "failed", pgettext_lazy("ingestion", "Failed")


FINISHED_STATUSES = (IngestionStatus.DONE, IngestionStatus.FAILED)


class PullInterval(models.TextChoices):
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


INTERVALS = {
    PullInterval.HOURLY: dt.timedelta(hours=1),
    PullInterval.DAILY: dt.timedelta(days=1),
    PullInterval.WEEKLY: dt.timedelta(weeks=1),
}


class PullSource(models.Model):
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.CASCADE,
        related_name="pull_sources",
        verbose_name=_("resource"),
    )
    url = models.URLField(_("endpoint address"), max_length=500)
    #: An optional request header, e.g. an API key the endpoint asks for.
    header_name = models.CharField(_("header name"), max_length=100, blank=True)
    header_value = EncryptedTextField(_("header value"), blank=True, default="")
    #: Where the rows are in the answer, e.g. ``data.items``; empty: the answer itself, or
    #: the list under "rows", "data" or "records".
    rows_path = models.CharField(_("path to the rows"), max_length=200, blank=True)
    interval = models.CharField(
        _("interval"), max_length=10, choices=PullInterval.choices, default=PullInterval.DAILY
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)
    last_status = models.CharField(
        _("last status"), max_length=10, choices=IngestionStatus.choices, blank=True
    )
    next_run_at = models.DateTimeField(_("next run at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["resource", "id"]
        verbose_name = _("pull source")
        verbose_name_plural = _("pull sources")
        indexes = [models.Index(fields=["enabled", "next_run_at"], name="datahub_pull_due")]

    def __str__(self) -> str:
        return f"{self.resource_id} ← {self.url}"


class Ingestion(models.Model):
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.CASCADE,
        related_name="ingestions",
        verbose_name=_("resource"),
    )
    source = models.CharField(_("source"), max_length=10, choices=IngestionSource.choices)
    pull_source = models.ForeignKey(
        PullSource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ingestions",
        verbose_name=_("pull source"),
    )
    # Stored under the media root (never served): only the task reads it; deleted after the run.
    file = models.FileField(_("file"), upload_to="datahub-ingestions/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    format = models.CharField(_("format"), max_length=10, choices=IngestionFormat.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IngestionStatus.choices,
        default=IngestionStatus.QUEUED,
    )
    rows_read = models.PositiveBigIntegerField(_("rows read"), default=0)
    #: The rows the file is expected to hold (for the progress bar; 0: not known yet).
    rows_expected = models.PositiveBigIntegerField(_("rows expected"), default=0)
    created = models.PositiveBigIntegerField(pgettext_lazy("rows", "created"), default=0)
    updated = models.PositiveBigIntegerField(pgettext_lazy("rows", "updated"), default=0)
    unchanged = models.PositiveBigIntegerField(pgettext_lazy("rows", "unchanged"), default=0)
    failed = models.PositiveBigIntegerField(pgettext_lazy("rows", "failed"), default=0)
    #: [{"row", "column", "name", "value", "message"}, ...]: the first MAX_STORED_ERRORS.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveBigIntegerField(_("problems"), default=0)
    #: Notes that did not stop the run, e.g. columns of the file no item matches.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    #: Why the job failed as a whole (unreadable file, missing key column, schema conflict…).
    message = models.TextField(_("message"), blank=True)
    #: Every failed row with its reasons (personal values masked), for download.
    failed_file = models.FileField(
        _("failed rows"), upload_to="datahub-ingestions/%Y/%m/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ingestion")
        verbose_name_plural = _("ingestions")
        indexes = [models.Index(fields=["resource", "-created_at"], name="datahub_ingestion_res")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.file_name or self.source} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def written(self) -> int:
        return self.created + self.updated + self.unchanged
