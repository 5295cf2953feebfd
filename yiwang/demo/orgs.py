"""Demo departments (keys shared by every demo module), halls and windows.

The unified social credit codes are fictitious but valid: 1 (机构编制) + 1 (机关; 3 for
the 残联, a 群团组织) + 441422 + a GB 11714 organisation code with its check
character + the GB 32100 check character. They were generated with
``yiwang.demo.codes.make_uscc`` and are stored as literals.
"""

COUNTY_CODE = "441422"
HULIAO = "441422100"
GAOBEI = "441422103"
CHAYANG = "441422102"

DEPARTMENTS = {
    "scj": {
        "name": "大埔县市场监督管理局",
        "short_name": "县市场监管局",
        "uscc": "1144142200691599XJ",
        "region": COUNTY_CODE,
        "phone": "0753-5522315",
        "address": "大埔县湖寮镇同仁路8号",
    },
    "mzj": {
        "name": "大埔县民政局",
        "short_name": "县民政局",
        "uscc": "11441422006974375B",
        "region": COUNTY_CODE,
        "phone": "0753-5522163",
        "address": "大埔县湖寮镇文化路12号",
    },
    "gaj": {
        "name": "大埔县公安局",
        "short_name": "县公安局",
        "uscc": "11441422006925047X",
        "region": COUNTY_CODE,
        "phone": "0753-5522110",
        "address": "大埔县湖寮镇环城路66号",
    },
    "zrzyj": {
        "name": "大埔县自然资源局",
        "short_name": "县自然资源局",
        "uscc": "11441422006996515E",
        "region": COUNTY_CODE,
        "phone": "0753-5522427",
        "address": "大埔县湖寮镇同仁路20号",
    },
    "zjj": {
        "name": "大埔县住房和城乡建设局",
        "short_name": "县住建局",
        "uscc": "114414220069061455",
        "region": COUNTY_CODE,
        "phone": "0753-5522278",
        "address": "大埔县湖寮镇城东大道18号",
    },
    "jtj": {
        "name": "大埔县交通运输局",
        "short_name": "县交通运输局",
        "uscc": "11441422006998756F",
        "region": COUNTY_CODE,
        "phone": "0753-5522354",
        "address": "大埔县湖寮镇虎山路9号",
    },
    "wjj": {
        "name": "大埔县卫生健康局",
        "short_name": "县卫健局",
        "uscc": "114414220069966620",
        "region": COUNTY_CODE,
        "phone": "0753-5522380",
        "address": "大埔县湖寮镇文化路30号",
    },
    "rsj": {
        "name": "大埔县人力资源和社会保障局",
        "short_name": "县人社局",
        "uscc": "11441422006918269F",
        "region": COUNTY_CODE,
        "phone": "0753-5522333",
        "address": "大埔县湖寮镇同仁路36号",
    },
    "jyj": {
        "name": "大埔县教育局",
        "short_name": "县教育局",
        "uscc": "11441422006925645R",
        "region": COUNTY_CODE,
        "phone": "0753-5522291",
        "address": "大埔县湖寮镇文化路2号",
    },
    "cl": {
        "name": "大埔县残疾人联合会",
        "short_name": "县残联",
        "uscc": "13441422006929750P",
        "region": COUNTY_CODE,
        "phone": "0753-5526520",
        "address": "大埔县湖寮镇同仁路42号",
    },
    "nyj": {
        "name": "大埔县农业农村局",
        "short_name": "县农业农村局",
        "uscc": "11441422006973815A",
        "region": COUNTY_CODE,
        "phone": "0753-5522246",
        "address": "大埔县湖寮镇环城路28号",
    },
    "slj": {
        "name": "大埔县水务局",
        "short_name": "县水务局",
        "uscc": "11441422006919595E",
        "region": COUNTY_CODE,
        "phone": "0753-5522265",
        "address": "大埔县湖寮镇河滨路5号",
    },
    "ybj": {
        "name": "大埔县医疗保障局",
        "short_name": "县医保局",
        "uscc": "11441422006949997J",
        "region": COUNTY_CODE,
        "phone": "0753-5528630",
        "address": "大埔县湖寮镇同仁路50号",
    },
    "wglj": {
        "name": "大埔县文化广电旅游体育局",
        "short_name": "县文广旅体局",
        "uscc": "11441422006900878X",
        "region": COUNTY_CODE,
        "phone": "0753-5522218",
        "address": "大埔县湖寮镇文化路16号",
    },
    "yjj": {
        "name": "大埔县应急管理局",
        "short_name": "县应急管理局",
        "uscc": "11441422006910232W",
        "region": COUNTY_CODE,
        "phone": "0753-5528350",
        "address": "大埔县湖寮镇虎山路21号",
    },
    "sjj": {
        "name": "大埔县政务服务数据管理局",
        "short_name": "县政数局",
        "uscc": "11441422006978077D",
        "region": COUNTY_CODE,
        "phone": "0753-5528012",
        "address": "大埔县湖寮镇同仁路1号县政务服务中心",
    },
    "huliao": {
        "name": "大埔县湖寮镇人民政府",
        "short_name": "湖寮镇政府",
        "uscc": "114414220069311722",
        "region": HULIAO,
        "phone": "0753-5522501",
        "address": "大埔县湖寮镇湖寮大道88号",
    },
    "gaobei": {
        "name": "大埔县高陂镇人民政府",
        "short_name": "高陂镇政府",
        "uscc": "11441422006923666G",
        "region": GAOBEI,
        "phone": "0753-5612101",
        "address": "大埔县高陂镇陶瓷大道1号",
    },
}

WEEKDAY_HOURS = "周一至周五 8:30-12:00, 14:30-17:30（法定节假日除外）"
COUNTY_HOURS = "周一至周五 8:30-12:00, 14:30-17:30；周六 9:00-12:00 预约办理（法定节假日除外）"

# Keys are referred to by people.py (window posts).
HALLS = {
    "county": {
        "name": "大埔县政务服务中心",
        "region": COUNTY_CODE,
        "address": "大埔县湖寮镇同仁路1号",
        "opening_hours": COUNTY_HOURS,
        "phone": "0753-5528000",
        "windows": [
            ("1", "综合受理窗口"),
            ("2", "综合受理窗口"),
            ("3", "综合受理窗口"),
            ("4", "综合受理窗口"),
            ("5", "综合受理窗口"),
            ("6", "综合受理窗口"),
            ("7", "出件窗口"),
        ],
    },
    "huliao": {
        "name": "湖寮镇便民服务中心",
        "region": HULIAO,
        "address": "大埔县湖寮镇湖寮大道88号一楼",
        "opening_hours": WEEKDAY_HOURS,
        "phone": "0753-5522510",
        "windows": [("1", "综合受理窗口"), ("2", "出件窗口")],
    },
    "gaobei": {
        "name": "高陂镇便民服务中心",
        "region": GAOBEI,
        "address": "大埔县高陂镇陶瓷大道1号一楼",
        "opening_hours": WEEKDAY_HOURS,
        "phone": "0753-5612110",
        "windows": [("1", "综合受理窗口"), ("2", "出件窗口")],
    },
    "chayang": {
        "name": "茶阳镇便民服务中心",
        "region": CHAYANG,
        "address": "大埔县茶阳镇新街路3号",
        "opening_hours": WEEKDAY_HOURS,
        "phone": "0753-5651120",
        "windows": [("1", "综合受理窗口"), ("2", "出件窗口")],
    },
}
