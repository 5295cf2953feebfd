"""The workbook's format: sheets, columns and the Chinese labels of stored values.

The format is fixed data vocabulary (it does not follow the UI language), shared by the
export and the import so that an exported workbook always imports again.
"""

from __future__ import annotations

from typing import Any

from ..models import (
    Audience,
    CaseRegionSource,
    HandlingKind,
    ItemStatus,
    MaterialForm,
    NodeLevel,
    OnlineDepth,
    Replaceable,
)

ITEMS_SHEET, MATERIALS_SHEET, PROCESS_SHEET = "事项", "材料", "流程"
SHEETS = (ITEMS_SHEET, MATERIALS_SHEET, PROCESS_SHEET)
MAX_ROWS = 20000

# (key, header). Keys ending in "*" are informational: exported, ignored on import.
ITEM_COLUMNS = [
    ("implementation_code", "实施编码"),
    ("name", "事项名称"),
    ("aliases", "别名"),
    ("item_type", "事项类型编码"),
    ("main_number", "主项编号"),
    ("sub_number", "子项编号"),
    ("node_level", "事项层级"),
    ("handling_kind", "业务办理项类型"),
    ("parent", "上级事项实施编码"),
    ("level_code", "行使层级代码"),
    ("competent_department", "主管部门统一社会信用代码"),
    ("department", "实施机关统一社会信用代码"),
    ("department_name*", "实施机关名称"),
    ("region", "实施区划代码"),
    ("legal_basis", "设定和实施依据"),
    ("audience", "服务对象"),
    ("scope", "受理范围"),
    ("conditions", "受理条件"),
    ("procedure", "办理程序"),
    ("statutory_limit", "法定办结时限（工作日）"),
    ("promised_limit", "承诺办结时限（工作日）"),
    ("fees", "收费标准"),
    ("fee_basis", "收费依据"),
    ("online_depth", "网上办理深度"),
    ("visits", "到现场次数"),
    ("consult_phone", "咨询方式"),
    ("complaint_phone", "监督投诉电话"),
    ("location", "办理地点和时间"),
    ("channels", "办理渠道"),
    ("county_wide", "全县通办"),
    ("cross_region", "跨域通办"),
    ("form_schema", "申请表单（JSON Schema）"),
    ("case_region_from", "办件归属区划"),
    ("case_region_field", "归属乡镇取自表单字段"),
    ("downloads", "表格下载"),
    ("themes", "主题"),
    ("preferred", "默认展示"),
    ("status", "状态"),
    ("version*", "版本"),
]
# Columns added after the first workbooks were exported: a workbook without them still
# imports, and the items keep their current values (new items get the defaults).
# 免提交依据 (replaced_by) is optional so that workbooks exported before it existed still load.
OPTIONAL_COLUMNS = frozenset(
    {"case_region_from", "case_region_field", "themes", "preferred", "replaced_by"}
)
# 主题: theme names separated by 、 (an empty cell leaves an item's themes as they are, and a
# new item is placed by its keywords); 默认展示: 是 / 否 (empty: unchanged, 否 for a new item).
THEME_SEPARATOR = "、"
MATERIAL_COLUMNS = [
    ("code", "实施编码"),
    ("item_name*", "事项名称"),
    ("position", "序号"),
    ("name", "材料名称"),
    ("form", "材料形式"),
    ("count", "份数"),
    ("required", "是否必需"),
    ("source", "来源渠道"),
    ("replaceable_by", "免提交方式"),
    ("replaced_by", "免提交依据"),
    ("notes", "备注"),
]
PROCESS_COLUMNS = [
    ("code", "实施编码"),
    ("item_name*", "事项名称"),
    ("position", "序号"),
    ("key", "环节编码"),
    ("name", "环节名称"),
    ("kind", "环节类型"),
    ("role", "办理角色"),
    ("limit_days", "环节时限（工作日）"),
    ("department", "协办部门统一社会信用代码"),
]
ITEM_HEADER = dict(ITEM_COLUMNS)
MATERIAL_HEADER = dict(MATERIAL_COLUMNS)
PROCESS_HEADER = dict(PROCESS_COLUMNS)

# Value labels used in the file, keyed by the stored value.
Labels = dict[Any, str]
NODE_LEVEL_LABELS: Labels = {
    NodeLevel.MAIN: "主项",
    NodeLevel.SUB: "子项",
    NodeLevel.HANDLING: "业务办理项",
}
HANDLING_LABELS: Labels = {
    HandlingKind.NEW: "新办",
    HandlingKind.CHANGE: "变更",
    HandlingKind.RENEWAL: "延续",
    HandlingKind.CANCEL: "注销",
}
AUDIENCE_LABELS: Labels = {
    Audience.PERSON: "自然人",
    Audience.ENTERPRISE: "法人",
    Audience.BOTH: "自然人和法人",
}
DEPTH_LABELS: Labels = {
    OnlineDepth.WINDOW: "窗口办理",
    OnlineDepth.PRE_REVIEW: "网上预审",
    OnlineDepth.FULL_ONLINE: "全程网办",
}
CASE_REGION_LABELS: Labels = {
    CaseRegionSource.ITEM: "事项实施区划",
    CaseRegionSource.APPLICANT: "申请人所在区划",
    CaseRegionSource.PREMISES: "表单字段所指乡镇",
    CaseRegionSource.HALL: "受理大厅所在区划",
}
STATUS_LABELS: Labels = {
    ItemStatus.DRAFT: "草稿",
    ItemStatus.PUBLISHED: "已发布",
    ItemStatus.WITHDRAWN: "已撤回",
}
FORM_LABELS: Labels = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ELECTRONIC: "电子件",
}
REPLACE_LABELS: Labels = {
    Replaceable.NO: "",
    Replaceable.LICENCE: "电子证照",
    Replaceable.SHARED: "共享数据",
}
KIND_LABELS: Labels = {"accept": "受理", "review": "审查", "decide": "决定", "conclude": "办结"}
YES, NO = "是", "否"
