"""`yiwang rotate_keys sm4`: re-encrypt personal data under the current SM4 key.

Before running it, make the new key ``YIWANG_SM4_KEY`` and list the previous one in
``YIWANG_SM4_OLD_KEYS`` for every process (web, worker, this command), and restart
them: see docs/dev/operations.md#keys. ``blind-index`` explains why that key has no
automatic rotation.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yiwang.audit.actors import SystemActor
from yiwang.gmcrypto import core
from yiwang.privacy import key_rotation

ACTOR = SystemActor("yiwang rotate_keys")

BLIND_INDEX_EXPLANATION = (  # English: the operator's explanation, linked to the docs
    "The blind-index key is not rotated by a command. Each blind index is computed by the "
    "app that owns it, from a value normalised its own way and with its own purpose label "
    "(accounts: resident ID and phone; cases: form values; hotline: caller phones), and some "
    "are never stored (SMS codes and throttle keys in the cache). A generic rewrite cannot "
    "reproduce them, and a wrong one silently breaks lookups (login by phone, duplicate "
    "checks). Rotate it only as a planned maintenance operation: see "
    "docs/dev/operations.md#keys."
)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value under the current YIWANG_SM4_KEY (resumable)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True, metavar="{sm4,blind-index}")
        sm4 = sub.add_parser("sm4", help="Re-encrypt values written with an old SM4 key.")
        sm4.add_argument("--batch", type=int, default=500, help="Rows per transaction (500).")
        sm4.add_argument(
            "--restart",
            action="store_true",
            help="Forget the recorded progress for the current key and scan everything again.",
        )
        sm4.add_argument(
            "--check",
            action="store_true",
            help="Only count the values not yet under the current key; change nothing.",
        )
        sub.add_parser("blind-index", help="Why the blind-index key has no automatic rotation.")

    def handle(self, *args, which, **options):
        if which == "blind-index":
            raise CommandError(BLIND_INDEX_EXPLANATION)
        if options["batch"] < 1:
            raise CommandError(_("--batch must be a positive number of rows."))
        try:
            core.sm4_keys()
        except (ValueError, core.MissingKeyError) as exc:
            raise CommandError(
                _("The SM4 keys are not usable: %(error)s") % {"error": exc}
            ) from exc
        try:
            if not options["check"]:
                self._rotate(options["batch"], options["restart"])
            self._report_remaining()
        except key_rotation.RotationError as exc:
            raise CommandError(str(exc)) from exc

    def _rotate(self, batch: int, restart: bool) -> None:
        old = len(core.sm4_keys()) - 1
        self.stdout.write(
            _("Re-encrypting under key %(key)s (%(old)d old key(s) accepted for reading).")
            % {"key": key_rotation.key_fingerprint(), "old": old}
        )

        def show(state):
            self.stdout.write(
                _("  %(model)s: %(rows)d rows read, %(rewritten)d values re-encrypted")
                % {"model": state.model, "rows": state.rows, "rewritten": state.rewritten}
            )

        done = key_rotation.rotate_sm4(actor=ACTOR, batch=batch, restart=restart, progress=show)
        for state in done:
            self.stdout.write(
                self.style.SUCCESS(
                    _("✓ %(model)s: %(rows)d rows, %(rewritten)d values re-encrypted")
                    % {"model": state.model, "rows": state.rows, "rewritten": state.rewritten}
                )
            )

    def _report_remaining(self) -> None:
        remaining = dict(key_rotation.remaining_old_values())
        if not remaining:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "All encrypted values are under the current key: YIWANG_SM4_OLD_KEYS can "
                        "be emptied (keep the old key with the backups that still need it)."
                    )
                )
            )
            return
        for label, count in remaining.items():
            self.stderr.write(
                _("  %(model)s: %(count)d value(s) still under an old key or format")
                % {"model": label, "count": count}
            )
        raise CommandError(
            _(
                "Some values are not under the current key yet: run `yiwang rotate_keys sm4` "
                "(with --restart if every process now writes with the new key)."
            ),
            returncode=1,
        )
