from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "yiwang.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")

    def ready(self):
        # Imported here: queries load models, which Django allows only once apps are ready.
        from yiwang.privacy.sources import register

        from .queries import ExchangeSource

        # The person's "who saw my data" list also shows exchange reads of their rows.
        register(ExchangeSource())
