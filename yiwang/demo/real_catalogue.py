"""A real district's catalogue (1,135 items of 广安区) loaded next to the 大埔县 demo items.

What it is for: testing and benchmarking search, browsing and the back office at the size of
a real county's catalogue, imported as a province's item system delivers it — names and
types only, **no aliases**, generic guide texts. The data file and its source are
described in ``tests/data/real-catalogue/README.md``. ``yiwang load_real_catalogue`` runs
:func:`load`; the demo (``yiwang demo``) must be loaded first.

How rows become items:

- **Department** by name (:data:`DEPARTMENT_MAP`): a department of the district maps to the
  demo department with the same remit (区人社局 → 县人社局, …). 区行政审批局 (the district's
  consolidated approval bureau) and 区公管办 map to 县政数局, which runs the county's
  service centre; 区林业局 maps to 县自然资源局 (forestry sits in it in Guangdong's
  counties). Departments with no counterpart among the demo's 18 get one of their own
  (:data:`NEW_DEPARTMENTS`: 税务局, 司法局, 生态环境分局, …), created through
  ``orgs.actions.create_department``; 区经信局 and 区商务局 share one.
- **Type** by the ``kind`` column (:data:`ITEM_TYPES`); 行政奖励 (JL) and 行政裁决 (CJ) are
  added to the item types when missing.
- **Codes:** main item numbers from :data:`MAIN_BASE` upwards, one per row and copy, so the
  catalogue's unique code constraint holds whatever the demo holds (the demo uses numbers
  below 02000); sub-item ``000``. The handling kind is read from the name (注销 → cancel,
  变更 → change, 延续/换发 → renewal, otherwise new).
- **Guide elements:** statutory 20 / promised 10 working days, legal basis
  "依据省级政务服务事项库", generic acceptance conditions and procedure, the department's
  phone, the county hall; audience guessed from words of the name (个人 words → persons,
  企业 words → legal persons, otherwise both). The ``group`` column (主项) is not kept: a
  main item would be an item of its own (``parent``), which would change the item count the
  benchmarks are defined on.
- **Published at once** through ``catalog.actions.publish_new_items`` (version 1, the
  default process, a revision snapshot, like ``publish_item`` leaves an item).

``multiple=N`` adds N−1 synthetic copies of the corpus, each placed in one of the county's
towns (region = the town, level code 5), for the 10,000-item scale test. The items are
written in bulk in one transaction and recorded by one audit entry; they are indexed for
search when it commits. Loading again skips every row whose item exists.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from yiwang.audit.actors import SystemActor
from yiwang.catalog import actions as catalog_actions
from yiwang.catalog.models import CaseRegionSource, ItemType, NodeLevel, ServiceItem
from yiwang.orgs import actions as orgs_actions
from yiwang.orgs.models import Department, Hall
from yiwang.regions.actions import can_administer
from yiwang.regions.models import Level, Region

from . import orgs as org_data
from .codes import make_uscc
from .datafiles import read
from .regions import COUNTY

DEFAULT_PATH = (
    Path(__file__).resolve().parents[2]
    / "tests"
    / "data"
    / "real-catalogue"
    / "guangan-511602-items.tsv"
)
COLUMNS = ("department", "group", "name", "item_code", "kind")
#: Main item numbers of the loaded items start here (5 digits: copies × rows must stay below).
MAIN_BASE = 50000
MAX_MULTIPLE = 40
#: The audit action of a load (recorded by ``catalog.actions.publish_new_items``).
AUDIT_ACTION = "catalog.publish_new_items"

#: kind column → item type (code, name).
ITEM_TYPES: dict[str, tuple[str, str]] = {
    "行政许可": ("XK", "行政许可"),
    "公共服务": ("GG", "公共服务"),
    "其他行政权力": ("QT", "其他行政权力"),
    "行政确认": ("QR", "行政确认"),
    "行政给付": ("JF", "行政给付"),
    "行政奖励": ("JL", "行政奖励"),
    "行政裁决": ("CJ", "行政裁决"),
}

#: Departments the demo lacks, created for the real catalogue: key → fields of
#: ``orgs.actions.create_department`` (the credit code is made from ``org``, a fictitious
#: GB 11714 organisation code body).
NEW_DEPARTMENTS: dict[str, dict[str, str]] = {
    "swj": {"name": "国家税务总局大埔县税务局", "short_name": "县税务局", "org": "00710001"},
    "sfj": {"name": "大埔县司法局", "short_name": "县司法局", "org": "00710002"},
    "sthj": {"name": "梅州市生态环境局大埔分局", "short_name": "县生态环境分局", "org": "00710003"},
    "tyjr": {"name": "大埔县退役军人事务局", "short_name": "县退役军人局", "org": "00710004"},
    "qxj": {"name": "大埔县气象局", "short_name": "县气象局", "org": "00710005"},
    "czj": {"name": "大埔县财政局", "short_name": "县财政局", "org": "00710006"},
    "yc": {"name": "大埔县烟草专卖局", "short_name": "县烟草专卖局", "org": "00710007"},
    "zfb": {"name": "大埔县人民政府办公室", "short_name": "县政府办", "org": "00710008"},
    "xwb": {"name": "中共大埔县委办公室", "short_name": "县委办", "org": "00710009"},
    "tzb": {"name": "中共大埔县委统战部", "short_name": "县委统战部", "org": "00710010"},
    "zhzf": {"name": "大埔县综合行政执法局", "short_name": "县综合执法局", "org": "00710011"},
    "fgj": {"name": "大埔县发展和改革局", "short_name": "县发改局", "org": "00710012"},
    "gxsw": {"name": "大埔县工业商务和信息化局", "short_name": "县工信商务局", "org": "00710013"},
    "tjj": {"name": "大埔县统计局", "short_name": "县统计局", "org": "00710014"},
    "xf": {"name": "大埔县消防救援大队", "short_name": "县消防救援大队", "org": "00710015"},
}

#: Department of the district → key of a demo department (orgs.json) or of NEW_DEPARTMENTS.
DEPARTMENT_MAP: dict[str, str] = {
    "区行政审批局": "sjj",
    "区公管办": "sjj",
    "区人社局": "rsj",
    "区交通运输局": "jtj",
    "区住建局": "zjj",
    "区自然资源和规划局": "zrzyj",
    "区林业局": "zrzyj",
    "区公安分局": "gaj",
    "区医疗保障局": "ybj",
    "区文广旅局": "wglj",
    "区教科体局": "jyj",
    "区农业农村局": "nyj",
    "区卫健局": "wjj",
    "区民政局": "mzj",
    "区市监局": "scj",
    "区残联": "cl",
    "区水务局": "slj",
    "区应急管理局": "yjj",
    "广安区税务局": "swj",
    "区司法局": "sfj",
    "区生态环境局": "sthj",
    "区退役军人事务局": "tyjr",
    "区气象局": "qxj",
    "区财政局": "czj",
    "区烟草专卖局": "yc",
    "区政府办": "zfb",
    "区委办": "xwb",
    "区委统战部": "tzb",
    "区综合执法局": "zhzf",
    "区发改局": "fgj",
    "区经信局": "gxsw",
    "区商务局": "gxsw",
    "区统计局": "tjj",
    "区消防大队": "xf",
}

# Words of an item name that say who applies (checked in this order; neither: both).
PERSON_WORDS = (
    "个人", "居民身份证", "户口", "婚", "收养", "残疾", "老年", "高龄", "儿童", "学生", "入学",
    "退休", "失业", "社会保障卡", "护照", "最低生活保障", "救助", "抚恤", "遗属", "医师", "护士",
    "教师资格", "驾驶证", "毕业生", "退役", "亲属", "居住证", "犬类", "自然人",
)  # fmt: skip
ENTERPRISE_WORDS = (
    "企业", "公司", "单位", "机构", "合作社", "经营者", "场所", "学校", "幼儿园", "医院", "药店",
    "旅行社", "社会团体", "民办非企业", "建设项目", "建设工程", "纳税人", "站",
)  # fmt: skip
# Words of an item name that give the handling kind (checked in this order).
KIND_WORDS = (
    ("cancel", ("注销", "终止")),
    ("change", ("变更", "更正", "更名")),
    ("renewal", ("延续", "换发", "换证", "续期")),
)

LEGAL_BASIS = "依据省级政务服务事项库"
CONDITIONS = "申请人符合法律、法规和省级政务服务事项库规定的条件，申请材料齐全、符合法定形式。"
PROCEDURE = [
    {"name": "申请", "description": "通过政务服务网、移动端或到窗口提交申请"},
    {"name": "受理", "description": "材料齐全、符合法定形式的予以受理；不齐全的一次性告知需要补正的全部内容"},
    {"name": "审查", "description": "对申请材料进行审查，必要时核实有关情况"},
    {"name": "决定", "description": "作出决定并告知申请人"},
    {"name": "办结", "description": "送达结果"},
]  # fmt: skip
CHANNELS = ["PC端", "移动端", "窗口"]


@dataclass
class Row:
    department: str
    group: str
    name: str
    item_code: str
    kind: str


@dataclass
class LoadResult:
    created: int = 0
    skipped: int = 0
    departments_created: int = 0
    seconds: float = 0.0
    item_ids: list[int] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        return (
            f"真实事项目录 real catalogue: {self.created} 个事项已创建 items created, "
            f"{self.skipped} 个已存在 already there, {self.departments_created} 个部门已创建 "
            f"departments created ({self.seconds:.1f} s)"
        )


# --- reading ------------------------------------------------------------------------------


def read_rows(path: Path | str = DEFAULT_PATH) -> list[Row]:
    """The rows of the TSV file, checked: header, departments and kinds known."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"No catalogue file at {path}.")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = tuple(next(reader, ()))
        if header != COLUMNS:
            raise ValidationError(
                f"{path.name}: the header must be {'/'.join(COLUMNS)}, not {'/'.join(header)}."
            )
        rows, errors = [], []
        for number, cells in enumerate(reader, start=2):
            if not any(cells):
                continue
            if len(cells) != len(COLUMNS) or not cells[2].strip():
                errors.append(f"line {number}: expected {len(COLUMNS)} columns and a name")
                continue
            row = Row(*(c.strip() for c in cells))
            if row.department not in DEPARTMENT_MAP:
                errors.append(f"line {number}: unknown department {row.department!r}")
            if row.kind not in ITEM_TYPES:
                errors.append(f"line {number}: unknown item kind {row.kind!r}")
            rows.append(row)
    if errors:
        raise ValidationError(errors[:20])
    if not rows:
        raise ValidationError(f"{path.name} holds no items.")
    return rows


def audience_of(name: str) -> str:
    if any(word in name for word in PERSON_WORDS):
        return "person"
    if any(word in name for word in ENTERPRISE_WORDS):
        return "enterprise"
    return "both"


def handling_kind_of(name: str) -> str:
    for kind, words in KIND_WORDS:
        if any(word in name for word in words):
            return kind
    return "new"


# --- reference data ---------------------------------------------------------------------------


def new_department_uscc(key: str) -> str:
    return make_uscc("1", "1", COUNTY[0], NEW_DEPARTMENTS[key]["org"])


def _departments(actor, county: Region) -> tuple[dict[str, Department], int]:
    """Department by key (demo and new ones), creating the missing new ones."""
    by_uscc = {d.uscc: d for d in Department.objects.all()}
    departments: dict[str, Department] = {}
    for key, spec in org_data.DEPARTMENTS.items():
        if spec["uscc"] not in by_uscc:
            raise ValidationError(
                "The demo departments are missing: load the demo first (yiwang demo)."
            )
        departments[key] = by_uscc[spec["uscc"]]
    created = 0
    for number, (key, spec) in enumerate(NEW_DEPARTMENTS.items(), start=1):
        uscc = new_department_uscc(key)
        department = by_uscc.get(uscc)
        if department is None:
            department = orgs_actions.create_department(
                actor=actor,
                name=spec["name"],
                short_name=spec["short_name"],
                uscc=uscc,
                region=county,
                phone=f"0753-55291{number:02d}",
                address=f"大埔县湖寮镇同仁路1号县政务服务中心{number}号窗口",
            )
            created += 1
        departments[key] = department
    return departments, created


def _item_types(actor) -> dict[str, ItemType]:
    return {
        kind: catalog_actions.ensure_item_type(actor=actor, code=code, name=name)
        for kind, (code, name) in ITEM_TYPES.items()
    }


def _regions() -> tuple[Region, list[Region]]:
    county = Region.objects.filter(code=COUNTY[0]).first()
    if county is None:
        raise ValidationError("The demo county is missing: load the demo first (yiwang demo).")
    towns = list(Region.objects.subtree(county).filter(level=Level.TOWN).order_by("code"))
    return county, towns


def _location(region: Region, county_hall: Hall | None) -> str:
    hall = Hall.objects.filter(region=region).first() if region.level == Level.TOWN else None
    hall = hall or county_hall
    if hall is None:
        return f"{region.name}政务服务中心"
    return f"{hall.name}（{hall.address}）综合受理窗口；{hall.opening_hours}"


# --- building items -------------------------------------------------------------------------------


@dataclass
class _Context:
    departments: dict[str, Department]
    types: dict[str, ItemType]
    county: Region
    towns: list[Region]
    complaint_phone: str
    locations: dict[int, str]


def _region_of_copy(ctx: _Context, copy: int) -> Region:
    return ctx.county if copy == 0 else ctx.towns[(copy - 1) % len(ctx.towns)]


def _item(ctx: _Context, row: Row, *, copy: int, main: int) -> ServiceItem:
    department = ctx.departments[DEPARTMENT_MAP[row.department]]
    region = _region_of_copy(ctx, copy)
    return ServiceItem(
        node_level=NodeLevel.HANDLING,
        handling_kind=handling_kind_of(row.name),
        name=row.name,
        aliases="",
        item_type=ctx.types[row.kind],
        main_number=f"{main:05d}",
        sub_number="000",
        level_code="4" if copy == 0 else "5",
        competent_department=department,
        department=department,
        region=region,
        legal_basis=LEGAL_BASIS,
        audience=audience_of(row.name),
        conditions=CONDITIONS,
        procedure=PROCEDURE,
        statutory_limit=20,
        promised_limit=10,
        online_depth=2,
        visits=1,
        consult_phone=department.phone,
        complaint_phone=ctx.complaint_phone,
        location=ctx.locations[region.pk],
        channels=CHANNELS,
        county_wide=True,
        case_region_from=CaseRegionSource.ITEM,
    )


def _code(item: ServiceItem) -> tuple:
    return (item.item_type_id, item.main_number, item.department_id, item.handling_kind)


def _existing_codes(mains: list[str]) -> set[tuple]:
    qs = ServiceItem.objects.filter(
        main_number__in=mains, sub_number="000", node_level=NodeLevel.HANDLING
    )
    return set(qs.values_list("item_type_id", "main_number", "department_id", "handling_kind"))


# --- entry point ----------------------------------------------------------------------------------


def load(
    path: Path | str = DEFAULT_PATH,
    *,
    multiple: int = 1,
    actor=SystemActor("demo"),  # noqa: B008 - immutable (a str)
) -> LoadResult:
    """Import the real catalogue as published items (``multiple`` copies); see the module doc.

    Only the data authority (or the platform) may; the orgs and catalogue actions it goes
    through check again.
    """
    if not can_administer(actor):
        raise PermissionDenied("Only the data authority may load the real catalogue.")
    if not isinstance(multiple, int) or not 1 <= multiple <= MAX_MULTIPLE:
        raise ValidationError(f"multiple must be a whole number from 1 to {MAX_MULTIPLE}.")
    started = time.perf_counter()
    rows = read_rows(path)
    if MAIN_BASE + multiple * len(rows) > 99999:
        raise ValidationError("Too many copies for five-digit main item numbers.")
    result = LoadResult()
    with transaction.atomic():
        county, towns = _regions()
        if multiple > 1 and not towns:
            raise ValidationError("The county has no towns to place copies in.")
        departments, result.departments_created = _departments(actor, county)
        county_hall = Hall.objects.filter(region=county).order_by("id").first()
        ctx = _Context(
            departments=departments,
            types=_item_types(actor),
            county=county,
            towns=towns,
            complaint_phone=read("items")["complaint_phone"],
            locations={r.pk: _location(r, county_hall) for r in [county, *towns]},
        )
        items = [
            _item(ctx, row, copy=copy, main=MAIN_BASE + copy * len(rows) + number)
            for copy in range(multiple)
            for number, row in enumerate(rows)
        ]
        existing = _existing_codes([item.main_number for item in items])
        new = [item for item in items if _code(item) not in existing]
        result.skipped = len(items) - len(new)
        if new:
            copies = f"{multiple} copies" if multiple > 1 else "1 copy"
            result.item_ids = catalog_actions.publish_new_items(
                actor=actor, items=new, source=f"{Path(path).name}, {copies}"
            )
            # Browsing by life event needs them in themes, as an import would place them.
            catalog_actions.place_unthemed_items(actor=actor)
        result.created = len(result.item_ids)
    result.seconds = time.perf_counter() - started
    return result
