"""Administrator-maintained corrections to the official holiday schedule.

The ``chinesecalendar`` package carries the State Council schedule up to the
last year it knows; each year's schedule is published around November. Until
the package is upgraded, the data authority enters the new year's holidays and
调休 working days here, citing the notice they come from. Write only through
``yiwang.workdays.actions``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NAME_MAX = 50  # also quoted by ``actions`` when a name is too long


class HolidayOverride(models.Model):
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_(
            "Ticked: the offices work on this day (e.g. a weekend 调休 day). "
            "Not ticked: a day off (a public holiday)."
        ),
    )
    name = models.CharField(_("name"), max_length=NAME_MAX, help_text=_("For example 2027年春节."))
    source_notice = models.TextField(
        _("source notice"),
        help_text=_("Title and number of the State Council notice that sets this day."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"
