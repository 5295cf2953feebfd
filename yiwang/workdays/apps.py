from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "yiwang.workdays"
    label = "workdays"
    verbose_name = _("Working days")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import calendar
        from .models import HolidayOverride

        def changed(sender, instance, using, **kwargs):
            # Safety net for writes that bypass the actions (fixtures, shell):
            # never serve a stale calendar.
            calendar.mark_changed(using)

        post_save.connect(
            changed, sender=HolidayOverride, weak=False, dispatch_uid="workdays.override.saved"
        )
        post_delete.connect(
            changed, sender=HolidayOverride, weak=False, dispatch_uid="workdays.override.deleted"
        )
