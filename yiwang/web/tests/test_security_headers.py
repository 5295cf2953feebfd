"""Security headers on every response (portal, admin, API docs, errors, static files), and
HTTPS-only cookies and HSTS derived from the public URL."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import path

import yiwang.settings

SETTINGS_FILE = Path(yiwang.settings.__file__)


def boom(request):
    raise RuntimeError("an unexpected failure")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [path("boom", boom), path("fine", fine)]


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "cdn" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/admin/login/", None),  # the admin's own page or the platform's login
        ("/api/v1/docs", 200),
        ("/api/v1/openapi.json", 200),
        ("/no-such-page/", 404),
        ("/api/v1/no-such-endpoint", 404),
        ("/healthz", None),
        ("/static/ninja/swagger-ui.css", 200),
        ("/static/web/site.css", 200),
    ],
)
def test_every_kind_of_response_carries_the_headers(client, url, status):
    response = client.get(url)
    if status is not None:
        assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.django_db
def test_admin_pages_carry_the_headers(admin_client):
    for url in ["/admin/", "/admin/accounts/user/"]:
        response = admin_client.get(url, follow=True)
        assert_security_headers(response)


@pytest.mark.django_db
def test_api_error_carries_the_headers(client):
    response = client.post("/api/v1/cases/", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert_security_headers(response)


@pytest.mark.django_db
def test_api_docs_load_swagger_from_this_site_not_a_cdn(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg" not in html


@pytest.mark.urls(__name__)
def test_server_error_page_carries_the_headers(client):
    client.raise_request_exception = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)


def test_map_tile_server_is_the_only_outside_image_origin(settings, client):
    settings.YIWANG_MAP_TILE_URL = "https://tiles.dabu.gov.cn/{z}/{x}/{y}.png"
    settings.ROOT_URLCONF = __name__
    portal = client.get("/fine")["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://tiles.dabu.gov.cn" in portal


def test_tianditu_subdomains_and_labels_layer_are_allowed_one_by_one(settings, client):
    key = "&tk=0123456789abcdef"
    settings.YIWANG_MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?LAYER=vec" + key
    settings.YIWANG_MAP_TILE_LABELS_URL = "https://t{s}.tianditu.gov.cn/cva_w/wmts?LAYER=cva" + key
    settings.YIWANG_MAP_TILE_SUBDOMAINS = "01234567"
    settings.ROOT_URLCONF = __name__
    policy = client.get("/fine")["Content-Security-Policy"]
    img = next(p for p in policy.split("; ") if p.startswith("img-src"))
    assert img == "img-src 'self' data: blob: " + " ".join(
        f"https://t{n}.tianditu.gov.cn" for n in range(8)
    )
    # the key never leaks into the policy
    assert "tk=" not in policy


def test_no_tile_server_no_outside_image_origin(settings, client):
    settings.YIWANG_MAP_TILE_URL = ""
    settings.YIWANG_MAP_TILE_LABELS_URL = "javascript:alert(1)//{s}"
    settings.ROOT_URLCONF = __name__
    policy = client.get("/fine")["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in policy + ";"


# --- HTTPS: Secure cookies, HSTS, the proxy's scheme header --------------------------------


def _settings_for(monkeypatch, **env) -> dict:
    """The settings module evaluated afresh under the given environment."""
    for name in (
        "YIWANG_PUBLIC_URL",
        "YIWANG_SECURE_COOKIES",
        "YIWANG_HSTS_SECONDS",
        "YIWANG_PROXY_SSL_HEADER",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_https_public_url_turns_on_secure_cookies_hsts_and_the_proxy_header(monkeypatch):
    conf = _settings_for(monkeypatch, YIWANG_PUBLIC_URL="https://zwfw.dabu.gov.cn")
    assert conf["SESSION_COOKIE_SECURE"] is True
    assert conf["CSRF_COOKIE_SECURE"] is True
    assert conf["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert conf["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_http_public_url_keeps_them_off(monkeypatch):
    conf = _settings_for(monkeypatch, YIWANG_PUBLIC_URL="http://10.1.2.3:8000")
    assert conf["SESSION_COOKIE_SECURE"] is False
    assert conf["CSRF_COOKIE_SECURE"] is False
    assert conf["SECURE_HSTS_SECONDS"] == 0
    assert "SECURE_PROXY_SSL_HEADER" not in conf


def test_environment_overrides_what_the_public_url_implies(monkeypatch):
    conf = _settings_for(
        monkeypatch,
        YIWANG_PUBLIC_URL="https://zwfw.dabu.gov.cn",
        YIWANG_SECURE_COOKIES="0",
        YIWANG_HSTS_SECONDS="600",
        YIWANG_PROXY_SSL_HEADER="0",
    )
    assert conf["SESSION_COOKIE_SECURE"] is False
    assert conf["SECURE_HSTS_SECONDS"] == 600
    assert "SECURE_PROXY_SSL_HEADER" not in conf
    conf = _settings_for(monkeypatch, YIWANG_SECURE_COOKIES="1")  # http, but forced on
    assert conf["SESSION_COOKIE_SECURE"] is True


@pytest.mark.django_db
def test_https_behind_the_proxy_sends_hsts_and_secure_cookies(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert_security_headers(response)


@pytest.mark.django_db
def test_plain_http_sends_no_hsts_and_no_secure_cookies(client, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    response = client.get("/accounts/login/")
    assert "Strict-Transport-Security" not in response
    assert not response.cookies["csrftoken"]["secure"]
