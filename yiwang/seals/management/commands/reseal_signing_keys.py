"""`yiwang reseal_signing_keys --old-kek-env VAR`: re-seal every seal and staff signing key
under the configured YIWANG_SIGNING_KEK, opening them with the previous KEK read from the
environment variable VAR (never from the command line, which other users and the shell
history see). All keys or none; see docs/dev/seals.md#replacing-the-kek."""

from django.core.management.base import BaseCommand, CommandError

from yiwang.audit.actors import SystemActor
from yiwang.gmcrypto import core
from yiwang.seals.resealing import ResealError, old_kek_from_env, reseal_all

ACTOR = SystemActor("yiwang reseal_signing_keys")


class Command(BaseCommand):
    help = (
        "Re-encrypt every SM2 private key (seals and staff keys) from the previous "
        "key-encryption key to the configured YIWANG_SIGNING_KEK, in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--old-kek-env",
            required=True,
            metavar="VAR",
            help="Name of the environment variable that holds the previous KEK (32 hex digits)",
        )

    def handle(self, *args, old_kek_env: str, **options):
        try:
            core.signing_kek()
            old = old_kek_from_env(old_kek_env)
            report = reseal_all(old, actor=ACTOR)
        except (ResealError, core.MissingKeyError, ValueError) as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.resealed} key(s) re-sealed under YIWANG_SIGNING_KEK"
                f" ({report.already} already under it). The previous KEK is no longer needed "
                "by this database; keep it with the backups made before now."
            )
        )
