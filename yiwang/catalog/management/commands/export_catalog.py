from pathlib import Path

from django.core.management.base import BaseCommand

from yiwang.catalog.excel import export_workbook
from yiwang.catalog.models import ServiceItem


class Command(BaseCommand):
    help = "Export the service catalogue (items, materials, processes) to an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .xlsx file to write")
        parser.add_argument("--published-only", action="store_true", help="Only published items")

    def handle(self, *args, file: str, published_only: bool = False, **options):
        items = ServiceItem.objects.published() if published_only else ServiceItem.objects.all()
        path = Path(file)
        export_workbook(items).save(path)
        self.stdout.write(self.style.SUCCESS(f"{items.count()} items written to {path}"))
