"""Sharing requests, their timeline and the grants they produce.

A request records the published version it asked about and the ``column``s of the items
requested; the route (authority only, or authority then provider) and every time limit are
copied onto the row when they apply, so later policy or setting changes never move a
running request.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import ApprovalRoute


class RequestStatus(models.TextChoices):
    REVIEW = "review", _("Awaiting conformity review")
    PROVIDER = "provider", _("Awaiting the provider's decision")
    DISPUTED = "disputed", _("Disputed, awaiting coordination")
    GRANTED = "granted", pgettext_lazy("sharing request", "Granted")
    REFUSED = "refused", pgettext_lazy("sharing request", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("sharing request", "Withdrawn")


#: Statuses in which a step's clock runs (someone must act by ``due_at``).
PENDING_STATUSES = (RequestStatus.REVIEW, RequestStatus.PROVIDER, RequestStatus.DISPUTED)


class RefusedAt(models.TextChoices):
    REVIEW = "review", _("Conformity review")
    PROVIDER = "provider", _("Provider's decision")
    COORDINATION = "coordination", _("Coordination")


class GrantStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("grant", "Active")
    REVOKED = "revoked", pgettext_lazy("grant", "Revoked")
    EXPIRED = "expired", pgettext_lazy("grant", "Expired")


class SharingRequest(models.Model):
    consumer = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consumer department"),
    )
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.PROTECT,
        related_name="sharing_requests",
        verbose_name=_("resource"),
    )
    version = models.ForeignKey(
        "datahub.ResourceVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("version requested"),
    )
    #: Columns of the items requested, in the version's item order.
    fields = models.JSONField(_("fields requested"), default=list)
    purpose = models.TextField(_("purpose"), max_length=2000)
    scenario = models.TextField(_("application scenario"), max_length=2000)
    legal_basis = models.TextField(pgettext_lazy("sharing request", "legal basis"), max_length=2000)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    #: ``authority`` or ``authority_provider``, decided at submission (see ``sharing.rules``).
    route = models.CharField(_("approval route"), max_length=30, choices=ApprovalRoute.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.REVIEW
    )
    refused_at_step = models.CharField(
        _("refused at"), max_length=20, choices=RefusedAt.choices, blank=True
    )
    #: The reasons of the last decision (refusal, grant, coordination), for lists.
    reasons = models.TextField(_("reasons"), blank=True)
    # --- the clock of the current step ---
    step_started_at = models.DateTimeField(_("step started at"), null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), default=0)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("sharing request")
        verbose_name_plural = _("sharing requests")
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["consumer", "submitted_at"]),
            models.Index(fields=["resource", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.resource_id} → {self.consumer_id}"

    @property
    def pending(self) -> bool:
        return self.status in PENDING_STATUSES


#: What each timeline verb means, as the request page shows it.
EVENT_LABELS = {
    "submit": _("Submitted"),
    "review_approve": _("Conformity review passed; sent to the provider"),
    "review_grant": _("Conformity review passed; granted"),
    "review_refuse": _("Refused at the conformity review"),
    "provider_grant": _("Granted by the provider"),
    "provider_refuse": _("Refused by the provider"),
    "dispute": _("Refusal disputed"),
    "coordinate_grant": _("Granted after coordination"),
    "coordinate_refuse": _("Refusal upheld after coordination"),
    "withdraw": pgettext_lazy("sharing request", "Withdrawn"),
    "grant_revoke": _("Grant revoked"),
    "overdue": _("Step overdue"),
}


class SharingEvent(models.Model):
    """One line of a request's timeline (who did what, with their reasons)."""

    request = models.ForeignKey(
        SharingRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    at = models.DateTimeField(_("at"))
    verb = models.CharField(_("event"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    status = models.CharField(_("status after"), max_length=20, choices=RequestStatus.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["request", "at", "id"]
        verbose_name = _("sharing request event")
        verbose_name_plural = _("sharing request events")

    def __str__(self) -> str:
        return f"#{self.request_id} {self.verb}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.verb, self.verb))


class Grant(models.Model):
    """What a consumer department may read of a resource, until it expires or is revoked.

    The exchange API checks ``is_usable(now)``, projects ``fields`` and counts ``daily_quota``.
    """

    request = models.OneToOneField(
        SharingRequest, on_delete=models.PROTECT, related_name="grant", verbose_name=_("request")
    )
    consumer = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("consumer department"),
    )
    resource = models.ForeignKey(
        "datahub.Resource",
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("resource"),
    )
    fields = models.JSONField(_("fields granted"), default=list)
    purpose = models.TextField(_("purpose"), max_length=2000)
    valid_from = models.DateTimeField(_("valid from"))
    expires_at = models.DateTimeField(_("expires at"))
    daily_quota = models.PositiveIntegerField(_("daily quota (rows)"))
    status = models.CharField(
        _("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.ACTIVE
    )
    granted_at = models.DateTimeField(_("granted at"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_reason = models.TextField(_("reasons for revocation"), blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("sharing grant")
        verbose_name_plural = _("sharing grants")
        indexes = [
            models.Index(fields=["consumer", "resource", "status"]),
            models.Index(fields=["resource", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"grant #{self.pk} {self.resource_id} → {self.consumer_id}"

    def is_usable(self, now: datetime) -> bool:
        """Whether the consumer may read under this grant at ``now`` (active, begun, not
        past its expiry). The sweep marks expired grants later; this answers at once."""
        return self.status == GrantStatus.ACTIVE and self.valid_from <= now < self.expires_at
