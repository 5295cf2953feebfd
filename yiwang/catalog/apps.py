from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self):
        try:
            from yiwang.search.registry import register
        except ImportError:  # search not installed: nothing to register
            return
        from .indexing import KIND, reindex_documents

        register(KIND, reindex_documents)
