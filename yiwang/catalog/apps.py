from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self):
        # Imported here, not at the top: the registry and the indexing module load models,
        # which Django allows only once the app registry is ready.
        try:
            from yiwang.search.registry import register
        except ImportError:  # search not installed: nothing to register
            return
        from .indexing import KIND, reindex_documents

        register(KIND, reindex_documents)
