"""`yiwang audit verify`: walk the SM3 hash chain and report the first break."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.audit.actions import verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the SM3 hash chain and exits non-zero if it is broken."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        verify_parser = sub.add_parser(
            "verify",
            help="Walk the whole chain; report the first altered, deleted or reordered entry.",
        )
        verify_parser.add_argument(
            "--batch", type=int, default=5000, help="Entries read per query (default 5000)."
        )

    def handle(self, *args, subcommand, **options):
        if subcommand == "verify":
            return self._verify(options["batch"])
        raise CommandError(f"unknown subcommand {subcommand!r}")  # pragma: no cover (argparse)

    def _verify(self, batch: int) -> None:
        if batch < 1:
            raise CommandError(_("--batch must be a positive number of entries."))
        result = verify(batch=batch)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message))
            return
        self.stderr.write(self.style.ERROR(result.message))
        raise CommandError(
            _("Audit chain verification failed: %(count)d entries were intact before the break.")
            % {"count": result.checked},
            returncode=1,
        )
