"""The real district catalogue (广安区, 1,135 items) loaded next to the demo items."""

import csv
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count

from yiwang.audit.actors import SystemActor
from yiwang.audit.models import AuditEntry
from yiwang.catalog.indexing import search_item_ids
from yiwang.catalog.models import ItemRevision, ItemStatus, ItemType, ProcessDefinition, ServiceItem
from yiwang.demo import loader, real_catalogue
from yiwang.demo import orgs as org_data
from yiwang.demo.items import ITEMS, load_items
from yiwang.orgs.models import Department
from yiwang.regions.models import Level
from yiwang.testing.county import make_citizen

pytestmark = pytest.mark.django_db

DEMO = SystemActor("demo")
CODE_FIELDS = ("item_type", "main_number", "sub_number", "department", "handling_kind")


def _tsv_rows() -> list[dict]:
    with real_catalogue.DEFAULT_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _tsv_rows()


@pytest.fixture
def county():
    """The demo's regions, departments and halls (no people, no items)."""
    loader.load_regions(DEMO)
    loader.load_orgs(DEMO)


@pytest.fixture
def load(county, django_capture_on_commit_callbacks):
    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return real_catalogue.load(*args, **kwargs)

    return run


def _small_file(tmp_path, lines: list[str], header: str = "\t".join(real_catalogue.COLUMNS)):
    path = tmp_path / "items.tsv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _uscc(key: str) -> str:
    if key in org_data.DEPARTMENTS:
        return org_data.DEPARTMENTS[key]["uscc"]
    return real_catalogue.new_department_uscc(key)


def test_the_corpus_file_is_the_real_catalogue():
    assert len(ROWS) == 1135
    assert len({r["department"] for r in ROWS}) == 34
    assert set(real_catalogue.DEPARTMENT_MAP) == {r["department"] for r in ROWS}
    assert set(real_catalogue.ITEM_TYPES) == {r["kind"] for r in ROWS}
    assert not set(real_catalogue.NEW_DEPARTMENTS) & set(org_data.DEPARTMENTS)
    targets = set(real_catalogue.DEPARTMENT_MAP.values())
    assert targets <= set(org_data.DEPARTMENTS) | set(real_catalogue.NEW_DEPARTMENTS)


def test_loads_published_items_without_aliases_mapped_to_the_demo_departments(load):
    result = load()

    assert (result.created, result.skipped) == (1135, 0)
    assert result.departments_created == len(real_catalogue.NEW_DEPARTMENTS)
    items = ServiceItem.objects.filter(pk__in=result.item_ids)
    assert items.count() == 1135
    assert set(items.values_list("status", flat=True)) == {ItemStatus.PUBLISHED}
    assert set(items.values_list("aliases", flat=True)) == {""}
    assert set(items.values_list("version", flat=True)) == {1}
    assert set(items.values_list("region__code", "level_code")) == {("441422", "4")}
    # the same names, as many times as the file has them
    assert Counter(items.values_list("name", flat=True)) == Counter(r["name"] for r in ROWS)

    # departments by name: every row's department becomes the mapped one
    expected = Counter(_uscc(real_catalogue.DEPARTMENT_MAP[r["department"]]) for r in ROWS)
    got = Counter(dict(items.values_list("department__uscc").annotate(n=Count("id"))))
    assert got == expected
    assert got[org_data.DEPARTMENTS["rsj"]["uscc"]] == 144  # 区人社局 → 县人社局
    assert got[org_data.DEPARTMENTS["sjj"]["uscc"]] == 344 + 3  # 区行政审批局 + 区公管办
    dog = items.get(name="犬类准养证核发")
    assert dog.department.uscc == org_data.DEPARTMENTS["gaj"]["uscc"]
    assert dog.competent_department_id == dog.department_id
    assert Department.objects.get(uscc=_uscc("swj")).name == "国家税务总局大埔县税务局"

    # types by the kind column, the two the demo lacks created
    expected_types = Counter(real_catalogue.ITEM_TYPES[r["kind"]][0] for r in ROWS)
    assert Counter(items.values_list("item_type__code", flat=True)) == expected_types
    assert ItemType.objects.get(code="JL").name == "行政奖励"
    assert ItemType.objects.get(code="CJ").name == "行政裁决"

    # guide defaults, codes unique, published like publish_item leaves an item
    assert set(items.values_list("statutory_limit", "promised_limit")) == {(20, 10)}
    assert items.get(name="户口注销").handling_kind == "cancel"
    assert items.get(name="公司变更登记").handling_kind == "change"
    assert items.get(name="食品(含保健食品)经营许可延续").handling_kind == "renewal"
    assert items.values(*CODE_FIELDS).distinct().count() == 1135
    assert ProcessDefinition.objects.filter(item__in=items, active=True).count() == 1135
    revision = ItemRevision.objects.get(item=dog)
    assert revision.version == 1
    assert revision.snapshot["implementation_code"] == dog.implementation_code
    assert revision.snapshot["aliases"] == ""

    # one audit entry for the whole load, by the demo actor
    entry = AuditEntry.objects.get(action=real_catalogue.AUDIT_ACTION)
    assert entry.actor_label == "demo"
    assert entry.summary["after"]["count"] == 1135
    assert entry.summary["after"]["source"] == "guangan-511602-items.tsv, 1 copy"
    # indexed for search
    assert dog.pk in (search_item_ids("犬类准养证核发", limit=20) or [])


def test_loading_again_changes_nothing(load):
    load()
    audit_before = AuditEntry.objects.count()
    departments = Department.objects.count()

    again = load()

    assert (again.created, again.skipped, again.departments_created) == (0, 1135, 0)
    assert ServiceItem.objects.count() == 1135
    assert Department.objects.count() == departments
    assert AuditEntry.objects.count() == audit_before


def test_next_to_the_demo_items_codes_stay_unique(load):
    demo = load_items(DEMO)
    assert demo == len(ITEMS) >= 38
    result = load()
    assert result.created == 1135
    assert ServiceItem.objects.published().count() == 1135 + demo
    assert ServiceItem.objects.values(*CODE_FIELDS).distinct().count() == 1135 + demo


def test_multiple_adds_synthetic_copies_in_the_towns(load):
    result = load(multiple=2)

    assert result.created == 2270
    items = ServiceItem.objects.all()
    assert items.count() == 2270
    assert items.values(*CODE_FIELDS).distinct().count() == 2270
    copies = items.filter(level_code="5")
    assert copies.count() == 1135
    assert set(copies.values_list("region__level", flat=True)) == {Level.TOWN}
    assert set(items.filter(level_code="4").values_list("region__code", flat=True)) == {"441422"}
    assert set(items.values_list("aliases", flat=True)) == {""}
    # the second copy only is added when the first exists
    assert load(multiple=3).created == 1135


def test_only_the_data_authority_may_load(county, tmp_path):
    citizen = make_citizen()
    with pytest.raises(PermissionDenied):
        real_catalogue.load(actor=citizen)
    with pytest.raises(PermissionDenied):
        real_catalogue.load(actor=None)
    # nor once the departments and item types exist
    real_catalogue.load(_small_file(tmp_path, ["区民政局\t未分类\t临时救助\tX\t行政给付"]))
    with pytest.raises(PermissionDenied):
        real_catalogue.load(actor=citizen)
    assert ServiceItem.objects.count() == 1
    assert AuditEntry.objects.filter(action=real_catalogue.AUDIT_ACTION).count() == 1


@pytest.mark.parametrize("multiple", [0, -1, real_catalogue.MAX_MULTIPLE + 1, 1.5])
def test_bad_multiple_is_refused(county, multiple):
    with pytest.raises(ValidationError):
        real_catalogue.load(multiple=multiple)
    assert not ServiceItem.objects.exists()


def test_bad_files_are_refused_and_nothing_is_written(county, tmp_path):
    with pytest.raises(ValidationError, match="No catalogue file"):
        real_catalogue.load(tmp_path / "missing.tsv")
    bad_header = _small_file(tmp_path, ["区民政局\t未分类\t临时救助\tX\t行政给付"], "a\tb\tc")
    with pytest.raises(ValidationError, match="header"):
        real_catalogue.load(bad_header)
    unknown = _small_file(
        tmp_path,
        ["区民政局\t未分类\t临时救助\tX\t行政给付", "区外星局\t未分类\t登记\tY\t行政许可"],
    )
    with pytest.raises(ValidationError, match="unknown department"):
        real_catalogue.load(unknown)
    bad_kind = _small_file(tmp_path, ["区民政局\t未分类\t临时救助\tX\t行政处罚"])
    with pytest.raises(ValidationError, match="unknown item kind"):
        real_catalogue.load(bad_kind)
    short = _small_file(tmp_path, ["区民政局\t临时救助"])
    with pytest.raises(ValidationError, match="columns"):
        real_catalogue.load(short)
    with pytest.raises(ValidationError, match="no items"):
        real_catalogue.load(_small_file(tmp_path, []))
    assert not ServiceItem.objects.exists()
    assert not Department.objects.filter(uscc=_uscc("swj")).exists()


def test_without_the_demo_nothing_is_written():
    with pytest.raises(ValidationError, match="demo"):
        real_catalogue.load()
    loader.load_regions(DEMO)
    with pytest.raises(ValidationError, match="demo"):
        real_catalogue.load()
    assert not Department.objects.exists()
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    ("name", "audience"),
    [
        ("居民身份证办理（包括临时）", "person"),
        ("残疾人证新办", "person"),
        ("公司设立登记", "enterprise"),
        ("建设工程竣工验收备案", "enterprise"),
        ("犬类准养证核发", "person"),
        ("河道采砂许可", "both"),
    ],
)
def test_audience_is_guessed_from_the_name(name, audience):
    assert real_catalogue.audience_of(name) == audience


def test_the_command_loads_a_file_and_reports(county, tmp_path, capsys):
    path = _small_file(
        tmp_path,
        [
            "区民政局\t未分类\t临时救助\tX\t行政给付",
            "广安区税务局\t未分类\t开具无欠税证明\tY\t公共服务",
        ],
    )
    call_command("load_real_catalogue", "--path", str(path), "--multiple", "2")
    out = capsys.readouterr().out
    assert "4 个事项已创建 items created" in out
    assert ServiceItem.objects.filter(name="开具无欠税证明").count() == 2
    call_command("load_real_catalogue", "--path", str(path))
    assert "2 个已存在 already there" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No catalogue file"):
        call_command("load_real_catalogue", "--path", str(tmp_path / "none.tsv"))
    with pytest.raises(CommandError, match="multiple"):
        call_command("load_real_catalogue", "--path", str(path), "--multiple", "0")


def test_the_search_questions_name_existing_items():
    """bench/search_questions.tsv (the search benchmark's questions) names real items only."""
    path = real_catalogue.DEFAULT_PATH.parents[3] / "bench" / "search_questions.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    demo = {spec["name"] for spec in ITEMS}
    names = demo | {r["name"] for r in ROWS}
    expected = [[n for n in r["expected"].split("|") if n] for r in rows]
    assert [n for e in expected for n in e if n not in names] == []
    assert len({r["question"] for r in rows}) == len(rows) >= 110
    assert sum(not e for e in expected) >= 20
    assert sum(bool(set(e) & demo) for e in expected) >= 25


def test_loaded_items_are_placed_in_life_event_themes(load):
    load()
    dog = ServiceItem.objects.get(name="犬类准养证核发")
    placed = ServiceItem.objects.filter(main_number__gte="50000", themes__isnull=False).distinct()
    # Most real items find a theme by its keywords, as an Excel import would place them.
    assert placed.count() > len(ROWS) // 2
    marriage = ServiceItem.objects.filter(name__contains="结婚", main_number__gte="50000").first()
    assert marriage is not None and marriage.themes.filter(code="marriage").exists()
    assert dog.status == ItemStatus.PUBLISHED
