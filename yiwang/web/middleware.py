"""Security headers the platform sends on every response (等保: CSP, no sniffing, no framing)."""

from urllib.parse import urlsplit

from django.conf import settings


def _tile_origin() -> str:
    """The configured map tile server, the one outside origin images may come from."""
    url = getattr(settings, "YIWANG_MAP_TILE_URL", "")
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/") and not request.path.startswith("/api/v1/docs"):
            response.setdefault(
                "Content-Security-Policy", CSP_TEMPLATE.format(tiles=_tile_origin())
            )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
