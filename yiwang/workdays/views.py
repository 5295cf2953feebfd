"""The working-day calendar page (data authority) and the deadline calculator (all staff)."""

from __future__ import annotations

import calendar as stdcal
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import actions, calendar
from .forms import CalculatorForm, OverrideForm, YearForm, year_bounds
from .models import HolidayOverride

WEEKDAY_HEADERS = (
    pgettext_lazy("calendar column, Monday", "Mo"),
    pgettext_lazy("calendar column, Tuesday", "Tu"),
    pgettext_lazy("calendar column, Wednesday", "We"),
    pgettext_lazy("calendar column, Thursday", "Th"),
    pgettext_lazy("calendar column, Friday", "Fr"),
    pgettext_lazy("calendar column, Saturday", "Sa"),
    pgettext_lazy("calendar column, Sunday", "Su"),
)

KIND_CLASS = {
    calendar.DayKind.WORKDAY: "wd-workday",
    calendar.DayKind.WEEKEND: "wd-weekend",
    calendar.DayKind.HOLIDAY: "wd-holiday",
    calendar.DayKind.ADJUSTED: "wd-adjusted",
    calendar.DayKind.PROVISIONAL: "wd-provisional",
}


def _require_calendar_editor(user) -> None:
    if not actions.can_edit_calendar(user):
        raise PermissionDenied(
            _("The working-day calendar is maintained by the data authority administrator.")
        )


def _require_staff(user) -> None:
    if not actions.can_use_calculator(user):
        raise PermissionDenied(_("The deadline calculator is for government staff."))


def _calculator(request: HttpRequest) -> dict:
    """Run the calculator when its fields are in the query string."""
    if "start" not in request.GET and "days" not in request.GET:
        return {
            "calc_form": CalculatorForm(initial={"start": calendar.today()}),
            "calc_result": None,
        }
    form = CalculatorForm(request.GET)
    result = None
    if form.is_valid():
        start, days = form.cleaned_data["start"], form.cleaned_data["days"]
        due = calendar.add_working_days(start, days)
        result = {
            "start": start,
            "days": days,
            "due": due,
            "calendar_days": (due.date - start).days,
        }
    return {"calc_form": form, "calc_result": result}


def _month_grids(year: int, names: dict[date, str]) -> tuple[list[dict], int]:
    """Twelve month grids (Monday first) and the number of working days in the year."""
    today = calendar.today()
    days = {info.date: info for info in calendar.year_days(year)}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in stdcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, object] | None] = []  # None pads days of other months
            for d in week:
                if d.month != month:
                    cells.append(None)
                    continue
                info = days[d]
                css = [KIND_CLASS[info.kind]]
                if info.kind == calendar.DayKind.PROVISIONAL and not info.is_workday:
                    css.append("wd-rest")
                if info.overridden:
                    css.append("wd-overridden")
                cells.append(
                    {
                        "day": d.day,
                        "date": d,
                        "kind": info.kind,
                        "label": calendar.DayKind(info.kind).label,
                        "name": names.get(d) or info.name,
                        "css": " ".join(css),
                        "is_today": d == today,
                    }
                )
            weeks.append(cells)
        months.append(
            {"number": month, "title": date_format(date(year, month, 1), "F"), "weeks": weeks}
        )
    return months, sum(info.is_workday for info in days.values())


@login_required
@require_http_methods(["GET", "POST", "HEAD"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    _require_calendar_editor(request.user)
    today = calendar.today()
    year_form = YearForm(request.GET if "year" in request.GET else None)
    year = (
        year_form.cleaned_data["year"]
        if year_form.is_bound and year_form.is_valid()
        else today.year
    )

    override_form = OverrideForm(request.POST or None)
    if request.method == "POST" and override_form.is_valid():
        data = override_form.cleaned_data
        try:
            saved = actions.set_override(actor=request.user, **data)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, field_errors in errors.items():
                target = field if field in override_form.fields else None
                for error in field_errors:
                    override_form.add_error(target, error)
        else:
            messages.success(
                request,
                _("Saved %(date)s %(name)s; deadlines over this day will be recomputed.")
                % {"date": saved.date.isoformat(), "name": saved.name},
            )
            return redirect(f"{reverse('workdays:calendar')}?year={saved.date.year}")

    low, high = year_bounds()
    overrides = list(HolidayOverride.objects.filter(date__year=year).select_related("created_by"))
    names = {o.date: o.name for o in overrides}
    covered = calendar.package_covers(year)
    months, workday_count = _month_grids(year, names)
    source = "package" if covered else ("overrides" if overrides else "provisional")
    context = {
        "year": year,
        "year_form": year_form,
        "prev_year": year - 1 if year - 1 >= low else None,
        "next_year": year + 1 if year + 1 <= high else None,
        "months": months,
        "weekday_headers": WEEKDAY_HEADERS,
        "overrides": [(o, actions.is_editable_date(o.date)) for o in overrides],
        "override_form": override_form,
        "source": source,
        "package_years": calendar.PACKAGE_YEARS,
        "kinds": [(KIND_CLASS[k], k.label) for k in calendar.DayKind],
        "workday_count": workday_count,
        **_calculator(request),
    }
    status = 200 if request.method != "POST" else 400
    return render(request, "workdays/calendar.html", context, status=status)


@login_required
@require_POST
def override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_calendar_editor(request.user)
    override = get_object_or_404(HolidayOverride, pk=pk)
    year = override.date.year
    try:
        actions.delete_override(actor=request.user, override=override)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _("Deleted the override for %(date)s; the day follows the official schedule again.")
            % {"date": override.date.isoformat()},
        )
    return redirect(f"{reverse('workdays:calendar')}?year={year}")


@login_required
@require_http_methods(["GET", "HEAD"])
def calculator_page(request: HttpRequest) -> HttpResponse:
    _require_staff(request.user)
    return render(request, "workdays/calculator.html", _calculator(request))
