"""Security headers the platform sends on every response (等保: CSP, no sniffing, no framing).

Installed right after Django's ``SecurityMiddleware`` (which sends X-Content-Type-Options,
Referrer-Policy, Cross-Origin-Opener-Policy and, over HTTPS, HSTS), so static files,
error pages and the admin get the same headers as the portal.

No policy allows inline script or style. The Django admin and the API docs (django-ninja's
Swagger UI, served from its bundled static files, never a CDN) were checked in Chromium
under this policy: neither runs inline code; their widgets (calendar, select2, Swagger's
panels) set styles through the CSSOM, which CSP permits; Swagger shows its icons as data:
images. They get the same policy without the map tile server.
"""

from urllib.parse import urlsplit

from django.conf import settings

_COMMON = (
    "default-src 'self'; script-src 'self'; style-src 'self'; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
CSP_TEMPLATE = f"{_COMMON}; img-src 'self' data: blob:{{tiles}}"
ADMIN_CSP = API_DOCS_CSP = f"{_COMMON}; img-src 'self' data:"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"


def _tile_origin() -> str:
    """The configured map tile servers, the only outside origins images may come from: the
    base layer and the labels layer, each of its ``{s}`` subdomains spelled out (天地图 serves
    from t0 … t7)."""
    subdomains = getattr(settings, "YIWANG_MAP_TILE_SUBDOMAINS", "") or "abc"
    origins: list[str] = []
    for name in ("YIWANG_MAP_TILE_URL", "YIWANG_MAP_TILE_LABELS_URL"):
        url = getattr(settings, name, "")
        for sub in subdomains if url and "{s}" in url else [""] if url else []:
            parts = urlsplit(url.replace("{s}", sub))
            origin = f"{parts.scheme}://{parts.netloc}"
            if parts.scheme in ("http", "https") and parts.netloc and origin not in origins:
                origins.append(origin)
    return "".join(f" {origin}" for origin in origins)


def content_security_policy(path: str) -> str:
    if path.startswith("/admin/"):
        return ADMIN_CSP
    if path.startswith("/api/v1/docs"):
        return API_DOCS_CSP
    return CSP_TEMPLATE.format(tiles=_tile_origin())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request.path))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        if not getattr(response, "xframe_options_exempt", False):
            response.setdefault("X-Frame-Options", "DENY")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin")
        return response
