"""`yiwang import_licences FILE --department USCC`: historical licences from an Excel workbook
in the import format (see ``licences.importing``), issued by the platform itself in the
department's name. Every row is checked first; if any is wrong nothing is imported."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yiwang.audit.actors import SYSTEM
from yiwang.licences.importing import import_licences
from yiwang.orgs.models import Department


class Command(BaseCommand):
    help = (
        "Import historical e-licences of one department from an Excel workbook (the format of "
        "the template on /licences/manage/import/). Every row is validated first; if any row "
        "is wrong nothing is imported and every error is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .xlsx file to read")
        parser.add_argument(
            "--department",
            required=True,
            help="The issuing department's unified social credit code",
        )

    def handle(self, *args, file: str, department: str, **options):
        found = Department.objects.filter(uscc=department.strip().upper()).first()
        if found is None:
            raise CommandError(f"No department has the unified social credit code {department!r}.")
        try:
            with open(file, "rb") as handle:
                result = import_licences(
                    handle, actor=SYSTEM, departments=[found], name=Path(file).name
                )
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) found; nothing was imported.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.issued)} licence(s) of {found.name} imported and signed."
            )
        )
