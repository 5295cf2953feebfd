"""`yiwang load_real_catalogue`: import a real district's 1,135 items next to the demo items."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yiwang.demo import real_catalogue


class Command(BaseCommand):
    help = (
        "Import the 1,135 service items of 广安区 (tests/data/real-catalogue) as published items "
        "of the demo county, without aliases, for tests and benchmarks at a real county's "
        "scale (safe to run again). Load the demo first (yiwang demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path",
            default=str(real_catalogue.DEFAULT_PATH),
            help="The tab-separated catalogue file (default: %(default)s).",
        )
        parser.add_argument(
            "--multiple",
            type=int,
            default=1,
            help=(
                "Load N copies: the corpus at county level plus N-1 synthetic copies placed in "
                f"the towns (1 to {real_catalogue.MAX_MULTIPLE}; 9 gives about 10,000 items)."
            ),
        )

    def handle(self, *args, **options):
        try:
            result = real_catalogue.load(options["path"], multiple=options["multiple"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(result.summary())
