"""Staff pages of the exchange: a grant's API credentials and calls
(/data/exchange/grants/<id>/, issue, rotate and revoke by the consumer's data administrator)
and the provider's "who read our data" (/data/exchange/reads/). Grants outside the viewer's
scope answer 404; the pages run a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from yiwang.datahub.models import Grant
from yiwang.web.params import parse_int

from . import actions, limits, queries

PAGE_SIZE = 30


def _staff(request: HttpRequest) -> None:
    user = request.user
    if not (getattr(user, "kind", "") == "staff" or getattr(user, "is_superuser", False)):
        raise PermissionDenied(gettext("The data exchange is for staff."))


def _grant(request: HttpRequest, pk: int) -> Grant:
    _staff(request)
    grant = queries.find_grant(request.user, pk)
    if grant is None:
        raise Http404(gettext("No such grant."))
    if not queries.may_view_calls(request.user, grant):
        raise PermissionDenied(
            gettext(
                "Only the data administrator of %(department)s or the data authority can see "
                "this grant's API credentials and calls."
            )
            % {"department": grant.consumer.name}
        )
    return grant


def _grant_page(request: HttpRequest, grant: Grant, *, issued=None, status: int = 200):
    page = Paginator(queries.calls_of(grant), PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(
        request,
        "exchange/grant.html",
        {
            "grant": grant,
            "credentials": queries.credentials(grant),
            "can_manage": queries.may_manage(request.user, grant),
            "usable": grant.status == "active" and grant.expires_at > timezone.now(),
            "page_obj": page,
            "issued": issued,
            "rate": limits.rate_per_second(),
            "max_page": limits.max_page(),
        },
        status=status,
    )
    # The page may carry a secret shown once: never keep it in a cache or the history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    return _grant_page(request, _grant(request, pk))


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    found = _grant(request, pk)
    try:
        issued = actions.issue_credentials(actor=request.user, grant=found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("exchange:grant", pk=found.pk)
    # Rendered, not redirected: the secret is in this answer only.
    return _grant_page(request, found, issued=issued)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    found = _grant(request, pk)
    try:
        actions.revoke_credentials(actor=request.user, grant=found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Credential revoked: its calls are refused from now on."))
    return redirect("exchange:grant", pk=found.pk)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@login_required
@require_GET
def reads(request: HttpRequest) -> HttpResponse:
    """Who read our resources: calls per day, resource, consumer and fields."""
    _staff(request)
    user = request.user
    if not queries.may_see_reads(user):
        raise PermissionDenied(
            gettext("Only departments' data administrators and the data authority can see this.")
        )
    get = request.GET
    filters = queries.ReadFilters(
        resource=(get.get("resource") or "").strip()[:12],
        consumer=parse_int(get.get("consumer", ""), minimum=1, maximum=2**63 - 1),
        date_from=_date(get.get("from")),
        date_to=_date(get.get("to")),
        refused_only=get.get("refused") == "1",
    )
    page = Paginator(queries.reads(user, filters), PAGE_SIZE).get_page(get.get("page"))
    resources, consumers = queries.read_filter_choices(user)
    return render(
        request,
        "exchange/reads.html",
        {
            "page_obj": page,
            "filters": filters,
            "resources": resources,
            "consumers": consumers,
        },
    )
