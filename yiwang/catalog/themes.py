"""Life-event and theme browsing: the standard themes, placing items by keyword, counts.

The standard list ships as data (``data/themes.json``) and is loaded by the migration
``0004_themes`` through :func:`load_standard_themes`, which takes the model class so that the
migration can pass its historical one (and ``actions.ensure_standard_themes`` the current one).

:func:`suggest_themes` places an item by its theme's keywords: a theme is suggested when the
item's name or aliases contain one of its words and none of its ``-`` words, and the theme is
for the item's applicants (个人 themes for items natural persons apply for, 法人 themes for
items legal persons apply for).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Count

from .models import Audience, ServiceItem, Theme

DATA_FILE = Path(__file__).resolve().parent / "data" / "themes.json"
#: The cached theme row of the home page (``templatetags.catalog_themes``), dropped on edits.
HOME_CACHE_KEY = "yiwang:catalog:home-themes"

#: The item audiences each theme audience serves.
SERVES: dict[str, tuple[str, ...]] = {
    Audience.PERSON: (Audience.PERSON, Audience.BOTH),
    Audience.ENTERPRISE: (Audience.ENTERPRISE, Audience.BOTH),
}
AUDIENCE_ORDER = (Audience.PERSON, Audience.ENTERPRISE)


@cache
def read_standard_themes() -> list[dict[str, Any]]:
    """The themes of the data file (shared between callers: never modify them)."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)["themes"]


def load_standard_themes(model: Any = Theme) -> list[Any]:
    """Create the standard themes whose code is missing (themes that exist are left as they
    are, edits included); returns the themes created."""
    existing = set(model.objects.values_list("code", flat=True))
    taken_names = set(model.objects.values_list("name", flat=True))
    new = [
        model(**{k: spec[k] for k in THEME_FIELDS if k in spec}, active=True)
        for spec in read_standard_themes()
        if spec["code"] not in existing and spec["name"] not in taken_names
    ]
    model.objects.bulk_create(new)
    return new


THEME_FIELDS = ("code", "audience", "name", "icon", "order", "description", "keywords")


# --- placing items ------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text as keywords are matched against it: full-width forms folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


@dataclass(frozen=True)
class KeywordRule:
    """A theme's keywords split into the words that place an item and those that exclude it."""

    include: tuple[str, ...]
    exclude: tuple[str, ...]

    @classmethod
    def of(cls, keywords: str) -> KeywordRule:
        words = [fold(w) for w in (keywords or "").split()]
        return cls(
            include=tuple(w for w in words if w and not w.startswith("-")),
            exclude=tuple(w[1:] for w in words if w.startswith("-") and len(w) > 1),
        )

    def matches(self, text: str) -> bool:
        return any(w in text for w in self.include) and not any(w in text for w in self.exclude)


def item_text(item: ServiceItem) -> str:
    return fold(f"{item.name} {item.aliases}")


def suggest_themes(item: ServiceItem, themes: Sequence[Theme] | None = None) -> list[Theme]:
    """The active themes whose keywords place ``item`` (in theme order).

    ``themes`` are the candidates, loaded once by a caller that places many items (default:
    every theme, one query).
    """
    if themes is None:
        themes = list(Theme.objects.all())
    text = item_text(item)
    return [
        theme
        for theme in themes
        if theme.active
        and item.audience in SERVES.get(theme.audience, ())
        and KeywordRule.of(theme.keywords).matches(text)
    ]


# --- what citizens see --------------------------------------------------------------------


def browsable_items():
    """The items a theme page lists: published and applicable (no main item with children)."""
    return ServiceItem.objects.applicable()


def item_counts(theme_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Theme id → number of browsable items, in one GROUP BY."""
    qs = browsable_items().filter(themes__isnull=False)
    if theme_ids is not None:
        qs = qs.filter(themes__in=list(theme_ids))
    rows = qs.order_by().values("themes").annotate(n=Count("pk", distinct=True))
    return {row["themes"]: row["n"] for row in rows}


def grouped(themes: Iterable[Theme]) -> list[tuple[str, str, list[Theme]]]:
    """``[(audience, label, themes)]`` for 个人 then 法人, each in the themes' order."""
    labels = dict(Theme.AUDIENCES)
    by_audience: dict[str, list[Theme]] = {a: [] for a in AUDIENCE_ORDER}
    for theme in sorted(themes, key=lambda t: (t.order, t.pk)):
        by_audience.setdefault(theme.audience, []).append(theme)
    return [(a, str(labels.get(a, a)), by_audience[a]) for a in AUDIENCE_ORDER]
