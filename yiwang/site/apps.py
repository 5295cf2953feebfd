from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top of the layering: the portal's home page and `yiwang run`, which put the feature
    apps together. Nothing imports this app."""

    name = "yiwang.site"
    label = "site"
    verbose_name = _("Site")
