"""`yiwang setup`: keys, then migrate and, on an empty database, load the 大埔县 demo data.

On a fresh machine no key is configured and the system check refuses to run anything
with DEBUG off, so this command skips the checks, first writes random keys to the
secrets file (``YIWANG_SECRETS_FILE``, default ``var/secrets.env``), puts them into
this process's settings, and only then migrates. Keys already set in the environment
or the file are never replaced, and the file is never rewritten (missing keys are
appended). ``--keys-only`` stops after the keys (CI, and before ``check --deploy``).
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from yiwang.accounts.models import User
from yiwang.audit.actions import ResealRefused, reseal_chain, unkeyed_chain
from yiwang.audit.actors import SystemActor
from yiwang.gmcrypto import core, envfile
from yiwang.gmcrypto.checks import KNOWN_DEFAULT_SECRET_KEYS

# Settings attribute for each environment variable the secrets file may hold.
SETTING_FOR = {
    "YIWANG_SECRET_KEY": "SECRET_KEY",
    "YIWANG_SM4_KEY": "YIWANG_SM4_KEY",
    "YIWANG_BLIND_INDEX_KEY": "YIWANG_BLIND_INDEX_KEY",
    "YIWANG_AUDIT_KEY": "YIWANG_AUDIT_KEY",
    "YIWANG_SIGNING_KEK": "YIWANG_SIGNING_KEK",
}
# Keys protecting data already in the database: never generated for a database that has it.
# (A new audit key is fine: an existing chain of the unkeyed format is resealed under it.
# A new signing KEK is fine while no sealed signing key is stored; the app that stores them
# must refuse a new KEK once it has some.)
DATA_KEYS = {"YIWANG_SM4_KEY", "YIWANG_BLIND_INDEX_KEY"}


def _unset(value: str) -> bool:
    """Not configured by the environment, the secrets file or a settings module."""
    return not value or value in KNOWN_DEFAULT_SECRET_KEYS


def _database_has_data() -> bool:
    try:
        if User._meta.db_table not in connection.introspection.table_names():
            return False
        return User.objects.exists()
    except DatabaseError:
        return False


class Command(BaseCommand):
    help = (
        "Generate missing keys into the secrets file, migrate the database and load the demo "
        "data if the database is empty."
    )
    # The checks would refuse to run without the keys this command generates.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument(
            "--keys-only",
            action="store_true",
            help="Only generate missing keys into the secrets file; do not touch the database.",
        )

    def handle(self, *args, no_demo=False, keys_only=False, **options):
        self._ensure_keys()
        if keys_only:
            return
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("✓ 数据库已迁移 (database migrated)")
        self._reseal_unkeyed_chain()
        if not no_demo and not User.objects.exists():
            call_command("demo", stdout=self.stdout)

    def _ensure_keys(self) -> None:
        path = settings.YIWANG_SECRETS_FILE
        missing = [name for name, attr in SETTING_FOR.items() if _unset(core.key_setting(attr))]
        if not missing:
            self.stdout.write(f"✓ 密钥已配置 (keys configured; generated ones are in {path})")
            return
        if DATA_KEYS.intersection(missing) and _database_has_data():
            names = ", ".join(sorted(DATA_KEYS.intersection(missing)))
            raise CommandError(
                f"数据库中已有数据，但未设置 {names}，新生成的密钥无法读取这些数据。"
                f"(The database already holds data, but {names} is not set: new random keys "
                "could not read it. Set the keys this data was written with, see "
                "docs/dev/operations.md#keys; for a demo database, delete it, e.g. "
                "var/yiwang.sqlite3, and run `yiwang setup` again.)"
            )
        generated = envfile.append_keys(path, missing)
        for name, value in generated.items():
            os.environ[name] = value
            setattr(settings, SETTING_FOR[name], value)
        self.stdout.write(f"✓ 已生成密钥 (keys generated: {', '.join(generated)}) → {path} (0600)")

    def _reseal_unkeyed_chain(self) -> None:
        """An audit chain written before the keyed format is resealed once, if intact."""
        if not unkeyed_chain():
            return
        try:
            count = reseal_chain(actor=SystemActor("yiwang setup"))
        except ResealRefused as exc:
            self.stderr.write(
                f"! 审计链未重新封存 (audit chain not resealed: {exc}); run `yiwang audit verify`."
            )
            return
        self.stdout.write(f"✓ 审计链已用审计密钥重新封存 (audit chain resealed: {count} entries)")
