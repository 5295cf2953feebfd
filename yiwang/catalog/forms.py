"""Back-office forms. They only parse input; ``catalog.actions`` validates and writes."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yiwang.orgs.choices import use_grouped_departments
from yiwang.orgs.models import Department
from yiwang.regions.choices import use_grouped_regions
from yiwang.regions.models import Region

from .models import (
    Audience,
    CaseRegionSource,
    HandlingKind,
    ItemType,
    MaterialForm,
    NodeLevel,
    OnlineDepth,
    Replaceable,
)
from .validation import CHANNELS

LEVEL_CHOICES = [
    ("1", _("1 National")),
    ("2", _("2 Provincial")),
    ("3", _("3 City")),
    ("4", _("4 County")),
    ("5", _("5 Town")),
]
CASE_REGION_FIELDS = ("case_region_from", "case_region_field")
AUDIENCE_FILTER = [
    ("", _("All applicants")),
    ("person", _("Natural persons")),
    ("enterprise", _("Legal persons")),
]


def region_choices_qs():
    county = settings.YIWANG_COUNTY_CODE
    return Region.objects.filter(code__startswith=county, level__lte=4, retired=False).order_by(
        "code"
    )


class ServiceFilterForm(forms.Form):
    """Public search and filters (GET)."""

    q = forms.CharField(
        label=_("Search services"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 开饭店要办什么证")}),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.order_by("id"),
        empty_label=_("All departments"),
    )
    audience = forms.ChoiceField(label=_("Applicants"), required=False, choices=AUDIENCE_FILTER)
    depth = forms.TypedChoiceField(
        label=_("Online depth"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any online depth")), *OnlineDepth.choices],
    )
    town = forms.ModelChoiceField(
        label=_("Town"),
        required=False,
        to_field_name="code",
        queryset=Region.objects.none(),
        empty_label=_("All towns"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        town = self.fields["town"]
        assert isinstance(
            town, forms.ModelChoiceField
        )  # declared above; ``fields`` is typed loosely
        town.queryset = Region.objects.filter(
            parent__code=settings.YIWANG_COUNTY_CODE, level=4, retired=False
        ).order_by("code")


def _json_field(label, help_text, rows=8):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows, "spellcheck": "false", "class": "mono"}),
    )


class ItemForm(forms.Form):
    """The guide fields of one item; JSON and line-based fields are parsed in ``clean_*``."""

    name = forms.CharField(label=_("Item name"), max_length=200)
    aliases = forms.CharField(
        label=_("Aliases and everyday phrases"),
        required=False,
        help_text=_("Comma-separated words citizens use, e.g. 开饭店,餐馆."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    item_type = forms.ModelChoiceField(
        label=_("Item type"), queryset=ItemType.objects.all(), empty_label=None
    )
    main_number = forms.CharField(
        label=_("Main item number"), max_length=5, help_text=_("5 digits")
    )
    sub_number = forms.CharField(
        label=_("Sub-item number"),
        max_length=3,
        initial="000",
        help_text=_("3 digits; 000 when there is no sub-item"),
    )
    node_level = forms.ChoiceField(
        label=_("Level in hierarchy"), choices=NodeLevel.choices, initial=NodeLevel.HANDLING
    )
    handling_kind = forms.ChoiceField(
        label=_("Handling kind"), choices=HandlingKind.choices, initial=HandlingKind.NEW
    )
    level_code = forms.ChoiceField(label=_("Exercise level"), choices=LEVEL_CHOICES, initial="4")
    department = forms.ModelChoiceField(
        label=_("Implementing agency"), queryset=Department.objects.none(), empty_label=None
    )
    competent_department = forms.ModelChoiceField(
        label=_("Competent department"),
        queryset=Department.objects.order_by("id"),
        required=False,
        empty_label=_("Same as the implementing agency"),
    )
    region = forms.ModelChoiceField(
        label=_("Implementing region"), queryset=Region.objects.none(), empty_label=None
    )
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.ChoiceField(label=_("Applicants"), choices=Audience.choices)
    scope = forms.CharField(
        label=_("Scope of acceptance"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conditions = forms.CharField(
        label=_("Acceptance conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    procedure = forms.CharField(
        label=_("Procedure"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One step per line, as “name：description”; shown as the guide's flow chart."),
    )
    statutory_limit = forms.IntegerField(
        label=_("Statutory time limit (working days)"), min_value=0
    )
    promised_limit = forms.IntegerField(
        label=_("Promised time limit (working days)"),
        min_value=0,
        help_text=_("0 = 即办件 (handled on the spot)"),
    )
    fees = forms.CharField(label=_("Fees"), max_length=200, initial="不收费")
    fee_basis = forms.CharField(label=_("Fee basis"), max_length=300, required=False)
    online_depth = forms.TypedChoiceField(
        label=_("Online depth"),
        choices=OnlineDepth.choices,
        coerce=int,
        initial=OnlineDepth.FULL_ONLINE,
    )
    visits = forms.TypedChoiceField(
        label=_("Visits required"), coerce=int, initial=0, choices=[(0, "0"), (1, "1"), (2, "2")]
    )
    consult_phone = forms.CharField(label=_("Consultation"), max_length=100, required=False)
    complaint_phone = forms.CharField(
        label=_("Supervision and complaints"), max_length=100, required=False
    )
    location = forms.CharField(label=_("Place and hours"), max_length=300, required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        required=False,
        choices=[(c, c) for c in CHANNELS],
        widget=forms.CheckboxSelectMultiple,
    )
    county_wide = forms.BooleanField(
        label=_("Handled at any hall in the county (全县通办)"), required=False, initial=True
    )
    cross_region = forms.BooleanField(label=_("Handled across regions (跨域通办)"), required=False)
    downloads = forms.CharField(
        label=_("Forms to download"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, as “name | address”."),
    )
    form_schema = _json_field(
        _("Application form (JSON Schema)"),
        _(
            "Fields of type string, integer, number, boolean, array (multiple choice) or date "
            "(string with format date); title, description, enum, required, maxLength, pattern, "
            "minimum, maximum. Personal data needs its format (resident-id, uscc, mobile, "
            "phone, bank-account, person-name): it is then checked, stored encrypted and "
            "masked for staff. Used instead of the field list when you change it here."
        ),
        rows=10,
    )
    # The JSON as it was shown, to tell an edit of the JSON from an edit of the field list.
    form_schema_base = forms.CharField(required=False, widget=forms.HiddenInput)
    # Not required: a client that does not send them (a script, an older page) leaves the
    # item's setting as it is (see ``item_fields``); the page always sends both.
    case_region_from = forms.ChoiceField(
        label=_("Region of each case"),
        choices=CaseRegionSource.choices,
        initial=CaseRegionSource.ITEM,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The region a case is filed under decides which town's staff see it: a shop's "
            "licence belongs to the town of the shop. What cannot be determined falls back to "
            "the town named in the form field, then the registering hall, then the item's "
            "implementing region."
        ),
    )
    case_region_field = forms.CharField(
        label=_("Form field naming the town"),
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={"list": "case-region-field-keys", "spellcheck": "false", "class": "mono"}
        ),
        help_text=_(
            "The field name (as in the online application form, e.g. premises) of the field "
            "whose value names the town or is an address containing it. Needed when cases "
            "belong to the town named in a form field."
        ),
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        department, region = self.fields["department"], self.fields["region"]
        # Declared above as model choice fields; ``fields`` is typed loosely.
        assert isinstance(department, forms.ModelChoiceField)
        assert isinstance(region, forms.ModelChoiceField)
        department.queryset = (
            departments if departments is not None else Department.objects.order_by("id")
        )
        region.queryset = region_choices_qs()
        # Grouped pickers (county first, then towns), sorted; see regions.choices.
        use_grouped_departments(self.fields["department"])
        use_grouped_departments(self.fields["competent_department"])
        use_grouped_regions(self.fields["region"])

    def _json(self, name):
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                gettext("This is not valid JSON (line %(line)d, column %(col)d: %(msg)s).")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from exc
        except RecursionError as exc:
            raise forms.ValidationError(gettext("This JSON is nested too deeply.")) from exc

    def clean_form_schema(self):
        return self._json("form_schema") or {}

    def clean_procedure(self):
        steps = []
        for line in (self.cleaned_data.get("procedure") or "").splitlines():
            if line.strip():
                name, _sep, desc = line.strip().replace(":", "：", 1).partition("：")
                steps.append({"name": name.strip(), "description": desc.strip()})
        return steps

    def clean_downloads(self):
        out = []
        for line in (self.cleaned_data.get("downloads") or "").splitlines():
            if line.strip():
                name, _sep, url = line.partition("|")
                out.append({"name": name.strip(), "url": url.strip()})
        return out

    def item_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("form_schema_base", None)
        if self.is_bound and "case_region_from" not in self.data:
            for name in CASE_REGION_FIELDS:  # not sent: the item keeps its setting
                data.pop(name, None)
        if data.get("competent_department") is None:
            data["competent_department"] = data["department"]
        return data

    @staticmethod
    def initial_for(item, process=None) -> dict:
        """Initial values for editing ``item``."""
        initial = {
            name: getattr(item, name)
            for name in (
                "name",
                "aliases",
                "item_type",
                "main_number",
                "sub_number",
                "node_level",
                "handling_kind",
                "level_code",
                "department",
                "competent_department",
                "region",
                "legal_basis",
                "audience",
                "scope",
                "conditions",
                "statutory_limit",
                "promised_limit",
                "fees",
                "fee_basis",
                "online_depth",
                "visits",
                "consult_phone",
                "complaint_phone",
                "location",
                "channels",
                "county_wide",
                "cross_region",
                *CASE_REGION_FIELDS,
            )
        }
        initial["procedure"] = "\n".join(
            f"{s['name']}：{s['description']}" if s.get("description") else s["name"]
            for s in item.procedure or []
            if isinstance(s, dict)
        )
        initial["downloads"] = "\n".join(f"{d['name']} | {d['url']}" for d in item.downloads or [])
        initial["form_schema"] = (
            json.dumps(item.form_schema, ensure_ascii=False, indent=2) if item.form_schema else ""
        )
        initial["form_schema_base"] = initial["form_schema"]
        return initial


class MaterialRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Not required: rows without a name are ignored (blank rows for adding materials).
    name = forms.CharField(label=_("Material name"), max_length=200, required=False)
    form = forms.ChoiceField(
        label=_("Form"), choices=MaterialForm.choices, initial=MaterialForm.ELECTRONIC
    )
    count = forms.IntegerField(label=_("Copies"), min_value=1, max_value=99, initial=1)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    source = forms.CharField(label=_("Source"), max_length=100, initial="申请人自备")
    replaceable_by = forms.ChoiceField(
        label=_("Replaceable by"), choices=Replaceable.choices, required=False
    )
    replaced_by = forms.CharField(
        label=_("Replaced by"),
        max_length=100,
        required=False,
        help_text=_("Licence type code, or resource code.field for shared data"),
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


MaterialFormSet = forms.formset_factory(
    MaterialRowForm, extra=2, can_delete=True, max_num=50, validate_max=True
)


def materials_from_formset(formset) -> list[dict]:
    out = []
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("id"):
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        if not data.get("name"):
            continue
        if data.get("id") is None:
            data.pop("id", None)
        out.append(data)
    return out


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
