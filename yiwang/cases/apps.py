from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yiwang.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from yiwang.workdays.signals import calendar_changed

        from . import receivers

        calendar_changed.connect(
            receivers.on_calendar_changed, dispatch_uid="cases.calendar_changed"
        )
