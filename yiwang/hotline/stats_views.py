"""/hotline/stats/: figures with charts (ECharts) and tables; Excel export."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from yiwang.accounts.typing import AuthenticatedRequest

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
def stats(request: AuthenticatedRequest) -> HttpResponse:
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


def _figures_header() -> list[str]:
    return [
        _("Tickets"),
        _("Closed"),
        _("Closed on time"),
        _("On-time rate (%)"),
        _("Called back"),
        _("Call-back rate (%)"),
        _("Satisfied or basically satisfied"),
        _("Satisfaction rate (%)"),
        _("Call-back results"),
        _("Dissatisfied"),
        _("Dissatisfaction rate (%)"),
    ]


def _figures(row: dict) -> list:
    """One row of figures, in the order of ``_figures_header``."""
    return [
        row["total"],
        row["closed"],
        row["on_time"],
        _rate(row["on_time_rate"]),
        row["called_back"],
        _rate(row["callback_rate"]),
        row["satisfied"],
        _rate(row["satisfaction_rate"]),
        row["rated"],
        row["dissatisfied"],
        _rate(row["dissatisfaction_rate"]),
    ]


def _sheet(wb: Workbook, title: str, header: list, rows: list[list], first: bool = False) -> None:
    """A sheet with a bold, frozen header row (``first``: the workbook's initial sheet)."""
    ws = wb.active if first and wb.active is not None else wb.create_sheet()
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"


def _ticket_sheets(wb: Workbook, tickets: dict, period: figures_lib.Period) -> None:
    """The summary, the breakdowns (type, channel, category, department, town) and by day."""
    header = _figures_header()
    _sheet(
        wb,
        pgettext("hotline", "Summary"),
        [_("Period"), *header],
        [[f"{period.start} – {period.end}", *_figures(tickets["total"])]],
        first=True,
    )
    for title, key, label in (
        (_("By type"), "by_type", _("Type")),
        (_("By channel"), "by_channel", pgettext("hotline", "Channel")),
        (_("By category"), "by_category", _("Category")),
        (_("By department"), "by_department", _("Lead department")),
        (_("By town"), "by_town", pgettext("hotline", "Town")),
    ):
        _sheet(wb, title, [label, *header], [[r["name"], *_figures(r)] for r in tickets[key]])
    _sheet(
        wb,
        _("By day"),
        [_("Date"), *header],
        [[r["day"], *_figures(r)] for r in tickets["trend"]],
    )


def _hot_spot_sheets(wb: Workbook, hot_spots: dict) -> None:
    header = [
        _("This week"),
        _("Last week"),
        pgettext("hotline", "Change"),
        _("Change (%)"),
    ]
    for title, key, label in (
        (_("Hot categories"), "categories", _("Category")),
        (_("Hot places"), "places", _("Place")),
    ):
        _sheet(
            wb,
            title,
            [label, *header],
            [
                [r["name"], r["this_week"], r["last_week"], r["change"], _rate(r["change_pct"])]
                for r in hot_spots[key]
            ],
        )


def _assessment_sheet(wb: Workbook, assessment: list[dict]) -> None:
    _sheet(
        wb,
        _("Department assessment"),
        [
            _("Rank"),
            _("Lead department"),
            _("Tickets handled"),
            _("Closed"),
            _("On-time rate (%)"),
            _("Call-back results"),
            _("Satisfied"),
            _("Basically satisfied"),
            _("Dissatisfied"),
            _("Satisfaction rate (%)"),
            _("Dissatisfaction rate (%)"),
        ],
        [
            [
                _rate(r["rank"]),
                r["name"],
                r["total"],
                r["closed"],
                _rate(r["on_time_rate"]),
                r["rated"],
                r["fully_satisfied"],
                r["basic"],
                r["dissatisfied"],
                _rate(r["satisfaction_rate"]),
                _rate(r["dissatisfaction_rate"]),
            ]
            for r in assessment
        ],
    )


def _events_sheet(wb: Workbook, events: dict) -> None:
    """City cases have no call-back; their satisfaction is the dispatcher's evaluation."""
    _sheet(
        wb,
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


def workbook(data: dict, period: figures_lib.Period) -> bytes:
    """The figures of ``compute`` as an Excel workbook, one sheet per table."""
    wb = Workbook()
    _ticket_sheets(wb, data["tickets"], period)
    _hot_spot_sheets(wb, data["hot_spots"])
    _assessment_sheet(wb, data["tickets"]["assessment"])
    events = data.get("events")
    if events:
        _events_sheet(wb, events)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


@login_required
def export(request: AuthenticatedRequest) -> HttpResponse:
    figures_lib.scope_of(request.user)
    period, _errors = _period(request)
    data = figures_lib.compute(request.user, period)
    response = HttpResponse(workbook(data, period), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="12345-stats-{period.start}-{period.end}.xlsx"'
    )
    return response
