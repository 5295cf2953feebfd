"""Demo service items of 大埔县 (事项目录 and 办事指南), loaded through ``catalog.actions``.

Names, legal bases, materials and time limits follow the published Guangdong guides of
these items (simplified); everything is data, in Chinese. Loading is idempotent: an item
whose implementation code already exists is left alone.
"""

from __future__ import annotations

from django.db import transaction

from yiwang.catalog import actions
from yiwang.catalog.excel import derive_code
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.process import default_process
from yiwang.orgs.models import Department
from yiwang.regions.models import Region

from . import orgs as org_data
from . import regions as region_data

ITEM_TYPES = [
    ("XK", "行政许可"),
    ("QR", "行政确认"),
    ("JF", "行政给付"),
    ("GG", "公共服务"),
    ("QT", "其他行政权力"),
    ("BA", "备案"),
]

ALL_CHANNELS = ["PC端", "移动端", "自助终端", "窗口"]
ONLINE_CHANNELS = ["PC端", "移动端", "窗口"]
WINDOW_ONLY = ["窗口"]
COMPLAINT = "0753-5528012（县政务服务数据管理局）；12345 政务服务便民热线"
TOWN_NAMES = {name: code for code, name in region_data.TOWNS}
TOWN_OF_DEPT = {"huliao": "湖寮镇", "gaobei": "高陂镇"}


# --- form fields --------------------------------------------------------------------


def field(key, title, kind="string", required=True, **extra):
    return key, {"type": kind, "title": title, **extra}, required


def schema(*fields) -> dict:
    return {
        "type": "object",
        "properties": {key: prop for key, prop, _ in fields},
        "required": [key for key, _, required in fields if required],
        "x-order": [key for key, _, _ in fields],
    }


# Personal data carries its format (catalog.personal_formats): checked like window intake,
# stored encrypted, masked for staff.
PHONE = field(
    "phone",
    "联系电话",
    format="phone",
    description="11 位手机号或带区号的固定电话，如 0753-5522315",
)
NAME = field("applicant_name", "申请人姓名", maxLength=30, format="person-name")
ID_NUMBER = field(
    "id_number",
    "公民身份号码",
    format="resident-id",
    description="18 位居民身份证号码，末位可为 X",
)
ADDRESS = field("address", "联系地址", maxLength=100)
ENTERPRISE = field("enterprise_name", "单位名称", maxLength=100)
USCC = field(
    "uscc",
    "统一社会信用代码",
    format="uscc",
    description="18 位统一社会信用代码",
)
LEGAL_REP = field(
    "legal_representative", "法定代表人（负责人）", maxLength=30, format="person-name"
)
BANK_ACCOUNT = field(
    "bank_account",
    "收款银行账号",
    format="bank-account",
    description="申请人本人的银行卡号或存折账号，补贴按月发放至此账户",
)


def M(
    name, form="electronic", *, required=True, replace="", count=1, source="申请人自备", notes=""
):
    """A material: form original / copy / electronic; replace '' / licence / shared."""
    return {
        "name": name,
        "form": form,
        "count": count,
        "required": required,
        "replaceable_by": replace,
        "source": source,
        "notes": notes,
    }


def step(key, name, kind, role, days, department=None):
    s = {"key": key, "name": name, "kind": kind, "role": role, "limit_days": days}
    if department:
        s["department"] = org_data.DEPARTMENTS[department]["uscc"]
    return s


# --- the items ----------------------------------------------------------------------

ITEMS: list[dict] = [
    # 市场监管 ---------------------------------------------------------------------
    {
        "dept": "scj",
        "type": "XK",
        "main": "00101",
        "sub": "000",
        "name": "个体工商户设立登记",
        "aliases": "开店,个体户,营业执照,开个小店,办执照,个体执照",
        "audience": "person",
        "legal_basis": "《促进个体工商户发展条例》第六条；《中华人民共和国市场主体登记管理条例》第三条、第十九条；"
        "《中华人民共和国市场主体登记管理条例实施细则》",
        "scope": "在大埔县辖区内从事工商业经营、依法登记为个体工商户的自然人或家庭",
        "conditions": "1. 有经营能力的自然人；2. 有符合规定的名称和经营场所；3. 经营范围不属于法律、行政法规禁止进入的行业；"
        "4. 申请材料齐全、符合法定形式。",
        "statutory": 3,
        "promised": 1,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("个体工商户登记（备案）申请书", "electronic"),
            M("经营者身份证明", "copy", replace="shared"),
            M("经营场所使用证明", "copy", notes="自有房产提供不动产权证，租赁房屋提供租赁合同"),
            M("委托代理人身份证明及授权委托书", "copy", required=False, notes="委托他人办理时提交"),
        ],
        "form": schema(
            field(
                "business_name",
                "个体工商户名称",
                maxLength=50,
                required=False,
                description="可不使用名称，不填则以经营者姓名登记",
            ),
            field("operator_name", "经营者姓名", maxLength=30, format="person-name"),
            field("form_of_organisation", "组成形式", enum=["个人经营", "家庭经营"]),
            field("premises", "经营场所", maxLength=100),
            field("business_scope", "经营范围", maxLength=300),
            field("capital", "资金数额（万元）", "number", minimum=0, maximum=100000),
            PHONE,
        ),
    },
    {
        "dept": "scj",
        "type": "XK",
        "main": "00102",
        "sub": "000",
        "name": "有限责任公司设立登记",
        "aliases": "开公司,注册公司,成立公司,企业开办,公司营业执照",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国公司法》第二十九条、第三十条；《中华人民共和国市场主体登记管理条例》第三条、第十九条",
        "scope": "在大埔县辖区内申请设立的有限责任公司",
        "conditions": "1. 股东符合法定人数；2. 有符合公司章程规定的出资；3. 股东共同制定公司章程；"
        "4. 有公司名称，建立符合有限责任公司要求的组织机构；5. 有公司住所。",
        "statutory": 3,
        "promised": 1,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("公司登记（备案）申请书", "electronic"),
            M("公司章程", "electronic"),
            M("股东的主体资格文件或自然人身份证明", "copy", replace="shared"),
            M("法定代表人、董事、监事和经理的任职文件及身份证明", "copy", replace="shared"),
            M("住所使用相关文件", "copy"),
        ],
        "form": schema(
            ENTERPRISE,
            LEGAL_REP,
            field("registered_capital", "注册资本（万元）", "number", minimum=0.01),
            field("domicile", "住所", maxLength=100),
            field("business_scope", "经营范围", maxLength=500),
            field("shareholder_count", "股东人数", "integer", minimum=1, maximum=50),
            PHONE,
        ),
    },
    {
        "dept": "scj",
        "type": "XK",
        "main": "00012",
        "sub": "001",
        "name": "食品经营许可（新办）",
        "aliases": "开饭店,开餐馆,餐饮店,小吃店,饭馆,奶茶店,食品店,餐饮许可证,食品经营许可证,开饭店要办什么证",
        "audience": "both",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）第五条",
        "scope": "在大埔县辖区内从事食品销售、餐饮服务、单位食堂等食品经营活动的经营者（仅销售预包装食品的实行备案）",
        "conditions": "1. 具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所；"
        "2. 具有与经营的食品品种、数量相适应的经营设备或者设施；"
        "3. 有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；"
        "4. 具有合理的设备布局和工艺流程；5. 法律、法规规定的其他条件。",
        "procedure": [
            {
                "name": "申请",
                "description": "通过广东政务服务网、粤商通或县政务服务中心窗口提交申请",
            },
            {
                "name": "受理",
                "description": "材料齐全、符合法定形式的予以受理；不齐全的一次性告知补正",
            },
            {"name": "材料审查", "description": "审查申请材料的完整性与真实性"},
            {
                "name": "现场核查",
                "description": "对经营场所进行现场核查（需要时），核查时间不计入承诺时限",
            },
            {
                "name": "决定",
                "description": "作出准予许可或不予许可的决定；不予许可的说明理由并告知复议、诉讼权利",
            },
            {
                "name": "发证",
                "description": "电子许可证同步发放至证照夹，纸质证书可窗口领取或免费邮寄",
            },
        ],
        "statutory": 20,
        "promised": 5,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("食品经营许可申请书", "electronic"),
            M("营业执照", "copy", replace="licence"),
            M("法定代表人（负责人）身份证明", "copy", replace="shared"),
            M("经营场所平面图及设备布局、工艺流程图", "electronic"),
            M("食品安全管理制度", "electronic"),
            M("食品安全管理人员任命文件", "copy", required=False, notes="从事餐饮服务的提交"),
        ],
        "form": schema(
            field("operator_name", "经营者名称", maxLength=100),
            field("premises", "经营场所", maxLength=200),
            field(
                "category",
                "经营项目",
                enum=["热食类食品制售", "冷食类食品制售", "糕点类食品制售", "自制饮品制售"],
            ),
            field("staff_count", "从业人员数", "integer", minimum=1),
            field("business_area", "经营面积（平方米）", "number", minimum=1, required=False),
            PHONE,
        ),
        "process": [
            step("accept", "受理", "accept", "reviewer", 1),
            step("review", "材料审查", "review", "reviewer", 1),
            step("inspect", "现场核查", "review", "reviewer", 2),
            step("decide", "决定", "decide", "approver", 1),
            step("conclude", "办结发证", "conclude", "reviewer", 0),
        ],
    },
    {
        "dept": "scj",
        "type": "XK",
        "main": "00012",
        "sub": "001",
        "kind": "change",
        "name": "食品经营许可（变更）",
        "aliases": "食品经营许可证变更,餐饮店改名,换地址,增加经营项目",
        "audience": "both",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第三十二条",
        "scope": "已取得食品经营许可证，许可事项发生变化的食品经营者",
        "conditions": "1. 持有有效的食品经营许可证；2. 变更后仍符合食品经营许可条件；3. 在变化后 10 个工作日内申请。",
        "statutory": 20,
        "promised": 3,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("食品经营许可变更申请书", "electronic"),
            M("食品经营许可证", "copy", replace="licence"),
            M("与变更事项有关的材料", "electronic"),
        ],
        "form": schema(
            field("operator_name", "经营者名称", maxLength=100),
            field(
                "licence_number", "许可证编号", pattern=r"^JY\d{14}$", description="JY 加 14 位数字"
            ),
            field(
                "change_item",
                "变更事项",
                enum=["经营者名称", "法定代表人（负责人）", "经营项目", "外设仓库地址"],
            ),
            field("change_detail", "变更内容", maxLength=300),
            PHONE,
        ),
    },
    {
        "dept": "scj",
        "type": "XK",
        "main": "00012",
        "sub": "001",
        "kind": "cancel",
        "name": "食品经营许可（注销）",
        "aliases": "食品经营许可证注销,餐饮店关门,不开了",
        "audience": "both",
        "legal_basis": "《中华人民共和国行政许可法》第七十条；《食品经营许可和备案管理办法》第三十八条",
        "scope": "终止食品经营、食品经营许可被撤回撤销或许可证被吊销的食品经营者",
        "conditions": "食品经营者终止食品经营，或者食品经营许可被撤回、撤销的，应当在 20 个工作日内申请办理注销手续。",
        "statutory": 10,
        "promised": 0,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("食品经营许可注销申请书", "electronic"),
            M("食品经营许可证", "copy", replace="licence"),
        ],
        "form": schema(
            field("operator_name", "经营者名称", maxLength=100),
            field(
                "licence_number", "许可证编号", pattern=r"^JY\d{14}$", description="JY 加 14 位数字"
            ),
            field("reason", "注销原因", enum=["终止经营", "许可被撤回", "许可被撤销", "其他"]),
            PHONE,
        ),
    },
    # 卫生健康 ---------------------------------------------------------------------
    {
        "dept": "wjj",
        "type": "XK",
        "main": "00201",
        "sub": "000",
        "name": "公共场所卫生许可",
        "aliases": "卫生许可证,理发店,美容院,宾馆,酒店,旅店,游泳馆,开理发店",
        "audience": "both",
        "legal_basis": "《公共场所卫生管理条例》第八条；《公共场所卫生管理条例实施细则》第二十二条",
        "scope": "在大埔县辖区内经营宾馆、旅店、公共浴室、理发店、美容店、游泳场（馆）等公共场所的经营者",
        "conditions": "1. 有与经营规模相适应的场所和卫生设施；2. 有健全的卫生管理制度和卫生管理人员；"
        "3. 公共场所卫生检测或评价报告合格。",
        "statutory": 20,
        "promised": 3,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("公共场所卫生许可申请表", "electronic"),
            M("营业执照", "copy", replace="licence"),
            M("公共场所卫生管理制度", "electronic"),
            M("公共场所卫生检测或评价报告", "electronic"),
        ],
        "form": schema(
            field("business_name", "单位名称", maxLength=100),
            field("premises", "经营地址", maxLength=150),
            field(
                "place_type",
                "场所类别",
                enum=["住宿场所", "沐浴场所", "美容美发场所", "游泳场所", "其他"],
            ),
            field("floor_area", "营业面积（平方米）", "number", minimum=1),
            field("staff_count", "从业人员数", "integer", minimum=1),
            PHONE,
        ),
    },
    {
        "dept": "wjj",
        "type": "XK",
        "main": "00202",
        "sub": "000",
        "name": "医师执业注册",
        "aliases": "医生执业证,医师执业证书,医生注册,执业医师注册",
        "audience": "person",
        "legal_basis": "《中华人民共和国医师法》第十三条、第十四条；《医师执业注册管理办法》（国家卫生和计划生育委员会令第13号）第九条",
        "scope": "取得医师资格、拟在大埔县辖区医疗、预防、保健机构执业的人员",
        "conditions": "1. 取得医师资格；2. 受聘于医疗、预防、保健机构；3. 身体健康，能胜任医师工作；"
        "4. 无《中华人民共和国医师法》第十六条规定不予注册的情形。",
        "statutory": 20,
        "promised": 5,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("医师执业注册申请审核表", "electronic"),
            M("医师资格证书", "copy", replace="licence"),
            M("近 6 个月 2 寸白底免冠正面半身照片", "electronic"),
            M("医疗、预防、保健机构拟聘用证明", "original"),
            M("6 个月内的健康体检证明", "original"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("qualification_number", "医师资格证书编码", maxLength=30),
            field("practice_category", "执业类别", enum=["临床", "中医", "口腔", "公共卫生"]),
            field("practice_scope", "执业范围", maxLength=50),
            field("institution", "拟执业机构", maxLength=100),
            PHONE,
        ),
    },
    {
        "dept": "wjj",
        "type": "XK",
        "main": "00203",
        "sub": "000",
        "name": "再生育审批",
        "aliases": "生孩子审批,再生育,生育审批,多生一个",
        "audience": "person",
        "legal_basis": "《中华人民共和国人口与计划生育法》第十八条；《广东省人口与计划生育条例》第十九条",
        "scope": "户籍在大埔县、符合《广东省人口与计划生育条例》规定可以再生育子女的夫妻",
        "conditions": "夫妻双方符合《广东省人口与计划生育条例》规定的再生育条件。",
        "statutory": 30,
        "promised": 10,
        "depth": 2,
        "visits": 1,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("再生育申请审批表", "original"),
            M("夫妻双方居民身份证", "copy", replace="shared"),
            M("夫妻双方居民户口簿", "copy", replace="shared"),
            M("结婚证", "copy", replace="licence"),
            M("现有子女出生医学证明", "copy", replace="licence"),
        ],
        "form": schema(
            field("husband_name", "男方姓名", maxLength=30, format="person-name"),
            field("wife_name", "女方姓名", maxLength=30, format="person-name"),
            field("children_count", "现有子女数", "integer", minimum=0, maximum=10),
            field("reason", "申请理由", maxLength=300),
            PHONE,
        ),
    },
    # 公安 ---------------------------------------------------------------------------
    {
        "dept": "gaj",
        "type": "QR",
        "main": "00301",
        "sub": "001",
        "name": "出生登记",
        "aliases": "户口登记,新生儿落户,上户口,报户口,宝宝入户,出生入户",
        "audience": "person",
        "legal_basis": "《中华人民共和国户口登记条例》第七条；《公安部关于进一步做好户口登记工作的通知》",
        "scope": "父亲或母亲户籍在大埔县、在国内出生的婴儿",
        "conditions": "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
        "statutory": 10,
        "promised": 1,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "location": "大埔县公安局各派出所户籍窗口、大埔县政务服务中心公安综合窗口；"
        + org_data.WEEKDAY_HOURS,
        "materials": [
            M("出生医学证明", "copy", replace="licence"),
            M("父母双方居民户口簿", "copy", replace="shared"),
            M("父母双方居民身份证", "copy", replace="shared"),
            M("父母结婚证", "copy", replace="licence", required=False, notes="非婚生育的无需提交"),
        ],
        "form": schema(
            field("baby_name", "婴儿姓名", maxLength=20, format="person-name"),
            field("baby_gender", "婴儿性别", enum=["男", "女"]),
            field("birth_date", "出生日期", format="date"),
            field(
                "birth_certificate_number",
                "出生医学证明编号",
                pattern=r"^[A-Z]\d{9}$",
                description="1 位字母加 9 位数字",
            ),
            field("register_with", "随父或随母落户", enum=["随父", "随母"]),
            PHONE,
        ),
    },
    {
        "dept": "gaj",
        "type": "QR",
        "main": "00302",
        "sub": "000",
        "name": "居民身份证申领",
        "aliases": "办身份证,身份证过期,换身份证,补身份证,第一次办身份证",
        "audience": "person",
        "legal_basis": "《中华人民共和国居民身份证法》第八条、第十四条",
        "scope": "户籍在大埔县的中国公民首次申领、换领、补领居民身份证",
        "conditions": "具有大埔县常住户口；本人到场采集人像和指纹信息。",
        "statutory": 40,
        "promised": 15,
        "depth": 1,
        "visits": 1,
        "channels": ["自助终端", "窗口"],
        "fees": "首次申领、换领 20 元；丢失补领、损坏换领 40 元",
        "fee_basis": "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
        "location": "大埔县公安局各派出所户籍窗口、大埔县政务服务中心公安综合窗口；"
        + org_data.WEEKDAY_HOURS,
        "materials": [
            M("居民户口簿", "original", replace="shared"),
            M("原居民身份证", "original", required=False, notes="换领时交回"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("apply_type", "申领类型", enum=["首次申领", "到期换领", "损坏换领", "丢失补领"]),
            field("delivery", "领证方式", enum=["窗口领取", "邮寄到家"]),
            ADDRESS,
            PHONE,
        ),
    },
    # 民政 ---------------------------------------------------------------------------
    {
        "dept": "mzj",
        "type": "QR",
        "main": "00401",
        "sub": "000",
        "name": "结婚登记",
        "aliases": "领结婚证,登记结婚,扯证,办结婚证",
        "audience": "person",
        "legal_basis": "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条、第五条、第七条",
        "scope": "一方常住户口在大埔县的内地居民（可在婚姻登记“跨省通办”试点范围内异地办理）",
        "conditions": "1. 男女双方完全自愿；2. 男方年满二十二周岁、女方年满二十周岁；3. 双方均无配偶；"
        "4. 双方没有直系血亲和三代以内旁系血亲关系。",
        "statutory": 0,
        "promised": 0,
        "depth": 2,
        "visits": 1,
        "channels": ONLINE_CHANNELS,
        "cross_region": True,
        "location": "大埔县婚姻登记处（大埔县政务服务中心二楼）；周一至周五 8:30-12:00, 14:30-17:30，"
        "“5·20”“七夕”等特殊日期预约办理",
        "materials": [
            M("本人居民身份证", "original"),
            M("本人居民户口簿", "original", replace="shared"),
            M(
                "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
                "original",
                notes="在婚姻登记处现场签署",
            ),
            M("2 寸近期半身免冠合影照片", "original", count=3),
        ],
        "form": schema(
            field("male_name", "男方姓名", maxLength=30, format="person-name"),
            field("female_name", "女方姓名", maxLength=30, format="person-name"),
            field("appointment_date", "预约登记日期", format="date"),
            field("ceremony", "是否需要颁证仪式", "boolean", required=False),
            PHONE,
        ),
    },
    {
        "dept": "mzj",
        "type": "JF",
        "main": "00402",
        "sub": "000",
        "name": "最低生活保障审批",
        "aliases": "低保,申请低保,吃低保,生活困难补助,最低生活保障",
        "audience": "person",
        "legal_basis": "《社会救助暂行办法》第九条至第十三条；《广东省最低生活保障制度实施办法》",
        "scope": "共同生活的家庭成员人均收入低于大埔县最低生活保障标准，且家庭财产状况符合规定的大埔县户籍家庭",
        "conditions": "1. 家庭成员中至少有一人具有大埔县户籍；2. 家庭人均收入低于当地最低生活保障标准；"
        "3. 家庭财产状况符合规定；4. 如实申报家庭收入、财产状况并授权核对。",
        "statutory": 30,
        "promised": 15,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("最低生活保障申请书", "electronic"),
            M("户口簿、居民身份证", "copy", replace="shared"),
            M("家庭经济状况核对授权书", "original"),
            M("家庭收入和财产状况声明", "original"),
            M("残疾人证", "copy", replace="licence", required=False, notes="家庭成员有残疾的提交"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("household_size", "共同生活家庭人口", "integer", minimum=1, maximum=20),
            field("monthly_income", "家庭月总收入（元）", "number", minimum=0),
            field("reason", "申请理由", maxLength=500),
            ADDRESS,
            PHONE,
        ),
    },
    {
        "dept": "gaobei",
        "type": "JF",
        "main": "00402",
        "sub": "000",
        "name": "最低生活保障审批（高陂镇受理）",
        "aliases": "低保,申请低保,高陂低保,镇上办低保",
        "audience": "person",
        "legal_basis": "《社会救助暂行办法》第十一条；《广东省最低生活保障制度实施办法》；"
        "《大埔县最低生活保障审核确认权限下放实施方案》",
        "scope": "户籍在高陂镇、共同生活的家庭成员人均收入低于大埔县最低生活保障标准的家庭",
        "conditions": "1. 家庭成员中至少有一人具有高陂镇户籍；2. 家庭人均收入低于当地最低生活保障标准；"
        "3. 家庭财产状况符合规定；4. 如实申报家庭收入、财产状况并授权核对。",
        "procedure": [
            {"name": "申请", "description": "向高陂镇便民服务中心或村（社区）代办员提出申请"},
            {"name": "受理", "description": "镇人民政府受理申请"},
            {"name": "入户调查", "description": "镇、村两级入户调查家庭经济状况"},
            {"name": "民主评议与公示", "description": "在村（社区）公示 7 天"},
            {"name": "县民政局确认", "description": "大埔县民政局审核确认"},
            {"name": "发放", "description": "按月社会化发放最低生活保障金"},
        ],
        "statutory": 30,
        "promised": 20,
        "depth": 2,
        "visits": 1,
        "channels": ALL_CHANNELS,
        "county_wide": False,
        "materials": [
            M("最低生活保障申请书", "original"),
            M("户口簿、居民身份证", "copy", replace="shared"),
            M("家庭经济状况核对授权书", "original"),
            M("家庭收入和财产状况声明", "original"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("village", "所在村（社区）", maxLength=30),
            field("household_size", "共同生活家庭人口", "integer", minimum=1, maximum=20),
            field("monthly_income", "家庭月总收入（元）", "number", minimum=0),
            field("reason", "申请理由", maxLength=500),
            PHONE,
        ),
        "process": [
            step("accept", "受理", "accept", "reviewer", 1),
            step("survey", "入户调查", "review", "reviewer", 5),
            step("publicity", "民主评议与公示", "review", "reviewer", 7),
            step("decide", "县民政局审核确认", "decide", "approver", 7, department="mzj"),
            step("conclude", "办结", "conclude", "reviewer", 0),
        ],
    },
    {
        "dept": "mzj",
        "type": "JF",
        "main": "00403",
        "sub": "000",
        "name": "特困人员认定",
        "aliases": "五保户,特困供养,无依无靠老人,特困人员救助供养",
        "audience": "person",
        "legal_basis": "《社会救助暂行办法》第十四条至第十九条；《特困人员认定办法》（民发〔2021〕43号）",
        "scope": "无劳动能力、无生活来源、无法定赡养抚养扶养义务人或者其法定义务人无履行义务能力的大埔县户籍老年人、残疾人和未成年人",
        "conditions": "同时具备以下条件：1. 无劳动能力；2. 无生活来源；3. 无法定赡养、抚养、扶养义务人，或者其法定义务人无履行义务能力。",
        "statutory": 20,
        "promised": 15,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("特困人员救助供养申请书", "electronic"),
            M("户口簿、居民身份证", "copy", replace="shared"),
            M("残疾人证", "copy", replace="licence", required=False),
            M("家庭经济状况核对授权书", "original"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("age", "年龄", "integer", minimum=0, maximum=130),
            field("care_type", "供养方式", enum=["分散供养", "集中供养"]),
            field("self_care", "生活自理能力", enum=["完全自理", "半失能", "全失能"]),
            ADDRESS,
            PHONE,
        ),
    },
    {
        "dept": "mzj",
        "type": "JF",
        "main": "00404",
        "sub": "000",
        "name": "高龄老人津贴申领",
        "aliases": "高龄津贴,长寿金,老人补贴,80岁补贴",
        "audience": "person",
        "legal_basis": "《中华人民共和国老年人权益保障法》第三十三条；《广东省民政厅 广东省财政厅关于建立高龄老人津贴制度的通知》",
        "scope": "户籍在大埔县、年满 70 周岁的老年人",
        "conditions": "具有大埔县户籍且年满 70 周岁。",
        "statutory": 20,
        "promised": 5,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("高龄老人津贴申请表", "electronic"),
            M("居民身份证", "copy", replace="shared"),
            M("本人社会保障卡或银行账户", "copy"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            BANK_ACCOUNT,
            PHONE,
        ),
    },
    {
        "dept": "mzj",
        "type": "JF",
        "main": "00405",
        "sub": "000",
        "name": "困难残疾人生活补贴和重度残疾人护理补贴申领",
        "aliases": "残疾人两项补贴,残疾补贴,护理补贴,生活补贴",
        "audience": "person",
        "legal_basis": "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）；"
        "《广东省困难残疾人生活补贴和重度残疾人护理补贴制度实施办法》",
        "scope": "具有大埔县户籍、持有第二代中华人民共和国残疾人证的困难残疾人和重度残疾人",
        "conditions": "生活补贴：低保家庭中的残疾人；护理补贴：残疾等级为一级、二级且需要长期照护的重度残疾人。",
        "statutory": 20,
        "promised": 10,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("残疾人两项补贴申请审批表", "electronic"),
            M("残疾人证", "copy", replace="licence"),
            M("居民身份证", "copy", replace="shared"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("subsidy", "申请补贴类型", enum=["生活补贴", "护理补贴", "两项均申请"]),
            field(
                "disability_certificate",
                "残疾人证号",
                pattern=r"^\d{17}[\dXx]\d{2}$",
                description="身份证号码加 2 位残疾类别等级代码",
            ),
            BANK_ACCOUNT,
            PHONE,
        ),
    },
    # 残联 ---------------------------------------------------------------------------
    {
        "dept": "cl",
        "type": "GG",
        "main": "00501",
        "sub": "000",
        "name": "残疾人证申领",
        "aliases": "办残疾证,残疾人证,评残,残疾评定",
        "audience": "person",
        "legal_basis": "《中华人民共和国残疾人保障法》第二条；《中华人民共和国残疾人证管理办法》（残联发〔2017〕2号）",
        "scope": "户籍在大埔县、符合残疾标准的视力、听力、言语、肢体、智力、精神及多重残疾人",
        "conditions": "符合《残疾人残疾分类和分级》（GB/T 26341）标准，经指定医疗机构评定。",
        "statutory": 20,
        "promised": 10,
        "depth": 2,
        "visits": 1,
        "channels": ALL_CHANNELS,
        "materials": [
            M("中华人民共和国残疾人证申请表", "electronic"),
            M("居民身份证或户口簿", "copy", replace="shared"),
            M("近期 2 寸白底免冠彩色照片", "electronic", count=2),
            M("残疾评定表", "original", source="县残联指定医疗机构出具"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field(
                "disability_type",
                "残疾类别",
                enum=[
                    "视力残疾",
                    "听力残疾",
                    "言语残疾",
                    "肢体残疾",
                    "智力残疾",
                    "精神残疾",
                    "多重残疾",
                ],
            ),
            field(
                "guardian_name", "监护人姓名", maxLength=30, format="person-name", required=False
            ),
            ADDRESS,
            PHONE,
        ),
    },
    # 自然资源 ---------------------------------------------------------------------
    {
        "dept": "zrzyj",
        "type": "QR",
        "main": "00601",
        "sub": "003",
        "kind": "change",
        "name": "不动产登记（国有建设用地使用权及房屋所有权转移登记）",
        "aliases": "不动产登记,房产过户,买房过户,二手房过户,房产证,不动产权证",
        "audience": "both",
        "legal_basis": "《中华人民共和国民法典》第二百零九条；《不动产登记暂行条例》第三条、第二十条；《不动产登记暂行条例实施细则》第三十八条",
        "scope": "在大埔县辖区内因买卖、互换、赠与、继承等导致国有建设用地使用权及房屋所有权转移的权利人",
        "conditions": "1. 不动产已办理首次登记；2. 不动产不存在查封、异议等限制转移的情形；3. 转移双方共同申请（继承等除外）。",
        "statutory": 30,
        "promised": 3,
        "depth": 2,
        "visits": 1,
        "channels": ONLINE_CHANNELS,
        "fees": "住宅类每件 80 元；非住宅类每件 550 元",
        "fee_basis": "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
        "materials": [
            M("不动产登记申请书", "original"),
            M("申请人身份证明", "copy", replace="shared"),
            M("不动产权属证书", "original", replace="licence"),
            M("不动产买卖合同", "original"),
            M("完税凭证", "copy", replace="shared"),
        ],
        "form": schema(
            field("obligor", "转让方（义务人）", maxLength=100),
            field("obligee", "受让方（权利人）", maxLength=100),
            field("certificate_number", "不动产权证书号", maxLength=50),
            field("property_location", "坐落", maxLength=150),
            field("area", "建筑面积（平方米）", "number", minimum=0.01),
            field("reason", "转移原因", enum=["买卖", "互换", "赠与", "继承", "其他"]),
            PHONE,
        ),
    },
    {
        "dept": "zrzyj",
        "type": "XK",
        "main": "00602",
        "sub": "000",
        "name": "建设工程规划许可",
        "aliases": "建设工程规划许可证,盖楼审批,规划许可,工程规划证",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国城乡规划法》第四十条；《广东省城乡规划条例》第四十四条",
        "scope": "在大埔县城镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的建设单位或者个人",
        "conditions": "1. 取得国有建设用地使用权；2. 建设工程设计方案符合控制性详细规划和规划条件；3. 材料齐全、符合法定形式。",
        "statutory": 20,
        "promised": 8,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("建设工程规划许可证申请表", "electronic"),
            M("不动产权证书（土地）", "copy", replace="licence"),
            M("建设工程设计方案总平面图", "electronic"),
            M("建筑单体设计方案图", "electronic"),
            M("营业执照", "copy", replace="licence"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field("project_name", "项目名称", maxLength=100),
            field("project_location", "建设地点", maxLength=150),
            field("floor_area", "总建筑面积（平方米）", "number", minimum=1),
            field("storeys", "建筑层数", "integer", minimum=1, maximum=100),
            PHONE,
        ),
        "process": [
            step("accept", "受理", "accept", "reviewer", 1),
            step("review", "方案审查", "review", "reviewer", 4),
            step("joint", "住建部门联合审查", "review", "reviewer", 2, department="zjj"),
            step("decide", "决定", "decide", "approver", 1),
            step("conclude", "办结发证", "conclude", "reviewer", 0),
        ],
    },
    # 住建 ---------------------------------------------------------------------------
    {
        "dept": "zjj",
        "type": "XK",
        "main": "00701",
        "sub": "000",
        "name": "建筑工程施工许可",
        "aliases": "施工许可证,开工许可,施工证",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）",
        "scope": "在大埔县辖区内工程投资额 100 万元以上或建筑面积 500 平方米以上的房屋建筑和市政基础设施工程",
        "conditions": "1. 已办理用地批准手续；2. 已取得建设工程规划许可证；3. 已确定施工企业；4. 有满足施工需要的施工图纸及技术资料；"
        "5. 有保证工程质量和安全的具体措施。",
        "statutory": 7,
        "promised": 3,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("建筑工程施工许可证申请表", "electronic"),
            M("建设工程规划许可证", "copy", replace="licence"),
            M("施工合同", "electronic"),
            M("施工图设计文件审查合格书", "electronic", replace="shared"),
            M("建设资金落实承诺书", "original"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field("project_name", "工程名称", maxLength=100),
            field("contract_price", "合同价格（万元）", "number", minimum=0),
            field("start_date", "计划开工日期", format="date"),
            field("contractor", "施工单位", maxLength=100),
            PHONE,
        ),
    },
    {
        "dept": "zjj",
        "type": "XK",
        "main": "00702",
        "sub": "000",
        "name": "城镇污水排入排水管网许可",
        "aliases": "排水许可,排水许可证,污水排放许可,接驳市政管网",
        "audience": "enterprise",
        "legal_basis": "《城镇排水与污水处理条例》第二十一条；《城镇污水排入排水管网许可管理办法》（住房和城乡建设部令第21号）第四条",
        "scope": "在大埔县城镇排水设施覆盖范围内从事工业、建筑、餐饮、医疗等活动的排水户",
        "conditions": "1. 排放口的设置符合城镇排水与污水处理规划；2. 按规定建设预处理设施；3. 排水隐蔽工程符合规定；"
        "4. 排水水质符合国家和地方排放标准。",
        "statutory": 15,
        "promised": 5,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("城镇污水排入排水管网许可申请表", "electronic"),
            M("营业执照", "copy", replace="licence"),
            M("排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明", "electronic"),
            M("排水水质符合相关标准的检测报告", "electronic"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field(
                "drainage_type",
                "排水户类型",
                enum=["工业", "建筑施工", "餐饮", "医疗", "洗车", "其他"],
            ),
            field("daily_volume", "日排水量（立方米）", "number", minimum=0.1),
            field("outlet_count", "排放口数量", "integer", minimum=1, maximum=20),
            PHONE,
        ),
    },
    # 交通 ---------------------------------------------------------------------------
    {
        "dept": "jtj",
        "type": "XK",
        "main": "00801",
        "sub": "002",
        "name": "道路运输经营许可（道路货物运输）",
        "aliases": "道路运输经营许可证,货运许可,跑运输,货车营运证,道路运输证",
        "audience": "both",
        "legal_basis": "《中华人民共和国道路运输条例》第二十一条、第二十四条；《道路货物运输及站场管理规定》（交通运输部令2023年第12号）第六条",
        "scope": "在大埔县申请使用总质量 4.5 吨以上普通货运车辆从事道路货物运输经营的单位和个人",
        "conditions": "1. 有与其经营业务相适应并经检测合格的车辆；2. 有符合规定条件的驾驶人员；3. 有健全的安全生产管理制度。",
        "statutory": 20,
        "promised": 5,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("道路货物运输经营申请表", "electronic"),
            M("负责人身份证明", "copy", replace="shared"),
            M("机动车行驶证", "copy", replace="licence"),
            M("驾驶人员从业资格证", "copy", replace="licence"),
            M("安全生产管理制度文本", "electronic"),
        ],
        "form": schema(
            field("operator", "经营者名称", maxLength=100),
            field("vehicle_count", "拟投入车辆数", "integer", minimum=1, maximum=500),
            field("driver_count", "驾驶人员数", "integer", minimum=1, maximum=1000),
            field("business_scope", "经营范围", enum=["普通货运", "货物专用运输", "大型物件运输"]),
            PHONE,
        ),
    },
    # 人社 ---------------------------------------------------------------------------
    {
        "dept": "rsj",
        "type": "GG",
        "main": "00901",
        "sub": "000",
        "name": "城乡居民基本养老保险参保登记",
        "aliases": "城乡居民养老保险,农村养老保险,居民社保,交养老保险,新农保",
        "audience": "person",
        "legal_basis": "《中华人民共和国社会保险法》第二十条、第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        "scope": "年满 16 周岁（不含在校学生），非国家机关和事业单位工作人员，不属于职工基本养老保险覆盖范围的大埔县户籍居民",
        "conditions": "具有大埔县户籍，年满 16 周岁，未参加职工基本养老保险。",
        "statutory": 5,
        "promised": 0,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("城乡居民基本养老保险参保登记表", "electronic"),
            M("居民身份证", "copy", replace="shared"),
            M("户口簿", "copy", replace="shared"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field(
                "contribution_grade",
                "缴费档次（元/年）",
                "integer",
                enum=[180, 240, 360, 600, 900, 1200, 1800, 3600, 4800],
            ),
            ADDRESS,
            PHONE,
        ),
    },
    {
        "dept": "rsj",
        "type": "GG",
        "main": "00902",
        "sub": "000",
        "name": "就业登记",
        "aliases": "就业登记证,就业失业登记,入职登记,找到工作登记",
        "audience": "both",
        "legal_basis": "《中华人民共和国就业促进法》；《就业服务与就业管理规定》（劳动和社会保障部令第28号）第六十二条",
        "scope": "在大埔县辖区内就业的劳动者及招用劳动者的用人单位",
        "conditions": "劳动者与用人单位建立劳动关系，或从事个体经营、灵活就业。",
        "statutory": 5,
        "promised": 0,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("居民身份证", "copy", replace="shared"),
            M("劳动合同或其他就业证明", "electronic"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("employer", "用人单位", maxLength=100),
            field("employment_date", "就业日期", format="date"),
            field("employment_type", "就业形式", enum=["单位就业", "个体经营", "灵活就业"]),
            PHONE,
        ),
    },
    {
        "dept": "rsj",
        "type": "GG",
        "main": "00903",
        "sub": "000",
        "name": "职工参保登记",
        "aliases": "单位社保开户,员工参保,给员工买社保,职工社保",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国社会保险法》第五十七条、第五十八条；《社会保险费征缴暂行条例》第七条",
        "scope": "大埔县辖区内的用人单位及其职工",
        "conditions": "用人单位应当自用工之日起三十日内为其职工向社会保险经办机构申请办理社会保险登记。",
        "statutory": 15,
        "promised": 1,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("营业执照", "copy", replace="licence"),
            M("参保人员信息表", "electronic"),
            M("职工身份证明", "copy", replace="shared"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field("employee_count", "参保人数", "integer", minimum=1),
            field("start_month", "参保起始日期", format="date"),
            PHONE,
        ),
    },
    # 教育 ---------------------------------------------------------------------------
    {
        "dept": "jyj",
        "type": "XK",
        "main": "01001",
        "sub": "000",
        "name": "民办学校设立审批",
        "aliases": "办学许可,开培训学校,办幼儿园,民办学校,办学许可证",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国民办教育促进法》第十二条、第十七条；《中华人民共和国民办教育促进法实施条例》第十五条",
        "scope": "在大埔县举办实施学前教育、义务教育阶段学历教育和非学历文化教育培训的民办学校",
        "conditions": "1. 举办者具备法定条件；2. 有规范的学校名称、章程和组织机构；3. 有合格的教师和管理人员；"
        "4. 有符合标准的教育教学场所、设施设备；5. 有必备的办学资金和稳定的经费来源。",
        "statutory": 60,
        "promised": 30,
        "depth": 2,
        "visits": 1,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("民办学校正式设立申请书", "original"),
            M("学校章程和首届学校理事会（董事会）成员名单", "original"),
            M("学校资产的有效证明文件", "copy"),
            M("校长、教师、财会人员的资格证明文件", "copy", replace="licence"),
            M("办学场所消防安全检查合格证明", "copy", replace="shared"),
        ],
        "form": schema(
            field("school_name", "学校名称", maxLength=100),
            field("organiser", "举办者", maxLength=100),
            field(
                "school_type", "办学类型", enum=["幼儿园", "小学", "初级中学", "文化教育培训机构"]
            ),
            field("planned_students", "拟招生规模（人）", "integer", minimum=1, maximum=10000),
            field("site_address", "办学地址", maxLength=150),
            PHONE,
        ),
        "process": [
            step("accept", "受理", "accept", "reviewer", 1),
            step("review", "材料审查", "review", "reviewer", 10),
            step("expert", "专家评审和实地考察", "review", "reviewer", 15),
            step("decide", "决定", "decide", "approver", 4),
            step("conclude", "办结发证", "conclude", "reviewer", 0),
        ],
    },
    {
        "dept": "jyj",
        "type": "XK",
        "main": "01002",
        "sub": "000",
        "name": "教师资格认定",
        "aliases": "教师资格证,认定教师资格,当老师,幼师资格证",
        "audience": "person",
        "legal_basis": "《中华人民共和国教师法》第十条至第十三条；《教师资格条例》第十三条；《〈教师资格条例〉实施办法》",
        "scope": "户籍、居住地或学校在大埔县，申请认定幼儿园、小学、初级中学教师资格的人员",
        "conditions": "1. 遵守宪法和法律，热爱教育事业，具有良好的思想品德；2. 具备规定的学历；"
        "3. 中小学教师资格考试合格；4. 普通话水平达到二级乙等以上；5. 体检合格。",
        "statutory": 30,
        "promised": 20,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("教师资格认定申请表", "electronic"),
            M("居民身份证", "copy", replace="shared"),
            M("学历证书", "copy", replace="shared"),
            M("普通话水平测试等级证书", "copy", replace="shared"),
            M("体检合格证明", "original", source="县级以上医院"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("level", "资格种类", enum=["幼儿园", "小学", "初级中学"]),
            field("subject", "任教学科", maxLength=20),
            field("exam_certificate", "考试合格证明编号", maxLength=30),
            PHONE,
        ),
    },
    # 农业农村 ---------------------------------------------------------------------
    {
        "dept": "nyj",
        "type": "XK",
        "main": "01101",
        "sub": "000",
        "name": "动物防疫条件合格证核发",
        "aliases": "动物防疫条件合格证,养猪场审批,养殖场证,屠宰场防疫",
        "audience": "both",
        "legal_basis": "《中华人民共和国动物防疫法》第二十四条、第二十五条；《动物防疫条件审查办法》（农业农村部令2022年第8号）第二十八条",
        "scope": "在大埔县辖区内开办动物饲养场、动物隔离场所、动物屠宰加工场所及动物和动物产品无害化处理场所的单位和个人",
        "conditions": "1. 场所的位置与居民生活区、生活饮用水水源地、学校、医院等公共场所的距离符合规定；"
        "2. 生产经营区域封闭隔离，工程设计和有关流程符合动物防疫要求；3. 有相应的污水、污物、病死动物处理设施设备；"
        "4. 有完善的隔离消毒、购销台账、日常巡查等动物防疫制度。",
        "statutory": 15,
        "promised": 10,
        "depth": 2,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("动物防疫条件审查申请表", "electronic"),
            M("场所地理位置图、各功能区布局平面图", "electronic"),
            M("设施设备清单", "electronic"),
            M("管理制度文本", "electronic"),
            M("人员信息", "electronic"),
        ],
        "form": schema(
            field("unit_name", "单位（场所）名称", maxLength=100),
            field("site_address", "场所地址", maxLength=150),
            field(
                "site_type",
                "场所类型",
                enum=["动物饲养场", "动物隔离场所", "动物屠宰加工场所", "无害化处理场所"],
            ),
            field("species", "动物种类", maxLength=50),
            field("scale", "设计规模（头/只）", "integer", minimum=1),
            PHONE,
        ),
        "process": [
            step("accept", "受理", "accept", "reviewer", 1),
            step("review", "材料审核", "review", "reviewer", 3),
            step("inspect", "现场核查", "review", "reviewer", 4),
            step("decide", "决定", "decide", "approver", 2),
            step("conclude", "办结发证", "conclude", "reviewer", 0),
        ],
    },
    {
        "dept": "nyj",
        "type": "XK",
        "main": "01102",
        "sub": "000",
        "name": "农药经营许可",
        "aliases": "卖农药,农药店,农资店,农药经营许可证",
        "audience": "both",
        "legal_basis": "《农药管理条例》第二十四条、第二十五条；《农药经营许可管理办法》（农业部令2017年第5号）第五条",
        "scope": "在大埔县辖区内经营农药（限制使用农药除外）的单位和个人",
        "conditions": "1. 有具备农学、植保、农药等相关专业中专以上学历或者专业教育培训机构 56 学时以上学习经历的经营人员；"
        "2. 有不少于 30 平方米的营业场所、不少于 50 平方米的仓储场所；3. 有农药经营质量管理制度和岗位操作规程。",
        "statutory": 20,
        "promised": 10,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("农药经营许可证申请表", "electronic"),
            M("法定代表人（负责人）身份证明", "copy", replace="shared"),
            M("经营人员的学历或者培训证明", "copy"),
            M("营业场所和仓储场所地址、面积、平面图等说明材料及照片", "electronic"),
        ],
        "form": schema(
            field("operator", "经营者名称", maxLength=100),
            LEGAL_REP,
            field("shop_area", "营业场所面积（平方米）", "number", minimum=30),
            field("warehouse_area", "仓储场所面积（平方米）", "number", minimum=50),
            PHONE,
        ),
    },
    # 水务 ---------------------------------------------------------------------------
    {
        "dept": "slj",
        "type": "XK",
        "main": "01201",
        "sub": "000",
        "name": "取水许可",
        "aliases": "取水许可证,抽水审批,打井取水,水资源许可",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国水法》第七条、第四十八条；《取水许可和水资源费征收管理条例》第二条、第十九条",
        "scope": "在大埔县辖区内利用取水工程或者设施直接从江河、湖泊或者地下取用水资源的单位和个人",
        "conditions": "1. 符合流域综合规划、水资源配置方案和用水总量控制指标；2. 取水用途和取水量合理；"
        "3. 按规定编制建设项目水资源论证报告；4. 退水符合水功能区管理要求。",
        "statutory": 30,
        "promised": 15,
        "depth": 2,
        "visits": 1,
        "channels": ONLINE_CHANNELS,
        "fees": "许可不收费；取水按规定缴纳水资源税",
        "fee_basis": "《中华人民共和国资源税法》；《扩大水资源税改革试点实施办法》",
        "materials": [
            M("取水许可申请书", "original"),
            M("建设项目水资源论证报告表", "electronic"),
            M("与第三者利害关系的相关说明", "original", required=False),
            M("营业执照", "copy", replace="licence"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field("water_source", "水源类型", enum=["地表水", "地下水"]),
            field("annual_volume", "年取水量（万立方米）", "number", minimum=0.01),
            field("purpose", "取水用途", enum=["生活", "工业", "农业灌溉", "水力发电", "其他"]),
            field("intake_location", "取水地点", maxLength=150),
            PHONE,
        ),
    },
    # 医保 ---------------------------------------------------------------------------
    {
        "dept": "ybj",
        "type": "GG",
        "main": "01301",
        "sub": "000",
        "name": "医保异地就医备案",
        "aliases": "异地就医,外地看病,医保备案,异地医保,跨省就医备案",
        "audience": "person",
        "legal_basis": "《中华人民共和国社会保险法》第二十九条；《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
        "scope": "在大埔县参加基本医疗保险、需要异地长期居住或临时外出就医的参保人员",
        "conditions": "参保状态正常；异地长期居住人员、异地转诊人员或临时外出就医人员。",
        "statutory": 5,
        "promised": 0,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("基本医疗保险参保人员异地就医备案表", "electronic"),
            M("居民身份证或社会保障卡", "copy", replace="shared"),
            M("异地长期居住承诺书", "electronic", required=False, notes="异地长期居住人员提交"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("filing_type", "备案类型", enum=["异地长期居住", "异地转诊", "临时外出就医"]),
            field("destination", "就医地（省市县）", maxLength=50),
            field("start_date", "备案开始日期", format="date"),
            PHONE,
        ),
    },
    {
        "dept": "ybj",
        "type": "GG",
        "main": "01302",
        "sub": "000",
        "name": "城乡居民基本医疗保险参保登记",
        "aliases": "居民医保,农村合作医疗,交医保,新农合,小孩医保",
        "audience": "person",
        "legal_basis": "《中华人民共和国社会保险法》第二十五条；《广东省城乡居民基本医疗保险制度实施意见》",
        "scope": "未参加职工基本医疗保险的大埔县户籍居民及持有居住证的常住人员",
        "conditions": "不属于职工基本医疗保险应参保范围。",
        "statutory": 5,
        "promised": 0,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("城乡居民基本医疗保险参保登记表", "electronic"),
            M("居民身份证或户口簿", "copy", replace="shared"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("category", "参保人员类别", enum=["城乡居民", "在校学生", "未成年人", "老年人"]),
            ADDRESS,
            PHONE,
        ),
    },
    # 文广旅体 ---------------------------------------------------------------------
    {
        "dept": "wglj",
        "type": "BA",
        "main": "01401",
        "sub": "000",
        "name": "艺术品经营单位备案",
        "aliases": "艺术品经营备案,画廊,字画店,古玩店,陶瓷艺术品",
        "audience": "enterprise",
        "legal_basis": "《艺术品经营管理办法》（文化部令第56号）第五条",
        "scope": "在大埔县辖区内从事艺术品收购、销售、租赁、经纪、进出口经营、鉴定、评估等经营活动的单位",
        "conditions": "已取得营业执照，自领取营业执照之日起 15 日内办理备案。",
        "statutory": 15,
        "promised": 1,
        "depth": 3,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "materials": [
            M("艺术品经营单位备案表", "electronic"),
            M("营业执照", "copy", replace="licence"),
            M("法定代表人（负责人）身份证明", "copy", replace="shared"),
            M("经营场所证明", "copy"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            LEGAL_REP,
            field("premises", "经营场所", maxLength=150),
            field(
                "business_type",
                "经营类别",
                enum=["收购、销售、租赁", "经纪", "鉴定、评估", "进出口"],
            ),
            PHONE,
        ),
    },
    {
        "dept": "wglj",
        "type": "XK",
        "main": "01402",
        "sub": "000",
        "name": "娱乐场所经营许可",
        "aliases": "KTV,歌舞厅,卡拉OK,开KTV,娱乐场所许可证",
        "audience": "enterprise",
        "legal_basis": "《娱乐场所管理条例》第九条；《娱乐场所管理办法》（文化和旅游部令第4号）",
        "scope": "在大埔县辖区内以营利为目的向公众开放、消费者自娱自乐的歌舞、游艺等场所",
        "conditions": "1. 场所的位置、面积和设施符合规定；2. 投资人员、从业人员不属于条例禁止的人员；3. 消防安全符合规定。",
        "statutory": 20,
        "promised": 5,
        "depth": 2,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("娱乐场所经营许可申请表", "electronic"),
            M("营业执照", "copy", replace="licence"),
            M("投资人、法定代表人、主要负责人的身份证明及无犯罪记录声明", "copy", replace="shared"),
            M("经营场所地理位置图和场所内部结构平面示意图", "electronic"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field("venue_type", "场所类型", enum=["歌舞娱乐场所", "游艺娱乐场所"]),
            field("floor_area", "使用面积（平方米）", "number", minimum=1),
            field("room_count", "包厢（房间）数", "integer", minimum=0, maximum=500),
            PHONE,
        ),
    },
    # 应急 ---------------------------------------------------------------------------
    {
        "dept": "yjj",
        "type": "BA",
        "main": "01501",
        "sub": "000",
        "name": "生产经营单位生产安全事故应急预案备案",
        "aliases": "应急预案备案,安全预案,应急预案",
        "audience": "enterprise",
        "legal_basis": "《中华人民共和国安全生产法》第八十一条；《生产安全事故应急预案管理办法》（应急管理部令第2号）第二十六条",
        "scope": "大埔县辖区内非煤矿山、危险化学品、烟花爆竹、金属冶炼等生产经营单位及其他应当备案的单位",
        "conditions": "应急预案经评审或者论证并公布实施，自公布之日起 20 个工作日内备案。",
        "statutory": 0,
        "promised": 0,
        "depth": 3,
        "visits": 0,
        "channels": ONLINE_CHANNELS,
        "materials": [
            M("生产经营单位生产安全事故应急预案备案申请表", "electronic"),
            M("应急预案评审意见", "electronic"),
            M("应急预案电子文档", "electronic"),
            M("风险评估结果和应急资源调查清单", "electronic"),
        ],
        "form": schema(
            ENTERPRISE,
            USCC,
            field(
                "industry",
                "行业类别",
                enum=["非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼", "其他"],
            ),
            field("plan_date", "预案公布日期", format="date"),
            PHONE,
        ),
    },
    # 镇街事项 -----------------------------------------------------------------------
    {
        "dept": "huliao",
        "type": "JF",
        "main": "00406",
        "sub": "000",
        "name": "临时救助（湖寮镇）",
        "aliases": "临时救助,急难救助,突发困难补助,救急",
        "audience": "person",
        "legal_basis": "《社会救助暂行办法》第四十七条至第五十条；《广东省临时救助办法》；"
        "《大埔县临时救助审批权限下放乡镇实施办法》",
        "scope": "因火灾、交通事故、突发重大疾病等原因导致基本生活暂时出现严重困难的湖寮镇户籍及常住家庭或个人",
        "conditions": "因意外事件、突发重大疾病等导致基本生活暂时出现严重困难，且家庭经济状况符合规定。",
        "statutory": 15,
        "promised": 5,
        "depth": 2,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "county_wide": True,
        "materials": [
            M("临时救助申请书", "electronic"),
            M("居民身份证", "copy", replace="shared"),
            M("遭遇困难的相关证明材料", "copy", notes="如医疗费用票据、事故证明等"),
            M("家庭经济状况核对授权书", "original"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("village", "所在村（社区）", maxLength=30),
            field(
                "difficulty",
                "困难类型",
                enum=["突发重大疾病", "火灾", "交通事故", "自然灾害", "其他"],
            ),
            field("amount", "申请救助金额（元）", "number", minimum=1, maximum=50000),
            field("description", "困难情况说明", maxLength=500),
            BANK_ACCOUNT,
            PHONE,
        ),
    },
    {
        "dept": "gaobei",
        "type": "JF",
        "main": "00406",
        "sub": "000",
        "name": "临时救助（高陂镇）",
        "aliases": "临时救助,急难救助,突发困难补助,救急",
        "audience": "person",
        "legal_basis": "《社会救助暂行办法》第四十七条至第五十条；《广东省临时救助办法》；"
        "《大埔县临时救助审批权限下放乡镇实施办法》",
        "scope": "因火灾、交通事故、突发重大疾病等原因导致基本生活暂时出现严重困难的高陂镇户籍及常住家庭或个人",
        "conditions": "因意外事件、突发重大疾病等导致基本生活暂时出现严重困难，且家庭经济状况符合规定。",
        "statutory": 15,
        "promised": 5,
        "depth": 2,
        "visits": 0,
        "channels": ALL_CHANNELS,
        "county_wide": True,
        "materials": [
            M("临时救助申请书", "electronic"),
            M("居民身份证", "copy", replace="shared"),
            M("遭遇困难的相关证明材料", "copy", notes="如医疗费用票据、事故证明等"),
            M("家庭经济状况核对授权书", "original"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("village", "所在村（社区）", maxLength=30),
            field(
                "difficulty",
                "困难类型",
                enum=["突发重大疾病", "火灾", "交通事故", "自然灾害", "其他"],
            ),
            field("amount", "申请救助金额（元）", "number", minimum=1, maximum=50000),
            field("description", "困难情况说明", maxLength=500),
            BANK_ACCOUNT,
            PHONE,
        ),
    },
    {
        "dept": "gaobei",
        "type": "XK",
        "main": "01601",
        "sub": "000",
        "name": "农村宅基地用地审批",
        "aliases": "宅基地审批,农村建房,起房子,盖房子审批,宅基地",
        "audience": "person",
        "legal_basis": "《中华人民共和国土地管理法》第六十二条；《农业农村部 自然资源部关于规范农村宅基地审批管理的通知》（农经发〔2019〕6号）",
        "scope": "高陂镇辖区内符合宅基地申请条件的农村村民（以户为单位）",
        "conditions": "1. 农村村民一户只能拥有一处宅基地；2. 符合国土空间规划和村庄规划；3. 面积不超过广东省规定标准；"
        "4. 经村民小组会议讨论通过并在村内公示。",
        "procedure": [
            {"name": "申请", "description": "农户向村民小组提出申请，村民小组会议讨论通过并公示"},
            {"name": "村级审查", "description": "村集体经济组织或村民委员会审查"},
            {"name": "受理", "description": "高陂镇便民服务中心统一受理"},
            {
                "name": "联合审查",
                "description": "镇农业农村办、自然资源所实地审查；县自然资源局出具规划意见",
            },
            {
                "name": "审批",
                "description": "镇人民政府审批，核发农村宅基地批准书和乡村建设规划许可证",
            },
            {"name": "放样验收", "description": "开工前实地放样，竣工后验收"},
        ],
        "statutory": 20,
        "promised": 15,
        "depth": 2,
        "visits": 2,
        "channels": ["PC端", "窗口"],
        "county_wide": False,
        "materials": [
            M("农村宅基地和建房（规划许可）申请表", "original"),
            M("农村宅基地使用承诺书", "original"),
            M("村民小组会议记录及公示材料", "copy"),
            M("申请人居民身份证", "copy", replace="shared"),
            M("户口簿", "copy", replace="shared"),
            M("建房设计图或通用图", "electronic"),
        ],
        "form": schema(
            NAME,
            ID_NUMBER,
            field("village", "所在村", maxLength=30),
            field("household_size", "家庭人口", "integer", minimum=1, maximum=30),
            field("land_area", "申请宅基地面积（平方米）", "number", minimum=1, maximum=150),
            field("floor_count", "拟建层数", "integer", minimum=1, maximum=4),
            field("build_type", "建房类型", enum=["原址翻建", "改扩建", "新建"]),
            PHONE,
        ),
        "process": [
            step("accept", "受理", "accept", "reviewer", 1),
            step("site_review", "实地审查", "review", "reviewer", 5),
            step("planning", "县自然资源局规划意见", "review", "reviewer", 5, department="zrzyj"),
            step("decide", "镇政府审批", "decide", "approver", 4),
            step("conclude", "办结", "conclude", "reviewer", 0),
        ],
    },
]


# --- loading ------------------------------------------------------------------------


def _procedure(spec: dict) -> list[dict]:
    if "procedure" in spec:
        return spec["procedure"]
    decide = {
        "XK": (
            "决定",
            "作出准予或不予许可的书面决定；不予许可的说明理由，并告知申请行政复议或提起行政诉讼的权利",
        ),
        "QR": ("确认", "作出登记（确认）决定"),
        "JF": ("审批", "作出给付决定并按规定发放"),
        "GG": ("办理", "办理并告知结果"),
        "BA": ("备案", "材料齐全的予以备案并出具备案证明"),
        "QT": ("决定", "作出处理决定"),
    }[spec["type"]]
    apply = (
        "通过广东政务服务网、粤省事/粤商通或到窗口提交申请"
        if spec.get("depth", 3) > 1
        else "本人携带材料到窗口提交申请"
    )
    return [
        {"name": "申请", "description": apply},
        {
            "name": "受理",
            "description": "材料齐全、符合法定形式的予以受理；不齐全的一次性告知需要补正的全部内容",
        },
        {"name": "审查", "description": "对申请材料进行审查，必要时核实有关情况"},
        {"name": decide[0], "description": decide[1]},
        {
            "name": "送达",
            "description": "结果可在线查看、电子证照自动归集证照夹，或窗口领取、免费邮寄",
        },
    ]


def _location(spec: dict) -> str:
    if "location" in spec:
        return spec["location"]
    town = TOWN_OF_DEPT.get(spec["dept"])
    if town is not None:
        hall = org_data.HALLS[spec["dept"]]
        return f"{hall['name']}（{hall['address']}）综合受理窗口；{hall['opening_hours']}"
    hall = org_data.HALLS["county"]
    return f"{hall['name']}（{hall['address']}）1-6 号综合受理窗口；{hall['opening_hours']}"


def _fields(spec: dict, departments: dict, regions: dict) -> dict:
    dept_spec = org_data.DEPARTMENTS[spec["dept"]]
    department = departments[dept_spec["uscc"]]
    region = regions[dept_spec["region"]]
    competent = spec.get("competent")
    if competent is None and spec["dept"] in TOWN_OF_DEPT and spec["type"] == "JF":
        competent = "mzj"
    return {
        "name": spec["name"],
        "aliases": spec.get("aliases", ""),
        "item_type": spec["type"],
        "main_number": spec["main"],
        "sub_number": spec.get("sub", "000"),
        "handling_kind": spec.get("kind", "new"),
        "department": department,
        "competent_department": (
            departments[org_data.DEPARTMENTS[competent]["uscc"]] if competent else department
        ),
        "region": region,
        "legal_basis": spec["legal_basis"],
        "audience": spec.get("audience", "person"),
        "scope": spec.get("scope", ""),
        "conditions": spec.get("conditions", ""),
        "procedure": _procedure(spec),
        "statutory_limit": spec["statutory"],
        "promised_limit": spec["promised"],
        "fees": spec.get("fees", "不收费"),
        "fee_basis": spec.get("fee_basis", ""),
        "online_depth": spec.get("depth", 3),
        "visits": spec.get("visits", 0),
        "consult_phone": dept_spec["phone"],
        "complaint_phone": COMPLAINT,
        "location": _location(spec),
        "channels": spec.get("channels", ALL_CHANNELS),
        "county_wide": spec.get("county_wide", True),
        "cross_region": spec.get("cross_region", False),
        "form_schema": spec.get("form", {}),
        "downloads": spec.get("downloads", []),
    }


def implementation_code(spec: dict) -> str:
    dept_spec = org_data.DEPARTMENTS[spec["dept"]]
    region_code = dept_spec["region"]
    level = "5" if len(region_code) > 6 else "4"
    return derive_code(
        type_code=spec["type"],
        main_number=spec["main"],
        sub_number=spec.get("sub", "000"),
        level_code=level,
        region_code=region_code,
        uscc=dept_spec["uscc"],
        node_level="handling",
        handling_kind=spec.get("kind", "new"),
    )


def load_items(actor) -> int:
    """Create and publish the demo items that do not exist yet; returns how many were created."""
    for code, name in ITEM_TYPES:
        actions.ensure_item_type(actor=actor, code=code, name=name)
    departments = {d.uscc: d for d in Department.objects.select_related("region")}
    wanted_regions = {spec["region"] for spec in org_data.DEPARTMENTS.values()}
    regions = {r.code: r for r in Region.objects.filter(code__in=wanted_regions)}
    existing = {
        item.implementation_code
        for item in ServiceItem.objects.select_related("item_type", "department", "region")
    }
    created = 0
    for spec in ITEMS:
        if implementation_code(spec) in existing:
            continue
        with transaction.atomic():
            item = actions.create_item(actor=actor, **_fields(spec, departments, regions))
            actions.set_materials(actor=actor, item=item, materials=spec["materials"])
            actions.set_process(
                actor=actor, item=item, steps=spec.get("process") or default_process(item)
            )
            actions.publish_item(actor=actor, item=item)
        created += 1
    return created


def published_count() -> int:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count()
