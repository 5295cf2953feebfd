"""Template helpers shared by every app: ``{% load web_tags %}``.

Filters
    ``status|deadline_badge``   "normal" | "warning" | "overdue" → a coloured badge (正常/预警/超期)
    ``value|yesno_zh``          True → 是, False → 否, None → 未知
    ``n|workdays``              0 → 即办, N → "N个工作日"
    ``page_obj|elided_pages``   page numbers, None for a gap, for ``web/_pagination.html``
    ``value|badge:"success"``   any text as a badge of the given tone
Simple tags
    ``{% nav_current "catalog" %}`` → ``aria-current="page"`` when the current view is in that namespace
"""

from django import template
from django.core.paginator import Page
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext, pgettext

register = template.Library()

BADGE_TONES = {"success", "warning", "danger", "info", "muted"}

# Deadline status (as computed by the workdays/cases apps) → (badge tone, label factory).
DEADLINE_STATUSES = {
    "normal": ("success", lambda: pgettext("deadline status", "Normal")),
    "warning": ("warning", lambda: pgettext("deadline status", "Warning")),
    "overdue": ("danger", lambda: pgettext("deadline status", "Overdue")),
}


@register.filter
def badge(value, tone: str = "info") -> SafeString:
    """Render ``value`` as ``<span class="badge badge-<tone>">``; unknown tones fall back to info."""
    if value is None or value == "":
        return SafeString("")
    tone = tone if tone in BADGE_TONES else "info"
    return format_html('<span class="badge badge-{}">{}</span>', tone, value)


@register.filter
def deadline_badge(status) -> SafeString:
    """A badge for a deadline status: normal → 正常 (green), warning → 预警 (amber), overdue → 超期 (red).

    Accepts the plain string or a TextChoices member. Anything else renders as a muted badge
    with the value itself, so a new status is visible rather than silently dropped.
    """
    if status is None or status == "":
        return SafeString("")
    key = str(getattr(status, "value", status)).lower()
    if key in DEADLINE_STATUSES:
        tone, label = DEADLINE_STATUSES[key]
        return format_html(
            '<span class="badge badge-{}" data-deadline="{}">{}</span>', tone, key, label()
        )
    return format_html('<span class="badge badge-muted">{}</span>', status)


@register.filter
def yesno_zh(value) -> str:
    """是 / 否 (and 未知 for None), translated; unlike ``yesno`` it needs no argument."""
    if value is None:
        return pgettext("boolean", "Unknown")
    return pgettext("boolean", "Yes") if value else pgettext("boolean", "No")


@register.filter
def workdays(value) -> str:
    """A time limit in working days: 0 → 即办 (handled on the spot), N → "N个工作日"."""
    if value is None or value == "":
        return ""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return str(value)
    if n == 0:
        return pgettext("time limit", "Immediate")
    return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}


@register.filter
def elided_pages(page_obj: Page, on_each_side: int = 2):
    """Page numbers around the current page; ``None`` marks a gap (render it as ``…``)."""
    if not isinstance(page_obj, Page):
        return []
    paginator = page_obj.paginator
    pages = paginator.get_elided_page_range(
        page_obj.number, on_each_side=int(on_each_side), on_ends=1
    )
    return [n if isinstance(n, int) else None for n in pages]


@register.simple_tag(takes_context=True)
def nav_current(context, namespace: str, url_name: str = "") -> SafeString:
    """``aria-current="page"`` when the request resolved to ``namespace`` (and ``url_name``)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != namespace:
        return SafeString("")
    if url_name and match.url_name != url_name:
        return SafeString("")
    return SafeString(' aria-current="page"')
