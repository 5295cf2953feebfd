"""The staff navigation: which menus and links a member of staff sees.

One place for the rule "which post sees which page in the top bar". The template
(``web/_staff_nav.html``) only draws what :func:`staff_menu` returns: a list of groups,
each with the links the user's posts allow; a group with a single link is drawn as a plain
link, an empty group not at all. Permissions themselves are still checked by each view;
this only decides what is offered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: (namespace, url_name) of the current request → True when the link is the current page.
Matcher = Callable[[str, str], bool]


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    url: str
    current: bool = False
    key: str = ""


@dataclass
class NavGroup:
    key: str
    label: str | Promise
    links: list[NavLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def single(self) -> NavLink | None:
        """The only link of a one-link group (drawn as a plain link), else None."""
        return self.links[0] if len(self.links) == 1 else None


@dataclass(frozen=True)
class _Entry:
    key: str
    label: str | Promise
    url_name: str
    allowed: Callable[[Collection[str], bool], bool]
    matches: Matcher


def _any(*roles: str) -> Callable[[Collection[str], bool], bool]:
    return lambda have, _superuser: any(r in have for r in roles)


def _department_post(have: Collection[str], superuser: bool) -> bool:
    """A post that works in a department's name (licences are issued and used in one). The
    roles a superuser is given to see the platform's menus are no department's."""
    return not superuser and any(
        r in have for r in ("window", "reviewer", "approver", "dept_admin")
    )


def _always(_have: Collection[str], _superuser: bool) -> bool:
    return True


def _in(namespace: str, *views: str) -> Matcher:
    return lambda ns, view: ns == namespace and (not views or view in views)


# The menus in the order they appear. Conditions mirror the views' own permission checks.
MENUS: list[tuple[str, str | Promise, list[_Entry]]] = [
    (
        "work",
        pgettext_lazy("navigation", "Workbench"),
        [
            _Entry(
                "workbench",
                _("Workbench"),
                "cases:workbench",
                _always,
                _in("cases", "workbench", "detail"),
            ),
            _Entry(
                "intake", _("Window intake"), "cases:intake", _any("window"), _in("cases", "intake")
            ),
            # E-licences (licences, C7): what the department issued; the view admits any post
            # in a department, the menu offers it to the posts that issue.
            _Entry(
                "licences",
                _("E-licences"),
                "licences:manage",
                _department_post,
                lambda ns, view: ns == "licences" and view.startswith("manage"),
            ),
            _Entry(
                "licences-use",
                _("Use a holder's licence"),
                "licences:use",
                _department_post,
                _in("licences", "use"),
            ),
            _Entry("notices", _("Notices"), "notify:inbox", _always, _in("notify")),
        ],
    ),
    (
        "hotline",
        pgettext_lazy("navigation", "Hotline"),
        [
            _Entry(
                "call", _("Register a call"), "hotline:new", _any("agent"), _in("hotline", "new")
            ),
            _Entry(
                "callbacks",
                _("Call-backs"),
                "hotline:callbacks",
                _any("agent"),
                _in("hotline", "callbacks"),
            ),
            _Entry(
                "dispatch",
                _("Ticket dispatch"),
                "hotline:dispatch",
                _any("dispatcher"),
                _in("hotline", "dispatch"),
            ),
            _Entry(
                "tickets",
                _("My tickets"),
                "hotline:inbox",
                _any("handler"),
                _in("hotline", "inbox"),
            ),
            _Entry(
                "figures",
                _("Hotline figures"),
                "hotline:stats",
                _any("dispatcher", "leader"),
                lambda ns, view: ns == "hotline" and view.startswith("stats"),
            ),
        ],
    ),
    (
        "city",
        pgettext_lazy("navigation", "City"),
        [
            _Entry(
                "map",
                _("City events map"),
                "grid:map",
                _any("dispatcher", "leader"),
                _in("grid", "map"),
            ),
            _Entry(
                "events",
                _("City events"),
                "grid:events",
                _any("handler", "dispatcher"),
                _in("grid", "events", "event_detail"),
            ),
            _Entry(
                "grids",
                _("Grid management"),
                "grid:manage_grids",
                _any("dispatcher", "authority"),
                lambda ns, view: ns == "grid" and view.startswith("manage"),
            ),
            _Entry(
                "mygrid",
                _("My grid"),
                "grid:m_home",
                _any("grid_worker"),
                lambda ns, view: ns == "grid" and view.startswith("m_"),
            ),
        ],
    ),
    (
        "catalogue",
        pgettext_lazy("navigation", "Catalogue"),
        [
            _Entry(
                "catalogue",
                _("Catalogue management"),
                "catalog:manage",
                _any("authority", "dept_admin"),
                lambda ns, view: (
                    ns == "catalog"
                    and view.startswith("manage")
                    and not view.startswith("manage_theme")
                ),
            ),
            _Entry(
                "themes",
                _("Themes and life events"),
                "catalog:manage_themes",
                _any("authority"),
                lambda ns, view: ns == "catalog" and view.startswith("manage_theme"),
            ),
            _Entry(
                "search-report",
                _("Search report"),
                "catalog:search_report",
                _any("authority", "dept_admin"),
                lambda ns, view: ns == "catalog" and view.startswith("search_report"),
            ),
            _Entry(
                "lexicon",
                _("Search lexicon"),
                "catalog:lexicon",
                _any("authority"),
                lambda ns, view: ns == "catalog" and view.startswith("lexicon"),
            ),
            _Entry(
                "calendar",
                _("Working-day calendar"),
                "workdays:calendar",
                _any("authority"),
                _in("workdays"),
            ),
            _Entry(
                "calculator",
                _("Deadline calculator"),
                "workdays:calculator",
                lambda have, _su: "authority" not in have,
                _in("workdays"),
            ),
            _Entry(
                "hotline-config",
                _("12345 settings"),
                "hotline:config",
                _any("authority"),
                lambda ns, view: ns == "hotline" and "config" in view,
            ),
            # The data resource catalogue (datahub): its own group would wrap the bar at 1366 px.
            _Entry(
                "data-catalogue",
                _("Data catalogue"),
                "datahub:index",
                _any("dept_admin", "authority", "leader", "auditor"),
                _in("datahub", "index", "resource"),
            ),
            _Entry(
                "data-manage",
                _("My department's resources"),
                "datahub:manage",
                _any("dept_admin", "authority"),
                _in("datahub", "manage", "create", "edit"),
            ),
            _Entry(
                "data-review",
                _("Resources to review"),
                "datahub:review",
                _any("authority"),
                _in("datahub", "review"),
            ),
            _Entry(
                "data-grades",
                _("Grade policy"),
                "datahub:grades",
                _any("authority"),
                _in("datahub", "grades"),
            ),
            # Data sharing (datahub, C15): requests, the two queues and grants.
            _Entry(
                "data-requests",
                _("Data sharing requests"),
                "datahub:requests",
                _any("dept_admin", "authority"),
                _in("datahub", "requests", "request", "request_new"),
            ),
            _Entry(
                "data-sharing-review",
                _("Sharing requests to review"),
                "datahub:sharing_review",
                _any("authority"),
                _in("datahub", "sharing_review"),
            ),
            _Entry(
                "data-sharing-decide",
                _("Sharing requests to decide"),
                "datahub:sharing_decide",
                _any("dept_admin"),
                _in("datahub", "sharing_decide"),
            ),
            _Entry(
                "data-grants",
                _("Data sharing grants"),
                "datahub:grants",
                _any("dept_admin", "authority"),
                _in("datahub", "grants"),
            ),
            # E-seals (seals, C8): a department's seals and their keys.
            _Entry(
                "seals", _("E-seals"), "seals:index", _any("dept_admin", "authority"), _in("seals")
            ),
        ],
    ),
    (
        "system",
        pgettext_lazy("navigation", "System"),
        [
            _Entry("audit", _("Audit log"), "audit:log", _any("auditor"), _in("audit")),
            _Entry(
                "reveals",
                _("Personal data reveals"),
                "privacy:overview",
                _any("auditor"),
                _in("privacy"),
            ),
            _Entry(
                "admin",
                _("Administration"),
                "admin:index",
                lambda _have, superuser: superuser,
                _in("admin"),
            ),
        ],
    ),
]


def staff_menu(
    roles: Collection[str], *, superuser: bool = False, namespace: str = "", view: str = ""
) -> list[NavGroup]:
    """The menus for a member of staff with these post roles, current page marked.

    Groups without any allowed link are left out; the caller draws one-link groups as links.
    """
    groups = []
    for key, label, entries in MENUS:
        links = [
            NavLink(
                label=entry.label,
                url=reverse(entry.url_name),
                current=entry.matches(namespace or "", view or ""),
                key=entry.key,
            )
            for entry in entries
            if entry.allowed(roles, superuser)
        ]
        if links:
            groups.append(NavGroup(key=key, label=label, links=links))
    return groups
