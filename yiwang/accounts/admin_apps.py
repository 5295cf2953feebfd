"""The Django admin's app config, pointing it at ``admin_site.YiwangAdminSite``.

Kept apart from the site itself: INSTALLED_APPS imports this module before models exist.
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "yiwang.accounts.admin_site.YiwangAdminSite"
