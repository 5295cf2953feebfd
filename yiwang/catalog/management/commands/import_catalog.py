from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError

from yiwang.audit.actors import SystemActor
from yiwang.catalog.excel import import_workbook


class Command(BaseCommand):
    help = (
        "Import the service catalogue from an Excel workbook in the export format. Every row is "
        "validated first; if any row is wrong nothing is imported and every error is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .xlsx file to read")
        parser.add_argument(
            "--user",
            help="Username recorded as the actor in the audit log (default: the platform itself)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only validate")

    def handle(self, *args, file: str, user: str | None = None, dry_run: bool = False, **options):
        actor: SystemActor | AbstractBaseUser = SystemActor("import_catalog")
        if user:
            found = get_user_model().objects.filter(username=user, is_active=True).first()
            if found is None:
                raise CommandError(f"No active user named {user!r}.")
            actor = found
        try:
            with open(file, "rb") as handle:
                result = import_workbook(handle, actor=actor, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        if dry_run:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The workbook is valid (dry run, nothing imported). Importing it: "
                    f"{result.summary()}"
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(result.summary()))
