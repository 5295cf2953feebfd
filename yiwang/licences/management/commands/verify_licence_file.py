"""`yiwang verify_licence_file FILE --public-key KEY`: a licence file or PDF, checked offline."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.licences import offline


class Command(BaseCommand):
    help = (
        "Verify a licence file (JSON) or a licence PDF (its embedded licence file) with the "
        "issuer's SM2 public key, without the database. Exits 0 when genuine, 1 otherwise."
    )
    # Needs neither the database nor a checked installation: a verifier may run it anywhere.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="The licence file (.json) or the licence PDF.")
        parser.add_argument(
            "--public-key",
            required=True,
            help="The issuer's SM2 public key (hex, 04…), or the path of a file holding it.",
        )

    def handle(self, *args, file: str, public_key: str, **options):
        result, lines = offline.report(file, offline.public_key_argument(public_key))
        if result.valid:
            self.stdout.write(self.style.SUCCESS(lines[0]))
            for line in lines[1:]:
                self.stdout.write(line)
            return
        for line in lines:
            self.stderr.write(self.style.ERROR(line))
        raise CommandError(_("The licence file did not verify."), returncode=1)
