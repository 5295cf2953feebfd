"""Back-office forms for the grid registry. They only parse input; ``grid.actions`` validates
(required values, lengths, codes, coordinates inside the county, polygons)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.orgs.models import Department
from yiwang.regions.models import Level, Region

from .models import ComponentClass, ComponentStatus, Grid, PlaceKind, SensorType

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
    county = Region.objects.filter(code=settings.YIWANG_COUNTY_CODE).first()
    if county is None:
        return Region.objects.none()
    return (
        Region.objects.subtree(county)
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
        groups: dict[str, list] = {}
        for village in self.villages.values():
            town = village.parent.name if village.parent else ""
            groups.setdefault(town, []).append((str(village.pk), village.name))
        self.fields["village"].choices = BLANK + list(groups.items())

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
    subclass = forms.CharField(label=_("subclass"), required=False, max_length=50)
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
