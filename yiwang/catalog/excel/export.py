"""Writing the catalogue to a workbook: one row per item, material and process step."""

from __future__ import annotations

import json
from collections.abc import Iterable
from io import BytesIO

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..models import ProcessDefinition, ServiceItem
from .columns import (
    AUDIENCE_LABELS,
    CASE_REGION_LABELS,
    DEPTH_LABELS,
    FORM_LABELS,
    HANDLING_LABELS,
    ITEM_COLUMNS,
    ITEMS_SHEET,
    KIND_LABELS,
    MATERIAL_COLUMNS,
    MATERIALS_SHEET,
    NO,
    NODE_LEVEL_LABELS,
    PROCESS_COLUMNS,
    PROCESS_SHEET,
    REPLACE_LABELS,
    STATUS_LABELS,
    YES,
)

WIDE_COLUMNS = ("legal_basis", "conditions", "scope", "procedure", "form_schema", "location")
# Codes with leading zeros: stored as text so that spreadsheet programs keep the zeros.
TEXT_COLUMNS = (
    "main_number",
    "sub_number",
    "level_code",
    "region",
    "code",
    "implementation_code",
    "parent",
)


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


def _yes_no(value: bool) -> str:
    return YES if value else NO


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
        "parent": item.parent.implementation_code if item.parent is not None else "",
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
        "county_wide": _yes_no(item.county_wide),
        "cross_region": _yes_no(item.cross_region),
        "form_schema": json.dumps(item.form_schema, ensure_ascii=False) if item.form_schema else "",
        "case_region_from": CASE_REGION_LABELS[item.case_region_from],
        "case_region_field": item.case_region_field,
        "downloads": _downloads_text(item.downloads),
        "status": STATUS_LABELS[item.status],
        "version*": item.version,
    }
    return [values[key] for key, _ in ITEM_COLUMNS]


def _material_rows(item: ServiceItem) -> list[list]:
    return [
        [
            item.implementation_code,
            item.name,
            position,
            m.name,
            FORM_LABELS[m.form],
            m.count,
            _yes_no(m.required),
            m.source,
            REPLACE_LABELS[m.replaceable_by],
            m.notes,
        ]
        for position, m in enumerate(item.materials.all(), start=1)
    ]


def _process_rows(item: ServiceItem) -> list[list]:
    # From the prefetched processes: no query per item.
    active: list[ProcessDefinition] = [p for p in item.processes.all() if p.active]
    if not active:
        return []
    process = max(active, key=lambda p: p.version)
    return [
        [
            item.implementation_code,
            item.name,
            position,
            s["key"],
            s["name"],
            KIND_LABELS[s["kind"]],
            s["role"],
            s["limit_days"],
            s.get("department", ""),
        ]
        for position, s in enumerate(process.steps, start=1)
    ]


def _sheet(
    wb: Workbook, title: str, columns: list[tuple[str, str]], rows: Iterable[list]
) -> Worksheet:
    ws = wb.create_sheet(title)
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
        width = 40 if key in WIDE_COLUMNS else max(10, min(30, len(header) * 2 + 2))
        ws.column_dimensions[letter].width = width
        if key in TEXT_COLUMNS:
            for cell in ws[letter][1:]:
                cell.number_format = "@"
    ws.freeze_panes = "A2"
    return ws


def export_workbook(items: QuerySet[ServiceItem] | None = None) -> Workbook:
    """A workbook with every item of ``items`` (default: all items), materials and processes."""
    if items is None:
        items = ServiceItem.objects.all()
    rows = list(
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
    wb.remove(wb.active)  # the sheets are created in the format's order
    _sheet(wb, ITEMS_SHEET, ITEM_COLUMNS, (item_row(i) for i in rows))
    _sheet(wb, MATERIALS_SHEET, MATERIAL_COLUMNS, (r for i in rows for r in _material_rows(i)))
    _sheet(wb, PROCESS_SHEET, PROCESS_COLUMNS, (r for i in rows for r in _process_rows(i)))
    return wb


def export_bytes(items: QuerySet[ServiceItem] | None = None) -> bytes:
    buffer = BytesIO()
    export_workbook(items).save(buffer)
    return buffer.getvalue()
