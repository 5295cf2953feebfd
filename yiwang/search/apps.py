from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_shipped_lexicon(sender, using, **kwargs):
    """Entries added to data/lexicon.txt by an upgrade reach the database on ``migrate``;
    administrators' changes are kept (``yiwang.search.lexicon.load_shipped``)."""
    from .lexicon import load_shipped

    load_shipped()


class SearchConfig(AppConfig):
    name = "yiwang.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        post_migrate.connect(
            _load_shipped_lexicon, sender=self, dispatch_uid="search_load_shipped_lexicon"
        )
