"""`yiwang audit verify|checkpoint|reseal`: the keyed audit chain from the command line."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.audit import actions
from yiwang.audit.actors import SystemActor
from yiwang.gmcrypto.core import MissingKeyError, parse_hex_key

ACTOR = SystemActor("yiwang audit")
OLD_KEY_VARIABLE = "YIWANG_AUDIT_OLD_KEY"
# Problems printed by `verify`; the rest are counted.
SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = (
        "Audit log tools. `verify` checks the keyed chain and the signed checkpoints and exits "
        "non-zero on any break; `checkpoint` appends a signed checkpoint of the head; `reseal` "
        "re-links a chain written before the keyed format (once, at the upgrade)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{verify,checkpoint,reseal}"
        )
        verify_parser = sub.add_parser(
            "verify",
            help="Walk the whole chain and the checkpoints; report every break.",
        )
        verify_parser.add_argument(
            "--batch", type=int, default=5000, help="Entries read per query (default 5000)."
        )
        verify_parser.add_argument(
            "--checkpoints",
            default=None,
            help="Checkpoint file to check against (default: YIWANG_AUDIT_CHECKPOINT_FILE), "
            "e.g. the copy kept by the syslog or WORM sink.",
        )
        sub.add_parser("checkpoint", help="Append a signed checkpoint of the chain head.")
        reseal_parser = sub.add_parser(
            "reseal",
            help="Re-link an intact chain under the audit key: an unkeyed (plain SM3) chain "
            "at the upgrade, or, with --from-old-key, a chain under the previous audit key.",
        )
        reseal_parser.add_argument("--batch", type=int, default=5000)
        reseal_parser.add_argument(
            "--from-old-key",
            action="store_true",
            help=f"The chain is under the previous audit key, read from {OLD_KEY_VARIABLE} "
            "(an environment variable, so that it stays out of the shell history).",
        )

    def handle(self, *args, subcommand, **options):
        try:
            if subcommand == "verify":
                return self._verify(options["batch"], options["checkpoints"])
            if subcommand == "checkpoint":
                return self._checkpoint()
            if subcommand == "reseal":
                return self._reseal(options["batch"], options["from_old_key"])
        except MissingKeyError as exc:
            raise CommandError(
                _(
                    "The audit key is not configured: set YIWANG_AUDIT_KEY (32 hex digits) to "
                    "the key this installation's chain was written with. (%(detail)s)"
                )
                % {"detail": exc},
                returncode=2,
            ) from exc
        raise CommandError(f"unknown subcommand {subcommand!r}")  # pragma: no cover (argparse)

    def _verify(self, batch: int, checkpoint_file: str | None) -> None:
        if batch < 1:
            raise CommandError(_("--batch must be a positive number of entries."))
        path = Path(checkpoint_file) if checkpoint_file else None
        if path is not None and not path.is_file():
            raise CommandError(_("No checkpoint file at %(path)s.") % {"path": path})
        result = actions.verify(batch=batch, checkpoint_file=path)
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message))
            if result.checkpoints:
                self.stdout.write(
                    _("%(count)d signed checkpoint(s) match the chain.")
                    % {"count": result.checkpoints}
                )
            else:
                self.stdout.write(
                    self.style.WARNING(
                        _(
                            "No signed checkpoint yet: deleting the newest entries would go "
                            "unnoticed. Run `yiwang audit checkpoint` or `yiwang worker`."
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
            _("Audit chain verification failed: %(problems)d problem(s).")
            % {"problems": result.problem_count},
            returncode=1,
        )

    def _checkpoint(self) -> None:
        point = actions.write_checkpoint()
        self.stdout.write(
            self.style.SUCCESS(
                _("Checkpoint written: entry #%(seq)d, %(count)d entries, at %(at)s.")
                % {"seq": point.seq, "count": point.count, "at": point.at}
            )
        )

    def _reseal(self, batch: int, from_old_key: bool) -> None:
        if batch < 1:
            raise CommandError(_("--batch must be a positive number of entries."))
        old_key = None
        if from_old_key:
            try:
                old_key = parse_hex_key(OLD_KEY_VARIABLE, os.environ.get(OLD_KEY_VARIABLE, ""))
            except ValueError as exc:
                raise CommandError(str(exc), returncode=2) from exc
        try:
            count = actions.reseal_chain(actor=ACTOR, old_key=old_key, batch=batch)
        except actions.ResealRefused as exc:
            raise CommandError(
                _("The chain was not resealed: %(reason)s. Run `yiwang audit verify`.")
                % {"reason": exc},
                returncode=1,
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d entries resealed under the audit key.") % {"count": count}
            )
        )
