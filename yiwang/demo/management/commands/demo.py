"""`yiwang demo`: load the 大埔县 demo data (idempotent) and list the demo logins."""

import unicodedata

from django.core.management.base import BaseCommand

from yiwang.demo.loader import load_demo
from yiwang.demo.people import login_table


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Load the demo data set of 大埔县 (safe to run again) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Also list the reviewer/approver accounts of every department.",
        )
        parser.add_argument(
            "--no-items", action="store_true", help="Skip the service-item demo data."
        )
        parser.add_argument(
            "--logins-only",
            action="store_true",
            help="Only print the demo logins, do not load anything.",
        )

    def handle(self, *args, **options):
        if not options["logins_only"]:
            counts = load_demo(stdout=self.stdout, with_items=not options["no_items"])
            self.stdout.write("")
            self.stdout.write(format_table(("data", "count"), sorted(counts.items())))
            self.stdout.write("")
        self.stdout.write(
            format_table(
                ("username", "role", "department / region", "password"),
                login_table(include_extra=options["all"]),
            )
        )
        if not options["all"]:
            self.stdout.write(
                "\nEvery other department also has reviewer_<key> and approver_<key> "
                "(e.g. reviewer_gaj, approver_wjj); list them with `yiwang demo --all --logins-only`."
            )
