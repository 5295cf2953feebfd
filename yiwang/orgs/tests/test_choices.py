"""Grouped department pickers: county departments first (pinyin order), then each town."""

import pytest
from django import forms
from django.utils import translation
from stdnum.cn import uscc

from yiwang.audit.actors import SYSTEM
from yiwang.orgs.choices import grouped_departments, use_grouped_departments
from yiwang.orgs.models import Department
from yiwang.regions.actions import create_region
from yiwang.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_labels():
    """Group labels are compared as written in the code (msgids), not in a translation."""
    with translation.override("en"):
        yield


def make_uscc(serial: str) -> str:
    base = f"11441422{serial:0>9}"[:17]
    return base + uscc.calc_check_digit(base)


@pytest.fixture
def world():
    gd = create_region(actor=SYSTEM, code="440000", name="广东省", level=1, parent=None)
    mz = create_region(actor=SYSTEM, code="441400", name="梅州市", level=2, parent=gd)
    county = create_region(actor=SYSTEM, code="441422", name="大埔县", level=3, parent=mz)
    gaobei = create_region(actor=SYSTEM, code="441422103", name="高陂镇", level=4, parent=county)
    huliao = create_region(actor=SYSTEM, code="441422100", name="湖寮镇", level=4, parent=county)
    village = create_region(
        actor=SYSTEM, code="441422100001", name="城东社区", level=5, parent=huliao
    )
    rows = [
        ("大埔县民政局", county),
        ("大埔县高陂镇人民政府", gaobei),
        ("大埔县财政局", county),
        ("城东社区居委会", village),
        ("大埔县湖寮镇人民政府", huliao),
        ("大埔县安监局", county),
    ]
    return {
        name: Department.objects.create(name=name, uscc=make_uscc(str(i + 1)), region=region)
        for i, (name, region) in enumerate(rows)
    }


def _labels(groups):
    return [(label, [name for _pk, name in options]) for label, options in groups]


def test_county_first_by_pinyin_then_towns_by_code(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        groups = grouped_departments(Department.objects.order_by("-id"))
    assert _labels(groups) == [
        ("County departments", ["大埔县安监局", "大埔县财政局", "大埔县民政局"]),
        # a village's department sits with its town
        ("湖寮镇", ["城东社区居委会", "大埔县湖寮镇人民政府"]),
        ("高陂镇", ["大埔县高陂镇人民政府"]),
    ]
    assert groups[0][1][0][0] == world["大埔县安监局"].pk


def test_every_department_is_offered_exactly_once(world):
    groups = grouped_departments(Department.objects.all())
    offered = [pk for _label, options in groups for pk, _name in options]
    assert sorted(offered) == sorted(d.pk for d in world.values())


def test_a_department_under_no_town_is_still_offered_under_its_parent():
    gd = create_region(actor=SYSTEM, code="440000", name="广东省", level=1, parent=None)
    mz = create_region(actor=SYSTEM, code="441400", name="梅州市", level=2, parent=gd)
    county = create_region(actor=SYSTEM, code="441422", name="大埔县", level=3, parent=mz)
    # the actions refuse a village straight under a county; old imported data may hold one
    odd = Region.objects.create(code="441422999001", name="林场", level=5, parent=county)
    dept = Department.objects.create(name="林场管理处", uscc=make_uscc("9"), region=odd)
    assert _labels(grouped_departments([dept])) == [("大埔县", ["林场管理处"])]


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(queryset=Department.objects.all(), empty_label="—")
    co = forms.ModelMultipleChoiceField(queryset=Department.objects.all(), required=False)


def test_form_fields_render_optgroups_and_validate(world):
    form = DispatchForm(
        data={"department": world["大埔县民政局"].pk, "co": [world["大埔县湖寮镇人民政府"].pk]}
    )
    use_grouped_departments(form.fields["department"])
    use_grouped_departments(form.fields["co"])
    html = str(form["department"])
    assert html.index('<optgroup label="County departments">') < html.index(
        '<optgroup label="湖寮镇">'
    )
    assert html.index("大埔县安监局") < html.index("大埔县民政局")
    assert '<option value="">—</option>' in html or '<option value="" selected>—</option>' in html
    assert "<optgroup" in str(form["co"]) and '<option value="">' not in str(form["co"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["department"] == world["大埔县民政局"]
    bad = DispatchForm(data={"department": 10**6})
    use_grouped_departments(bad.fields["department"])
    assert not bad.is_valid() and "department" in bad.errors
