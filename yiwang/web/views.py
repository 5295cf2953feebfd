from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yiwang.accounts.actions import set_elder_mode
from yiwang.catalog.queries import featured_items


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"items": featured_items()})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@require_POST
def toggle_elder_mode(request: HttpRequest) -> HttpResponse:
    """Elder-friendly mode persists in a cookie and, for a logged-in user, on the account."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    enabled = request.COOKIES.get("elder") != "1"
    if request.user.is_authenticated:
        enabled = not request.user.elder_mode
        set_elder_mode(actor=request.user, enabled=enabled)
    response = redirect(target)
    response.set_cookie("elder", "1" if enabled else "0", max_age=365 * 24 * 3600, samesite="Lax")
    return response
