from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .checks import check_keys


class GmcryptoConfig(AppConfig):
    name = "yiwang.gmcrypto"
    label = "gmcrypto"
    verbose_name = _("SM crypto")

    def ready(self) -> None:
        checks.register(check_keys, checks.Tags.security)
