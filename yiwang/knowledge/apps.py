from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "yiwang.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from yiwang.search.registry import register

        from .indexing import KIND, reindex_documents

        register(KIND, reindex_documents)
