"""Where a ticket can be: the county's towns and villages, per process (read-only)."""

from typing import NamedTuple

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from yiwang.regions.models import Level, Region
from yiwang.web.memo import SharedMemo

from .choices import COUNTY_CODE


class IntakeRegions(NamedTuple):
    county: Region | None
    by_id: dict[int, Region]  # the county, its towns and villages, parents loaded
    choices: list[tuple]  # towns and villages (indented) for the forms, in tree order


def _build_intake_regions() -> IntakeRegions:
    # GB/T 2260: every town's and village's code starts with its county's code.
    regions = list(
        Region.objects.filter(code__startswith=COUNTY_CODE)
        .select_related("parent")
        .order_by("path")
    )
    return IntakeRegions(
        county=next((r for r in regions if r.code == COUNTY_CODE), None),
        by_id={r.pk: r for r in regions},
        choices=[("", "—")]
        + [
            (r.pk, ("\u3000" if r.level == Level.VILLAGE else "") + r.name)
            for r in regions
            if r.level >= Level.TOWN
        ],
    )


#: Where a ticket can be, per process (read-only; see yiwang.web.memo).
intake_regions = SharedMemo("hotline:intake-regions:v2", _build_intake_regions)


@receiver([post_save, post_delete], sender="regions.Region")
def _forget_regions(sender, **kwargs) -> None:
    intake_regions.forget()
