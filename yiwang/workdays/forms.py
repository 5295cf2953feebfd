from django import forms
from django.utils.translation import gettext_lazy as _

from . import calendar
from .actions import YEARS_AHEAD

MAX_CALC_DAYS = 1000


def year_bounds() -> tuple[int, int]:
    return calendar.PACKAGE_YEARS[0], calendar.today().year + YEARS_AHEAD


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"))

    def clean_year(self):
        year = self.cleaned_data["year"]
        low, high = year_bounds()
        if not low <= year <= high:
            raise forms.ValidationError(
                _("Choose a year between %(low)d and %(high)d."),
                code="out_of_range",
                params={"low": low, "high": high},
            )
        return year


class OverrideForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of the holiday or make-up working day."),
            "invalid": _("Enter the date as YYYY-MM-DD, for example 2027-02-06."),
        },
    )
    is_workday = forms.TypedChoiceField(
        label=_("The offices on this day"),
        choices=[
            ("0", _("are closed (public holiday)")),
            ("1", _("work (make-up working day, 调休)")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the day is a working day or a day off.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        help_text=_("For example 2027年春节."),
        error_messages={"required": _("Enter a name for the day, for example 2027年春节.")},
    )
    source_notice = forms.CharField(
        label=_("Source notice"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Title and number of the State Council notice, e.g. 国办发明电〔2026〕×号."),
        error_messages={
            "required": _(
                "Enter the title and number of the State Council notice the day comes from."
            ),
        },
    )


class CalculatorForm(forms.Form):
    start = forms.DateField(
        label=_("Start date (day of acceptance)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the start date."),
            "invalid": _("Enter the start date as YYYY-MM-DD, for example 2026-09-30."),
        },
    )
    days = forms.IntegerField(
        label=_("Time limit in working days"),
        min_value=0,
        max_value=MAX_CALC_DAYS,
        help_text=_("0 means the case is handled on the spot (即办件)."),
        error_messages={
            "required": _("Enter the time limit in working days (0 for 即办件)."),
            "invalid": _("Enter the time limit as a whole number of working days."),
            "min_value": _("The time limit cannot be negative."),
            "max_value": _("The time limit can be at most %(limit_value)s working days."),
        },
    )

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not 2000 <= start.year <= 2100:
            raise forms.ValidationError(
                _("Enter a start date between 2000 and 2100."), code="out_of_range"
            )
        return start
