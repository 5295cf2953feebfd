"""Materials the platform obtains instead of an upload (免证办).

A material an item marks replaceable (``Material.replaceable_by``) with what replaces it
(``Material.replaced_by``: a licence type code, or shared data) is looked up for the applicant
when they apply: found and usable, the form says so and asks for no upload; found but unusable
(an expired or revoked licence), or not found, the applicant uploads it as any other material.

The apps that hold such sources (the licences app for e-licences) register a finder here from
their ``AppConfig.ready``; cases ask without knowing them, so the dependency points from those
apps to cases and never back. A replaceable material that names no source keeps the older
arrangement: the department checks it against shared data itself, so no upload is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from yiwang.catalog.models import Material, Replaceable, ServiceItem


@dataclass(frozen=True)
class Applicant:
    """Whom a source is looked up for: the account and enterprise when applying online, and
    the holder's ID number or USCC (a walk-in at the window has only that)."""

    code: str
    name: str
    user: Any = None
    enterprise: Any = None


@dataclass(frozen=True)
class Found:
    """A source that satisfies the material."""

    kind: str  # a Replaceable value
    reference: str  # e.g. the licence identifier
    label: str  # what the applicant and the reviewer read
    url: str = ""  # where the reviewer checks it (the licence's verify page)


@dataclass(frozen=True)
class Unusable:
    """The applicant holds the source but it cannot stand in for the material now."""

    reason: str


Finder = Callable[[Material, Applicant], Found | Unusable | None]
#: Called once the case exists, for each material obtained: logs the use with the source.
UseRecorder = Callable[[Any, Material, Found], None]

_sources: dict[str, tuple[Finder, UseRecorder]] = {}


def register(kind: str, find: Finder, record_use: UseRecorder) -> None:
    _sources[kind] = (find, record_use)


def unregister(kind: str) -> None:
    _sources.pop(kind, None)


def _unnamed(material: Material) -> Found:
    """A replaceable material without a named source: checked by the department."""
    return Found(material.replaceable_by, "", "", "")


def look_up(item: ServiceItem, applicant: Applicant | None) -> dict[int, Found | Unusable]:
    """What the applicant's sources give for each replaceable material of ``item``."""
    out: dict[int, Found | Unusable] = {}
    for material in item.materials.all():
        if material.replaceable_by == Replaceable.NO:
            continue
        source = _sources.get(material.replaceable_by)
        if not material.replaced_by or source is None:
            out[material.pk] = _unnamed(material)
            continue
        if applicant is None or not applicant.code:
            continue
        result = source[0](material, applicant)
        if result is not None:
            out[material.pk] = result
    return out


def obtained(results: dict[int, Found | Unusable]) -> dict[int, Found]:
    return {pk: r for pk, r in results.items() if isinstance(r, Found)}


def record_uses(case, item: ServiceItem, found: dict[int, Found]) -> None:
    materials = {m.pk: m for m in item.materials.all()}
    for pk, source in found.items():
        entry = _sources.get(source.kind)
        if entry is not None and source.reference:
            entry[1](case, materials[pk], source)
