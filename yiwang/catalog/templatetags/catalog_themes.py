"""Template tags of theme browsing: ``{% theme_icon key %}`` and the home page's theme row."""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.utils.safestring import SafeString

from ..models import Audience, Theme
from ..theme_icons import icon_svg
from ..themes import HOME_CACHE_KEY, item_counts

register = template.Library()

#: Themes on the home page (a row of tiles; the rest are one click away).
HOME_THEMES = 12
#: The home page is the busiest page: its theme row is counted at most this often (theme
#: edits clear it at once; a newly published item's theme appears within this time).
HOME_CACHE_SECONDS = 300


@register.simple_tag
def theme_icon(key: str) -> SafeString:
    """The theme icon ``key`` as inline SVG (decorative: hidden from screen readers)."""
    return icon_svg(key)


def _home_tiles() -> list[dict]:
    themes = list(Theme.objects.filter(active=True, audience=Audience.PERSON))
    counts = item_counts(t.pk for t in themes)
    return [
        {"code": t.code, "name": t.name, "icon": t.icon, "count": counts[t.pk]}
        for t in sorted(themes, key=lambda t: (t.order, t.pk))
        if counts.get(t.pk)
    ][:HOME_THEMES]


@register.inclusion_tag("catalog/browse/_home_themes.html")
def home_themes() -> dict:
    """The home page's 按主题办事 tiles: the first themes for individuals that have items."""
    return {"tiles": cache.get_or_set(HOME_CACHE_KEY, _home_tiles, HOME_CACHE_SECONDS)}
