"""Template helpers shared by every app: ``{% load web_tags %}``.

Filters
    ``status|deadline_badge``   "normal" | "warning" | "overdue" → a coloured badge (正常/预警/超期)
    ``value|yesno_zh``          True → 是, False → 否, None → 未知
    ``n|workdays``              0 → 即办, N → "N个工作日"
    ``page_obj|elided_pages``   page numbers, None for a gap, for ``web/_pagination.html``
    ``value|badge:"success"``   any text as a badge of the given tone
Simple tags
    ``{% nav_current "catalog" %}`` → ``aria-current="page"`` when the current view is in that namespace
    ``{% staff_menu as groups %}``   the staff navigation groups for the current user (web.navigation)
    ``{% grouped_options groups selected %}``  ``<optgroup>``/``<option>`` tags for a grouped picker
    ``{% ui_strings %}``             the JSON block of words site.js shows (in web/base.html)
Grouped pickers
    ``{% grouped_options departments|group_departments selected %}`` county departments, then towns
    ``{% grouped_options towns|group_regions selected %}``            county, towns by code, villages
"""

from django import template
from django.conf import settings
from django.core.paginator import Page
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext

from yiwang.orgs.choices import grouped_departments
from yiwang.regions.choices import grouped_regions
from yiwang.web.navigation import staff_menu as _staff_menu

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


@register.simple_tag(takes_context=True)
def staff_menu(context):
    """The staff navigation groups (``web.navigation.staff_menu``) for the request's user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return _staff_menu(
        context.get("staff_roles") or (),
        superuser=bool(getattr(user, "is_superuser", False)),
        namespace=getattr(match, "namespace", "") or "",
        view=getattr(match, "url_name", "") or "",
    )


@register.simple_tag
def ui_strings() -> SafeString:
    """The words site.js shows (upload control, list filter), as ``<script type=application/json>``.

    Translated here so the JavaScript has no catalogue of its own; ``%(name)s`` placeholders
    are filled in the browser.
    """
    strings = {
        "chooseFiles": gettext("Choose files"),
        "chooseFile": gettext("Choose a file"),
        "noFile": gettext("No file chosen"),
        "chosen": gettext("Files chosen: %(count)s"),
        "remove": gettext("Remove"),
        "removed": gettext("Removed %(name)s"),
        "preview": gettext("Preview of %(name)s"),
        "tooLarge": gettext("Too large: each file may be at most %(limit)s."),
        "uploading": gettext("Uploading…"),
        "progress": gettext("Uploading… %(percent)s%%"),
        "uploaded": gettext("Uploaded. Opening the result…"),
        "failed": gettext("The upload did not go through. Check the connection and try again."),
        "filter": gettext("Filter the list"),
        "filterHint": gettext("Type part of a name"),
        "matches": gettext("Matches: %(count)s"),
        "maxBytes": settings.YIWANG_UPLOAD_MAX_BYTES,
    }
    return json_script(strings, "ui-strings")


def _chosen(selected) -> set[str]:
    if selected is None or selected == "":
        return set()
    values = selected if isinstance(selected, list | tuple | set | frozenset) else [selected]
    return {str(getattr(v, "pk", v)) for v in values}


@register.simple_tag
def grouped_options(groups, selected=None) -> SafeString:
    """``<option>``/``<optgroup>`` tags for grouped choices (``regions.choices`` shape).

    ``selected``: a value, an object with a pk, or a collection of them.
    """
    chosen = _chosen(selected)

    def option(value, label) -> str:
        mark = " selected" if str(value) in chosen else ""
        return format_html('<option value="{}"{}>{}</option>', value, SafeString(mark), label)

    parts: list[str] = []
    for value, label in groups or ():
        if isinstance(label, list | tuple):
            inner = "".join(option(v, lab) for v, lab in label)
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', value, SafeString(inner))
            )
        else:
            parts.append(option(value, label))
    return SafeString("".join(parts))


@register.filter
def group_departments(departments):
    """Departments (a queryset or list) as grouped choices: county first, then by town."""
    return grouped_departments(departments or [])


@register.filter
def group_regions(regions):
    """Regions as grouped choices: the county, then towns by code with their villages."""
    return grouped_regions(regions or [])
