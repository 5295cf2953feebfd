"""Grouped region pickers: the county first, towns by code, villages under their town."""

import pytest
from django import forms
from django.utils import translation

from yiwang.audit.actors import SYSTEM
from yiwang.regions.actions import create_region
from yiwang.regions.choices import (
    FILTER_FROM,
    grouped_regions,
    name_key,
    set_grouped_choices,
    use_grouped_regions,
)
from yiwang.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_labels():
    """Group labels are compared as written in the code (msgids), not in a translation."""
    with translation.override("en"):
        yield


@pytest.fixture
def tree():
    gd = create_region(actor=SYSTEM, code="440000", name="广东省", level=1, parent=None)
    mz = create_region(actor=SYSTEM, code="441400", name="梅州市", level=2, parent=gd)
    county = create_region(actor=SYSTEM, code="441422", name="大埔县", level=3, parent=mz)
    # created out of code order on purpose
    gaobei = create_region(actor=SYSTEM, code="441422103", name="高陂镇", level=4, parent=county)
    huliao = create_region(actor=SYSTEM, code="441422100", name="湖寮镇", level=4, parent=county)
    regions = {"county": county, "huliao": huliao, "gaobei": gaobei}
    for code, name, town in [
        ("441422100002", "城西社区", huliao),
        ("441422100001", "城东社区", huliao),
        ("441422103001", "高陂圩镇社区", gaobei),
    ]:
        regions[code] = create_region(actor=SYSTEM, code=code, name=name, level=5, parent=town)
    return regions


def _labels(groups):
    return [
        (value, [label for _v, label in inner]) if isinstance(inner, list) else inner
        for value, inner in groups
    ]


def test_towns_only_come_after_the_county_in_code_order(tree):
    towns_and_county = Region.objects.filter(level__in=[3, 4]).order_by("-code")
    assert _labels(grouped_regions(towns_and_county)) == ["大埔县", ("Towns", ["湖寮镇", "高陂镇"])]


def test_villages_are_grouped_under_their_town_after_the_town_itself(tree):
    groups = grouped_regions(Region.objects.filter(code__startswith="441422").order_by("-code"))
    assert _labels(groups) == [
        "大埔县",
        ("湖寮镇", ["湖寮镇 (whole town)", "城东社区", "城西社区"]),
        ("高陂镇", ["高陂镇 (whole town)", "高陂圩镇社区"]),
    ]
    # values are the primary keys
    assert groups[1][1][1][0] == tree["441422100001"].pk


def test_villages_alone_still_name_their_towns_in_one_more_query(tree, django_assert_num_queries):
    villages = list(Region.objects.filter(level=5))
    with django_assert_num_queries(1):
        groups = grouped_regions(villages)
    assert _labels(groups) == [
        ("湖寮镇", ["城东社区", "城西社区"]),
        ("高陂镇", ["高陂圩镇社区"]),
    ]


def test_empty_list_gives_no_choices_and_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert grouped_regions([]) == []


def test_names_sort_by_pinyin():
    names = ["民政局", "湖寮镇", "财政局", "安监局"]
    assert sorted(names, key=name_key) == ["安监局", "财政局", "湖寮镇", "民政局"]


class RegionForm(forms.Form):
    region = forms.ModelChoiceField(queryset=Region.objects.none(), empty_label="—")


def test_form_field_renders_optgroups_and_still_validates_against_its_queryset(tree):
    form = RegionForm(data={"region": tree["441422100001"].pk})
    form.fields["region"].queryset = Region.objects.filter(code__startswith="441422")
    use_grouped_regions(form.fields["region"])
    html = str(form["region"])
    assert '<option value="">—</option>' in html
    assert f'<option value="{tree["441422100001"].pk}" selected>城东社区</option>' in html
    assert html.index('<optgroup label="湖寮镇">') < html.index('<optgroup label="高陂镇">')
    assert form.is_valid() and form.cleaned_data["region"] == tree["441422100001"]
    # a region outside the queryset is refused, as before
    outside = RegionForm(data={"region": Region.objects.get(code="440000").pk})
    outside.fields["region"].queryset = Region.objects.filter(code__startswith="441422")
    use_grouped_regions(outside.fields["region"])
    assert not outside.is_valid()
    # short lists get no filter box
    assert "data-filterable" not in html


def test_long_lists_are_marked_for_the_filter_box():
    field = forms.ChoiceField()
    groups = [("A", [(i, f"村{i}") for i in range(FILTER_FROM + 1)])]
    set_grouped_choices(field, groups, empty_label="—")
    assert field.widget.attrs.get("data-filterable") == ""
    assert field.choices[0] == ("", "—")


def test_multiple_select_gets_no_empty_choice():
    field = forms.MultipleChoiceField()
    set_grouped_choices(field, [("A", [(1, "甲")])], empty_label="—")
    assert field.choices == [("A", [(1, "甲")])]
