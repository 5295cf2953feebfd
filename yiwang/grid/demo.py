"""Demo grids, components, places, sensors and city-management cases (idempotent).

Called by the demo loader as ``load_grid(actor)`` after regions, departments and people
exist. Everything goes through ``grid.actions`` (and ``accounts.actions.create_staff``).
"""

from __future__ import annotations

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.orgs.models import Department, Role
from yiwang.regions.models import Region

from . import actions
from .models import CityEvent, Component, Grid, Place, SensorDevice, Source

PASSWORD = "Dabu@2026.gov"  # noqa: S105 - the published demo password

# Department keys as in yiwang/demo/orgs.py (looked up by USCC there).
DEPT_USCC_KEYS = ("zjj", "huliao", "gaobei", "slj", "jtj", "scj")

# (grid code, name, village code, centre lat, centre lng)
GRIDS = [
    ("HL-01", "城东第一网格", "441422100001", 24.352, 116.712),
    ("HL-02", "城西第一网格", "441422100002", 24.352, 116.688),
    ("HL-03", "城南第一网格", "441422100003", 24.336, 116.700),
    ("HL-04", "城北第一网格", "441422100004", 24.368, 116.700),
    ("HL-05", "新城第一网格", "441422100005", 24.336, 116.724),
    ("HL-06", "同仁第一网格", "441422100006", 24.352, 116.700),
    ("GB-01", "高陂圩镇网格", "441422103001", 24.160, 116.730),
    ("GB-02", "埔田网格", "441422103002", 24.172, 116.742),
    ("GB-03", "福员村网格", "441422103201", 24.148, 116.718),
    ("CY-01", "茶阳老街网格", "441422102001", 24.480, 116.630),
    ("CY-02", "太宁网格", "441422102002", 24.492, 116.642),
    ("CY-03", "大园村网格", "441422102201", 24.468, 116.618),
]
HALF = 0.006  # half the side of a demo grid square, in degrees

STAFF = [
    ("grid_huliao", "陈志强", Role.GRID_WORKER, "huliao", "441422100001"),
    ("dispatcher_12345", "黄丽娟", Role.DISPATCHER, "sjj", "441422"),
    ("handler_zjj", "刘建国", Role.HANDLER, "zjj", "441422"),
    ("handler_huliao", "罗晓燕", Role.HANDLER, "huliao", "441422100"),
]

# (code, name, class, subclass, grid, competent dept key, dlat, dlng)
COMPONENTS = [
    (
        "441422100-0101-000001",
        "城东路1号井盖",
        "public_facility",
        "污水井盖",
        "HL-01",
        "zjj",
        0.001,
        0.001,
    ),
    (
        "441422100-0101-000002",
        "城东路3号井盖",
        "public_facility",
        "雨水井盖",
        "HL-01",
        "zjj",
        0.002,
        -0.001,
    ),
    (
        "441422100-0102-000003",
        "城东路路灯12号",
        "public_facility",
        "路灯",
        "HL-01",
        "zjj",
        -0.001,
        0.002,
    ),
    (
        "441422100-0201-000004",
        "同仁路公交站",
        "road_traffic",
        "公交站亭",
        "HL-06",
        "jtj",
        0.000,
        0.001,
    ),
    (
        "441422100-0202-000005",
        "同仁路人行道护栏",
        "road_traffic",
        "护栏",
        "HL-06",
        "jtj",
        0.002,
        0.002,
    ),
    (
        "441422100-0203-000006",
        "虎山路交通标志",
        "road_traffic",
        "交通标志牌",
        "HL-04",
        "jtj",
        0.001,
        -0.002,
    ),
    (
        "441422100-0301-000007",
        "城西垃圾收集点",
        "city_appearance",
        "垃圾收集点",
        "HL-02",
        "huliao",
        0.000,
        0.000,
    ),
    (
        "441422100-0302-000008",
        "城南公厕",
        "city_appearance",
        "公共厕所",
        "HL-03",
        "huliao",
        0.001,
        0.001,
    ),
    (
        "441422100-0303-000009",
        "新城垃圾箱A",
        "city_appearance",
        "果皮箱",
        "HL-05",
        "huliao",
        -0.002,
        0.001,
    ),
    ("441422100-0401-000010", "城北绿地", "greening", "绿地", "HL-04", "zjj", 0.000, 0.002),
    ("441422100-0402-000011", "城东行道树", "greening", "行道树", "HL-01", "zjj", -0.002, -0.002),
    ("441422100-0403-000012", "同仁广场花坛", "greening", "花坛", "HL-06", "zjj", -0.001, -0.001),
    (
        "441422100-0501-000013",
        "城南危房监测点",
        "housing_land",
        "房屋",
        "HL-03",
        "zjj",
        0.002,
        -0.002,
    ),
    (
        "441422100-0601-000014",
        "新城消防栓1号",
        "other_facility",
        "消防栓",
        "HL-05",
        "zjj",
        0.001,
        0.002,
    ),
    (
        "441422100-0601-000015",
        "城西消防栓2号",
        "other_facility",
        "消防栓",
        "HL-02",
        "zjj",
        -0.001,
        0.001,
    ),
    (
        "441422103-0101-000016",
        "高陂大道井盖",
        "public_facility",
        "污水井盖",
        "GB-01",
        "zjj",
        0.001,
        0.001,
    ),
    (
        "441422103-0102-000017",
        "高陂桥路灯",
        "public_facility",
        "路灯",
        "GB-01",
        "zjj",
        -0.001,
        0.001,
    ),
    (
        "441422103-0201-000018",
        "埔田公交站",
        "road_traffic",
        "公交站亭",
        "GB-02",
        "jtj",
        0.000,
        0.000,
    ),
    (
        "441422102-0301-000019",
        "茶阳老街垃圾收集点",
        "city_appearance",
        "垃圾收集点",
        "CY-01",
        "zjj",
        0.001,
        0.000,
    ),
    ("441422102-0401-000020", "太宁绿地", "greening", "绿地", "CY-02", "zjj", 0.000, 0.001),
]

PLACES = [
    ("湖寮农贸市场", "market", "HL-06", "大埔县湖寮镇同仁路88号"),
    ("大埔县实验小学", "school", "HL-01", "大埔县湖寮镇城东路20号"),
    ("城南安置房工地", "site", "HL-03", "大埔县湖寮镇城南大道"),
    ("高陂陶瓷市场", "market", "GB-01", "大埔县高陂镇陶瓷街1号"),
    ("茶阳古城门", "public", "CY-01", "大埔县茶阳镇老街"),
]

DEVICES = [
    ("WL-HL-0001", "waterlogging", "城南下穿通道积水监测", "HL-03", "大埔县湖寮镇城南下穿通道"),
    ("MH-HL-0001", "manhole", "城东路1号井盖位移监测", "HL-01", "大埔县湖寮镇城东路1号"),
    ("NS-HL-0001", "noise", "城东文化广场噪声监测", "HL-01", "大埔县湖寮镇城东文化广场"),
]

# A resident's request met on patrol, passed on as a 12345 ticket (channel: grid):
# (grid, type, ticket category code, content, resident, phone, address)
RESIDENT_REQUESTS = [
    (
        "HL-02",
        "help",
        "050201",
        "城西社区李阿婆反映：家里自来水三天来水压很低，楼上几户都接不到水，请帮忙联系供水公司。",
        "李阿婆",
        "13902530088",
        "大埔县湖寮镇城西社区",
    ),
]

# (grid, kind, class, subclass, description, address, target state, department key)
EVENTS = [
    (
        "HL-01",
        "event",
        "street_order",
        "占道经营",
        "城东路学校门口流动摊贩占道经营，影响学生通行。",
        "城东路20号",
        "collected",
        None,
    ),
    (
        "HL-02",
        "event",
        "city_appearance",
        "暴露垃圾",
        "城西垃圾收集点周边垃圾满溢。",
        "城西路垃圾收集点",
        "collected",
        None,
    ),
    (
        "HL-03",
        "event",
        "advertising",
        "违规张贴",
        "城南公厕外墙小广告乱贴。",
        "城南公厕",
        "filed",
        None,
    ),
    (
        "HL-04",
        "component",
        "road_traffic",
        "交通标志牌",
        "虎山路交通标志牌倾斜。",
        "虎山路",
        "dispatched",
        "zjj",
    ),
    (
        "HL-05",
        "event",
        "construction",
        "施工扬尘",
        "新城工地未覆盖裸土，扬尘明显。",
        "新城大道",
        "dispatched",
        "huliao",
    ),
    (
        "HL-06",
        "component",
        "greening",
        "花坛",
        "同仁广场花坛护栏损坏。",
        "同仁广场",
        "handled",
        "huliao",
    ),
    (
        "HL-01",
        "component",
        "public_facility",
        "路灯",
        "城东路路灯12号夜间不亮。",
        "城东路",
        "handled",
        "zjj",
    ),
    (
        "HL-02",
        "event",
        "street_order",
        "乱堆物料",
        "城西路商铺门前乱堆建材。",
        "城西路",
        "verified",
        "huliao",
    ),
    (
        "HL-03",
        "event",
        "city_appearance",
        "道路不洁",
        "城南大道路面油污。",
        "城南大道",
        "closed",
        "huliao",
    ),
    (
        "HL-04",
        "component",
        "public_facility",
        "井盖",
        "城北路井盖破损下陷。",
        "城北路",
        "evaluated",
        "zjj",
    ),
    (
        "HL-05",
        "event",
        "advertising",
        "横幅",
        "新城路口违规悬挂横幅。",
        "新城路口",
        "evaluated",
        "huliao",
    ),
    (
        "HL-06",
        "event",
        "street_order",
        "乱停车",
        "农贸市场门口机动车乱停放。",
        "同仁路88号",
        "cancelled",
        None,
    ),
    (
        "HL-01",
        "event",
        "emergency",
        "树木倒伏",
        "城东路行道树被风吹倒，阻碍通行。",
        "城东路",
        "reworked",
        "zjj",
    ),
]


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 140, 160)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def square(lat: float, lng: float, half: float = HALF) -> dict:
    ring = [
        [round(lng - half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat - half, 6)],
        [round(lng + half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat + half, 6)],
        [round(lng - half, 6), round(lat - half, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _departments() -> dict[str, Department]:
    from yiwang.demo.orgs import DEPARTMENTS

    by_uscc = {d.uscc: d for d in Department.objects.all()}
    return {k: by_uscc[v["uscc"]] for k, v in DEPARTMENTS.items() if v["uscc"] in by_uscc}


def _ensure_staff(actor, departments, regions) -> dict[str, User]:
    users = {}
    for username, real_name, role, dept_key, region_code in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.create_staff(
                actor=actor,
                username=username,
                password=PASSWORD,
                real_name=real_name,
                posts=[
                    {
                        "role": role,
                        "department": departments[dept_key],
                        "region": regions[region_code],
                    }
                ],
            )
        users[username] = user
    return users


def _drive(event, target: str, dept, users) -> None:
    dispatcher, worker = users["dispatcher_12345"], users["grid_huliao"]
    handler = (
        users["handler_huliao"]
        if dept.uscc == _departments()["huliao"].uscc
        else users["handler_zjj"]
    )
    if target == "collected":
        return
    if target == "cancelled":
        actions.cancel_event(
            actor=dispatcher, event=event, reason="重复上报，已并入同一地点的在办案件。"
        )
        return
    event = actions.file_event(actor=dispatcher, event=event)
    if target == "filed":
        return
    event = actions.dispatch_event(actor=dispatcher, event=event, department=dept)
    if target == "dispatched":
        return
    event = actions.handle_event(
        actor=handler,
        event=event,
        reply="已安排人员到场处置完毕。",
        after_photos=[_png("after.png")],
    )
    if target == "handled":
        return
    if target == "reworked":
        actions.verify_event(
            actor=worker, event=event, passed=False, note="现场复核仍未清理完毕，请继续处置。"
        )
        return
    event = actions.verify_event(
        actor=worker, event=event, passed=True, note="现场核查已整改到位。"
    )
    if target == "verified":
        return
    event = actions.close_event(actor=dispatcher, event=event)
    if target == "closed":
        return
    actions.evaluate_event(actor=dispatcher, event=event, score=5, note="处置及时。")


@transaction.atomic
def load_grid(actor) -> dict[str, int]:
    """Create (or complete) the grid demo. Returns how many objects of each kind were created."""
    created = {"grids": 0, "components": 0, "places": 0, "devices": 0, "events": 0}
    departments = _departments()
    codes = {g[2] for g in GRIDS} | {s[4] for s in STAFF}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    users = _ensure_staff(actor, departments, regions)

    grids = {g.code: g for g in Grid.objects.all()}
    for code, name, village, lat, lng in GRIDS:
        if code not in grids:
            grids[code] = actions.create_grid(
                actor=actor,
                code=code,
                name=name,
                village=regions[village],
                polygon=square(lat, lng),
            )
            created["grids"] += 1
    centres = {g[0]: (g[3], g[4]) for g in GRIDS}
    worker = users["grid_huliao"]
    for code in (c for c in grids if c.startswith("HL-")):
        actions.assign_worker(actor=actor, grid=grids[code], user=worker)

    existing = set(Component.objects.values_list("code", flat=True))
    for code, name, cls, sub, grid_code, dept_key, dlat, dlng in COMPONENTS:
        if code in existing:
            continue
        lat, lng = centres[grid_code]
        actions.create_component(
            actor=actor,
            code=code,
            name=name,
            component_class=cls,
            subclass=sub,
            grid=grids[grid_code],
            competent_department=departments[dept_key],
            maintenance_department=departments[dept_key],
            lat=round(lat + dlat, 6),
            lng=round(lng + dlng, 6),
            initial_date=date(2024, 3, 1),
            data_source="2024年部件普查",
        )
        created["components"] += 1

    places = set(Place.objects.values_list("name", flat=True))
    for name, kind, grid_code, address in PLACES:
        if name not in places:
            lat, lng = centres[grid_code]
            actions.create_place(
                actor=actor,
                name=name,
                kind=kind,
                grid=grids[grid_code],
                address=address,
                lat=lat,
                lng=lng,
            )
            created["places"] += 1

    devices = set(SensorDevice.objects.values_list("device_id", flat=True))
    for device_id, sensor_type, name, grid_code, address in DEVICES:
        if device_id not in devices:
            lat, lng = centres[grid_code]
            actions.register_device(
                actor=actor,
                device_id=device_id,
                sensor_type=sensor_type,
                lat=round(lat + 0.001, 6),
                lng=round(lng - 0.001, 6),
                name=name,
                address=address,
            )
            created["devices"] += 1

    if not CityEvent.objects.exclude(source=Source.SENSOR).exists():
        for i, (grid_code, kind, cls, sub, text, address, target, dept_key) in enumerate(EVENTS):
            lat, lng = centres[grid_code]
            event = actions.report_event(
                actor=worker,
                kind=kind,
                category=cls,
                subclass=sub,
                description=text,
                lat=round(lat + 0.0005 * (i % 5 - 2), 6),
                lng=round(lng + 0.0004 * (i % 3 - 1), 6),
                address=address,
                grid=grids[grid_code],
                photos=[_png("before.png")],
            )
            _drive(event, target, departments.get(dept_key or "huliao"), users)
            created["events"] += 1
        for code, name, _village, lat, lng in GRIDS[6:9]:
            actions.report_event(
                actor=users["dispatcher_12345"],
                source=Source.REFERRAL,
                kind="event",
                category="city_appearance",
                subclass="乱扔垃圾",
                description=f"{name}：群众反映河边乱扔垃圾。",
                lat=lat,
                lng=lng,
                grid=grids[code],
            )
            created["events"] += 1
    if not CityEvent.objects.filter(source=Source.SENSOR).exists():
        actions.ingest_sensor_alert(
            {"device_id": "WL-HL-0001", "type": "waterlogging", "value": 32.5, "threshold": 20}
        )
        created["events"] += 1
    created["tickets"] = _hotline_channels(worker, grids, centres)
    return created


def _hotline_channels(worker, grids, centres) -> int:
    """The grid and sensor channels of 12345, once the hotline's categories are loaded."""
    from yiwang.hotline.models import Category, Channel, Ticket

    if not Category.objects.filter(code="010103").exists():
        return 0
    created = 0
    if not Ticket.objects.filter(channel=Channel.GRID).exists():
        for grid_code, type_, category, text, name, phone, address in RESIDENT_REQUESTS:
            lat, lng = centres[grid_code]
            actions.report_request(
                actor=worker,
                grid=grids[grid_code],
                type=type_,
                category=category,
                content=text,
                lat=lat,
                lng=lng,
                address=address,
                resident_name=name,
                resident_phone=phone,
            )
            created += 1
    if not Ticket.objects.filter(channel=Channel.SENSOR).exists():
        actions.ingest_sensor_alert(
            {"device_id": "NS-HL-0001", "type": "noise", "value": 78.5, "threshold": 65}
        )
        created += 1
    return created
