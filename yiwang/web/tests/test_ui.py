"""The shared UI: base layout, home page, elder-friendly mode, security headers, vendored assets,
template tags and snippets.

"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.catalog.models import ServiceItem
from yiwang.orgs.models import Department

ROOT = Path(__file__).resolve().parents[3]


class _Collector(HTMLParser):
    """Collects what the CSP cares about: script tags, style elements and style attributes."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.style_elements = 0
        self.style_attrs: list[str] = []
        self.forms: list[dict] = []
        self.inputs: list[dict] = []
        self.ids: list[str] = []
        self.labels_for: set[str] = set()
        self.event_handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.style_elements += 1
        if "style" in attributes:
            self.style_attrs.append(tag)
        if tag == "form":
            self.forms.append(attributes)
        if tag in {"input", "select", "textarea"}:
            self.inputs.append(attributes)
        if tag == "label" and "for" in attributes:
            self.labels_for.add(attributes["for"])
        if "id" in attributes:
            self.ids.append(attributes["id"])
        self.event_handlers += [name for name in attributes if name.startswith("on")]


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def sample_items() -> list[ServiceItem]:
    """Unsaved items shaped like ``featured_items()`` results (department already joined)."""
    scj = Department(name="大埔县市场监督管理局")
    gaj = Department(name="大埔县公安局")
    return [
        ServiceItem(
            pk=41,
            name="食品经营许可证核发",
            department=scj,
            promised_limit=5,
            visits=0,
            online_depth=3,
        ),
        ServiceItem(
            pk=42, name="居民身份证换领", department=gaj, promised_limit=0, visits=1, online_depth=1
        ),
    ]


@pytest.fixture
def with_items(monkeypatch):
    monkeypatch.setattr("yiwang.site.views.featured_items", lambda limit=8, **_: sample_items())


# --- home page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_renders_search_form_in_simplified_chinese_document(client, with_items):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    page = parse(html)
    search = [f for f in page.forms if f.get("role") == "search"]
    assert search, "home page has no search form"
    assert search[0]["action"] == "/services/"
    assert search[0]["method"] == "get"
    box = next(i for i in page.inputs if i.get("name") == "q")
    assert box["type"] == "search"
    assert box["id"] in page.labels_for, "search input has no label"


@pytest.mark.django_db
def test_home_shows_popular_services_and_only_existing_quick_entries(client, with_items):
    html = client.get("/").content.decode()
    assert "食品经营许可证核发" in html
    assert "大埔县市场监督管理局" in html
    assert 'href="/services/41/"' in html
    assert 'href="/services/42/"' in html
    assert 'href="/services/?audience=person"' in html
    assert 'href="/services/?audience=enterprise"' in html
    assert 'href="/cases/mine/"' in html
    assert 'href="/hotline/report/"' in html
    assert 'href="#"' not in html, "placeholder links are not allowed"


@pytest.mark.django_db
def test_home_without_published_items_shows_an_empty_state(client, monkeypatch):
    monkeypatch.setattr("yiwang.site.views.featured_items", lambda limit=8, **_: [])
    with translation.override("en"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="empty"' in html
    assert "No services have been published yet." in html


@pytest.mark.django_db
def test_every_form_control_on_the_home_page_is_labelled_and_ids_are_unique(client, with_items):
    page = parse(client.get("/").content.decode())
    assert len(page.ids) == len(set(page.ids)), "duplicate id attributes"
    for control in page.inputs:
        if control.get("type") in {"hidden", "submit", "button"}:
            continue
        assert control.get("id") in page.labels_for or control.get("aria-label"), control


# --- elder-friendly mode -------------------------------------------------------------------


@pytest.mark.django_db
def test_elder_toggle_sets_cookie_and_next_page_has_elder_class(client, with_items):
    first = client.get("/").content.decode()
    assert 'class="elder"' not in first
    response = client.post("/elder-mode", {"next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies["elder"].value == "1"
    html = client.get("/").content.decode()
    assert re.search(r'<html lang="zh-Hans" class="elder">', html)
    assert 'aria-pressed="true"' in html


@pytest.mark.django_db
def test_elder_toggle_twice_returns_to_standard_mode(client, with_items):
    client.post("/elder-mode", {"next": "/"})
    response = client.post("/elder-mode", {"next": "/"})
    assert response.cookies["elder"].value == "0"
    assert 'class="elder"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_anonymous_elder_toggle_flips_the_cookie_without_touching_any_account(client, with_items):
    client.cookies["elder"] = "1"
    assert 'class="elder"' in client.get("/").content.decode()
    response = client.post("/elder-mode", {"next": "/"})
    assert response.status_code == 302
    assert response.cookies["elder"].value == "0"
    assert 'class="elder"' not in client.get("/").content.decode()
    assert not AuditEntry.objects.filter(action="accounts.elder_mode").exists()


@pytest.mark.django_db
def test_elder_toggle_refuses_to_redirect_off_site(client):
    response = client.post("/elder-mode", {"next": "https://evil.example.com/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_elder_toggle_rejects_get(client):
    assert client.get("/elder-mode").status_code == 405


# --- health and security headers -----------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_json_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


@pytest.mark.django_db
@pytest.mark.parametrize("elder", [False, True])
def test_home_has_csp_and_no_inline_script_or_style(client, with_items, elder):
    if elder:
        client.cookies["elder"] = "1"
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    page = parse(response.content.decode())
    assert page.scripts, "base.html loads its scripts"
    for script in page.scripts:
        if script.get("type") == "application/json":
            continue  # a data block (the words site.js shows): never executed
        assert script.get("src", "").startswith("/static/"), f"inline or external script: {script}"
    assert any(s.get("id") == "ui-strings" for s in page.scripts)
    assert page.style_elements == 0
    assert page.style_attrs == []
    assert page.event_handlers == []
    assert "//cdn" not in response.content.decode()


@pytest.mark.django_db
def test_scripts_and_stylesheets_referenced_by_base_exist(client, with_items):
    html = client.get("/").content.decode()
    assets = [unquote(a) for a in re.findall(r'(?:src|href)="/static/([^"]+)"', html)]
    assert any(a.startswith("vendor/htmx.org@2.0.") for a in assets)
    assert "web/site.css" in assets
    for asset in assets:
        assert finders.find(asset), f"/static/{asset} is referenced but not found"


# --- vendored front-end packages -----------------------------------------------------------


def _vendor_module():
    spec = importlib.util.spec_from_file_location(
        "yiwang_tools_vendor", ROOT / "tools" / "vendor.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def test_vendored_files_match_manifest_hashes():
    vendor = _vendor_module()
    assert vendor.check() == []
    names = {p.package for p in vendor.load_manifest()}
    assert {"htmx.org", "axe-core", "echarts", "leaflet", "leaflet.markercluster"} <= names
    assert "@alpinejs/csp" not in names  # unused, removed: plain JS in site.js


def test_vendor_check_reports_tampered_missing_and_unlisted_files(tmp_path):
    vendor = _vendor_module()
    (tmp_path / "demo@1.0.0").mkdir()
    (tmp_path / "demo@1.0.0" / "a.js").write_text("console.log(1)\n")
    (tmp_path / "demo@1.0.0" / "extra.js").write_text("x\n")
    good = vendor.sha256_file(tmp_path / "demo@1.0.0" / "a.js")
    manifest = tmp_path / "manifest.json"
    entry = {
        "package": "demo",
        "version": "1.0.0",
        "files": [
            {"src": "dist/a.js", "dest": "a.js", "sha256": good},
            {"src": "dist/b.js", "dest": "b.js", "sha256": "0" * 64},
        ],
    }
    manifest.write_text(json.dumps({"packages": [entry]}))
    problems = vendor.check(manifest)
    assert any("b.js is missing" in p for p in problems)
    assert any("extra.js is not in the manifest" in p for p in problems)
    assert not any("a.js" in p and "sha256" in p for p in problems)

    (tmp_path / "demo@1.0.0" / "a.js").write_text("tampered\n")
    assert any("a.js sha256" in p for p in vendor.check(manifest))


def test_vendor_manifest_rejects_paths_outside_the_package(tmp_path):
    vendor = _vendor_module()
    manifest = tmp_path / "manifest.json"
    entry = {"package": "demo", "version": "1", "files": [{"src": "../etc/passwd", "dest": "x"}]}
    manifest.write_text(json.dumps({"packages": [entry]}))
    with pytest.raises(ValueError, match="relative path inside the package"):
        vendor.load_manifest(manifest)


# --- template tags --------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template("{% load web_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("status", "tone", "label"),
    [
        ("normal", "success", "Normal"),
        ("warning", "warning", "Warning"),
        ("overdue", "danger", "Overdue"),
    ],
)
def test_deadline_badge_maps_status_to_tone_and_label(status, tone, label):
    with translation.override("en"):
        html = render("{{ s|deadline_badge }}", s=status)
    assert html == f'<span class="badge badge-{tone}" data-deadline="{status}">{label}</span>'


def test_deadline_badge_escapes_unknown_status_and_ignores_empty():
    assert render("{{ s|deadline_badge }}", s="<b>paused</b>") == (
        '<span class="badge badge-muted">&lt;b&gt;paused&lt;/b&gt;</span>'
    )
    assert render("{{ s|deadline_badge }}", s=None) == ""


def test_yesno_zh_and_workdays_in_english_msgids():
    with translation.override("en"):
        assert render("{{ v|yesno_zh }}", v=True) == "Yes"
        assert render("{{ v|yesno_zh }}", v=False) == "No"
        assert render("{{ v|yesno_zh }}", v=None) == "Unknown"
        assert render("{{ n|workdays }}", n=0) == "Immediate"
        assert render("{{ n|workdays }}", n=1) == "1 working day"
        assert render("{{ n|workdays }}", n=20) == "20 working days"
        assert render("{{ n|workdays }}", n=None) == ""


def test_badge_filter_falls_back_to_info_for_unknown_tone():
    assert (
        render('{{ v|badge:"danger" }}', v="超期") == '<span class="badge badge-danger">超期</span>'
    )
    assert render('{{ v|badge:"pink" }}', v="x") == '<span class="badge badge-info">x</span>'


def test_elided_pages_marks_gaps_with_none():
    page = Paginator(range(500), 10).page(25)
    pages = Template("{% load web_tags %}{{ p|elided_pages|join:',' }}").render(
        Context({"p": page})
    )
    assert pages == "1,None,23,24,25,26,27,None,50"


# --- snippets -------------------------------------------------------------------------------


def test_pagination_keeps_other_query_parameters():
    request = RequestFactory().get("/services/", {"q": "开饭店", "audience": "person", "page": "2"})
    page = Paginator(range(95), 10).page(2)
    with translation.override("en"):
        html = render_to_string("web/_pagination.html", {"page_obj": page}, request=request)
    assert 'aria-label="Pagination"' in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert hrefs, html
    for href in hrefs:
        assert "audience=person" in href
        assert "q=%E5%BC%80%E9%A5%AD%E5%BA%97" in href
    assert any("page=3" in h for h in hrefs)
    assert any("page=1" in h for h in hrefs)
    assert '<span aria-current="page">' in html
    assert "Page 2 of 10" in html


def test_pagination_renders_nothing_for_a_single_page():
    request = RequestFactory().get("/services/")
    page = Paginator(range(5), 10).page(1)
    assert (
        render_to_string("web/_pagination.html", {"page_obj": page}, request=request).strip() == ""
    )


def test_search_box_keeps_and_escapes_the_query():
    request = RequestFactory().get("/services/", {"q": '"><script>x</script>'})
    html = render_to_string("web/_search_box.html", {"audience": "enterprise"}, request=request)
    assert "<script>x" not in html
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert '<input type="hidden" name="audience" value="enterprise">' in html
    assert 'action="/services/"' in html


# --- Chinese catalogue ----------------------------------------------------------------------


def test_tags_render_chinese_under_zh_hans():
    with translation.override("zh-hans"):
        assert ">正常<" in render("{{ s|deadline_badge }}", s="normal")
        assert ">预警<" in render("{{ s|deadline_badge }}", s="warning")
        assert ">超期<" in render("{{ s|deadline_badge }}", s="overdue")
        assert render("{{ v|yesno_zh }}", v=True) == "是"
        assert render("{{ v|yesno_zh }}", v=False) == "否"
        assert render("{{ n|workdays }}", n=0) == "即办"
        assert render("{{ n|workdays }}", n=5) == "5个工作日"


@pytest.mark.django_db
def test_home_is_in_chinese_by_default(client, with_items):
    html = client.get("/").content.decode()
    assert "大埔县政务服务网" in html
    assert "输入您要办的事，如：开饭店要办什么证" in html
    assert "个人办事" in html
    assert "法人办事" in html
    assert "我的办件" in html
    assert "适老化模式" in html
