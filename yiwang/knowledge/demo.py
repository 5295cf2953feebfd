"""Demo knowledge base of 大埔县: categories, ~20 FAQ articles and a Hakka glossary.

Loaded through ``knowledge.actions``; idempotent (categories by name and parent,
articles by title, glossary terms by term and dialect). Articles are linked to the demo
service items (``yiwang/demo/items.py``) by name where one fits. Everything here is
data, in Chinese.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from yiwang.catalog.models import ServiceItem
from yiwang.demo import orgs as org_data

from . import actions
from .models import Article, GlossaryTerm, KnowledgeCategory

COUNTY_HALL = org_data.HALLS["county"]

# (name, parent name or None, position)
CATEGORIES = [
    ("市场准入与经营", None, 10),
    ("社会保障", None, 20),
    ("医疗保障", "社会保障", 21),
    ("户籍与婚育", None, 30),
    ("住房与建设", None, 40),
    ("城市管理与公用事业", None, 50),
    ("投诉举报", None, 60),
    ("办事指引", None, 70),
]

ARTICLES = [
    {
        "title": "开饭店需要办哪些证？",
        "question": "我想在湖寮开个饭店（小吃店、奶茶店），要办什么证？",
        "category": "市场准入与经营",
        "aliases": "开饭店 开餐馆 开小吃店 开奶茶店 餐饮店 办证",
        "items": ["个体工商户设立登记", "食品经营许可（新办）"],
        "answer": (
            "开办餐饮店一般需要办理以下证照：\n"
            "1. 营业执照：个体经营办理**个体工商户设立登记**，开公司办理有限责任公司设立登记；\n"
            "2. **食品经营许可证**：取得营业执照后，向县市场监督管理局申请食品经营许可（新办）；\n"
            "3. 从业人员健康证明：接触直接入口食品的从业人员须持有效健康证明。\n\n"
            "营业执照和食品经营许可均可在广东政务服务网、粤商通全程网办，也可到"
            f"{COUNTY_HALL['name']}综合受理窗口办理，不收费。"
            "如经营场所面积较大或设有包厢，还应留意消防安全要求。"
        ),
    },
    {
        "title": "开公司要办哪些手续？",
        "question": "注册一家有限公司要怎么办？",
        "category": "市场准入与经营",
        "aliases": "开公司 注册公司 办营业执照 公司注册",
        "items": ["有限责任公司设立登记"],
        "answer": (
            "开办企业实行“一网通办”：在广东政务服务网“开办企业一网通”一次填报，"
            "可同时办理营业执照、公章刻制、申领发票和税控设备、员工参保登记、住房公积金企业缴存登记。\n\n"
            "需要准备：公司章程、股东和法定代表人身份证明、住所使用证明。"
            "材料齐全的，一般 1 个工作日内办结。"
        ),
    },
    {
        "title": "社保卡丢了怎么办？",
        "question": "社保卡（社会保障卡）不见了，怎么挂失补办？",
        "category": "社会保障",
        "aliases": "社保卡丢失 社保卡挂失 补办社保卡 社会保障卡",
        "items": [],
        "answer": (
            "1. 先挂失：通过“粤省事”小程序、拨打 12333 人社服务热线，或到社保卡合作银行网点办理挂失，"
            "防止被他人冒用；\n"
            "2. 再补办：本人持居民身份证到县人力资源和社会保障局服务窗口或合作银行网点申请补卡，"
            "部分网点可即时制卡；\n"
            "3. 补卡期间可在“粤省事”申领电子社保卡，看病、购药可用电子社保卡扫码。\n\n"
            "补卡后原卡作废，医保个人账户余额会自动转入新卡。"
        ),
    },
    {
        "title": "城乡居民养老保险怎么参保？",
        "question": "农村老人没有单位，怎么买养老保险？",
        "category": "社会保障",
        "aliases": "城乡居民养老保险 农村养老保险 买社保 交养老保险",
        "items": ["城乡居民基本养老保险参保登记"],
        "answer": (
            "年满 16 周岁（不含在校学生）、未参加职工基本养老保险的城乡居民，可在户籍所在地参加城乡居民基本养老保险。\n\n"
            "办理方式：本人持居民身份证到户籍所在镇便民服务中心或村（社区）代办点办理，"
            "也可通过“粤省事”网上参保。缴费档次可自愿选择，多缴多得；年满 60 周岁按月领取养老金。"
        ),
    },
    {
        "title": "医保异地就医怎么备案？",
        "question": "去外地（广州、深圳）看病，医保怎么报销？",
        "category": "医疗保障",
        "aliases": "异地就医 外地看病 医保备案 异地医保 跨省就医",
        "items": ["医保异地就医备案"],
        "answer": (
            "到市外住院或长期在外地居住、工作的参保人，就医前先办理异地就医备案，之后在备案地的定点医院可直接结算。\n\n"
            "办理渠道：\n"
            "- 国家医保服务平台 App、“粤医保”小程序或“粤省事”网上备案，即时办结；\n"
            "- 到县医疗保障局窗口办理。\n\n"
            "急诊抢救未备案的，可在出院后补办备案或回参保地手工报销。咨询医保政策可拨打 12393。"
        ),
    },
    {
        "title": "城乡居民医保怎么参保缴费？",
        "question": "小孩、老人没有单位，看病的医保怎么交？",
        "category": "医疗保障",
        "aliases": "居民医保 交医保 新农合 医保缴费 看病报销",
        "items": ["城乡居民基本医疗保险参保登记"],
        "answer": (
            "未参加职工医保的城乡居民（含学生、儿童、灵活就业人员）可参加城乡居民基本医疗保险。\n\n"
            "每年集中缴费期内通过“粤税通”、“粤省事”或银行网点缴费；新生儿在出生后 3 个月内参保缴费的，"
            "自出生之日起享受待遇。参保后到定点医院看病，凭医保电子凭证或社保卡直接结算。"
        ),
    },
    {
        "title": "家里困难怎么申请低保？",
        "question": "家庭收入很低，可以申请最低生活保障吗？",
        "category": "社会保障",
        "aliases": "低保 最低生活保障 困难家庭 申请低保",
        "items": ["最低生活保障审批", "最低生活保障审批（高陂镇受理）"],
        "answer": (
            "共同生活的家庭成员人均收入低于当地低保标准、且家庭财产符合规定的，可以申请最低生活保障。\n\n"
            "由户主或其代理人向户籍所在地镇人民政府（便民服务中心）提出申请，也可通过村（社区）代办。"
            "经入户调查、民主评议和公示后，由县民政局确认，按月发放低保金。"
        ),
    },
    {
        "title": "家里遇到急难可以申请临时救助吗？",
        "question": "突发大病、火灾，生活一时困难，政府能帮忙吗？",
        "category": "社会保障",
        "aliases": "临时救助 急难救助 生活困难 突发困难",
        "items": ["临时救助（湖寮镇）", "临时救助（高陂镇）"],
        "answer": (
            "因火灾、交通事故、突发重大疾病等原因导致基本生活暂时出现严重困难的家庭或个人，"
            "可向所在镇人民政府申请临时救助；情况紧急的可先行救助、后补手续。\n\n"
            "可拨打 12345 或联系村（社区）干部反映情况。"
        ),
    },
    {
        "title": "残疾人证怎么办理？",
        "question": "家里老人行动不便，能办残疾证吗？",
        "category": "社会保障",
        "aliases": "残疾证 残疾人证 办残疾证 残疾评定",
        "items": ["残疾人证申领"],
        "answer": (
            "本人（或监护人）持居民身份证、户口簿和近期免冠照片，向县残疾人联合会或镇便民服务中心提出申请，"
            "到指定医院进行残疾评定，评定符合标准的核发第三代智能化残疾人证。\n\n"
            "持证后可按规定申请困难残疾人生活补贴和重度残疾人护理补贴。"
        ),
    },
    {
        "title": "高龄老人津贴怎么领？",
        "question": "家里老人满 80 岁，有高龄津贴吗？",
        "category": "社会保障",
        "aliases": "高龄津贴 老人补贴 长寿金 80岁补贴",
        "items": ["高龄老人津贴申领"],
        "answer": (
            "具有本县户籍、年满 80 周岁的老年人，可申领高龄老人津贴，按月发放。\n\n"
            "由老人或家属持居民身份证、户口簿和银行账户到户籍所在镇便民服务中心申请，"
            "也可在“粤省事”网上办理。"
        ),
    },
    {
        "title": "结婚登记要带什么材料？",
        "question": "准备结婚（讨老婆），领结婚证要带什么？",
        "category": "户籍与婚育",
        "aliases": "结婚 领证 结婚证 结婚登记",
        "items": ["结婚登记"],
        "answer": (
            "男女双方须亲自到婚姻登记机关办理，各自携带：\n"
            "- 本人有效居民身份证；\n"
            "- 近期半身免冠合影照片。\n\n"
            "结婚登记已实行“全国通办”，不再需要户口簿；可在“粤省事”预约办理时间。"
            "登记免费，当场发证。"
        ),
    },
    {
        "title": "小孩出生后怎么上户口？",
        "question": "生了小孩，去哪里报户口？",
        "category": "户籍与婚育",
        "aliases": "上户口 报户口 新生儿落户 出生登记",
        "items": ["出生登记"],
        "answer": (
            "婴儿出生后一个月内，由监护人持《出生医学证明》、父母的居民身份证和户口簿，"
            "到父亲或母亲户籍所在地派出所办理出生登记，也可通过“粤省事”“出生一件事”网上申请。"
        ),
    },
    {
        "title": "身份证丢了怎么补办？",
        "question": "身份证不见了（过期了），怎么补办、换领？",
        "category": "户籍与婚育",
        "aliases": "补身份证 身份证丢失 身份证过期 换身份证",
        "items": ["居民身份证申领"],
        "answer": (
            "本人到县内任一公安派出所户籍窗口或县政务服务中心公安窗口办理，现场采集照片和指纹。"
            "补领、换领均可办理临时居民身份证应急使用。\n\n"
            "丢失后请尽快挂失，防止被冒用。"
        ),
    },
    {
        "title": "农村自建房要办哪些手续？",
        "question": "在村里建房、翻新旧房，要先审批吗？",
        "category": "住房与建设",
        "aliases": "农村建房 自建房 盖房子 宅基地 建房审批",
        "items": ["农村宅基地用地审批"],
        "answer": (
            "农村村民建住宅须先申请，批准后才能动工：\n"
            "1. 向村民小组提出宅基地和建房申请，经村民小组会议讨论并公示；\n"
            "2. 村集体经济组织或村民委员会审查后报镇人民政府；\n"
            "3. 镇便民服务中心受理，自然资源、农业农村等部门联合审查，"
            "核发农村宅基地批准书和乡村建设规划许可证；\n"
            "4. 开工前实地放样，竣工后申请验收。\n\n"
            "**一户只能拥有一处宅基地**，未批先建属于违法建设。"
        ),
    },
    {
        "title": "买了二手房怎么办理过户？",
        "question": "房产证（不动产权证书）怎么过户到自己名下？",
        "category": "住房与建设",
        "aliases": "房产过户 二手房过户 房产证 不动产权证书 红本",
        "items": ["不动产登记（国有建设用地使用权及房屋所有权转移登记）"],
        "answer": (
            "买卖双方签订存量房买卖合同后，携带身份证明、不动产权证书、买卖合同和完税凭证，"
            "到县不动产登记窗口共同申请转移登记，实行“交易、缴税、登记”一窗受理。"
            "符合条件的，可领取电子不动产权证书。"
        ),
    },
    {
        "title": "违章建筑怎么举报？",
        "question": "邻居乱搭乱建、违法建设，向哪个部门举报？",
        "category": "投诉举报",
        "aliases": "违章建筑 违建 乱搭乱建 违法建设 举报违建",
        "items": [],
        "answer": (
            "可拨打 12345 政务服务便民热线或通过“粤省心”小程序举报，请说明具体地址、建设情况，最好附照片。\n\n"
            "城镇规划区内的违法建设由县住房和城乡建设局（城市管理）依法处理；农村违法占地建房由镇人民政府、"
            "县自然资源局和县农业农村局依职责查处。举报人信息依法保密。"
        ),
    },
    {
        "title": "噪音扰民怎么投诉？",
        "question": "晚上楼下KTV、工地施工很吵，影响休息，找谁？",
        "category": "投诉举报",
        "aliases": "噪音 噪声 扰民 太吵 施工噪音 广场舞",
        "items": [],
        "answer": (
            "- 正在发生的社会生活噪声（娱乐场所、邻里、广场舞等）影响休息的，可直接拨打 110；\n"
            "- 夜间（22 时至次日 6 时）违规施工噪声，可拨打 12345，由住建部门依法处理；\n"
            "- 工业企业噪声，由生态环境部门处理。\n\n"
            "不清楚归哪个部门管的，一律可以拨打 12345，热线会派给责任部门并回访处理结果。"
        ),
    },
    {
        "title": "停水了找谁？",
        "question": "家里没水（停水），水管爆了向哪里反映？",
        "category": "城市管理与公用事业",
        "aliases": "停水 没水 水管爆裂 水压低 自来水",
        "items": [],
        "answer": (
            "1. 先看小区公告、供水企业公众号是否发布了计划停水通知；\n"
            "2. 拨打水费单上的供水企业服务热线报修；\n"
            "3. 长时间停水、无人处理或路面水管爆裂的，可拨打 12345，由热线派单给供水企业和县水务局处理。"
        ),
    },
    {
        "title": "路灯坏了找哪个部门？",
        "question": "街上路灯不亮、电灯杆倒了，向哪里报修？",
        "category": "城市管理与公用事业",
        "aliases": "路灯不亮 路灯坏了 路灯报修 街灯",
        "items": [],
        "answer": (
            "县城道路的路灯由县住房和城乡建设局（城市照明管理）负责维护；镇区和村道路灯由所在镇人民政府或村（社区）负责。\n\n"
            "拨打 12345 或在“粤省心”小程序上报，说明路名和附近门牌或电线杆编号，热线会派单给责任单位。"
        ),
    },
    {
        "title": "垃圾没人清运怎么办？",
        "question": "小区、村口的垃圾堆了几天没人收，找谁？",
        "category": "城市管理与公用事业",
        "aliases": "垃圾 垃圾清运 环境卫生 垃圾堆积",
        "items": [],
        "answer": (
            "县城区域的生活垃圾清运由环卫部门负责，农村由镇人民政府组织清运。"
            "可拨打 12345 或通过“粤省心”上报具体位置并附照片，热线派单后会在时限内处理并回访。"
        ),
    },
    {
        "title": "县政务服务中心在哪里？几点上班？",
        "question": "去哪里办事，政务服务中心的地址和办公时间？",
        "category": "办事指引",
        "aliases": "政务服务中心 办事大厅 行政服务中心 上班时间 办公时间",
        "items": [],
        "answer": (
            f"{COUNTY_HALL['name']}地址：{COUNTY_HALL['address']}。\n"
            f"办公时间：{COUNTY_HALL['opening_hours']}。\n"
            f"咨询电话：{COUNTY_HALL['phone']}。\n\n"
            "各镇设有便民服务中心，很多事项可以就近办理或在广东政务服务网、粤省事网上办理。"
        ),
    },
    {
        "title": "来电人情绪激动时怎么应答？",
        "question": "（话务员内部）来电人情绪激动、辱骂时的应答口径",
        "category": "办事指引",
        "aliases": "情绪激动 辱骂 投诉升级 应答口径",
        "items": [],
        "public": False,
        "answer": (
            "1. 保持语气平和，先倾听，不打断、不争辩；\n"
            "2. 复述诉求，确认地址、时间和联系方式；\n"
            "3. 告知处理流程和办理时限，不作超出职责的承诺；\n"
            "4. 持续辱骂的，按规定提示后可结束通话，并在工单中如实记录。"
        ),
    },
    {
        "title": "2025年度城乡居民医保集中缴费期是什么时候？",
        "question": "今年的居民医保什么时候交？",
        "category": "医疗保障",
        "aliases": "医保缴费时间 集中缴费期",
        "items": ["城乡居民基本医疗保险参保登记"],
        "valid_until": datetime.date(2025, 12, 31),
        "answer": "2025 年度城乡居民医保集中缴费期已结束，请查看下一年度的缴费通知。",
    },
]

# (term, standard words, dialect, note). Only terms we are sure of; see the commented
# entries below for ones left out until a local speaker confirms them.
GLOSSARY = [
    ("起屋", "建房 盖房", "客家话", "建房子，也说“做屋”"),
    ("屋下", "家里", "客家话", "家、家里"),
    ("讨老婆", "结婚 娶妻", "客家话", "娶妻成家"),
    ("细人仔", "小孩 儿童", "客家话", "小孩子"),
    ("细妹仔", "女孩 小孩", "客家话", "小女孩"),
    ("细孻仔", "男孩 小孩", "客家话", "小男孩；孻子 = 儿子"),
    ("阿公", "爷爷 老人", "客家话", "祖父，也泛称老年男子"),
    ("阿婆", "奶奶 老人", "客家话", "祖母，也泛称老年妇女"),
    ("后生", "年轻人", "客家话", "年轻人；粤语同"),
    ("食饭", "吃饭", "客家话", ""),
    ("冇水", "停水 没水", "客家话", "冇 = 没有；粤语同"),
    ("电火", "电灯", "客家话", "电灯、灯"),
    ("今晡日", "今天", "客家话", ""),
    ("天光日", "明天", "客家话", ""),
    ("睡目", "睡觉", "客家话", ""),
    ("麼个", "什么", "客家话", "也写作“乜个”"),
    ("乜嘢", "什么", "粤语", "粤语说法，来电人常用"),
    ("睇病", "看病 就医", "粤语", "睇 = 看；粤语常用，客家话一般说“看病”"),
    ("嘈", "吵 噪音", "粤语", "好嘈 = 很吵"),
    # Uncertain, left out until confirmed by a 大埔 speaker:
    # ("生理", "生意", "客家话", "做生理 = 做生意 (also 闽南语)"),
    # ("做屋", "建房", "客家话", "variant of 起屋"),
]


def _categories(actor) -> dict[str, KnowledgeCategory]:
    existing = {(c.name, c.parent_id): c for c in KnowledgeCategory.objects.all()}
    by_name: dict[str, KnowledgeCategory] = {}
    for name, parent_name, position in CATEGORIES:
        parent = by_name.get(parent_name) if parent_name else None
        key = (name, parent.pk if parent else None)
        category = existing.get(key)
        if category is None:
            category = actions.create_category(
                actor=actor, name=name, parent=parent, position=position
            )
        by_name[name] = category
    return by_name


def load_knowledge(actor) -> int:
    """Create what is missing; returns the number of articles and terms created."""
    created = 0
    with transaction.atomic():
        categories = _categories(actor)
        existing_terms = set(GlossaryTerm.objects.values_list("term", "dialect"))
        for term, standard, dialect, note in GLOSSARY:
            if (term, dialect) in existing_terms:
                continue
            actions.add_glossary_term(
                actor=actor, term=term, standard=standard, dialect=dialect, note=note
            )
            created += 1
    items = dict(ServiceItem.objects.published().values_list("name", "pk"))
    titles = set(Article.objects.values_list("title", flat=True))
    for spec in ARTICLES:
        if spec["title"] in titles:
            continue
        with transaction.atomic():
            article = actions.create_article(
                actor=actor,
                title=spec["title"],
                question=spec["question"],
                answer=spec["answer"],
                category=categories[spec["category"]],
                aliases=spec["aliases"],
                service_items=[items[n] for n in spec["items"] if n in items],
                valid_from=spec.get("valid_from"),
                valid_until=spec.get("valid_until"),
                public=spec.get("public", True),
            )
            if not article.expired:
                actions.publish_article(actor=actor, article=article)
            created += 1
    return created


__all__ = ["ARTICLES", "GLOSSARY", "load_knowledge"]
