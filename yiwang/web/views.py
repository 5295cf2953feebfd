import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yiwang.accounts.actions import set_elder_mode
from yiwang.accounts.preferences import elder_mode_on, remember_elder_mode

from .queries import ALIVE, NOT_USED, queue_health, worker_health

logger = logging.getLogger(__name__)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the Django admin). Answered by
    a redirect, never by the 404 page: that page renders a CSRF token, and on a first visit its new
    cookie would race the login form's and fail the login with 403."""
    return redirect(static("web/favicon.svg"), permanent=True)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 503 "degraded" when the database fails or no worker
    has sent a heartbeat for YIWANG_WORKER_STALE_SECONDS (jobs, SMS and sweeps stand still)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        worker, queue = worker_health(), queue_health()
    except DatabaseError:
        logger.exception("health check: the database is unavailable")
        body: dict[str, object] = {
            "status": "degraded",
            "database": "unavailable",
            "worker": None,
            "queue": None,
        }
        return JsonResponse(body, status=503)
    healthy = worker["state"] in {ALIVE, NOT_USED}
    body = {
        "status": "ok" if healthy else "degraded",
        "database": connection.vendor,
        "worker": worker,
        "queue": queue,
    }
    return JsonResponse(body, status=200 if healthy else 503)


@require_POST
def toggle_elder_mode(request: HttpRequest) -> HttpResponse:
    """Flip the mode the page shows: the account's for a logged-in user, else the cookie's."""
    target = request.POST.get("next", "/")
    # Only a path on this site (redirect() would read anything else as a URL pattern name).
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}
    ):
        target = "/"
    enabled = not elder_mode_on(request)
    if request.user.is_authenticated:
        set_elder_mode(actor=request.user, enabled=enabled)
    return remember_elder_mode(redirect(target), enabled)
