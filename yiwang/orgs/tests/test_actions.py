import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.accounts import actions as accounts
from yiwang.audit.actions import verify
from yiwang.audit.actors import SYSTEM, SystemActor
from yiwang.audit.models import AuditEntry
from yiwang.orgs.actions import (
    create_department,
    create_hall,
    create_window,
    update_department,
    update_hall,
    update_window,
)
from yiwang.orgs.models import Department, Hall, Window
from yiwang.regions.actions import create_region, retire_region

pytestmark = pytest.mark.django_db

PASSWORD = "Dabu@2026.gov"
DEMO = SystemActor("demo")
SCJ_USCC = "1144142200691599XJ"
MZJ_USCC = "11441422006974375B"


@pytest.fixture
def county():
    gd = create_region(actor=SYSTEM, code="440000", name="广东省", level=1, parent=None)
    mz = create_region(actor=SYSTEM, code="441400", name="梅州市", level=2, parent=gd)
    return create_region(actor=SYSTEM, code="441422", name="大埔县", level=3, parent=mz)


@pytest.fixture
def town(county):
    return create_region(actor=SYSTEM, code="441422100", name="湖寮镇", level=4, parent=county)


@pytest.fixture
def scj(county):
    return create_department(
        actor=DEMO,
        name="大埔县市场监督管理局",
        short_name="县市场监管局",
        uscc=SCJ_USCC,
        region=county,
        phone="0753-5522315",
    )


def _codes(exc: ValidationError) -> dict[str, set[str]]:
    return {f: {e.code for e in errors} for f, errors in exc.error_dict.items()}


def test_create_department_is_audited(scj, county):
    assert Department.objects.get(uscc=SCJ_USCC).region == county
    entry = AuditEntry.objects.get(action="orgs.department.create")
    assert entry.object_id == str(scj.pk)
    assert entry.actor_label == "demo"
    assert entry.summary["after"]["uscc"] == SCJ_USCC
    assert entry.summary["after"]["region"] == "441422"
    assert verify().ok


@pytest.mark.parametrize(
    ("uscc", "code"),
    [
        ("91350100M000100Y4Z", "invalid_uscc"),  # the standard's own (invalid) example
        ("1144142200691599XK", "invalid_uscc"),  # wrong check character
        ("11441422", "invalid_uscc"),
        ("", "required"),
    ],
)
def test_invalid_uscc_is_refused(county, uscc, code):
    with pytest.raises(ValidationError) as exc:
        create_department(actor=SYSTEM, name="某局", short_name="", uscc=uscc, region=county)
    assert code in _codes(exc.value)["uscc"]
    assert not Department.objects.exists()
    assert not AuditEntry.objects.filter(action="orgs.department.create").exists()


def test_lower_case_uscc_is_normalised(county):
    dept = create_department(
        actor=SYSTEM, name="大埔县民政局", short_name="", uscc=MZJ_USCC.lower(), region=county
    )
    assert dept.uscc == MZJ_USCC


def test_duplicate_uscc_names_the_holder(scj, county):
    with pytest.raises(ValidationError) as exc:
        create_department(
            actor=SYSTEM, name="另一个局", short_name="", uscc=SCJ_USCC, region=county
        )
    assert "duplicate_uscc" in _codes(exc.value)["uscc"]
    assert "大埔县市场监督管理局" in str(exc.value)


def test_department_needs_a_name_and_a_current_region(county):
    with pytest.raises(ValidationError) as exc:
        create_department(actor=SYSTEM, name=" ", short_name="", uscc=MZJ_USCC, region=county)
    assert "required" in _codes(exc.value)["name"]
    old = create_region(actor=SYSTEM, code="441422120", name="旧镇", level=4, parent=county)
    retire_region(actor=SYSTEM, region=old)
    old.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        create_department(
            actor=SYSTEM, name="旧镇人民政府", short_name="", uscc=MZJ_USCC, region=old
        )
    assert "retired_region" in _codes(exc.value)["region"]
    with pytest.raises(ValidationError):
        create_department(actor=SYSTEM, name="某局", short_name="", uscc=MZJ_USCC, region=None)


def test_only_authority_or_superuser_may_create(county, scj):
    admin_scj = accounts.create_staff(
        actor=SYSTEM,
        username="admin_scj",
        password=PASSWORD,
        real_name="刘红梅",
        posts=[{"role": "dept_admin", "department": scj, "region": county}],
    )
    with pytest.raises(PermissionDenied):
        create_department(
            actor=admin_scj, name="大埔县民政局", short_name="", uscc=MZJ_USCC, region=county
        )
    with pytest.raises(PermissionDenied):
        create_hall(actor=admin_scj, name="某大厅", region=county)
    with pytest.raises(PermissionDenied):
        update_department(actor=admin_scj, department=scj, phone="0753-1")
    assert Department.objects.count() == 1
    assert not Hall.objects.exists()

    authority = accounts.create_staff(
        actor=SYSTEM,
        username="authority",
        password=PASSWORD,
        real_name="邓晓峰",
        posts=[{"role": "authority", "department": None, "region": county}],
    )
    mzj = create_department(
        actor=authority, name="大埔县民政局", short_name="", uscc=MZJ_USCC, region=county
    )
    assert AuditEntry.objects.get(
        action="orgs.department.create", object_id=str(mzj.pk)
    ).actor_id == (authority.pk)
    superuser = get_user_model().objects.create_superuser(
        username="root", password=PASSWORD, kind="staff"
    )
    hall = create_hall(actor=superuser, name="大埔县政务服务中心", region=county)
    assert hall.pk


def test_update_department_audits_only_real_changes(scj):
    update_department(actor=SYSTEM, department=scj, phone="0753-5522315")  # unchanged
    assert not AuditEntry.objects.filter(action="orgs.department.update").exists()
    update_department(actor=SYSTEM, department=scj, short_name="县市监局", address="同仁路8号")
    scj.refresh_from_db()
    assert scj.short_name == "县市监局"
    entry = AuditEntry.objects.get(action="orgs.department.update")
    assert entry.summary["before"]["short_name"] == "县市场监管局"
    assert entry.summary["after"]["address"] == "同仁路8号"
    with pytest.raises(ValidationError):
        update_department(actor=SYSTEM, department=scj, uscc="123")
    scj.refresh_from_db()
    assert scj.uscc == SCJ_USCC


def test_halls_and_windows(county, town):
    hall = create_hall(
        actor=DEMO,
        name="大埔县政务服务中心",
        region=county,
        address="大埔县湖寮镇同仁路1号",
        opening_hours="周一至周五 8:30-12:00, 14:30-17:30",
    )
    one = create_window(actor=DEMO, hall=hall, number="1", name="综合受理窗口")
    create_window(actor=DEMO, hall=hall, number="7", name="出件窗口")
    assert list(hall.windows.values_list("number", flat=True)) == ["1", "7"]
    assert str(one) == "大埔县政务服务中心 1号窗口"
    assert AuditEntry.objects.filter(action="orgs.window.create").count() == 2
    assert AuditEntry.objects.filter(action="orgs.hall.create").count() == 1

    with pytest.raises(ValidationError) as exc:
        create_window(actor=DEMO, hall=hall, number="1", name="另一个窗口")
    assert "duplicate_window" in _codes(exc.value)["number"]
    with pytest.raises(ValidationError) as exc:
        create_window(actor=DEMO, hall=hall, number="", name="窗口")
    assert "required" in _codes(exc.value)["number"]
    with pytest.raises(ValidationError) as exc:
        create_hall(actor=DEMO, name="大埔县政务服务中心", region=county)
    assert "duplicate_hall" in _codes(exc.value)["name"]
    assert Window.objects.count() == 2

    # The same name in another region is another hall.
    create_hall(actor=DEMO, name="大埔县政务服务中心", region=town)

    update_window(actor=DEMO, window=one, name="综合受理窗口（企业专窗）")
    one.refresh_from_db()
    assert one.name == "综合受理窗口（企业专窗）"
    with pytest.raises(ValidationError):
        update_window(actor=DEMO, window=one, number="7")
    update_hall(actor=DEMO, hall=hall, phone="0753-5528000")
    entry = AuditEntry.objects.get(action="orgs.hall.update")
    assert entry.summary["after"]["phone"] == "0753-5528000"
    assert verify().ok
