from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "yiwang.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self):
        from yiwang.datahub.signals import catalogue_changed
        from yiwang.search.registry import register

        from .indexing import KIND, on_catalogue_changed, reindex_documents

        register(KIND, reindex_documents)
        catalogue_changed.connect(on_catalogue_changed, dispatch_uid="opendata.reindex")
