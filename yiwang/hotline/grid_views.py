"""The grid worker's 12345 pages (phone layout, under /grid/m/, URLconf ``grid_urls``): passing
on a resident's request met on patrol, and the requests passed on so far with how they went.

They are hotline pages because they read and write tickets; the grid app's pages link to them
by URL name (``hotline_grid:request``) and load the list as an htmx fragment
(``hotline_grid:passed_on``), so the grid app never imports the hotline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.grid import queries as grid_queries

from . import actions, queries
from .models import Channel, Ticket, TicketType

#: How many passed-on requests the list shows (the latest).
PASSED_ON_SHOWN = 20


def _require_grid_worker(request: AuthenticatedRequest) -> None:
    if not (grid_queries.is_grid_worker(request.user) or request.user.is_superuser):
        raise PermissionDenied(_("These pages are for grid workers."))


@login_required
@require_http_methods(["GET", "POST"])
def request_page(request: AuthenticatedRequest) -> HttpResponse:
    """A resident's request met on patrol, passed on as a 12345 ticket (channel: grid)."""
    _require_grid_worker(request)
    grids = grid_queries.my_grids(request.user)
    errors: dict[str, list[str]] = {}
    post = request.POST
    if request.method == "POST":
        try:
            registered = actions.report_grid_request(
                actor=request.user,
                grid=next((g for g in grids if str(g.pk) == post.get("grid")), None),
                type=post.get("type", ""),
                category=post.get("category", ""),
                content=post.get("content", ""),
                lat=post.get("lat", ""),
                lng=post.get("lng", ""),
                address=post.get("address", ""),
                resident_name=post.get("resident_name", ""),
                resident_phone=post.get("resident_phone", ""),
                anonymous=post.get("anonymous") == "1",
                photos=request.FILES.getlist("photos"),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
        else:
            messages.success(
                request,
                _("12345 ticket %(number)s registered; the hotline will dispatch it.")
                % {"number": registered.ticket.number},
            )
            return redirect("grid:m_home")
    return render(
        request,
        "hotline/grid_request.html",
        {
            "grids": grids,
            "types": TicketType.choices,
            "categories": queries.leaf_categories(),
            "errors": errors,
            "general_errors": errors.get("__all__", []) + errors.get("region", []),
            "values": post if request.method == "POST" else {},
        },
        status=422 if errors else 200,
    )


@login_required
@require_GET
def passed_on(request: AuthenticatedRequest) -> HttpResponse:
    """The residents' requests this worker passed on: how each went and the department's
    reply (to tell the resident), not the ticket itself. The list alone for htmx (the phone
    home page loads it), else a page of its own."""
    _require_grid_worker(request)
    rows = list(
        Ticket.objects.filter(registered_by=request.user, channel=Channel.GRID)
        .select_related("category")
        .only("number", "status", "category__name", "content", "reply", "created_at")
        .order_by("-created_at")[:PASSED_ON_SHOWN]
    )
    template = "hotline/_grid_passed_on.html" if request.htmx else "hotline/grid_passed_on.html"
    return render(request, template, {"passed_on": rows})
