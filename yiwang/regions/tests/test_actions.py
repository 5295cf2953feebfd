import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.accounts import actions as accounts
from yiwang.audit.actions import verify
from yiwang.audit.actors import SYSTEM, SystemActor
from yiwang.audit.models import AuditEntry
from yiwang.regions.actions import create_region, rename_region, retire_region
from yiwang.regions.models import Region

pytestmark = pytest.mark.django_db

PASSWORD = "Dabu@2026.gov"
DEMO = SystemActor("demo")


@pytest.fixture
def county():
    gd = create_region(actor=SYSTEM, code="440000", name="广东省", level=1, parent=None)
    mz = create_region(actor=SYSTEM, code="441400", name="梅州市", level=2, parent=gd)
    return create_region(actor=SYSTEM, code="441422", name="大埔县", level=3, parent=mz)


@pytest.fixture
def town(county):
    return create_region(actor=SYSTEM, code="441422100", name="湖寮镇", level=4, parent=county)


def _codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def test_create_full_chain_with_paths_and_audit(county, town):
    village = create_region(actor=DEMO, code="441422100201", name="黄砂村", level=5, parent=town)
    assert village.path == "440000/441400/441422/441422100/441422100201/"
    assert village.full_name == "大埔县湖寮镇黄砂村"
    assert list(Region.objects.subtree(town)) == [town, village]
    entry = AuditEntry.objects.get(action="regions.create", object_id=str(village.pk))
    assert entry.actor_label == "demo"
    assert entry.summary["after"] == {
        "code": "441422100201",
        "name": "黄砂村",
        "level": 5,
        "parent": "441422100",
        "retired": False,
    }
    assert AuditEntry.objects.filter(action="regions.create").count() == 5
    assert verify().ok


@pytest.mark.parametrize(
    ("code", "name", "level", "parent_code", "error"),
    [
        ("44000", "广东省", 1, None, "invalid_code_length"),
        ("440001", "广东省", 1, None, "invalid_code"),
        ("4414220", "大埔县", 3, "441400", "invalid_code_length"),
        ("451422", "大埔县", 3, "441400", "invalid_code"),
        ("441422", "某镇", 4, "441422", "invalid_code_length"),
        ("441423100", "湖寮镇", 4, "441422", "invalid_code_prefix"),
        ("441422600", "某某镇", 4, "441422", "invalid_town_kind"),
        ("441422100", "湖寮乡", 4, "441422", "town_kind_mismatch"),
        ("441422001", "湖寮镇", 4, "441422", "town_kind_mismatch"),
        ("441422000", "某街道", 4, "441422", "invalid_code"),
        ("44142210020", "黄砂村", 5, "441422100", "invalid_code_length"),
        ("441422101201", "黄砂村", 5, "441422100", "invalid_code_prefix"),
        ("441422100201", "黄砂村", 5, "441422", "invalid_parent_level"),
        ("441422100201", "黄砂村", 5, None, "required"),
    ],
)
def test_bad_codes_are_refused_with_a_specific_error(town, code, name, level, parent_code, error):
    parent = Region.objects.get(code=parent_code) if parent_code else None
    before = Region.objects.count()
    with pytest.raises(ValidationError) as exc:
        create_region(actor=SYSTEM, code=code, name=name, level=level, parent=parent)
    assert error in _codes(exc.value)
    assert Region.objects.count() == before


def test_town_kinds_follow_the_seventh_digit(county):
    street = create_region(actor=SYSTEM, code="441422001", name="城关街道", level=4, parent=county)
    township = create_region(actor=SYSTEM, code="441422200", name="某某乡", level=4, parent=county)
    farm = create_region(actor=SYSTEM, code="441422400", name="丰溪林场", level=4, parent=county)
    assert [r.level for r in (street, township, farm)] == [4, 4, 4]


def test_duplicate_and_retired_codes_are_never_reused(county, town):
    with pytest.raises(ValidationError) as exc:
        create_region(actor=SYSTEM, code="441422100", name="湖寮镇", level=4, parent=county)
    assert "duplicate_code" in _codes(exc.value)
    assert "湖寮镇" in str(exc.value)

    old = create_region(actor=SYSTEM, code="441422120", name="旧镇", level=4, parent=county)
    retire_region(actor=SYSTEM, region=old)
    with pytest.raises(ValidationError) as exc:
        create_region(actor=SYSTEM, code="441422120", name="新镇", level=4, parent=county)
    assert "旧镇" in str(exc.value)  # names the retired division that held the code


def test_cannot_add_under_a_retired_division(county):
    old = create_region(actor=SYSTEM, code="441422120", name="旧镇", level=4, parent=county)
    retire_region(actor=SYSTEM, region=old)
    with pytest.raises(ValidationError) as exc:
        create_region(actor=SYSTEM, code="441422120201", name="某村", level=5, parent=old)
    assert "retired_parent" in _codes(exc.value)


def test_only_authority_or_superuser_may_change_divisions(county, town):
    citizen = accounts.create_citizen(
        actor=None,
        username="li",
        password=PASSWORD,
        real_name="李梅",
        id_number="441422199005185387",
        phone="13864315788",
    )
    reviewer = accounts.create_staff(
        actor=SYSTEM,
        username="rev",
        password=PASSWORD,
        real_name="钟文辉",
        posts=[{"role": "reviewer", "department": None, "region": county}],
    )
    authority = accounts.create_staff(
        actor=SYSTEM,
        username="auth",
        password=PASSWORD,
        real_name="邓晓峰",
        posts=[{"role": "authority", "department": None, "region": county}],
    )
    # None and a bare label used to pass as "the platform": no actor is no permission.
    for user in (citizen, reviewer, None, "demo"):
        with pytest.raises(PermissionDenied):
            create_region(actor=user, code="441422101", name="青溪镇", level=4, parent=county)
        with pytest.raises(PermissionDenied):
            rename_region(actor=user, region=town, name="新湖寮镇")
        with pytest.raises(PermissionDenied):
            retire_region(actor=user, region=town)
    assert not Region.objects.filter(code="441422101").exists()
    town.refresh_from_db()
    assert (town.name, town.retired) == ("湖寮镇", False)

    created = create_region(
        actor=authority, code="441422101", name="青溪镇", level=4, parent=county
    )
    entry = AuditEntry.objects.get(action="regions.create", object_id=str(created.pk))
    assert entry.actor_id == authority.pk


def test_rename_is_audited_with_before_and_after(town):
    rename_region(actor=DEMO, region=town, name="湖寮新镇")
    town.refresh_from_db()
    assert town.name == "湖寮新镇"
    entry = AuditEntry.objects.get(action="regions.rename")
    assert entry.summary["before"]["name"] == "湖寮镇"
    assert entry.summary["after"]["name"] == "湖寮新镇"
    with pytest.raises(ValidationError):
        rename_region(actor=DEMO, region=town, name="  ")
    with pytest.raises(ValidationError):
        rename_region(actor=DEMO, region=town, name="湖寮乡")  # code says 镇


def test_retire_requires_children_retired_first(town):
    village = create_region(actor=SYSTEM, code="441422100201", name="黄砂村", level=5, parent=town)
    with pytest.raises(ValidationError) as exc:
        retire_region(actor=SYSTEM, region=town)
    assert "黄砂村" in str(exc.value)
    retire_region(actor=SYSTEM, region=village)
    retire_region(actor=SYSTEM, region=town)
    town.refresh_from_db()
    assert town.retired
    assert AuditEntry.objects.filter(action="regions.retire").count() == 2
    with pytest.raises(ValidationError):
        retire_region(actor=SYSTEM, region=town)
    with pytest.raises(ValidationError):
        rename_region(actor=SYSTEM, region=town, name="湖寮镇")
