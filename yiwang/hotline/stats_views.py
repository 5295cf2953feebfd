"""/hotline/stats/: figures with charts (ECharts) and tables; Excel export."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from . import stats as figures_lib

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest) -> tuple[figures_lib.Period, dict]:
    try:
        return figures_lib.resolve_period(request.GET), {}
    except ValidationError as exc:
        return figures_lib.resolve_period({}), exc.message_dict


def _chart_data(data: dict) -> dict:
    tickets = data["tickets"]
    return {
        "labels": {
            "volume": _("Tickets"),
            "closed": _("Closed"),
            "trend": _("Tickets per day"),
            "departments": _("Tickets by lead department"),
            "types": _("Tickets by type"),
        },
        "trend": {
            "days": [row["day"] for row in tickets["trend"]],
            "total": [row["total"] for row in tickets["trend"]],
            "closed": [row["closed"] for row in tickets["trend"]],
        },
        "departments": {
            "names": [row["name"] for row in tickets["by_department"]],
            "values": [row["total"] for row in tickets["by_department"]],
        },
        "types": [{"name": row["name"], "value": row["total"]} for row in tickets["by_type"]],
    }


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    figures_lib.scope_of(request.user)  # PermissionDenied → 403 before any work
    period, errors = _period(request)
    data = figures_lib.compute(request.user, period)
    return render(
        request,
        "hotline/stats.html",
        {
            "period": period,
            "periods": list(figures_lib.PERIODS.items()),
            "errors": errors,
            "data": data,
            "charts": _chart_data(data),
            "query": request.GET.urlencode(),
        },
    )


def _rate(value) -> float | str:
    return "" if value is None else value


def workbook(data: dict, period: figures_lib.Period) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    figures_header = [
        _("Tickets"),
        _("Closed"),
        _("Closed on time"),
        _("On-time rate (%)"),
        _("Called back"),
        _("Call-back rate (%)"),
        _("Satisfied"),
        _("Satisfaction rate (%)"),
    ]

    def figures(row: dict) -> list:
        return [
            row["total"],
            row["closed"],
            row["on_time"],
            _rate(row["on_time_rate"]),
            row["called_back"],
            _rate(row["callback_rate"]),
            row["satisfied"],
            _rate(row["satisfaction_rate"]),
        ]

    def sheet(title: str, header: list, rows: list[list], first: bool = False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title[:31]
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
        return ws

    tickets = data["tickets"]
    sheet(
        pgettext("hotline", "Summary"),
        [_("Period"), *figures_header],
        [[f"{period.start} – {period.end}", *figures(tickets["total"])]],
        first=True,
    )
    for title, key, label in (
        (_("By type"), "by_type", _("Type")),
        (_("By channel"), "by_channel", pgettext("hotline", "Channel")),
        (_("By category"), "by_category", _("Category")),
        (_("By department"), "by_department", _("Lead department")),
        (_("By town"), "by_town", pgettext("hotline", "Town")),
    ):
        sheet(title, [label, *figures_header], [[r["name"], *figures(r)] for r in tickets[key]])
    sheet(
        _("By day"),
        [_("Date"), *figures_header],
        [[r["day"], *figures(r)] for r in tickets["trend"]],
    )
    hot_header = [
        _("This week"),
        _("Last week"),
        pgettext("hotline", "Change"),
        _("Change (%)"),
    ]
    for title, key, label in (
        (_("Hot categories"), "categories", _("Category")),
        (_("Hot places"), "places", _("Place")),
    ):
        sheet(
            title,
            [label, *hot_header],
            [
                [r["name"], r["this_week"], r["last_week"], r["change"], _rate(r["change_pct"])]
                for r in data["hot_spots"][key]
            ],
        )
    events = data.get("events")
    if events:
        # City cases have no call-back; their satisfaction is the dispatcher's evaluation.
        sheet(
            pgettext("hotline", "City events"),
            [
                _("Class"),
                pgettext("city event", "Cases"),
                _("Closed"),
                _("Closed on time"),
                _("On-time rate (%)"),
                _("Evaluated"),
                _("Good evaluations (score 4–5)"),
                _("Good-evaluation rate (%)"),
            ],
            [
                [
                    r["name"],
                    r["total"],
                    r["closed"],
                    r["on_time"],
                    _rate(r["on_time_rate"]),
                    r["rated"],
                    r["satisfied"],
                    _rate(r["satisfaction_rate"]),
                ]
                for r in events["by_class"]
            ],
        )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@login_required
def export(request: HttpRequest) -> HttpResponse:
    figures_lib.scope_of(request.user)
    period, _errors = _period(request)
    data = figures_lib.compute(request.user, period)
    response = HttpResponse(workbook(data, period), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="12345-stats-{period.start}-{period.end}.xlsx"'
    )
    return response
