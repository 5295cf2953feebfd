"""Pages about reveals of personal data: the auditors' overviews and drill-down, and the
person's own log of who saw their data (个人信息保护法 第四十四条: the right to know)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import actions, queries, sources
from .forms import DisclosureFilterForm, StaffFilterForm

PAGE_SIZE = 50


def _require_auditor(request: HttpRequest) -> None:
    if not request.user.has_perm("audit.view_log"):  # auditors (orgs/permissions.py)
        raise PermissionDenied(
            _("Only auditors can review reveals of personal data. Ask for an auditor post.")
        )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Per staff member: reveals in the last hour, day and 30 days; refusals (bursts) first."""
    _require_auditor(request)
    form = StaffFilterForm(request.GET or None)
    staff = form.cleaned_data["staff"].strip() if form.is_valid() else ""
    per_hour, per_day = actions.limits()
    return render(
        request,
        "privacy/overview.html",
        {
            "form": form,
            "bursts": queries.recent_bursts(),
            "rows": queries.per_staff(staff=staff),
            "per_hour": per_hour,
            "per_day": per_day,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def subjects(request: HttpRequest) -> HttpResponse:
    """Per person: how often their data was revealed in the last 30 days, by how many staff."""
    _require_auditor(request)
    return render(request, "privacy/subjects.html", {"rows": queries.per_subject()})


@login_required
@require_GET
def disclosure_list(request: HttpRequest) -> HttpResponse:
    """The individual reveals, newest first, filtered by staff member, person and dates."""
    _require_auditor(request)
    form = DisclosureFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    page = None
    if not form.errors:
        page = Paginator(queries.drill_down(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "privacy/list.html",
        {"form": form, "page_obj": page, "query": params.urlencode()},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own log: who saw their full data, when, why and where — staff
    reveals and the channels feature apps register (``sources``), in one list."""
    log = sources.seen_log(request.user)
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/mine.html",
        {"page_obj": page, "other_channels": len(log.sources) > 1},
    )
