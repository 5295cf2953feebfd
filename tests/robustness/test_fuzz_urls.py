"""No input gives a server error: every URL pattern of the project, fuzzed.

For each URL pattern (walked recursively from the root resolver, admin included) the path
converters are filled with ids of real demo objects and with malformed values. Each path is
requested with GET and POST as anonymous and as each logged-in role. Pages that answer are
parsed for their forms; each form (and the parameter names the view reads, scanned from its
source) is then sent with malformed values: NaN, infinities, 1e309, 2**70, negative and
non-integer numbers, empty strings, control characters, 100 KB strings and odd Unicode.

Values are rotated over the fields rather than crossed with them, so the module stays within a
few minutes on a small machine. Any 5xx fails the test with the URL, method, role and values.
"""

from __future__ import annotations

import inspect
import os
import re
import time
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from yiwang.hotline.open311.views import SUBMISSION_FIELDS

from .conftest import ROLES

# The test database must be set up even when only these tests are selected (-k).
pytestmark = pytest.mark.django_db

#: A file to append each pattern's request count, time and failures to (for tuning the sampling).
REPORT = os.environ.get("YIWANG_FUZZ_REPORT", "")
#: Malformed values; field i of round r gets VALUES[(i + r) % len(VALUES)].
VALUES = (
    "NaN",
    "inf",
    "-inf",
    "1e309",
    str(2**70),
    "-1",
    "1.5",
    "abc",
    "",
    "\x00",
    "\x01\x0b",
    "\x1b[2J",
    "x" * 100_000,
    "²",
    "١٢٣",
    "\u202e\ufeff𝟘",
)
#: Values tried for one field at a time while the form's other fields keep their own values.
SINGLE_VALUES = ("abc", "NaN", str(2**70), "-1", "\x01", "")
#: Fields of one form tried one at a time (long forms, such as the item editor, are sampled).
MAX_SINGLE_FIELDS = 12
#: Path converter values that must give 404 (or a refusal), never an error.
BAD_INTS = ("0", str(2**70))
BAD_STRS = ("NaN", "%01", "x" * 2000)
#: Parameters of views whose names are not visible in the view's own source.
EXTRA_PARAMS = {
    "open311": (
        "api_key",
        *SUBMISSION_FIELDS,
        "attribute[type]",
        "attribute[other]",
        "service_request_id",
        "status",
        "start_date",
        "end_date",
        "page",
        "page_size",
        "jurisdiction_id",
    ),
}
#: Paths not fuzzed for logged-in roles (they end the session the other requests need).
SESSION_ENDING = {"accounts:logout"}
PARAM_RE = re.compile(r"""\.(?:get|getlist)\(\s*["']([A-Za-z_][\w\[\]-]*)["']""")
ITEM_RE = re.compile(r"""(?:GET|POST|\bg|\bp|\bpost|\bdata)\[\s*["']([A-Za-z_][\w-]*)["']\s*\]""")
ACTION_RE = re.compile(r"""action\s*==\s*["']([\w-]+)["']|action in \(([^)]*)\)""")


# --- URL patterns ------------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def _patterns() -> list[tuple[str, str, URLPattern]]:
    seen, out = set(), []
    for route, namespace, entry in _walk(get_resolver()):
        if route in seen:
            continue
        seen.add(route)
        out.append((route, namespace, entry))
    return out


PATTERNS = _patterns()
CONVERTER_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")
REGEX_GROUP_RE = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _view(entry: URLPattern):
    return inspect.unwrap(getattr(entry.callback, "view_class", entry.callback))


def _source(entry: URLPattern) -> str:
    try:
        return inspect.getsource(_view(entry))
    except (OSError, TypeError):
        return ""


def _known_params(entry: URLPattern, namespace: str) -> list[str]:
    source = _source(entry)
    names = set(PARAM_RE.findall(source)) | set(ITEM_RE.findall(source))
    names |= set(EXTRA_PARAMS.get(namespace, ()))
    return sorted(names)


def _action_names(entry: URLPattern) -> list[str]:
    names = []
    for single, group in ACTION_RE.findall(_source(entry)):
        names += [single] if single else re.findall(r"""["']([\w-]+)["']""", group)
    return sorted(set(names)) or ["view"]


# --- valid path values ---------------------------------------------------------------------

#: (route prefix, kwarg) → how to find a real value; the longest matching prefix wins.
OBJECTS = {
    ("accounts/reveal/", "user_id"): ("accounts.User", "citizen"),
    ("services/", "pk"): ("catalog.ServiceItem", None),
    ("services/themes/", "code"): ("catalog.Theme", "code"),
    ("services/manage/themes/", "pk"): ("catalog.Theme", None),
    ("cases/apply/", "item_pk"): ("catalog.ServiceItem", None),
    ("cases/intake/", "item_pk"): ("catalog.ServiceItem", None),
    ("cases/track/", "token"): ("cases.Case", "track_token"),
    ("cases/", "pk"): ("cases.Case", None),
    ("cases/", "file_pk"): ("cases.CaseMaterial", None),
    ("notices/", "pk"): ("notify.Message", None),
    ("workdays/", "pk"): ("workdays.HolidayOverride", None),
    ("faq/", "pk"): ("knowledge.Article", None),
    ("faq/manage/glossary/", "pk"): ("knowledge.GlossaryTerm", None),
    ("faq/manage/categories/", "pk"): ("knowledge.KnowledgeCategory", None),
    ("hotline/", "pk"): ("hotline.Ticket", None),
    ("hotline/config/categories/", "pk"): ("hotline.Category", None),
    ("hotline/config/rules/", "pk"): ("hotline.DispatchRule", None),
    ("grid/events/", "pk"): ("grid.CityEvent", None),
    ("grid/m/", "pk"): ("grid.CityEvent", None),
    ("grid/photos/", "pk"): ("grid.EventPhoto", None),
    ("grid/manage/grids/", "pk"): ("grid.Grid", None),
    ("grid/manage/components/", "pk"): ("grid.Component", None),
    ("grid/manage/places/", "pk"): ("grid.Place", None),
    ("grid/manage/devices/", "pk"): ("grid.SensorDevice", None),
    ("open311/", "code"): ("hotline.Category", "code"),
    ("open311/", "request_id"): ("hotline.Ticket", "number"),
    ("api/v1/catalog/", "item_id"): ("catalog.ServiceItem", None),
    ("api/v1/cases/", "case_id"): ("cases.Case", None),
    ("api/v1/knowledge/", "article_id"): ("knowledge.Article", None),
}
STR_FIELDS = {"field": ("id_number", "phone", "real_name"), "fmt": ("json", "xml")}


def _lookup(route: str, name: str) -> str | None:
    from django.apps import apps

    matches = [(p, k) for (p, k) in OBJECTS if k == name and route.startswith(p)]
    if not matches:
        return None
    spec = OBJECTS[max(matches, key=lambda m: len(m[0]))]
    model = apps.get_model(spec[0])
    if spec[1] == "citizen":
        row = model.objects.filter(username="citizen").first()
        return str(row.pk) if row else None
    attribute = spec[1] or "pk"
    if model.__name__ == "Ticket" and attribute == "number":
        row = model.objects.filter(channel="open311").order_by("pk").first() or (
            model.objects.order_by("pk").first()
        )
    else:
        row = model.objects.order_by("pk").first()
    return str(getattr(row, attribute)) if row is not None else None


def _admin_value(name: str) -> str:
    from yiwang.accounts.models import User

    return {
        "app_label": "accounts",
        "object_id": str(User.objects.order_by("pk").first().pk),
        "content_type_id": "1",
        "url": "accounts/",
    }.get(name, "1")


def _fill(route: str, namespace: str, entry: URLPattern) -> tuple[list[str], list[str]]:
    """(valid paths, malformed paths) for a route."""
    names = [(m["conv"] or "str", m["name"]) for m in CONVERTER_RE.finditer(route)]
    names += [("regex", m["name"]) for m in REGEX_GROUP_RE.finditer(route)]
    if not names:
        return ["/" + _clean_route(route)], []
    valid: dict[str, list[str]] = {}
    for _conv, name in names:
        if namespace == "admin":
            valid[name] = [_admin_value(name)]
        elif name == "action":
            valid[name] = _action_names(entry)
        elif name in STR_FIELDS:
            valid[name] = list(STR_FIELDS[name])
        else:
            found = _lookup(route, name)
            valid[name] = [found or "1"]
    good = []
    for index in range(max(len(v) for v in valid.values())):
        good.append(_render(route, {n: v[index % len(v)] for n, v in valid.items()}))
    bad = []
    for conv, name in names:
        for value in BAD_INTS if conv == "int" else BAD_STRS:
            values = {n: v[0] for n, v in valid.items()}
            values[name] = value
            bad.append(_render(route, values))
    return good, bad


def _clean_route(route: str) -> str:
    return route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")


def _render(route: str, values: dict[str, str]) -> str:
    def sub(match):
        value = values[match["name"]]
        return value if value.startswith("%") else quote(value, safe="")

    text = CONVERTER_RE.sub(sub, route)
    text = REGEX_GROUP_RE.sub(sub, text)
    return "/" + _clean_route(text)


# --- forms ---------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """Forms of a page: action, method, and (name, default value) of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": a.get("action") or "", "method": (a.get("method") or "get").lower()}
                | {"fields": {}}
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and name in fields:
                return
            if kind == "file":
                return
            fields[name] = a.get("value") or ("1" if kind == "checkbox" else "")
        elif tag == "button" and name:
            fields.setdefault(name, a.get("value") or "")
        elif tag == "textarea" and name:
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            fields[name] = ""
        elif tag == "option" and self._select and not self.forms[-1]["fields"][self._select]:
            fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _forms(response, page: str) -> list[dict]:
    if "html" not in response.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(response.content.decode("utf-8", "replace"))
    forms = []
    for form in parser.forms:
        action = form["action"] or page
        parts = urlsplit(action)
        if parts.netloc and parts.netloc != "testserver":
            continue
        form["action"] = parts.path or page
        forms.append(form)
    return forms


# --- requests -------------------------------------------------------------------------------


class Run:
    """Sends requests and collects the ones answered with a server error."""

    def __init__(self, as_role):
        self.as_role = as_role
        self.clients: dict = {}
        self.failures: list[str] = []
        self.count = 0

    def client(self, role):
        if role not in self.clients:
            self.clients[role] = self.as_role(role)
        return self.clients[role]

    def send(self, role, method: str, path: str, data: dict | None = None):
        data = data or {}
        client = self.client(role)
        self.count += 1
        response = client.get(path, data) if method == "get" else client.post(path, data)
        if response.status_code >= 500:
            shown = {
                k: (v if len(v) < 60 else f"{v[:20]!r}…({len(v)} chars)") for k, v in data.items()
            }
            self.failures.append(
                f"{response.status_code} {method.upper()} {path} as {role or 'anonymous'} {shown!r}"
            )
        return response


def _rotated(names: list[str], round_: int, base: dict | None = None) -> dict:
    data = dict(base or {})
    for index, name in enumerate(names):
        data[name] = VALUES[(index + round_) % len(VALUES)]
    return data


def _fuzz_form(run: Run, role, form: dict, rounds: int, single: bool) -> None:
    """``rounds`` requests with every field malformed (values rotated over the fields), then,
    with ``single``, one request per field with only that field malformed."""
    method = "post" if form["method"] == "post" else "get"
    path = form["action"]
    try:
        resolve(path)
    except Resolver404:
        return
    names = list(form["fields"])
    offset = len(VALUES) // 2 if method == "post" else 0
    for round_ in range(rounds if names else min(rounds, 1)):
        run.send(role, method, path, _rotated(names, round_ + offset))
    if not single:
        return
    start = len(SEEN_FORMS)  # each form starts at another field and value
    for index in range(min(len(names), MAX_SINGLE_FIELDS)):
        name = names[(start + index) % len(names)]
        value = SINGLE_VALUES[(start + index) % len(SINGLE_VALUES)]
        run.send(role, method, path, {**form["fields"], name: value})


#: Forms already fuzzed in this run: the same form (the elder-mode switch of the page frame, a
#: search box, an action button on every ticket) appears on many pages and is fuzzed once.
SEEN_FORMS: set = set()


def _seen(form: dict) -> bool:
    try:
        target = resolve(form["action"]).route
    except Resolver404:
        return True
    hidden = form["fields"].get("action", "")
    key = (target, form["method"], hidden, tuple(sorted(form["fields"])))
    if key in SEEN_FORMS:
        return True
    SEEN_FORMS.add(key)
    return False


#: The roles whose pages live under a prefix (anonymous is always tried; other prefixes: all).
ROLES_BY_PREFIX = {
    "admin/": ("admin",),
    "open311/": ("citizen",),
    "api/": ("citizen", "reviewer"),
    "cases/": ("citizen", "window", "reviewer", "authority"),
    "services/": ("citizen", "reviewer", "authority"),
    "faq/": ("citizen", "agent", "authority"),
    "hotline/": ("citizen", "agent", "dispatcher", "handler", "grid_worker", "authority"),
    "grid/": ("grid_worker", "dispatcher", "handler", "authority"),
    "notices/": ("citizen", "reviewer"),
    "workdays/": ("citizen", "authority"),
    "audit/": ("citizen", "authority", "admin"),
}


def _role_list(route: str) -> list:
    for prefix, roles in ROLES_BY_PREFIX.items():
        if route.startswith(prefix):
            return [None, *roles]
    return [None, *ROLES]


def _fuzz_page(run: Run, role, path: str, params: list[str], rounds: int, get: bool) -> None:
    fields = dict.fromkeys(params, "")
    if get:
        _fuzz_form(run, role, {"action": path, "method": "get", "fields": fields}, rounds, False)
    _fuzz_form(run, role, {"action": path, "method": "post", "fields": fields}, rounds, False)


def _fuzz_pattern(run: Run, route: str, namespace: str, entry: URLPattern) -> None:
    """GET every path as every role; the first role that may open it fuzzes the view's own
    parameters in full, the others in a few rounds; each form met is fuzzed once."""
    good, bad = _fill(route, namespace, entry)
    params = _known_params(entry, namespace)
    admin = namespace == "admin"
    primary = None
    for role in _role_list(route):
        if role is not None and f"{namespace}:{entry.name}" in SESSION_ENDING:
            continue
        for path in good:
            response = run.send(role, "get", path)
            if role is not None and response.status_code not in (200, 405):
                continue  # refused or redirected: the POST and the fuzzing would be too
            run.send(role, "post", path)
            if response.status_code not in (200, 405):
                continue
            rounds = 2 if admin else (1 if primary is not None else len(VALUES) // 2)
            primary = role if primary is None else primary
            _fuzz_page(run, role, path, params, rounds, get=response.status_code == 200)
            for form in _forms(response, path):
                if not _seen(form):
                    _fuzz_form(run, role, form, 1 if admin else 2, single=not admin)
    for path in bad:
        run.send(primary, "get", path)
        run.send(primary, "post", path)


def _id(pattern) -> str:
    return pattern[0] or "/"


@pytest.mark.parametrize("pattern", PATTERNS, ids=[_id(p) for p in PATTERNS])
def test_no_server_error(pattern, as_role):
    route, namespace, entry = pattern
    run = Run(as_role)
    started = time.monotonic()
    _fuzz_pattern(run, route, namespace, entry)
    assert run.count > 0
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as out:
            out.write(f"{run.count}\t{time.monotonic() - started:.1f}s\t{route}\n")
            out.writelines(f"  {line}\n" for line in run.failures)
    assert not run.failures, f"{len(run.failures)} server error(s):\n" + "\n".join(
        run.failures[:40]
    )
