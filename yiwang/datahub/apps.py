from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatahubConfig(AppConfig):
    name = "yiwang.datahub"
    label = "datahub"
    verbose_name = _("Data hub")

    def ready(self):
        from yiwang.search.registry import register

        from .indexing import KIND, reindex_documents

        register(KIND, reindex_documents)

        from . import casework

        casework.connect()
