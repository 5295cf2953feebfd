"""Excel import and export of the catalogue (openpyxl).

The workbook has three sheets with fixed Chinese headers (the file format does not
depend on the UI language): 事项 (one row per item), 材料 (one row per material) and
流程 (one row per process step). Rows are tied together by the item's 实施编码.

Import rules:

- An item row is matched by its implementation code, derived from the code columns
  (type, main and sub number, level, region, implementing agency, node level, handling
  kind); when the 实施编码 cell is filled it must equal the derived code. A match is
  updated, otherwise the item is created.
- For every item in the 事项 sheet its materials are replaced by its rows in 材料; its
  process is replaced by its rows in 流程 when there are any (identical steps keep the
  current version).
- 状态 已发布 publishes the item when it is new, unpublished or changed; 已撤回 withdraws a
  published item; 草稿 leaves the publication state alone.
- Every row is validated first and every error is reported with sheet, row and column.
  When anything is wrong nothing is imported; otherwise everything is imported in one
  transaction through ``catalog.actions``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yiwang.orgs.models import Department
from yiwang.regions.models import Region

from . import actions
from .models import (
    HANDLING_SUFFIX,
    Audience,
    HandlingKind,
    ItemStatus,
    ItemType,
    MaterialForm,
    NodeLevel,
    OnlineDepth,
    Replaceable,
    ServiceItem,
)
from .permissions import can_manage
from .process import step_errors
from .snapshot import item_snapshot
from .validation import clean_item_fields, material_errors

ITEMS_SHEET, MATERIALS_SHEET, PROCESS_SHEET = "事项", "材料", "流程"
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
    ("downloads", "表格下载"),
    ("status", "状态"),
    ("version*", "版本"),
]
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

# Value labels used in the file (fixed data vocabulary).
NODE_LEVEL_LABELS = {
    NodeLevel.MAIN: "主项",
    NodeLevel.SUB: "子项",
    NodeLevel.HANDLING: "业务办理项",
}
HANDLING_LABELS = {
    HandlingKind.NEW: "新办",
    HandlingKind.CHANGE: "变更",
    HandlingKind.RENEWAL: "延续",
    HandlingKind.CANCEL: "注销",
}
AUDIENCE_LABELS = {
    Audience.PERSON: "自然人",
    Audience.ENTERPRISE: "法人",
    Audience.BOTH: "自然人和法人",
}
DEPTH_LABELS = {
    OnlineDepth.WINDOW: "窗口办理",
    OnlineDepth.PRE_REVIEW: "网上预审",
    OnlineDepth.FULL_ONLINE: "全程网办",
}
STATUS_LABELS = {
    ItemStatus.DRAFT: "草稿",
    ItemStatus.PUBLISHED: "已发布",
    ItemStatus.WITHDRAWN: "已撤回",
}
FORM_LABELS = {
    MaterialForm.ORIGINAL: "原件",
    MaterialForm.COPY: "复印件",
    MaterialForm.ELECTRONIC: "电子件",
}
REPLACE_LABELS = {
    Replaceable.NO: "",
    Replaceable.LICENCE: "电子证照",
    Replaceable.SHARED: "共享数据",
}
KIND_LABELS = {"accept": "受理", "review": "审查", "decide": "决定", "conclude": "办结"}
YES, NO = "是", "否"


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return gettext("Sheet “%(sheet)s”: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        if not self.column:
            return gettext("Sheet “%(sheet)s”, row %(row)d: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return gettext("Sheet “%(sheet)s”, row %(row)d, column “%(column)s”: %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    withdrawn: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return gettext(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(published)d published, %(withdrawn)d withdrawn."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "published": self.published,
            "withdrawn": self.withdrawn,
        }


class _Abort(Exception):
    """Leaves the import transaction when a write fails."""


def derive_code(
    *, type_code, main_number, sub_number, level_code, region_code, uscc, node_level, handling_kind
) -> str:
    """The implementation code the way ``ServiceItem.implementation_code`` builds it."""
    suffix = HANDLING_SUFFIX[handling_kind] if node_level == NodeLevel.HANDLING else "00"
    return f"{type_code}{main_number}{sub_number}{level_code}{str(region_code)[:6]}{uscc}{suffix}"


# --- export -------------------------------------------------------------------------


def _procedure_text(steps) -> str:
    lines = []
    for step in steps or []:
        if isinstance(step, dict):
            desc = step.get("description") or ""
            lines.append(f"{step.get('name', '')}：{desc}" if desc else str(step.get("name", "")))
        else:
            lines.append(str(step))
    return "\n".join(lines)


def _downloads_text(downloads) -> str:
    return "\n".join(f"{d['name']} | {d['url']}" for d in downloads or [])


def item_row(item: ServiceItem) -> list:
    values = {
        "implementation_code": item.implementation_code,
        "name": item.name,
        "aliases": item.aliases,
        "item_type": item.item_type.code,
        "main_number": item.main_number,
        "sub_number": item.sub_number,
        "node_level": NODE_LEVEL_LABELS[item.node_level],
        "handling_kind": HANDLING_LABELS[item.handling_kind],
        "parent": item.parent.implementation_code if item.parent_id else "",
        "level_code": item.level_code,
        "competent_department": item.competent_department.uscc,
        "department": item.department.uscc,
        "department_name*": item.department.name,
        "region": item.region.code,
        "legal_basis": item.legal_basis,
        "audience": AUDIENCE_LABELS[item.audience],
        "scope": item.scope,
        "conditions": item.conditions,
        "procedure": _procedure_text(item.procedure),
        "statutory_limit": item.statutory_limit,
        "promised_limit": item.promised_limit,
        "fees": item.fees,
        "fee_basis": item.fee_basis,
        "online_depth": DEPTH_LABELS[item.online_depth],
        "visits": item.visits,
        "consult_phone": item.consult_phone,
        "complaint_phone": item.complaint_phone,
        "location": item.location,
        "channels": "、".join(item.channels or []),
        "county_wide": YES if item.county_wide else NO,
        "cross_region": YES if item.cross_region else NO,
        "form_schema": json.dumps(item.form_schema, ensure_ascii=False) if item.form_schema else "",
        "downloads": _downloads_text(item.downloads),
        "status": STATUS_LABELS[item.status],
        "version*": item.version,
    }
    return [values[key] for key, _ in ITEM_COLUMNS]


def _sheet(wb: Workbook, title: str, columns, rows, *, first: bool = False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([header for _, header in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for index, (key, header) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        width = (
            40
            if key in ("legal_basis", "conditions", "scope", "procedure", "form_schema", "location")
            else max(10, min(30, len(header) * 2 + 2))
        )
        ws.column_dimensions[letter].width = width
        if key in (
            "main_number",
            "sub_number",
            "level_code",
            "region",
            "code",
            "implementation_code",
            "parent",
        ):
            for cell in ws[letter][1:]:
                cell.number_format = "@"
    ws.freeze_panes = "A2"
    return ws


def export_workbook(items=None) -> Workbook:
    """A workbook with every item of ``items`` (default: all items), materials and processes."""
    if items is None:
        items = ServiceItem.objects.all()
    items = list(
        items.select_related(
            "item_type",
            "department",
            "competent_department",
            "region",
            "parent__item_type",
            "parent__department",
            "parent__region",
        )
        .prefetch_related("materials", "processes")
        .order_by("id")
    )
    wb = Workbook()
    _sheet(wb, ITEMS_SHEET, ITEM_COLUMNS, (item_row(i) for i in items), first=True)
    material_rows, process_rows = [], []
    for item in items:
        code = item.implementation_code
        for pos, m in enumerate(item.materials.all(), start=1):
            material_rows.append(
                [
                    code,
                    item.name,
                    pos,
                    m.name,
                    FORM_LABELS[m.form],
                    m.count,
                    YES if m.required else NO,
                    m.source,
                    REPLACE_LABELS[m.replaceable_by],
                    m.notes,
                ]
            )
        active = [p for p in item.processes.all() if p.active]
        if active:
            process = max(active, key=lambda p: p.version)
            for pos, s in enumerate(process.steps, start=1):
                process_rows.append(
                    [
                        code,
                        item.name,
                        pos,
                        s["key"],
                        s["name"],
                        KIND_LABELS[s["kind"]],
                        s["role"],
                        s["limit_days"],
                        s.get("department", ""),
                    ]
                )
    _sheet(wb, MATERIALS_SHEET, MATERIAL_COLUMNS, material_rows)
    _sheet(wb, PROCESS_SHEET, PROCESS_COLUMNS, process_rows)
    return wb


def export_bytes(items=None) -> bytes:
    buffer = BytesIO()
    export_workbook(items).save(buffer)
    return buffer.getvalue()


# --- import: reading ----------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_sheet(wb, title, columns, errors, *, required: bool = True):
    """Rows of a sheet as (row number, {key: value}); header checked."""
    if title not in wb.sheetnames:
        if required:
            errors.append(
                RowError(
                    title,
                    None,
                    "",
                    gettext("the sheet is missing; export a workbook to see the expected format."),
                )
            )
        return []
    ws = wb[title]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        errors.append(RowError(title, None, "", gettext("the header row is missing.")))
        return []
    positions = {_text(h): i for i, h in enumerate(header) if _text(h)}
    missing = [h for key, h in columns if not key.endswith("*") and h not in positions]
    if missing:
        errors.append(
            RowError(
                title,
                1,
                "",
                gettext("missing columns: %(columns)s.") % {"columns": "、".join(missing)},
            )
        )
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            errors.append(
                RowError(
                    title, number, "", gettext("too many rows (at most %(n)d).") % {"n": MAX_ROWS}
                )
            )
            break
        if values is None or all(v is None or _text(v) == "" for v in values):
            continue
        row = {}
        for key, h in columns:
            i = positions.get(h)
            row[key] = values[i] if i is not None and i < len(values) else None
        out.append((number, row))
    return out


def _choice(value, labels: dict, *, default=None):
    """Map a label (or the raw value) back to the stored value; KeyError when unknown."""
    text = _text(value)
    if text == "" and default is not None:
        return default
    for stored, label in labels.items():
        if text in (label, str(stored)):
            return stored
    raise KeyError(text)


def _yes_no(value, *, default: bool) -> bool:
    text = _text(value)
    if text == "":
        return default
    if text in (YES, "Y", "y", "TRUE", "True", "true", "1"):
        return True
    if text in (NO, "N", "n", "FALSE", "False", "false", "0"):
        return False
    raise KeyError(text)


def _int_cell(value):
    text = _text(value)
    return int(text) if text.isdigit() else text


def _padded(value, width: int) -> str:
    text = _text(value)
    return text.zfill(width) if text.isdigit() and len(text) < width else text


HEADER = dict(ITEM_COLUMNS)


def _parse_item_row(number, row, errors) -> dict | None:
    """Turn one 事项 row into action fields (codes left as codes)."""
    bad = False

    def err(key, message):
        nonlocal bad
        bad = True
        errors.append(RowError(ITEMS_SHEET, number, HEADER[key], message))

    fields = {
        "name": _text(row["name"]),
        "aliases": _text(row["aliases"]),
        "item_type": _text(row["item_type"]).upper(),
        "main_number": _padded(row["main_number"], 5),
        "sub_number": _padded(row["sub_number"], 3) or "000",
        "level_code": _text(row["level_code"]),
        "competent_department": _text(row["competent_department"]).upper() or None,
        "department": _text(row["department"]).upper(),
        "region": _text(row["region"]),
        "legal_basis": _text(row["legal_basis"]),
        "scope": _text(row["scope"]),
        "conditions": _text(row["conditions"]),
        "fees": _text(row["fees"]) or "不收费",
        "fee_basis": _text(row["fee_basis"]),
        "consult_phone": _text(row["consult_phone"]),
        "complaint_phone": _text(row["complaint_phone"]),
        "location": _text(row["location"]),
        "statutory_limit": _int_cell(row["statutory_limit"]),
        "promised_limit": _int_cell(row["promised_limit"]),
        "visits": _int_cell(row["visits"]),
        "channels": [
            c.strip()
            for c in _text(row["channels"]).replace(",", "、").replace("，", "、").split("、")
            if c.strip()
        ],
    }
    if fields["competent_department"] is None:
        fields["competent_department"] = fields["department"]
    choices = [
        ("node_level", NODE_LEVEL_LABELS, NodeLevel.HANDLING),
        ("handling_kind", HANDLING_LABELS, HandlingKind.NEW),
        ("audience", AUDIENCE_LABELS, Audience.PERSON),
        ("online_depth", DEPTH_LABELS, OnlineDepth.WINDOW),
    ]
    for key, labels, default in choices:
        try:
            fields[key] = _choice(row[key], labels, default=default)
        except KeyError as exc:
            err(
                key,
                gettext("“%(value)s” is not allowed; use one of %(choices)s.")
                % {"value": exc.args[0], "choices": "、".join(labels.values())},
            )
    for key in ("county_wide", "cross_region"):
        try:
            fields[key] = _yes_no(row[key], default=key == "county_wide")
        except KeyError as exc:
            err(
                key, gettext("“%(value)s” is not allowed; write 是 or 否.") % {"value": exc.args[0]}
            )
    procedure = []
    for line in _text(row["procedure"]).splitlines():
        if line.strip():
            name, _, desc = line.strip().replace(":", "：", 1).partition("：")
            procedure.append({"name": name.strip(), "description": desc.strip()})
    fields["procedure"] = procedure
    downloads = []
    for line in _text(row["downloads"]).splitlines():
        if line.strip():
            name, _, url = line.partition("|")
            downloads.append({"name": name.strip(), "url": url.strip()})
    fields["downloads"] = downloads
    schema_text = _text(row["form_schema"])
    if schema_text:
        try:
            fields["form_schema"] = json.loads(schema_text)
        except json.JSONDecodeError as exc:
            err(
                "form_schema",
                gettext("not valid JSON (line %(line)d, column %(col)d: %(msg)s).")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
            )
    else:
        fields["form_schema"] = {}
    try:
        status = _choice(row["status"], STATUS_LABELS, default=ItemStatus.DRAFT)
    except KeyError as exc:
        err(
            "status",
            gettext("“%(value)s” is not allowed; use one of %(choices)s.")
            % {"value": exc.args[0], "choices": "、".join(STATUS_LABELS.values())},
        )
        status = None
    if bad:
        return None
    return {
        "fields": fields,
        "status": status,
        "parent": _text(row["parent"]),
        "code_cell": _text(row["implementation_code"]),
    }


# --- import -----------------------------------------------------------------------------


def _field_errors_to_rows(number, errors: dict, out: list[RowError]) -> None:
    for key, messages in errors.items():
        column = HEADER.get(key, "")
        for message in messages:
            out.append(RowError(ITEMS_SHEET, number, column, str(message)))


def import_workbook(file, *, actor, dry_run: bool = False) -> ImportResult:
    """Validate the whole workbook, then import it in one transaction (or nothing)."""
    result = ImportResult()
    errors = result.errors
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        errors.append(
            RowError(
                ITEMS_SHEET,
                None,
                "",
                gettext(
                    "the file is not an Excel workbook (.xlsx) that can be read; export a workbook to "
                    "see the expected format."
                ),
            )
        )
        return result
    try:
        item_rows = _read_sheet(wb, ITEMS_SHEET, ITEM_COLUMNS, errors)
        material_rows = _read_sheet(wb, MATERIALS_SHEET, MATERIAL_COLUMNS, errors)
        process_rows = _read_sheet(wb, PROCESS_SHEET, PROCESS_COLUMNS, errors)
    finally:
        wb.close()
    if errors:
        return result

    existing = {
        item.implementation_code: item
        for item in ServiceItem.objects.select_related("item_type", "department", "region")
    }
    item_types = {t.code: t for t in ItemType.objects.all()}
    departments = {d.uscc: d for d in Department.objects.select_related("region")}
    regions = {r.code: r for r in Region.objects.filter(level__lte=5)}

    plans = []  # (row number, code, parsed, existing item)
    seen_codes: dict[str, int] = {}
    for number, row in item_rows:
        parsed = _parse_item_row(number, row, errors)
        if parsed is None:
            continue
        f = parsed["fields"]
        if (
            f["item_type"] not in item_types
            or f["department"] not in departments
            or f["region"] not in regions
        ):
            # Let the shared validation explain which reference is unknown.
            _, field_errors = clean_item_fields(f)
            _field_errors_to_rows(number, field_errors, errors)
            continue
        region = regions[f["region"]]
        level = f["level_code"] or {1: "2", 2: "3", 3: "4"}.get(region.level, "5")
        f["level_code"] = level
        code = derive_code(
            type_code=f["item_type"],
            main_number=f["main_number"],
            sub_number=f["sub_number"],
            level_code=level,
            region_code=region.code,
            uscc=f["department"],
            node_level=f["node_level"],
            handling_kind=f["handling_kind"],
        )
        if parsed["code_cell"] and parsed["code_cell"] != code:
            errors.append(
                RowError(
                    ITEMS_SHEET,
                    number,
                    HEADER["implementation_code"],
                    gettext(
                        "“%(cell)s” does not match the code derived from the code columns (%(code)s); "
                        "correct the code columns or clear this cell."
                    )
                    % {"cell": parsed["code_cell"], "code": code},
                )
            )
            continue
        if code in seen_codes:
            errors.append(
                RowError(
                    ITEMS_SHEET,
                    number,
                    HEADER["implementation_code"],
                    gettext("the item %(code)s is already in row %(row)d.")
                    % {"code": code, "row": seen_codes[code]},
                )
            )
            continue
        seen_codes[code] = number
        instance = existing.get(code)
        department = departments[f["department"]]
        f["department"] = department
        f["region"] = region
        f["item_type"] = item_types[f["item_type"]]
        if f["competent_department"] in departments:
            f["competent_department"] = departments[f["competent_department"]]
        _, field_errors = clean_item_fields(f, instance=instance)
        _field_errors_to_rows(number, field_errors, errors)
        if not can_manage(actor, department=department, region=region):
            errors.append(
                RowError(
                    ITEMS_SHEET,
                    number,
                    HEADER["department"],
                    gettext("you may not manage the items of %(department)s.")
                    % {"department": department.name},
                )
            )
        if (
            parsed["parent"]
            and parsed["parent"] not in existing
            and parsed["parent"] not in seen_codes
        ):
            errors.append(
                RowError(
                    ITEMS_SHEET,
                    number,
                    HEADER["parent"],
                    gettext(
                        "the parent item %(code)s is neither in the catalogue nor in an earlier row."
                    )
                    % {"code": parsed["parent"]},
                )
            )
        plans.append((number, code, parsed, instance))

    m_header = dict(MATERIAL_COLUMNS)
    materials: dict[str, list] = defaultdict(list)
    for number, row in material_rows:
        code = _text(row["code"])
        if code not in seen_codes:
            errors.append(
                RowError(
                    MATERIALS_SHEET,
                    number,
                    m_header["code"],
                    gettext("the item %(code)s is not in the sheet “事项”.")
                    % {"code": code or "—"},
                )
            )
            continue
        entry = {
            "name": _text(row["name"]),
            "source": _text(row["source"]) or "申请人自备",
            "notes": _text(row["notes"]),
            "count": _int_cell(row["count"]) or 1,
        }
        try:
            entry["form"] = _choice(row["form"], FORM_LABELS, default=MaterialForm.ELECTRONIC)
            entry["required"] = _yes_no(row["required"], default=True)
            entry["replaceable_by"] = _choice(
                row["replaceable_by"], REPLACE_LABELS, default=Replaceable.NO
            )
        except KeyError as exc:
            errors.append(
                RowError(
                    MATERIALS_SHEET,
                    number,
                    "",
                    gettext(
                        "“%(value)s” is not allowed (材料形式: 原件、复印件、电子件; 是否必需: 是、否; "
                        "免提交方式: empty、电子证照、共享数据)."
                    )
                    % {"value": exc.args[0]},
                )
            )
            continue
        position = _int_cell(row["position"])
        materials[code].append((position if isinstance(position, int) else number, number, entry))
    m_columns = {
        "name": m_header["name"],
        "form": m_header["form"],
        "count": m_header["count"],
        "required": m_header["required"],
        "replaceable_by": m_header["replaceable_by"],
        "notes": m_header["notes"],
        "materials": "",
    }
    for entries in materials.values():
        entries.sort(key=lambda e: e[0])
        _, problems = material_errors([e[2] for e in entries])
        for index, key, message in problems:
            row_number = entries[index][1] if index is not None else entries[0][1]
            errors.append(RowError(MATERIALS_SHEET, row_number, m_columns.get(key, ""), message))

    p_header = dict(PROCESS_COLUMNS)
    steps: dict[str, list] = defaultdict(list)
    broken: set[str] = set()  # items with an unreadable step row: skip the whole-process checks
    for number, row in process_rows:
        code = _text(row["code"])
        if code not in seen_codes:
            errors.append(
                RowError(
                    PROCESS_SHEET,
                    number,
                    p_header["code"],
                    gettext("the item %(code)s is not in the sheet “事项”.")
                    % {"code": code or "—"},
                )
            )
            continue
        try:
            kind = _choice(row["kind"], KIND_LABELS)
        except KeyError as exc:
            errors.append(
                RowError(
                    PROCESS_SHEET,
                    number,
                    p_header["kind"],
                    gettext("“%(value)s” is not allowed; use one of %(choices)s.")
                    % {"value": exc.args[0], "choices": "、".join(KIND_LABELS.values())},
                )
            )
            broken.add(code)
            continue
        step = {
            "key": _text(row["key"]),
            "name": _text(row["name"]),
            "kind": kind,
            "role": _text(row["role"]),
            "limit_days": _int_cell(row["limit_days"]),
        }
        if _text(row["department"]):
            step["department"] = _text(row["department"]).upper()
        position = _int_cell(row["position"])
        steps[code].append((position if isinstance(position, int) else number, number, step))
    for code, entries in steps.items():
        if code in broken:
            continue
        entries.sort(key=lambda e: e[0])
        for index, message in step_errors([e[2] for e in entries]):
            row_number = entries[index][1] if index is not None else entries[0][1]
            errors.append(RowError(PROCESS_SHEET, row_number, "", message))

    if errors:
        errors.sort(
            key=lambda e: ([ITEMS_SHEET, MATERIALS_SHEET, PROCESS_SHEET].index(e.sheet), e.row or 0)
        )
        return result
    if dry_run:
        return result

    try:
        with transaction.atomic():
            _write(plans, materials, steps, existing, actor=actor, result=result)
    except _Abort:
        pass
    return result


def _write(plans, materials, steps, existing, *, actor, result: ImportResult) -> None:
    by_code: dict[str, ServiceItem] = dict(existing)
    for number, code, parsed, instance in plans:
        fields = dict(parsed["fields"])
        fields["parent"] = by_code.get(parsed["parent"]) if parsed["parent"] else None
        try:
            if instance is None:
                item = actions.create_item(actor=actor, **fields)
                result.created += 1
                before = None
            else:
                item = instance
                before = _comparable(item)
                actions.update_item(actor=actor, item=item, **fields)
            actions.set_materials(
                actor=actor, item=item, materials=[e[2] for e in materials.get(code, [])]
            )
            if code in steps:
                actions.set_process(actor=actor, item=item, steps=[e[2] for e in steps[code]])
            elif item.active_process() is None and parsed["status"] == ItemStatus.PUBLISHED:
                actions.set_process(actor=actor, item=item, steps=actions.default_process(item))
            item.refresh_from_db()
            if before is not None:
                if _comparable(item) != before:
                    result.updated += 1
                else:
                    result.unchanged += 1
            status = parsed["status"]
            if status == ItemStatus.PUBLISHED and (
                item.status != ItemStatus.PUBLISHED or item.changed_since_publish
            ):
                actions.publish_item(actor=actor, item=item)
                result.published += 1
            elif status == ItemStatus.WITHDRAWN and item.status == ItemStatus.PUBLISHED:
                actions.withdraw_item(actor=actor, item=item, reason="通过 Excel 导入撤回")
                result.withdrawn += 1
            by_code[code] = item
        except ValidationError as exc:
            for message in exc.messages:
                result.errors.append(RowError(ITEMS_SHEET, number, "", message))
            _reset(result)
            raise _Abort from exc
        except PermissionDenied as exc:
            result.errors.append(RowError(ITEMS_SHEET, number, "", str(exc)))
            _reset(result)
            raise _Abort from exc


def _comparable(item: ServiceItem) -> dict:
    snapshot = item_snapshot(item)
    snapshot.pop("version", None)
    return snapshot


def _reset(result: ImportResult) -> None:
    result.created = result.updated = result.unchanged = result.published = result.withdrawn = 0
