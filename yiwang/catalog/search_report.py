"""What citizens searched for, for the catalogue back office (/services/manage/search-report/),
and the click-recording link of the search results (/services/<pk>/open/?q=).

The counts are ``yiwang.search.popular``'s: per normalised query and day, nothing personal.
The report shows, over 7, 30 or 90 days, the most searched queries, queries whose results
nobody opened and queries that found nothing, each read with one grouped query; from a row
an administrator opens the public results, adds the query to the lexicon (the authority) or
adds it as an alias of the item it should have found (``catalog.actions.add_alias``).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.search import popular

from . import actions, indexing
from .models import ServiceItem
from .permissions import can_use_back_office, is_catalog_authority, manageable_items

KIND = indexing.KIND
PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
ROWS = 50
CANDIDATES = 20


# --- the click-recording link of the search results ---------------------------------------


@require_GET
def open_result(request: HttpRequest, pk: int) -> HttpResponse:
    """Count that the result ``pk`` was opened after searching ``q``, then show its guide.

    The target is always the item's guide page (never a URL taken from the request), so the
    link cannot send anybody off the site.
    """
    query = request.GET.get("q", "")
    if popular.recordable(query) and ServiceItem.objects.published().filter(pk=pk).exists():
        popular.record_click(query, kind=KIND, key=pk)
    return HttpResponseRedirect(reverse("catalog:detail", args=[pk]))


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    days: int
    top: list[popular.QueryStats]
    unclicked: list[popular.QueryStats]
    empty: list[popular.QueryStats]


def build_report(days: int, *, limit: int = ROWS) -> Report:
    """The report's three lists: three grouped queries, whatever the number of rows."""
    return Report(
        days=days,
        top=popular.query_stats(kind=KIND, days=days, limit=limit),
        unclicked=popular.query_stats(kind=KIND, days=days, limit=limit, order="unclicked"),
        empty=popular.query_stats(kind=KIND, days=days, limit=limit, order="empty"),
    )


def _require_back_office(request: HttpRequest) -> None:
    if not can_use_back_office(request.user):
        raise PermissionDenied(
            gettext(
                "The search report is for the catalogue back office: department administrators "
                "and the data authority."
            )
        )


def _period(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_PERIOD))
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


@login_required
def search_report(request: AuthenticatedRequest) -> HttpResponse:
    _require_back_office(request)
    report = build_report(_period(request))
    return render(
        request,
        "catalog/manage/search_report.html",
        {
            "report": report,
            "periods": PERIODS,
            "sections": [
                ("top", gettext("Most searched"), report.top),
                ("unclicked", gettext("Found results, nobody opened one"), report.unclicked),
                ("empty", gettext("Found nothing"), report.empty),
            ],
            "can_edit_lexicon": is_catalog_authority(request.user),
        },
    )


@login_required
def search_report_export(request: AuthenticatedRequest) -> HttpResponse:
    _require_back_office(request)
    report = build_report(_period(request), limit=1000)
    book = Workbook()
    sheets = [
        (gettext("Most searched"), report.top),
        (gettext("No click"), report.unclicked),
        (gettext("No result"), report.empty),
    ]
    headers = [
        gettext("Query"),
        gettext("Searches"),
        gettext("Searches without results"),
        gettext("Results opened"),
        gettext("Opened per search with results"),
    ]
    for n, (title, rows) in enumerate(sheets):
        sheet = book.active if n == 0 else book.create_sheet()
        sheet.title = title[:31]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            rate = row.click_rate
            sheet.append(
                [row.query, row.searches, row.empty, row.clicks, round(rate, 3) if rate else None]
            )
        sheet.column_dimensions["A"].width = 30
    out = BytesIO()
    book.save(out)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="search-report-{report.days}d-{stamp}.xlsx"'
    )
    return response


# --- adding a query as an item's alias --------------------------------------------------------


def alias_candidates(user, words: str, *, limit: int = CANDIDATES) -> list[ServiceItem]:
    """Items ``user`` may manage that ``words`` point to: the public search's results first
    (published items, best first), then items whose name or aliases contain the words."""
    words = " ".join(words.split())[:100]
    if not words:
        return []
    items = manageable_items(user)
    ranked = indexing.search_item_ids(words, limit=limit) or []
    found = {i.pk: i for i in items.filter(pk__in=ranked)}
    result = [found[pk] for pk in ranked if pk in found]
    if len(result) < limit:
        text = Q()
        for word in words.split():
            text &= Q(name__icontains=word) | Q(aliases__icontains=word)
        more = items.filter(text).exclude(pk__in=[i.pk for i in result]).order_by("name", "id")
        result += list(more[: limit - len(result)])
    return result


@login_required
def search_report_alias(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the query and the items it may belong to; POST: add it to the chosen item."""
    _require_back_office(request)
    data = request.POST if request.method == "POST" else request.GET
    alias = " ".join(data.get("q", "").split())[:100]
    words = " ".join(data.get("words", "").split())[:100] or alias
    errors: list[str] = []
    if request.method == "POST":
        item = get_object_or_404(manageable_items(request.user), pk=_int(data.get("item")))
        try:
            actions.add_alias(actor=request.user, item=item, alias=alias)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                gettext("“%(alias)s” now finds “%(name)s”.") % {"alias": alias, "name": item.name},
            )
            return redirect(f"{reverse('catalog:search_report')}?days={_period(request)}")
    return render(
        request,
        "catalog/manage/search_report_alias.html",
        {
            "alias": alias,
            "words": words,
            "days": _period(request),
            "items": alias_candidates(request.user, words) if alias else [],
            "errors": errors,
        },
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
