from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.search import registry


class Command(BaseCommand):
    help = "Rebuild the search index from the apps that registered a reindexer."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help="Kinds to rebuild (default: all registered).")
        parser.add_argument(
            "--list", action="store_true", dest="list_kinds", help="List registered kinds and exit."
        )

    def handle(self, *args, kinds, list_kinds, **options):
        registered = registry.reindexers()
        if list_kinds:
            for kind in registered:
                self.stdout.write(kind)
            return
        if not registered:
            self.stdout.write(_("No app has registered a search reindexer; nothing to do."))
            return
        unknown = [k for k in kinds if k not in registered]
        if unknown:
            raise CommandError(
                _("Unknown search kind(s): %(unknown)s. Registered kinds: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(registered)}
            )
        for result in registry.reindex(kinds or None):
            self.stdout.write(
                _("%(kind)s: %(indexed)d documents indexed, %(removed)d removed.")
                % {"kind": result.kind, "indexed": result.indexed, "removed": result.removed}
            )
