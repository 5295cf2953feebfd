"""The benchmark's county: the demo people and departments, a few published items, and
100,000 historical cases bulk-loaded around them.

Everything up to the items goes through the apps' actions (as the tests do); only the
historical cases are written with ``bulk_create``, because loading them one action at a
time would take an hour.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

SCHEMA = {
    "type": "object",
    "properties": {
        "shop_name": {"type": "string", "title": "经营者名称", "maxLength": 50},
        "staff": {"type": "integer", "title": "从业人员数", "minimum": 1},
    },
    "required": ["shop_name", "staff"],
}
STEPS = [
    {"key": "accept", "name": "受理", "kind": "accept", "role": "reviewer", "limit_days": 1},
    {"key": "review", "name": "审查", "kind": "review", "role": "reviewer", "limit_days": 3},
    {"key": "decide", "name": "决定", "kind": "decide", "role": "approver", "limit_days": 1},
    {"key": "conclude", "name": "办结", "kind": "conclude", "role": "reviewer", "limit_days": 0},
]
# (department key, item name, share of the historical cases). The first is the benchmarked one.
ITEMS = [
    ("scj", "食品经营许可（新办）", 0.12),
    ("scj", "个体工商户设立登记", 0.08),
    ("mzj", "临时救助", 0.10),
    ("gaj", "居民身份证换领", 0.14),
    ("zrzyj", "不动产登记（首次登记）", 0.08),
    ("zjj", "建筑工程施工许可", 0.06),
    ("jtj", "道路货物运输经营许可", 0.05),
    ("wjj", "公共场所卫生许可", 0.07),
    ("rsj", "就业创业证申领", 0.10),
    ("huliao", "农村宅基地用地审批", 0.10),
    ("gaobei", "农村宅基地用地审批", 0.10),
]
SHOP_NAMES = [
    "客家味道小吃店",
    "三河坝腌面馆",
    "茶阳老街糕点铺",
    "湖寮同仁药房",
    "高陂陶瓷杂货店",
    "百侯薄饼店",
    "西河土楼民宿",
    "枫朗茶叶商行",
]

SURNAMES = "李张王陈刘黄杨罗邱钟温饶何丘廖曾蓝吴池谢"
GIVEN = [
    "伟",
    "芳",
    "秀英",
    "志强",
    "丽娟",
    "建华",
    "文彬",
    "晓东",
    "美玲",
    "国平",
    "春梅",
    "锦辉",
    "雪玲",
    "振华",
    "海燕",
    "永强",
    "小红",
    "德明",
    "桂英",
    "俊杰",
]
# Share of the historical cases filed from one of the demo citizens' accounts; the rest
# are applicants without an account here (walk-ins, other citizens).
ACCOUNT_SHARE = 0.02
WALK_INS = 3000

# Historical status mix: most cases are long concluded; about a fifth are open.
STATUS_MIX = [
    ("closed", 0.68),
    ("rejected", 0.03),
    ("withdrawn", 0.02),
    ("correction", 0.03),
    ("special", 0.01),
    ("submitted", 0.07),
    ("in_progress", 0.16),
]
# Where an in-progress case stands (step key, role).
IN_PROGRESS_STEPS = [
    ("review", "reviewer", 0.5),
    ("decide", "approver", 0.3),
    ("conclude", "reviewer", 0.2),
]

BENCH_TABLE = "bench_write"


@dataclass
class World:
    admin: object
    item: object  # the benchmarked item (市场监管局 食品经营许可)
    material_id: int  # its one required material
    citizens: list
    reviewer: object  # reviewer_scj: the benchmarked inbox
    items: list


def build_world() -> World:
    """The demo regions, departments, staff and citizens (through ``load_demo``) plus items."""
    from yiwang.accounts.models import User
    from yiwang.catalog import actions as catalog
    from yiwang.demo import orgs as org_data
    from yiwang.demo import people as people_data
    from yiwang.demo.loader import departments_by_key, load_demo
    from yiwang.regions.models import Region

    load_demo(with_items=False)
    admin = User.objects.get(username=people_data.ADMIN["username"])
    departments = departments_by_key()
    itype = catalog.ensure_item_type(actor=admin, code="XK", name="行政许可")
    regions = {r.code: r for r in Region.objects.filter(code__startswith=org_data.COUNTY_CODE)}
    items = []
    for n, (dept_key, name, share) in enumerate(ITEMS, start=1):
        dept = departments[dept_key]
        item = catalog.create_item(
            actor=admin,
            name=name,
            item_type=itype,
            main_number=f"{n:05d}",
            sub_number="000",
            competent_department=dept,
            department=dept,
            region=regions[dept.region.code],
            legal_basis="《中华人民共和国行政许可法》第二十九条",
            statutory_limit=20,
            promised_limit=5,
            form_schema=SCHEMA,
            county_wide=True,
            audience="person",
            conditions="申请人具有完全民事行为能力",
            consult_phone=dept.phone or "0753-5522001",
            complaint_phone="12345",
            location="大埔县政务服务中心 周一至周五 8:30-12:00",
            channels=["PC端", "窗口"],
        )
        catalog.set_materials(
            actor=admin,
            item=item,
            materials=[
                {"name": "申请书", "required": True},
                {"name": "场所平面图", "required": False},
            ],
        )
        catalog.set_process(actor=admin, item=item, steps=STEPS)
        catalog.publish_item(actor=admin, item=item)
        item.refresh_from_db()
        items.append((item, share))
    item = items[0][0]
    material = item.materials.get(name="申请书")
    citizen_names = [c[0] for c in people_data.CITIZENS]
    citizens = list(User.objects.filter(username__in=citizen_names).order_by("username"))
    reviewer = User.objects.get(username="reviewer_scj")
    return World(
        admin=admin,
        item=item,
        material_id=material.pk,
        citizens=citizens,
        reviewer=reviewer,
        items=items,
    )


def create_bench_table() -> None:
    """The baseline's table: one primary key, nothing else."""
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {BENCH_TABLE} ("
            "id bigserial PRIMARY KEY, ref varchar(64) NOT NULL, n integer NOT NULL DEFAULT 0, "
            "payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )


def _pick(rng: random.Random, weighted):
    x = rng.random()
    for value, *rest in weighted:
        x -= rest[-1]
        if x <= 0:
            return value, *rest[:-1]
    return weighted[-1][0], *weighted[-1][1:-1]


@dataclass
class Person:
    real_name: str
    id_number: str
    id_number_index: str
    phone: str


def _walk_ins(rng: random.Random) -> list[Person]:
    """Applicants without an account: valid (fictitious) resident ID numbers of 大埔县."""
    from datetime import date

    from yiwang.demo.codes import make_resident_id
    from yiwang.gmcrypto.core import blind_index

    people = []
    for n in range(WALK_INS):
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        division = "441422" if birth.year >= 1988 else "442422"
        id_number = make_resident_id(division, birth, rng.randrange(1, 999))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        people.append(Person(name, id_number, blind_index(id_number, "id"), f"138{n:08d}"))
    return people


def bulk_load_cases(
    world: World, total: int, *, batch: int = 5000, seed: int = 20260101, progress=None
) -> dict[str, int]:
    """``total`` historical cases spread over items, statuses and due dates (plus one
    timeline event each). Returns how many went where."""
    from yiwang.cases.models import Case, CaseEvent, DeadlineStatus

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    processes = {item.pk: item.active_process() for item, _ in world.items}
    weights = [(item, share) for item, share in world.items]
    total_share = sum(s for _, s in weights)
    weights = [(item, share / total_share) for item, share in weights]
    walk_ins = _walk_ins(rng)
    counts: dict[str, int] = {}
    written = 0
    while written < total:
        n = min(batch, total - written)
        cases = []
        for i in range(written, written + n):
            (item,) = _pick(rng, weights)
            (status,) = _pick(rng, STATUS_MIX)
            citizen = (
                world.citizens[i % len(world.citizens)] if rng.random() < ACCOUNT_SHARE else None
            )
            person = citizen or walk_ins[i % len(walk_ins)]
            submitted = now - timedelta(
                days=rng.uniform(0, 700)
                if status in ("closed", "rejected", "withdrawn")
                else rng.uniform(0, 25)
            )
            step, role = "", ""
            due = (submitted + timedelta(days=7)).date()
            deadline = DeadlineStatus.NORMAL
            closed_at = accepted_at = None
            if status == "submitted":
                step, role = "accept", "reviewer"
            elif status == "in_progress":
                step, role = _pick(rng, IN_PROGRESS_STEPS)
                accepted_at = submitted + timedelta(hours=rng.uniform(1, 30))
            elif status in ("correction", "special"):
                step, role = "review", "reviewer"
                accepted_at = submitted + timedelta(hours=rng.uniform(1, 30))
            else:
                closed_at = submitted + timedelta(days=rng.uniform(0.1, 6))
                accepted_at = None if status != "closed" else submitted + timedelta(hours=4)
            if status in ("submitted", "in_progress"):
                if due < today:
                    deadline = DeadlineStatus.OVERDUE
                elif due <= today + timedelta(days=1):
                    deadline = DeadlineStatus.WARNING
            cases.append(
                Case(
                    number=f"441422{submitted:%Y%m%d}{i + 1:08d}",
                    item=item,
                    item_version=item.version,
                    process=processes[item.pk],
                    applicant=citizen,
                    applicant_name=person.real_name,
                    applicant_id_number=person.id_number,
                    applicant_id_index=person.id_number_index,
                    applicant_phone=person.phone,
                    form_data={"shop_name": rng.choice(SHOP_NAMES), "staff": rng.randint(1, 30)},
                    statutory_days=item.statutory_limit,
                    promised_days=item.promised_limit,
                    status=status,
                    current_step=step,
                    current_role=role,
                    department_id=item.department_id,
                    home_department_id=item.department_id,
                    region_id=item.region_id,
                    submitted_at=submitted,
                    accepted_at=accepted_at,
                    step_started_at=accepted_at or submitted,
                    closed_at=closed_at,
                    due_at=due,
                    statutory_due=due + timedelta(days=20),
                    step_due=due,
                    deadline_status=deadline,
                    decision="approved" if status == "closed" else "",
                    version=1,
                )
            )
            key = f"{item.department.short_name}:{status}"
            counts[key] = counts.get(key, 0) + 1
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=batch)
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case=c,
                        actor=c.applicant,  # None for applicants without an account
                        actor_label=c.applicant_name,
                        action="submit",
                        step=c.current_step,
                    )
                    for c in cases
                ],
                batch_size=batch,
            )
        written += n
        if progress:
            progress(written)
    # The bulk-loaded rows kept their default created_at (now); spread it like submitted_at.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_case SET created_at = submitted_at WHERE submitted_at IS NOT NULL"
        )
    return counts


def analyze() -> None:
    """Fresh planner statistics after the bulk load (autovacuum would do it a minute later)."""
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
