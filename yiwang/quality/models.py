"""Data quality (C16): rules bound to a resource's data items, runs that check a resource's
hub rows against them, the row-level issues a run found and each resource's latest score.

A rule names its data item by ``column`` (as hub tables and published versions do), so a
revised resource keeps its rules while the column stays. A run keeps what it measured (per
rule: rows checked and failed; per dimension: a score) even when its rules later change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import RuleKind, RunStatus, RunTrigger, dimension_of


class QualityRule(models.Model):
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.CASCADE,
        related_name="quality_rules",
        verbose_name=_("resource"),
    )
    #: The data item's column; empty for a rule on the whole resource (freshness).
    column = models.CharField(_("column"), max_length=63, blank=True)
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    #: Normalised by ``params.clean``: e.g. {"pattern": ...}, {"min": "0", "max": "150"}.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
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
        ordering = ["resource", "column", "id"]
        verbose_name = _("quality rule")
        verbose_name_plural = _("quality rules")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "column", "kind"], name="quality_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.column or '*'} {self.kind}"

    @property
    def dimension(self) -> str:
        return dimension_of(self.kind)


class QualityRun(models.Model):
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.CASCADE,
        related_name="quality_runs",
        verbose_name=_("resource"),
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=RunTrigger.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: Rows read so far (updated while running) and in the end.
    rows_checked = models.PositiveBigIntegerField(_("rows checked"), default=0)
    #: The overall score: the mean of the dimensions measured (None: nothing was measured).
    score = models.FloatField(_("score"), null=True, blank=True)
    #: {dimension: score 0–100} for the dimensions measured.
    scores = models.JSONField(_("scores by dimension"), default=dict, blank=True)
    #: [{"rule", "kind", "column", "dimension", "checked", "failed", "note"}, ...]
    results = models.JSONField(_("results by rule"), default=list, blank=True)
    #: Every failed check, counted exactly (the issues stored are capped).
    issue_total = models.PositiveBigIntegerField(_("issues found"), default=0)
    issues_stored = models.PositiveIntegerField(_("issues kept"), default=0)
    seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("quality run")
        verbose_name_plural = _("quality runs")
        indexes = [
            models.Index(fields=["resource", "-created_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class QualityIssue(models.Model):
    """One failed check of one row (or of the resource, for freshness). Values are kept
    masked as the item's mask shows them, and cut short: an issue list is not a copy of the
    data."""

    run = models.ForeignKey(
        QualityRun, on_delete=models.CASCADE, related_name="issues", verbose_name=_("run")
    )
    rule = models.ForeignKey(
        QualityRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule"),
    )
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    column = models.CharField(_("column"), max_length=63, blank=True)
    #: The hub row's ``_id`` (None for a resource-level issue).
    row_id = models.BigIntegerField(_("row"), null=True, blank=True)
    #: The row's key, masked when the key item is personal.
    row_key = models.CharField(_("row key"), max_length=100, blank=True)
    value = models.CharField(pgettext_lazy("quality issue", "value"), max_length=200, blank=True)
    message = models.CharField(_("problem"), max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name = _("quality issue")
        verbose_name_plural = _("quality issues")
        indexes = [models.Index(fields=["run", "kind", "column"])]

    def __str__(self) -> str:
        return f"{self.column} {self.message}"


class QualityScore(models.Model):
    """A resource's latest finished run, so pages show scores with one join."""

    resource = models.OneToOneField(
        "datahub.Resource",
        on_delete=models.CASCADE,
        related_name="quality_score",
        verbose_name=_("resource"),
    )
    run = models.ForeignKey(
        QualityRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("run")
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    scores = models.JSONField(_("scores by dimension"), default=dict, blank=True)
    issue_total = models.PositiveBigIntegerField(_("issues found"), default=0)
    scored_at = models.DateTimeField(_("scored at"))

    class Meta:
        ordering = ["score", "resource"]
        verbose_name = _("quality score")
        verbose_name_plural = _("quality scores")
        indexes = [models.Index(fields=["score"])]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.score}"


__all__ = [
    "QualityIssue",
    "QualityRule",
    "QualityRun",
    "QualityScore",
    "RunStatus",
    "RunTrigger",
]
