"""The hotline benchmark's county: the demo people, departments, 12345 categories, dispatch
catalogue, staff and grids (through the apps' demo loaders, i.e. the actions), an Open311
client, and historical tickets bulk-loaded with ``bulk_create``.

History is loaded newest-first in two parts so that the statistics page can be measured
with the same recent volume and a growing history: ``bulk_load_tickets(..., newest=True)``
loads the most recent slice (e.g. 100,000 tickets = the last ~110 days at ~913 tickets a
day, i.e. 1,000,000 over three years), the second call the older rest.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

YEARS = 3
CHANNELS = [("phone", 0.70), ("web", 0.15), ("open311", 0.05), ("grid", 0.08), ("sensor", 0.02)]
TYPES_OF_CATEGORY = {"consult": 3, "help": 3, "complaint": 13, "report": 13, "suggestion": 13}
SATISFACTION = [("satisfied", 0.75), ("basic", 0.17), ("dissatisfied", 0.08)]
PHONES = 500  # distinct callers; their phones are encrypted once each (memoised)
# Status mix by the ticket's age (days): most history is closed; the open work is recent.
STATUS_BY_AGE = [
    (1, [("new", 0.25), ("dispatched", 0.35), ("signed", 0.25), ("closed", 0.15)]),
    (
        20,
        [
            ("new", 0.01),
            ("dispatched", 0.04),
            ("signed", 0.25),
            ("replied", 0.08),
            ("returned", 0.01),
            ("reopened", 0.005),
            ("merged", 0.01),
            ("closed", 0.595),
        ],
    ),
    (10**6, [("closed", 0.988), ("merged", 0.007), ("signed", 0.002), ("replied", 0.003)]),
]
EXTRA_TEXTS = [
    ("complaint", "010103", "小区楼下烧烤店营业到凌晨两点，油烟和噪音很大，严重影响休息。"),
    ("help", "020101", "桥头路段路灯一到晚上就闪烁，过往行人看不清路。"),
    ("complaint", "010201", "菜市场后面的垃圾堆了好几天没人清理，苍蝇很多。"),
    ("consult", "040101", "外出务工人员回乡后社保怎么转移接续？"),
    ("complaint", "030201", "景区停车场收费标准没有公示，收费偏高。"),
    ("help", "050201", "村里自来水管爆裂，整条街都停水了，请尽快抢修。"),
    ("report", "070101", "有养猪场往河里直接排放污水，河水很臭。"),
    ("suggestion", "020202", "建议在县人民医院门口增设公交站点，方便老人看病。"),
    ("complaint", "040301", "在县城饭店打工两个月，老板拖欠工资不给。"),
    ("help", "020102", "学校门口的井盖松动，踩上去会翘起来，很危险。"),
]


@dataclass
class HotlineWorld:
    admin: object
    agent: object
    dispatcher: object
    client: object  # Open311Client
    api_key: str
    leaves: list
    regions: list  # (region, town or None, weight)
    towns: list
    texts: list  # (type, category, content, tokens)
    lead: dict = field(default_factory=dict)  # (category id, town or county id) → (lead, co)
    loaded: int = 0


def build_world() -> HotlineWorld:
    from yiwang.accounts.models import User
    from yiwang.audit.actors import SystemActor
    from yiwang.demo import people as people_data
    from yiwang.demo.grid import load_grid
    from yiwang.demo.hotline import TICKETS, load_hotline
    from yiwang.demo.loader import load_demo
    from yiwang.hotline import actions
    from yiwang.hotline.models import Category, Ticket
    from yiwang.hotline.open311 import actions as open311
    from yiwang.regions.models import Level, Region

    load_demo(with_items=False)
    admin = User.objects.get(username=people_data.ADMIN["username"])
    load_hotline(admin)
    load_grid(admin)  # grids: Open311 requests with coordinates are placed by the grid polygons
    client, api_key = open311.create_client(actor=SystemActor("bench"), name="bench Open311 client")
    county = Region.objects.get(code=actions.COUNTY_CODE)
    below = list(
        Region.objects.subtree(county).filter(level__gte=Level.TOWN).select_related("parent")
    )
    towns = [r for r in below if r.level == Level.TOWN]
    regions = [(county, None, 0.10 * len(below))]
    for r in below:
        town = r if r.level == Level.TOWN else r.parent
        weight = 3.0 if town.code == "441422100" else 1.0  # 湖寮镇 is the county seat
        regions.append((r, town, weight))
    cats = {c.code: c for c in Category.objects.select_related("parent__parent")}
    leaves = [c for c in cats.values() if c.level == 3]
    texts = []
    for ticket in TICKETS:
        texts.append((ticket["type"], cats[ticket["category"]], ticket["content"]))
    for type_, code, content in EXTRA_TEXTS:
        texts.append((type_, cats[code], content))
    texts = [(t, c, content, " ".join(actions.tokens_of(content))) for t, c, content in texts]
    lead = {}
    for cat in leaves:
        for place in [county, *towns]:
            probe = Ticket(category=cat, region=place)
            lead[(cat.pk, place.pk)] = actions.suggest_dispatch(probe)
    return HotlineWorld(
        admin=admin,
        agent=User.objects.get(username="agent_12345"),
        dispatcher=User.objects.get(username="dispatcher_12345"),
        client=client,
        api_key=api_key,
        leaves=leaves,
        regions=regions,
        towns=towns,
        texts=texts,
        lead=lead,
    )


def _pick(rng: random.Random, weighted):
    x = rng.random() * sum(w for _v, w in weighted)
    for value, w in weighted:
        x -= w
        if x <= 0:
            return value
    return weighted[-1][0]


@contextmanager
def _bulk_mode():
    """While bulk-loading: keep the given created_at/updated_at (no auto_now), and encrypt each
    distinct phone number once (SM4 in Python per row would dominate the load)."""
    from yiwang.gmcrypto import fields as crypto_fields
    from yiwang.hotline.models import Ticket

    created = Ticket._meta.get_field("created_at")
    updated = Ticket._meta.get_field("updated_at")
    encrypt = crypto_fields.core.encrypt
    memo: dict[str, str] = {}

    def memo_encrypt(value):
        if value not in memo:
            memo[value] = encrypt(value)
        return memo[value]

    created.auto_now_add, updated.auto_now = False, False
    crypto_fields.core.encrypt = memo_encrypt
    try:
        yield
    finally:
        created.auto_now_add, updated.auto_now = True, True
        crypto_fields.core.encrypt = encrypt


def bulk_load_tickets(
    world: HotlineWorld,
    count: int,
    *,
    per_day: float,
    skip_days: float = 0.0,
    batch: int = 5000,
    seed: int = 12345,
    progress=None,
) -> dict[str, int]:
    """``count`` tickets registered at ``per_day`` a day, going back in time from
    ``skip_days`` ago. Returns how many of each status."""
    from yiwang.gmcrypto.core import blind_index
    from yiwang.hotline.actions import PHONE_INDEX_PURPOSE
    from yiwang.hotline.models import CallBack, Ticket

    rng = random.Random(seed + world.loaded)
    now = timezone.now()
    today = timezone.localdate()
    phones = [f"139{rng.randrange(10**7, 10**8)}" for _ in range(PHONES)]
    phone_index = {p: blind_index(p, PHONE_INDEX_PURPOSE) for p in phones}
    region_weights = [((r, t), w) for r, t, w in world.regions]
    counts: dict[str, int] = {}
    written = 0
    with _bulk_mode():
        while written < count:
            n = min(batch, count - written)
            rows = []
            for i in range(written, written + n):
                age = skip_days + (i + rng.random()) / per_day  # days before now
                created = now - timedelta(days=age)
                status = _pick(rng, next(mix for limit, mix in STATUS_BY_AGE if age < limit))
                type_, cat, content, tokens = world.texts[rng.randrange(len(world.texts))]
                region, town = _pick(rng, region_weights)
                channel = _pick(rng, CHANNELS)
                phone = phones[rng.randrange(PHONES)]
                days = TYPES_OF_CATEGORY[type_]
                due = (created + timedelta(days=days * 7 / 5 + 1)).date()
                t = Ticket(
                    number=f"12345-{created:%Y%m%d}-H{world.loaded + i + 1:07d}",
                    channel=channel,
                    type=type_,
                    urgent=rng.random() < 0.03,
                    category=cat,
                    content=content,
                    tokens=tokens,
                    caller_name=rng.choice("李张王陈刘黄杨罗邱钟") + "先生",
                    caller_phone=phone,
                    caller_phone_index=phone_index[phone],
                    address="",
                    region=region,
                    town=town,
                    status=status,
                    registered_by=world.agent if channel == "phone" else None,
                    created_at=created,
                    updated_at=created,
                    version=1,
                )
                if status != "new":
                    lead, _co = world.lead.get(
                        (cat.pk, (town or region).pk), world.lead.get((cat.pk, region.pk))
                    ) or (None, [])
                    t.lead_department = lead
                    t.dispatcher = world.dispatcher
                    t.dispatched_at = created + timedelta(hours=rng.uniform(0.2, 6))
                    t.due_at = due
                    t.sign_due = (created + timedelta(days=1)).date()
                if status in ("signed", "replied", "closed", "reopened"):
                    t.signed_at = t.dispatched_at + timedelta(hours=rng.uniform(0.5, 20))
                if status in ("replied", "closed"):
                    t.replied_at = t.signed_at + timedelta(days=rng.uniform(0.2, days))
                    t.reply = "已安排人员现场核查处理，问题已解决。"
                if status == "closed":
                    if type_ == "consult" and rng.random() < 0.4:  # answered at once
                        t.lead_department = t.dispatcher = t.dispatched_at = None
                        t.due_at = t.sign_due = t.signed_at = t.replied_at = None
                        t.closed_at = created + timedelta(minutes=5)
                        t.kb_article_id = 1
                    else:
                        late = rng.random() < 0.07
                        t.closed_at = t.replied_at + timedelta(
                            hours=rng.uniform(1, 20) + (24 * days * 1.5 if late else 0)
                        )
                        if t.closed_at > now:
                            t.closed_at = now - timedelta(minutes=1)
                        if t.closed_at + timedelta(days=1) < now and rng.random() < 0.85:
                            t.callback_at = t.closed_at + timedelta(days=1)
                            t.callback_by = world.agent
                            t.satisfaction = _pick(rng, SATISFACTION)
                if status in ("dispatched", "signed", "reopened") and t.due_at:
                    if t.due_at < today:
                        t.deadline_status = "overdue"
                    elif t.due_at <= today + timedelta(days=1):
                        t.deadline_status = "warning"
                t.updated_at = max(
                    x for x in (created, t.dispatched_at, t.signed_at, t.closed_at) if x
                )
                rows.append(t)
                counts[status] = counts.get(status, 0) + 1
            with transaction.atomic():
                Ticket.objects.bulk_create(rows, batch_size=batch)
                # The figures count call-backs from their history, as record_callback writes it.
                CallBack.objects.bulk_create(
                    [
                        CallBack(
                            ticket=t,
                            round=1,
                            satisfaction=t.satisfaction,
                            department_id=t.lead_department_id,
                            actor=t.callback_by,
                            at=t.callback_at,
                        )
                        for t in rows
                        if t.satisfaction
                    ],
                    batch_size=batch,
                )
            written += n
            if progress:
                progress(written)
    world.loaded += count
    return counts


def analyze() -> None:
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
