"""Reference data of dispatching: the dispatch catalogue (派单目录) and the time limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .categories import Category
from .choices import TicketType


class DispatchRule(models.Model):
    """派单目录: category (or an ancestor) × region subtree → lead department + co-handlers.

    The most specific region wins, then the most specific category, then ``priority``.
    """

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="dispatch_rules",
        verbose_name=_("category"),
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("hotline", "region"),
    )
    lead_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        "orgs.Department", blank=True, related_name="+", verbose_name=_("co-handling departments")
    )
    priority = models.IntegerField(_("priority"), default=0)
    active = models.BooleanField(pgettext_lazy("hotline", "active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch catalogue")
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="dispatch_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.region} → {self.lead_department}"


class TimeLimit(models.Model):
    """Working days to handle a ticket of ``type`` (and urgency); ``sign_days`` to sign for it."""

    type = models.CharField(_("type"), max_length=12, choices=TicketType.choices)
    urgent = models.BooleanField(_("urgent"), default=False)
    days = models.PositiveSmallIntegerField(_("working days to handle"))
    sign_days = models.PositiveSmallIntegerField(_("working days to sign for"), default=1)

    class Meta:
        ordering = ["type", "urgent"]
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(fields=["type", "urgent"], name="hotline_time_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}{' (urgent)' if self.urgent else ''}: {self.days}"


#: Defaults (STANDARDS.md "12345 hotline"; one bureau's rules): (days, sign_days).
DEFAULT_TIME_LIMITS = {
    (TicketType.CONSULT, False): (3, 1),
    (TicketType.HELP, False): (3, 1),
    (TicketType.COMPLAINT, False): (13, 1),
    (TicketType.REPORT, False): (13, 1),
    (TicketType.SUGGESTION, False): (13, 1),
    (TicketType.CONSULT, True): (0, 0),
    (TicketType.HELP, True): (0, 0),
    (TicketType.COMPLAINT, True): (0, 0),
    (TicketType.REPORT, True): (0, 0),
    (TicketType.SUGGESTION, True): (0, 0),
}
