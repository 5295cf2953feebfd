"""`yiwang verify_evidence`: walk every evidence chain and check it against the checkpoints."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.exchange import verification
from yiwang.gmcrypto.core import MissingKeyError

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Verify the exchange evidence log: every partition's keyed chain, its head and the "
        "signed checkpoints. Reports edited, deleted and inserted entries and truncated "
        "tails; exits 1 on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=5000, help="Entries read per query (default 5000)."
        )
        parser.add_argument(
            "--checkpoints",
            default=None,
            help="Checkpoint file to check against (default: YIWANG_EXCHANGE_CHECKPOINT_FILE), "
            "e.g. the copy kept by the WORM sink.",
        )

    def handle(self, *args, batch: int, checkpoints: str | None, **options):
        if batch < 1:
            raise CommandError(_("--batch must be a positive number of entries."))
        path = Path(checkpoints) if checkpoints else None
        if path is not None and not path.is_file():
            raise CommandError(_("No checkpoint file at %(path)s.") % {"path": path})
        try:
            result = verification.verify(batch=batch, checkpoint_file=path)
        except MissingKeyError as exc:
            raise CommandError(
                _(
                    "The audit key is not configured: set YIWANG_AUDIT_KEY (32 hex digits) to "
                    "the key this installation's chain was written with. (%(detail)s)"
                )
                % {"detail": exc},
                returncode=2,
            ) from exc
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message))
            if not result.checkpoints and result.checked:
                self.stdout.write(
                    self.style.WARNING(
                        _(
                            "No signed checkpoint yet: deleting the newest entries would go "
                            "unnoticed. Run `yiwang worker`, which writes them every hour."
                        )
                    )
                )
            return
        self.stderr.write(self.style.ERROR(result.message))
        for problem in result.problems[:SHOWN_PROBLEMS]:
            self.stderr.write(f"  {problem.message}")
        hidden = result.problem_count - min(len(result.problems), SHOWN_PROBLEMS)
        if hidden:
            self.stderr.write(_("  … and %(count)d more problem(s).") % {"count": hidden})
        raise CommandError(
            _("Evidence log verification failed: %(problems)d problem(s).")
            % {"problems": result.problem_count},
            returncode=1,
        )
