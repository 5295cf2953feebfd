"""The fixed set of theme icons: line drawings on a 24 × 24 grid, drawn with ``currentColor``.

A theme names its icon by key (``Theme.icon``); the public theme grid, the home page and the
back office's icon picker draw them inline (``{% theme_icon key %}`` from ``catalog_themes``),
so they follow the text colour, the elder-friendly mode and forced colours.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

#: key → (label for the picker, SVG content). The content is fixed markup written here.
ICONS: dict[str, tuple[StrOrPromise, str]] = {
    "baby": (
        _("Baby"),
        '<circle cx="12" cy="12" r="8"/><path d="M9 11h.01M15 11h.01M9.5 15a3.5 3.5 0 0 0 5 0'
        'M12 4c1.2 0 2 .8 2 2"/>',
    ),
    "family": (
        _("Family"),
        '<circle cx="8" cy="6" r="2.5"/><circle cx="16" cy="6" r="2.5"/><circle cx="12" cy="13" '
        'r="2"/><path d="M3.5 20c0-4 2-6 4.5-6M20.5 20c0-4-2-6-4.5-6M9 21c0-2.5 1.3-4 3-4s3 1.5 '
        '3 4"/>',
    ),
    "id-card": (
        _("ID card"),
        '<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="11" r="2"/>'
        '<path d="M6 16c.6-1.6 1.7-2.4 3-2.4s2.4.8 3 2.4M14 10h4M14 13h3"/>',
    ),
    "school": (
        _("School"),
        '<path d="M2 9l10-5 10 5-10 5z"/><path d="M6 11v5c2 2 10 2 12 0v-5M22 9v6"/>',
    ),
    "briefcase": (
        _("Briefcase"),
        '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M8 7V5a2 2 0 0 1 2-2h4a2 2 0 '
        '0 1 2 2v2M3 13h18"/>',
    ),
    "rings": (
        _("Rings"),
        '<circle cx="9" cy="15" r="5"/><circle cx="15" cy="15" r="5"/><path d="M10 5.5L12 3l2 '
        '2.5L12 8z"/>',
    ),
    "shield": (
        _("Shield"),
        '<path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/><path d="M9 12l2 2 4-4"/>',
    ),
    "hospital": (
        _("Hospital"),
        '<rect x="4" y="4" width="16" height="17" rx="2"/><path d="M12 8v6M9 11h6M10 21v-3h4v3"/>',
    ),
    "house": (
        _("House"),
        '<path d="M3 11l9-7 9 7"/><path d="M5 10v10h14V10M10 20v-5h4v5"/>',
    ),
    "car": (
        _("Car"),
        '<path d="M4 15l1.5-4.6A2 2 0 0 1 7.4 9h9.2a2 2 0 0 1 1.9 1.4L20 15v4h-2.5v-2h-11v2H4z"/>'
        '<path d="M7.5 13.5h.01M16.5 13.5h.01M7 9l1-3h8l1 3"/>',
    ),
    "elder": (
        _("Elder"),
        '<circle cx="10" cy="4.5" r="2"/><path d="M10 7.5v6l-3 7.5M10 13.5l3 3V21M7 11l3-2 3 '
        '2.5 2 .5M17 13v8M17 13a1.5 1.5 0 0 0-3 0"/>',
    ),
    "accessible": (
        _("Wheelchair"),
        '<circle cx="10" cy="4" r="2"/><path d="M10 7v6h6l2 6M10 10h5"/><path d="M7 11.5a5 5 0 '
        '1 0 7.5 6.2"/>',
    ),
    "memorial": (
        _("Memorial flower"),
        '<circle cx="12" cy="7" r="3"/><path d="M12 10v11M12 16c-2-2-5-2-6-1 1 2 4 2.5 6 1z'
        'M12 16c2-2 5-2 6-1-1 2-4 2.5-6 1z"/>',
    ),
    "shop": (
        _("Shop"),
        '<path d="M4 9l1.5-5h13L20 9M4 9h16M4 9a2.7 2.7 0 0 0 5.3 0 2.7 2.7 0 0 0 5.4 0 2.7 2.7 '
        '0 0 0 5.3 0M5 11v9h14v-9M10 20v-5h4v5"/>',
    ),
    "license": (
        _("Licence"),
        '<path d="M6 3h9l4 4v14H6z"/><path d="M15 3v4h4M9 10h6M9 13h4"/><circle cx="14" '
        'cy="17" r="2"/>',
    ),
    "coins": (
        _("Coins"),
        '<ellipse cx="9" cy="7" rx="6" ry="3"/><path d="M3 7v4c0 1.7 2.7 3 6 3s6-1.3 6-3V7"/>'
        '<path d="M9 14v3c0 1.7 2.7 3 6 3s6-1.3 6-3v-4c0-1.7-2.7-3-6-3"/>',
    ),
    "crane": (
        _("Construction crane"),
        '<path d="M7 21V4M4 21h8M7 4l13 3H7M7 4L4 7h3M17 7v5M15 12h4v3h-4z"/>',
    ),
    "building": (
        _("Building"),
        '<path d="M4 21V5l8-2v18M12 8h8v13M3 21h18M7 8h2M7 12h2M7 16h2M15 12h2M15 16h2"/>',
    ),
    "door-exit": (
        _("Exit"),
        '<path d="M14 3H6v18h8M10 12h10M17 9l3 3-3 3"/>',
    ),
    "scale": (
        _("Scales of justice"),
        '<path d="M12 3v18M7 21h10M5 7h14M5 7l-3 6a3 3 0 0 0 6 0zM19 7l-3 6a3 3 0 0 0 6 0z"/>',
    ),
    "leaf": (
        _("Leaf"),
        '<path d="M5 19C5 10 11 5 20 5c0 9-5 15-14 15M5 19l7-7"/>',
    ),
    "heart": (
        _("Heart"),
        '<path d="M12 20s-8-4.5-8-10.5A4.5 4.5 0 0 1 12 7a4.5 4.5 0 0 1 8 2.5C20 15.5 12 20 12 20z"/>',
    ),
}
DEFAULT_ICON = "building"


def icon_svg(key: str, css_class: str = "theme-icon-svg") -> SafeString:
    """The inline SVG of icon ``key`` (the default icon for an unknown key), hidden from
    assistive technology: the theme's name next to it says what it is."""
    content = ICONS.get(key, ICONS[DEFAULT_ICON])[1]
    return format_html(
        '<svg class="{}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">{}'
        "</svg>",
        css_class,
        mark_safe(content),  # noqa: S308 - fixed markup of this module, never user input
    )


def icon_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, (label, _svg) in ICONS.items()]
