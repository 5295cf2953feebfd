"""`yiwang setup`: migrate and, on an empty database, load the 大埔县 demo data."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from yiwang.accounts.models import User


class Command(BaseCommand):
    help = "Migrate the database and load the demo data if the database is empty."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")

    def handle(self, *args, no_demo=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("✓ 数据库已迁移 (database migrated)")
        if not no_demo and not User.objects.exists():
            call_command("demo", stdout=self.stdout)
