from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GmcryptoConfig(AppConfig):
    name = "yiwang.gmcrypto"
    label = "gmcrypto"
    verbose_name = _("SM crypto")
