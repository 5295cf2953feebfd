import pytest

from yiwang.search import api

# Realistic 大埔县 service items (guide text abridged).
DOCUMENTS = [
    {
        "key": "spjyxk",
        "title": "食品经营许可",
        "aliases": "开饭店 开餐馆 餐饮店 食品经营许可证",
        "text": "从事食品销售和餐饮服务活动的，应当依法取得食品经营许可。申请人向大埔县市场监督管理局提交"
        "食品经营许可申请书、营业执照复印件、与食品经营相适应的经营场所平面图和主要设备设施清单。",
        "url": "/services/spjyxk/",
    },
    {
        "key": "gtgshdj",
        "title": "个体工商户设立登记",
        "aliases": "开店 办营业执照 个体户注册",
        "text": "有经营能力的公民申请设立个体工商户，向经营场所所在地登记机关申请设立登记，"
        "提交经营者身份证明、经营场所证明，核准后领取营业执照。",
        "url": "/services/gtgshdj/",
    },
    {
        "key": "jhdj",
        "title": "结婚登记",
        "aliases": "领结婚证 婚姻登记",
        "text": "内地居民结婚，男女双方应当共同到一方当事人常住户口所在地的婚姻登记机关办理结婚登记，"
        "提交本人的户口簿、身份证和本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明。",
        "url": "/services/jhdj/",
    },
    {
        "key": "dbsq",
        "title": "最低生活保障",
        "aliases": "低保申请 低保审核确认",
        "text": "共同生活的家庭成员人均收入低于当地最低生活保障标准，且财产状况符合规定的，"
        "可以向户籍所在地镇人民政府（街道办事处）申请最低生活保障。",
        "url": "/services/dbsq/",
    },
    {
        "key": "bdcdj",
        "title": "不动产登记",
        "aliases": "不动产首次登记 不动产转移登记 不动产权证书补发",
        "text": "房屋、土地等不动产的首次登记、转移登记、变更登记、抵押登记，由大埔县自然资源局"
        "不动产登记中心受理，登簿后颁发不动产权证书。",
        "url": "/services/bdcdj/",
    },
    {
        "key": "csdj",
        "title": "出生登记",
        "aliases": "新生儿入户 新生儿落户",
        "text": "婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居凭出生医学证明向婴儿常住地户口登记机关"
        "申报出生登记。",
        "url": "/services/csdj/",
    },
    {
        "key": "ydjyba",
        "title": "医保异地就医备案",
        "aliases": "异地就医登记 跨省就医备案",
        "text": "参保人员因异地长期居住、临时外出就医等需要在参保地以外就医的，可通过粤医保、"
        "国家医保服务平台或窗口办理异地就医备案，备案后可直接结算医疗费用。",
        "url": "/services/ydjyba/",
    },
    {
        "key": "zjdsp",
        "title": "农村宅基地用地审批",
        "aliases": "农村建房审批 宅基地申请",
        "text": "农村村民申请宅基地建房，向村民小组提出申请，经村民委员会审查后报镇人民政府审批，"
        "涉及农用地转用的依法办理农用地转用审批手续，并申请乡村建设规划许可证。",
        "url": "/services/zjdsp/",
    },
]


@pytest.fixture
def catalogue(db):
    for doc in DOCUMENTS:
        api.index_document("item", **doc)
    return DOCUMENTS
