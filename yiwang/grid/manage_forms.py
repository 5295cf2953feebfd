"""Back-office forms for the grid registry. They only parse input; ``grid.actions`` validates
(required values, lengths, codes, coordinates inside the county, polygons)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.orgs.choices import grouped_departments
from yiwang.orgs.models import Department
from yiwang.orgs.scope import county_regions
from yiwang.regions.choices import grouped_regions, set_grouped_choices
from yiwang.regions.models import Level

from . import rules
from .models import (
    CaseClass,
    CaseSubclass,
    ComponentClass,
    ComponentStatus,
    Grid,
    Kind,
    PlaceKind,
    SensorType,
    subclass_key,
)

BLANK = [("", _("Choose…"))]


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Grid) -> str:
        return f"{obj.code} {obj.name}（{obj.village.name}）"


def _grid_field(empty_label):
    return GridChoiceField(
        label=_("Grid"),
        required=False,
        queryset=Grid.objects.select_related("village").order_by("code"),
        empty_label=empty_label,
    )


def _department_field(label, empty_label):
    return forms.ModelChoiceField(
        label=label,
        required=False,
        queryset=Department.objects.order_by("id"),
        empty_label=empty_label,
    )


def _coordinate(label, example):
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": example}),
    )


def county_villages():
    """The county's villages and communities with their towns, by town then code."""
    return (
        county_regions()
        .filter(level=Level.VILLAGE, retired=False)
        .select_related("parent")
        .order_by("parent__code", "code")
    )


def parse_polygon(text: str):
    """The boundary text as JSON; a GeoJSON Feature gives its geometry. Shape errors are the
    action's (``geo.validate_polygon``)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError(
            _("The boundary is not valid JSON (%(error)s). Paste a GeoJSON Polygon object.")
            % {"error": str(exc)[:100]}
        ) from exc
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    return value


class PolygonField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Boundary (GeoJSON Polygon)"))
        kwargs.setdefault(
            "help_text",
            _(
                "Positions are [longitude, latitude]; the first position is repeated at the end, e.g. "
                '{"type": "Polygon", "coordinates": [[[116.70, 24.34], [116.71, 24.34], '
                "[116.71, 24.35], [116.70, 24.34]]]}."
            ),
        )
        super().__init__(required=False, max_length=200_000, strip=True, **kwargs)

    def clean(self, value):
        return parse_polygon(super().clean(value))


class GridCreateForm(forms.Form):
    code = forms.CharField(label=_("grid code"), required=False, max_length=32)
    name = forms.CharField(label=_("name"), required=False, max_length=100)
    village = forms.ChoiceField(label=_("village or community"), required=False)
    polygon = PolygonField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.villages = {str(v.pk): v for v in county_villages()}
        set_grouped_choices(
            self.fields["village"],
            grouped_regions(self.villages.values()),
            empty_label=BLANK[0][1],
        )

    def clean_village(self):
        return self.villages.get(self.cleaned_data.get("village") or "")


class GridEditForm(forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=100)
    polygon = PolygonField()


class AssignWorkerForm(forms.Form):
    # A plain field with a select widget, so that a stale or forged choice gets our message.
    user = forms.CharField(label=_("grid worker"), required=False, widget=forms.Select)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {str(u.pk): u for u in candidates}
        self.fields["user"].widget.choices = BLANK + [
            (pk, f"{u.display_name}（{u.username}）") for pk, u in self.candidates.items()
        ]

    def clean_user(self):
        user = self.candidates.get(self.cleaned_data.get("user") or "")
        if user is None:
            raise ValidationError(_("Choose a grid worker from the list."))
        return user


class ComponentForm(forms.Form):
    code = forms.CharField(
        label=_("identification code"),
        required=False,
        max_length=32,
        help_text=_("GB/T 30428 code, e.g. 441422100-0101-000001."),
    )
    name = forms.CharField(label=_("name"), required=False, max_length=100)
    component_class = forms.ChoiceField(
        label=_("component class"), required=False, choices=BLANK + ComponentClass.choices
    )
    # A plain field with a select widget: the action checks the choice against the code lists
    # and the class (``rules.clean_subclass``) and says what is wrong.
    subclass = forms.CharField(
        label=_("subclass (GB/T 30428)"),
        required=False,
        max_length=20,
        widget=forms.Select,
        help_text=_("It must belong to the component class."),
    )
    grid = _grid_field(_("Choose…"))
    status = forms.ChoiceField(
        label=_("status"),
        required=False,
        choices=ComponentStatus.choices,
        initial=ComponentStatus.INTACT,
    )
    competent_department = _department_field(_("competent department"), _("Choose…"))
    owner_department = _department_field(_("owning department"), _("None"))
    maintenance_department = _department_field(_("maintaining department"), _("None"))
    initial_date = forms.DateField(
        label=_("initial date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    data_source = forms.CharField(
        label=_("data source"),
        required=False,
        max_length=100,
        help_text=_("e.g. 2024年部件普查"),
    )
    lat = _coordinate(_("latitude"), "24.35")
    lng = _coordinate(_("longitude"), "116.70")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.initial.get("subclass")
        if isinstance(current, CaseSubclass):
            self.initial["subclass"] = subclass_key(Kind.COMPONENT, current.code)
        groups = rules.subclass_groups(Kind.COMPONENT, selected=current)
        self.fields["subclass"].widget.choices = [("", _("No subclass"))] + [
            (group["label"], [(o["value"], o["label"]) for o in group["options"]])
            for group in groups
        ]
        # One read of the departments for the three pickers, grouped county / towns.
        departments = grouped_departments(Department.objects.all())
        for name in ("competent_department", "owner_department", "maintenance_department"):
            set_grouped_choices(self.fields[name], departments)


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=BLANK + PlaceKind.choices)
    grid = _grid_field(_("Choose…"))
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    lat = _coordinate(_("latitude"), "24.35")
    lng = _coordinate(_("longitude"), "116.70")
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class DeviceForm(forms.Form):
    device_id = forms.CharField(
        label=_("device ID"),
        required=False,
        max_length=64,
        help_text=_("As the device sends it in device_id, e.g. WL-HL-0002."),
    )
    sensor_type = forms.ChoiceField(
        label=pgettext_lazy("city event", "type"),
        required=False,
        choices=BLANK + SensorType.choices,
    )
    name = forms.CharField(label=_("name"), required=False, max_length=100)
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    lat = _coordinate(_("latitude"), "24.35")
    lng = _coordinate(_("longitude"), "116.70")
    grid = _grid_field(_("The grid containing the location"))


class DeviceEditForm(DeviceForm):
    """A registered device keeps its ID and type (its alerts are checked against them)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["device_id"]
        del self.fields["sensor_type"]


class SubclassCreateForm(forms.Form):
    case_class = forms.CharField(label=_("class"), required=False, widget=forms.Select)
    code = forms.CharField(
        label=_("code"),
        required=False,
        max_length=4,
        help_text=_("Four digits: the class code and two more, e.g. 0601."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    name = forms.CharField(label=_("name"), required=False, max_length=50)
    description = forms.CharField(
        label=pgettext_lazy("code list", "description"),
        required=False,
        max_length=200,
        help_text=_("What grid workers should file under it."),
    )

    def __init__(self, *args, classes: Sequence[CaseClass] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {str(c.pk): c for c in classes}
        groups: dict[str, list[tuple[str, str]]] = {}
        for case_class in classes:
            groups.setdefault(str(Kind(case_class.kind).label), []).append(
                (str(case_class.pk), str(case_class))
            )
        self.fields["case_class"].widget.choices = BLANK + list(groups.items())

    def clean_case_class(self):
        return self.classes.get(self.cleaned_data.get("case_class") or "")


class SubclassEditForm(forms.Form):
    name = forms.CharField(label=_("name"), required=False, max_length=50)
    description = forms.CharField(
        label=pgettext_lazy("code list", "description"), required=False, max_length=200
    )
    active = forms.BooleanField(
        label=_("In use"),
        required=False,
        help_text=_("Out of use: no longer offered in the forms; cases that have it keep it."),
    )
