"""What happens to a ticket besides its timeline: call-back records and extension requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import CallBackResult, Satisfaction
from .tickets import Ticket


class CallBack(models.Model):
    """回访记录: every call-back result, kept for good.

    The ticket's own ``satisfaction`` is only the current round (a reopen clears it); the
    figures read this history, so a first 不满意 still counts against the department that
    handled the ticket then (``department``), whatever happens after the reopen.
    """

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="callbacks",
        verbose_name=_("ticket"),
        db_index=False,  # the (ticket, round) constraint's index covers it
    )
    round = models.PositiveSmallIntegerField(_("call-back round"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices[1:]
    )
    result = models.CharField(
        _("result"),
        max_length=10,
        choices=CallBackResult.choices,
        default=CallBackResult.KEPT_CLOSED,
    )
    # The lead department when the caller was called back (None: answered at once, no department).
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called back by"),
    )
    at = models.DateTimeField(_("called back at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["ticket", "round"]
        verbose_name = _("call-back record")
        verbose_name_plural = _("call-back records")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "round"], name="callback_ticket_round_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.round}: {self.satisfaction}"


class ExtensionRequest(models.Model):
    """延期申请: asked by the lead department before the deadline, decided by a dispatcher."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("ticket")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    days = models.PositiveSmallIntegerField(_("working days requested"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved = models.BooleanField(_("approved"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    previous_due = models.DateField(null=True, blank=True)
    new_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(approved__isnull=True),
                name="one_pending_extension_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket} +{self.days}"

    @property
    def pending(self) -> bool:
        return self.approved is None
