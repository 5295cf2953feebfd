"""Demo accounts: staff with their posts, citizens and enterprises.

All people and companies are fictitious; resident ID numbers and unified social
credit codes are valid (generated with ``yiwang.demo.codes``, stored as literals).
Residents born before 1988 carry the pre-1988 division code of 大埔县 (442422),
as real ID numbers issued then do.
"""

from django.conf import settings

PASSWORD = "Dabu@2026.gov"  # noqa: S105 - the published demo password

COUNTY = "441422"
HULIAO = "441422100"
GAOBEI = "441422103"

ADMIN = {"username": "admin", "real_name": "系统管理员", "description": "系统管理员（超级用户）"}

ROLE_LABELS = {
    "window": "窗口人员",
    "reviewer": "审核人员",
    "approver": "审批人员",
    "dept_admin": "部门管理员",
    "authority": "数据管理员",
    "leader": "县领导",
    "auditor": "审计员",
}


def _post(role, department, region, hall=None, window=None) -> dict:
    """A post spec: department is a key of ``orgs.DEPARTMENTS`` (None: all), region a code,
    hall a key of ``orgs.HALLS``, window the window number in that hall."""
    return {
        "role": role,
        "department": department,
        "region": region,
        "hall": hall,
        "window": window,
    }


# The logins of the common brief, in the order they are listed to users.
STAFF = [
    {
        "username": "authority",
        "real_name": "邓晓峰",
        "description": "数据管理员 · 大埔县政务服务数据管理局",
        "posts": [_post("authority", "sjj", COUNTY)],
    },
    {
        "username": "leader",
        "real_name": "张国华",
        "description": "县领导 · 大埔县（全部部门）",
        "posts": [_post("leader", None, COUNTY)],
    },
    {
        "username": "auditor",
        "real_name": "林静",
        "description": "审计员 · 大埔县（全部部门）",
        "posts": [_post("auditor", None, COUNTY)],
    },
    {
        "username": "window_county",
        "real_name": "黄晓琳",
        "description": "窗口人员 · 大埔县政务服务中心 1号窗口",
        "posts": [_post("window", "sjj", COUNTY, hall="county", window="1")],
    },
    {
        "username": "window_huliao",
        "real_name": "罗美华",
        "description": "窗口人员 · 湖寮镇便民服务中心",
        "posts": [_post("window", "huliao", HULIAO, hall="huliao", window="1")],
    },
    {
        "username": "window_gaobei",
        "real_name": "何志平",
        "description": "窗口人员 · 高陂镇便民服务中心",
        "posts": [_post("window", "gaobei", GAOBEI, hall="gaobei", window="1")],
    },
    {
        "username": "reviewer_scj",
        "real_name": "钟文辉",
        "description": "审核人员 · 大埔县市场监督管理局",
        "posts": [_post("reviewer", "scj", COUNTY)],
    },
    {
        "username": "approver_scj",
        "real_name": "温建新",
        "description": "审批人员 · 大埔县市场监督管理局",
        "posts": [_post("approver", "scj", COUNTY)],
    },
    {
        "username": "admin_scj",
        "real_name": "刘红梅",
        "description": "部门管理员 · 大埔县市场监督管理局",
        "posts": [_post("dept_admin", "scj", COUNTY)],
    },
    {
        "username": "reviewer_mzj",
        "real_name": "杨丽萍",
        "description": "审核人员 · 大埔县民政局",
        "posts": [_post("reviewer", "mzj", COUNTY)],
    },
    {
        "username": "approver_mzj",
        "real_name": "邱建国",
        "description": "审批人员 · 大埔县民政局",
        "posts": [_post("approver", "mzj", COUNTY)],
    },
    {
        "username": "reviewer_gaobei",
        "real_name": "陈振宇",
        "description": "审核人员 · 大埔县高陂镇人民政府",
        "posts": [_post("reviewer", "gaobei", GAOBEI)],
    },
    {
        "username": "approver_gaobei",
        "real_name": "曾国强",
        "description": "审批人员 · 大埔县高陂镇人民政府",
        "posts": [_post("approver", "gaobei", GAOBEI)],
    },
    {
        "username": "reviewer_scj_huliao",
        "real_name": "饶晓东",
        "description": "审核人员 · 大埔县市场监督管理局（仅湖寮镇）",
        "posts": [_post("reviewer", "scj", HULIAO)],
    },
]

# Every other department gets a reviewer and an approver, so every demo item can be handled:
# key → (department name for the description, region, reviewer name, approver name).
OTHER_HANDLERS = {
    "gaj": ("大埔县公安局", COUNTY, "谢振华", "赖国平"),
    "zrzyj": ("大埔县自然资源局", COUNTY, "罗志坚", "萧建明"),
    "zjj": ("大埔县住房和城乡建设局", COUNTY, "蓝伟东", "廖春生"),
    "jtj": ("大埔县交通运输局", COUNTY, "范锦荣", "吴德胜"),
    "wjj": ("大埔县卫生健康局", COUNTY, "丘慧芳", "黄永红"),
    "rsj": ("大埔县人力资源和社会保障局", COUNTY, "詹少华", "李卫东"),
    "jyj": ("大埔县教育局", COUNTY, "温秀兰", "肖文彬"),
    "cl": ("大埔县残疾人联合会", COUNTY, "戴玉梅", "邹国雄"),
    "nyj": ("大埔县农业农村局", COUNTY, "饶振兴", "钟伟强"),
    "slj": ("大埔县水务局", COUNTY, "杨海波", "何建辉"),
    "ybj": ("大埔县医疗保障局", COUNTY, "刘晓燕", "陈丽华"),
    "wglj": ("大埔县文化广电旅游体育局", COUNTY, "邱雪梅", "张文涛"),
    "yjj": ("大埔县应急管理局", COUNTY, "曾志勇", "罗国梁"),
    "sjj": ("大埔县政务服务数据管理局", COUNTY, "黄秋玲", "赖汉文"),
    "huliao": ("大埔县湖寮镇人民政府", HULIAO, "林晓红", "范志成"),
}

for _key, (_dept, _region, _reviewer, _approver) in OTHER_HANDLERS.items():
    STAFF.append(
        {
            "username": f"reviewer_{_key}",
            "real_name": _reviewer,
            "description": f"审核人员 · {_dept}",
            "posts": [_post("reviewer", _key, _region)],
            "extra": True,
        }
    )
    STAFF.append(
        {
            "username": f"approver_{_key}",
            "real_name": _approver,
            "description": f"审批人员 · {_dept}",
            "posts": [_post("approver", _key, _region)],
            "extra": True,
        }
    )

# Citizens: (username, real name, sex, resident ID, phone, home town code).
CITIZENS = [
    ("citizen", "李梅", "F", "441422199005185387", "13864315788", "441422100"),
    ("citizen2", "张伟", "M", "441422198811076594", "13803405927", "441422103"),
    ("citizen3", "陈志强", "M", "441422199106177335", "13817313932", "441422100"),
    ("citizen4", "黄丽娟", "F", "441422200411280684", "13889990712", "441422103"),
    ("citizen5", "罗建华", "M", "441422199104201397", "13857634371", "441422102"),
    ("citizen6", "杨秀英", "F", "442422195810186027", "13864708126", "441422113"),
    ("citizen7", "邱文彬", "M", "441422200310152915", "13884110291", "441422106"),
    ("citizen8", "钟慧敏", "F", "441422199501208963", "13890503438", "441422105"),
    ("citizen9", "刘德明", "M", "442422194702106099", "13833689519", "441422111"),
    ("citizen10", "何淑贞", "F", "442422194808017166", "13889892850", "441422108"),
    ("citizen11", "吴国栋", "M", "441422200311113993", "13886820486", "441422112"),
    ("citizen12", "蓝小燕", "F", "441422199407096467", "13853948553", "441422101"),
    ("citizen13", "曾海涛", "M", "441422199906265536", "13839510228", "441422104"),
    ("citizen14", "饶美玲", "F", "441422200012173400", "13804443850", "441422107"),
    ("citizen15", "范永生", "M", "442422194712111991", "13861502247", "441422109"),
    ("citizen16", "肖春梅", "F", "44142219900918666X", "13848309773", "441422110"),
    ("citizen17", "谢嘉豪", "M", "441422199705152551", "13892965631", "441422100"),
    ("citizen18", "詹雅琴", "F", "441422199211236261", "13868621065", "441422103"),
    ("citizen19", "温振东", "M", "441422199701289876", "13858281295", "441422102"),
    ("citizen20", "丘月华", "F", "441422199906157105", "13838932423", "441422113"),
    ("citizen21", "廖俊杰", "M", "441422200102134077", "13813203533", "441422106"),
    ("citizen22", "萧碧霞", "F", "441422200302145686", "13834739729", "441422105"),
    ("citizen23", "赖志远", "M", "44142220041016573X", "13857146759", "441422111"),
    ("citizen24", "戴秋菊", "F", "441422200009099369", "13808629549", "441422108"),
]

CITIZEN_DESCRIPTIONS = {
    "citizen": "群众 · 李梅（湖寮镇居民）",
    "citizen2": "群众 · 张伟（高陂镇居民）",
}

# The enterprise agent logs in as a natural person and acts for the enterprise.
ENTERPRISE_AGENT = ("enterprise", "王强", "M", "441422198903213576", "13826637715", "441422100")

# Enterprises: the agent is a username from CITIZENS or ENTERPRISE_AGENT (legal representative).
ENTERPRISES = [
    {
        "name": "大埔县客家味道餐饮有限公司",
        "uscc": "91441422MA52X60Q7D",
        "legal_representative": "王强",
        "region": HULIAO,
        "address": "大埔县湖寮镇同仁路128号",
        "agent": "enterprise",
    },
    {
        "name": "大埔县高陂青花陶瓷有限公司",
        "uscc": "91441422MATPWDEB10",
        "legal_representative": "詹雅琴",
        "region": GAOBEI,
        "address": "大埔县高陂镇陶瓷工业园B区6号",
        "agent": "citizen18",
    },
    {
        "name": "大埔县西河蜜柚专业合作社",
        "uscc": "93441422MA53K7H21T",
        "legal_representative": "丘月华",
        "region": "441422113",
        "address": "大埔县西河镇黄堂村委会旁",
        "agent": "citizen20",
    },
]

ENTERPRISE_DESCRIPTION = "企业经办人 · 大埔县客家味道餐饮有限公司（王强）"


# Accounts whose role requires the second factor set up their authenticator at first login.
TOTP_NOTE = " · 动态口令（首次登录时绑定）"


def _needs_totp(spec: dict) -> bool:
    roles = set(settings.YIWANG_MFA_REQUIRED_ROLES)
    return settings.YIWANG_MFA_ALL_STAFF or any(p["role"] in roles for p in spec["posts"])


def _staff_rows(include_extra: bool) -> list[dict]:
    return [s for s in STAFF if include_extra or not s.get("extra")]


def demo_logins(include_extra: bool = False) -> list[tuple[str, str]]:
    """(username, Chinese description) of the demo logins; all use ``PASSWORD``.

    Without ``include_extra`` only the logins of the common brief are listed; the extra
    reviewer_<key>/approver_<key> accounts of the other departments are added with it.
    """
    rows = [(ADMIN["username"], ADMIN["description"] + TOTP_NOTE)]
    rows += [
        (s["username"], s["description"] + (TOTP_NOTE if _needs_totp(s) else ""))
        for s in _staff_rows(include_extra)
    ]
    rows += DOMAIN_LOGINS
    rows += [(username, CITIZEN_DESCRIPTIONS[username]) for username in CITIZEN_DESCRIPTIONS]
    rows.append((ENTERPRISE_AGENT[0], ENTERPRISE_DESCRIPTION))
    return rows


# Staff the hotline and grid demos create (yiwang/hotline/demo.py, yiwang/grid/demo.py).
DOMAIN_LOGINS = [
    ("agent_12345", "12345话务员 · 大埔县政务服务数据管理局"),
    ("dispatcher_12345", "12345派单员 · 大埔县"),
    ("handler_scj", "承办人员 · 大埔县市场监督管理局"),
    ("handler_zjj", "承办人员 · 大埔县住房和城乡建设局"),
    ("handler_huliao", "承办人员 · 大埔县湖寮镇人民政府"),
    ("grid_huliao", "网格员 · 湖寮镇（手机页面 /grid/m/）"),
]


def login_table(include_extra: bool = False) -> list[tuple[str, str, str, str]]:
    """(username, role, department / region, password) for the ``demo`` command."""
    from .orgs import DEPARTMENTS, HALLS
    from .regions import COUNTY as COUNTY_ROW
    from .regions import TOWNS

    region_names = {COUNTY_ROW[0]: COUNTY_ROW[1], **dict(TOWNS)}
    rows = [(ADMIN["username"], "超级用户", "全部", PASSWORD)]
    for spec in _staff_rows(include_extra):
        for post in spec["posts"]:
            dept = DEPARTMENTS[post["department"]]["name"] if post["department"] else "全部部门"
            where = f"{dept} / {region_names.get(post['region'], post['region'])}"
            if post.get("hall"):
                where += f" / {HALLS[post['hall']]['name']}"
                if post.get("window"):
                    where += f" {post['window']}号窗口"
            rows.append((spec["username"], ROLE_LABELS[post["role"]], where, PASSWORD))
    towns = dict(TOWNS)
    for username, real_name, _sex, _id, _phone, town in CITIZENS[:2]:
        rows.append((username, "群众", f"{real_name} / {towns[town]}", PASSWORD))
    rows.append(
        (
            ENTERPRISE_AGENT[0],
            "企业经办人",
            f"{ENTERPRISE_AGENT[1]} / 大埔县客家味道餐饮有限公司",
            PASSWORD,
        )
    )
    return rows
