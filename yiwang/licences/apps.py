from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    label = "licences"
    verbose_name = _("E-licences")

    def ready(self) -> None:
        from . import casework

        casework.connect()
