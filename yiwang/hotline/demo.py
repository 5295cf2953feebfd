"""Demo data of the 12345 hotline: category tree, dispatch catalogue, staff, sample tickets.

``load_hotline(actor)`` is idempotent; it expects the kernel demo (regions, departments)
to be loaded and ``actor`` to be the demo administrator (a superuser).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from yiwang.accounts import actions as accounts
from yiwang.accounts.models import User
from yiwang.demo import people as people_data
from yiwang.orgs.models import Role
from yiwang.regions.models import Region

from . import actions
from .models import Category, DispatchRule, Ticket

PASSWORD = people_data.PASSWORD

# (code, name, keywords) nested: 大类 → 中类 → 小类.
CATEGORIES = [
    ("01", "市容环境", [
        ("0101", "街面秩序", [
            ("010101", "占道经营", "摆摊 摊贩 占道 流动摊贩 乱摆卖"),
            ("010102", "店外经营", "店门口 出店经营 占用人行道"),
            ("010103", "噪声扰民", "噪音 吵 广场舞 音响 喇叭"),
        ]),
        ("0102", "环境卫生", [
            ("010201", "垃圾清运不及时", "垃圾 臭 垃圾桶 满了"),
            ("010202", "违规张贴小广告", "小广告 牛皮癣 乱贴"),
        ]),
    ]),
    ("02", "道路交通", [
        ("0201", "市政设施", [
            ("020101", "路灯损坏", "路灯 不亮 灯坏"),
            ("020102", "井盖缺失", "井盖 窨井 下水道盖"),
            ("020103", "道路破损", "坑洼 路面 塌陷 烂路"),
        ]),
        ("0202", "交通秩序", [
            ("020201", "违章停车", "乱停车 堵路 占道停车"),
            ("020202", "公交服务", "公交 班车 客运 司机"),
        ]),
    ]),
    ("03", "市场监管", [
        ("0301", "食品药品", [
            ("030101", "食品安全", "变质 过期 卫生 拉肚子 餐馆"),
            ("030102", "药品质量", "药店 药品 假药"),
        ]),
        ("0302", "消费维权", [
            ("030201", "价格投诉", "乱收费 价格 涨价 宰客"),
            ("030202", "虚假宣传", "虚假广告 骗"),
            ("030203", "预付卡退费", "退卡 办卡 会员卡 跑路"),
        ]),
    ]),
    ("04", "社会保障", [
        ("0401", "社会保险", [
            ("040101", "社保缴费", "社保 缴费 断缴 补缴"),
            ("040102", "养老金领取", "退休金 养老金 认证"),
        ]),
        ("0402", "医疗保障", [
            ("040201", "医保报销", "医保 报销 住院"),
            ("040202", "医保卡办理", "医保卡 社保卡 补办"),
        ]),
        ("0403", "劳动就业", [
            ("040301", "拖欠工资", "欠薪 工资 老板 不发"),
        ]),
    ]),
    ("05", "城乡建设", [
        ("0501", "规划建设", [
            ("050101", "违章建筑", "违建 加建 搭建 楼顶"),
            ("050102", "施工扰民", "工地 夜间施工 灰尘"),
        ]),
        ("0502", "供水供电", [
            ("050201", "供水停水", "停水 没水 水压 自来水"),
            ("050202", "水质问题", "水浑 浑浊 异味 黄水"),
        ]),
    ]),
    ("06", "农业农村", [
        ("0601", "农业生产", [
            ("060101", "农资质量", "化肥 农药 种子 假种子"),
            ("060102", "动物防疫", "病死猪 鸡瘟 防疫"),
        ]),
        ("0602", "农村事务", [
            ("060201", "农村道路", "村道 机耕路"),
        ]),
    ]),
    ("07", "生态环境", [
        ("0701", "水环境", [
            ("070101", "河道污染", "排污 死鱼 河水 发黑 汀江 梅潭河"),
            ("070102", "河道垃圾", "河面 漂浮物 垃圾"),
        ]),
        ("0702", "大气环境", [
            ("070201", "露天焚烧", "烧 烟 焚烧 秸秆"),
        ]),
    ]),
]  # fmt: skip

# (category code, region code, lead key, co keys)
DISPATCH = [
    ("01", "441422", "zjj", []),
    ("01", "441422100", "huliao", []),
    ("01", "441422103", "gaobei", []),
    ("0201", "441422", "zjj", ["jtj"]),
    ("0202", "441422", "gaj", ["jtj"]),
    ("03", "441422", "scj", []),
    ("0401", "441422", "rsj", []),
    ("0402", "441422", "ybj", []),
    ("0403", "441422", "rsj", []),
    ("0501", "441422", "zjj", ["zrzyj"]),
    ("050101", "441422100", "huliao", ["zjj"]),
    ("0502", "441422", "slj", []),
    ("06", "441422", "nyj", []),
    ("0701", "441422", "slj", ["nyj"]),
    ("0702", "441422", "nyj", []),
]

STAFF = [
    ("agent_12345", "陈晓燕", Role.AGENT, "sjj", "441422"),
    ("dispatcher_12345", "黄志强", Role.DISPATCHER, "sjj", "441422"),
    ("handler_scj", "刘建华", Role.HANDLER, "scj", "441422"),
    ("handler_zjj", "罗伟明", Role.HANDLER, "zjj", "441422"),
    ("handler_huliao", "邱丽娟", Role.HANDLER, "huliao", "441422100"),
    ("grid_huliao", "杨振东", Role.GRID_WORKER, "huliao", "441422100001"),
]

HULIAO_LAT, HULIAO_LNG = "24.350", "116.695"
# (type, category, content, region code, address, phone, target state)
TICKETS = [
    ("complaint", "010101", "城东社区虎山路口每天傍晚有流动摊贩占道经营，车辆难以通行。", "441422100001", "虎山路与同仁路交叉口", "13902530001", "new"),
    ("complaint", "010103", "湖寮镇文化广场晚上十点后广场舞音响声音太大，影响休息。", "441422100", "湖寮镇文化广场", "13902530002", "new"),
    ("help", "020101", "城西社区华侨新村路段有三盏路灯不亮，晚上很黑。", "441422100002", "华侨新村", "13902530003", "new"),
    ("report", "030101", "城南市场一家熟食档卖的卤肉有异味，怀疑变质。", "441422100003", "城南市场", "13902530004", "dispatched"),
    ("complaint", "030201", "高陂镇某陶瓷店明码标价与收费不一致，多收了钱。", "441422103", "高陂镇陶瓷街", "13902530005", "dispatched"),
    ("help", "020102", "同仁路人行道上一个井盖缺失，已有老人差点摔倒。", "441422100006", "同仁路人行道", "13902530006", "dispatched_urgent"),
    ("consult", "040101", "灵活就业人员社保断缴了三个月，怎么补缴？", "441422", "", "13902530007", "closed_kb"),
    ("consult", "040202", "医保卡丢了去哪里补办，要带什么材料？", "441422", "", "13902530008", "closed_kb"),
    ("complaint", "050101", "城北社区有住户在楼顶加建铁皮房，存在安全隐患。", "441422100004", "城北社区某巷", "13902530009", "signed"),
    ("complaint", "050102", "新城社区工地夜间十一点后还在施工，噪音很大。", "441422100005", "新城大道工地", "13902530010", "signed"),
    ("help", "050201", "茶阳镇老街停水两天了，没有接到任何通知。", "441422102", "茶阳镇老街", "13902530011", "signed"),
    ("complaint", "030203", "湖寮一家健身房突然关门，预付的会员卡无法退费。", "441422100", "湖寮镇华侨路", "13902530012", "replied"),
    ("report", "030102", "一家药店出售没有批准文号的药品。", "441422100", "湖寮镇和平路", "13902530013", "replied"),
    ("complaint", "010201", "城东社区垃圾桶已经三天没人清运，气味很大。", "441422100001", "城东社区菜市场旁", "13902530014", "closed"),
    ("help", "020103", "湖寮大桥引道路面塌陷一个坑，雨天积水。", "441422100", "湖寮大桥引道", "13902530015", "closed"),
    ("suggestion", "020202", "建议增加湖寮至高陂的早班客车班次。", "441422", "", "13902530016", "closed"),
    ("complaint", "030101", "一家快餐店的饭菜里吃出了头发和虫子。", "441422100002", "城西社区", "13902530017", "callback_ok"),
    ("complaint", "040301", "在工地干了三个月，老板一直拖欠工资不发。", "441422103", "高陂镇工业园", "13902530018", "callback_ok"),
    ("complaint", "010102", "城南社区几家店把货物摆到人行道上，行人只能走车道。", "441422100003", "城南路", "13902530019", "callback_bad"),
    ("help", "060101", "买的水稻种子发芽率很低，怀疑是假种子。", "441422104", "光德镇", "13902530020", "returned"),
    ("complaint", "070101", "梅潭河百侯段有人偷排污水，河水发黑还有死鱼。", "441422106", "百侯镇梅潭河边", "13902530021", "returned"),
    ("complaint", "070201", "枫朗镇有人在田里焚烧秸秆，烟很大。", "441422109", "枫朗镇", "13902530022", "dispatched"),
    ("help", "040102", "父亲的养老金这个月没有到账，是什么原因？", "441422", "", "13902530023", "signed"),
    ("complaint", "050202", "湖寮镇城北自来水发黄，有异味。", "441422100004", "城北社区", "13902530024", "extension"),
    ("complaint", "010101", "虎山路口流动摊贩又在占道经营，晚上车都过不去。", "441422100001", "虎山路口", "13902530025", "duplicate"),
    ("complaint", "010202", "同仁社区电线杆上贴满了小广告。", "441422100006", "同仁社区", "13902530026", "overdue"),
    ("help", "020201", "小区门口长期有车乱停，堵住消防通道。", "441422100005", "新城社区某小区", "13902530027", "overdue"),
    ("report", "060102", "大麻镇有人收购病死猪。", "441422108", "大麻镇", "13902530028", "dispatched"),
    ("consult", "040201", "异地住院医保怎么报销？", "441422", "", "13902530029", "new"),
    ("suggestion", "060201", "建议硬化三河镇汇城村的村道。", "441422111", "三河镇汇城村", "13902530030", "new"),
]  # fmt: skip


def _categories() -> dict[str, Category]:
    by_code = {c.code: c for c in Category.objects.all()}
    sort = 0

    def ensure(code, name, parent, level, keywords=""):
        nonlocal sort
        sort += 1
        if code not in by_code:
            by_code[code] = Category.objects.create(
                code=code, name=name, parent=parent, level=level, keywords=keywords, sort=sort
            )
        return by_code[code]

    for code, name, middles in CATEGORIES:
        major = ensure(code, name, None, 1)
        for mcode, mname, leaves in middles:
            middle = ensure(mcode, mname, major, 2)
            for lcode, lname, keywords in leaves:
                ensure(lcode, lname, middle, 3, keywords)
    return by_code


def _rules(cats, depts, regions) -> int:
    created = 0
    for code, region_code, lead, co in DISPATCH:
        if lead not in depts or region_code not in regions:
            continue
        rule, new = DispatchRule.objects.get_or_create(
            category=cats[code],
            region=regions[region_code],
            defaults={"lead_department": depts[lead]},
        )
        if new:
            rule.co_departments.set([depts[k] for k in co if k in depts])
            created += 1
    return created


def _staff(actor, depts, regions) -> dict[str, User]:
    users = {}
    for username, name, role, dept, region in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None and dept in depts and region in regions:
            user = accounts.create_staff(
                actor=actor,
                username=username,
                password=PASSWORD,
                real_name=name,
                posts=[{"role": role, "department": depts[dept], "region": regions[region]}],
            )
        users[username] = user
    return users


def _handler(users, ticket, actor):
    for username in ("handler_scj", "handler_zjj", "handler_huliao"):
        user = users.get(username)
        if user is not None and actions.is_handler_of(user, ticket):
            return user
    return actor  # the demo administrator stands in for departments without a demo handler


def _tickets(actor, users, cats, regions) -> int:
    agent = users.get("agent_12345") or actor
    dispatcher = users.get("dispatcher_12345") or actor
    created = 0
    first_stall = None
    for type_, code, content, region_code, address, phone, state in TICKETS:
        near_huliao = region_code.startswith("441422100")
        result = actions.register_ticket(
            actor=agent,
            channel="phone",
            type=type_,
            category=cats[code],
            content=content,
            caller_name="",
            caller_phone=phone,
            address=address,
            lat=HULIAO_LAT if near_huliao and address else None,
            lng=HULIAO_LNG if near_huliao and address else None,
            region=regions.get(region_code) or regions["441422"],
            urgent=state == "dispatched_urgent",
            answered_from_kb=1 if state == "closed_kb" else None,
        )
        created += 1
        t = result.ticket
        if code == "010101" and first_stall is None:
            first_stall = t
        if state in ("new", "closed_kb"):
            continue
        if state == "duplicate" and first_stall is not None:
            actions.merge(actor=dispatcher, ticket=t, into=first_stall)
            continue
        lead, co = actions.suggest_dispatch(t)
        if lead is None:
            continue
        t = actions.dispatch(actor=dispatcher, ticket=t, lead_department=lead, co_departments=co)
        handler = _handler(users, t, actor)
        if state in ("dispatched", "dispatched_urgent"):
            continue
        if state == "returned":
            actions.return_ticket(
                actor=handler, ticket=t, reason="该事项不属于本单位职责，建议改派相关部门。"
            )
            continue
        t = actions.sign_for(actor=handler, ticket=t)
        if state == "extension":
            actions.request_extension(
                actor=handler, ticket=t, days=5, reason="需委托第三方检测水质，检测周期较长。"
            )
            continue
        if state == "overdue":
            past = timezone.localdate() - timedelta(days=3)
            Ticket.objects.filter(pk=t.pk).update(due_at=past, sign_due=past)
            continue
        if state == "signed":
            continue
        t = actions.reply(actor=handler, ticket=t, text="已安排人员现场核查处理，问题已解决。")
        if state == "replied":
            continue
        t = actions.close(actor=dispatcher, ticket=t)
        if state == "callback_ok":
            actions.record_callback(actor=agent, ticket=t, satisfaction="satisfied")
        elif state == "callback_bad":
            actions.record_callback(
                actor=agent, ticket=t, satisfaction="dissatisfied", note="市民反映问题依旧"
            )
    actions.supervise_overdue()
    return created


def load_hotline(actor, log=None) -> dict:
    """Create (or complete) the hotline demo data; returns counts of what was created."""
    from yiwang.demo.loader import departments_by_key

    with transaction.atomic():
        cats = _categories()
        depts = departments_by_key()
        regions = {r.code: r for r in Region.objects.filter(code__startswith="441422")}
        counts = {"categories": len(cats), "rules": _rules(cats, depts, regions)}
        users = _staff(actor, depts, regions)
        counts["staff"] = sum(1 for u in users.values() if u is not None)
        counts["tickets"] = 0
        if not Ticket.objects.exists() and "441422" in regions:
            counts["tickets"] = _tickets(actor, users, cats, regions)
    if log:
        log(f"hotline: {counts}")
    return counts
