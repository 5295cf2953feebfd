"""Writing the catalogue to a workbook: one row per item, material and process step.

The rows are built from four queries whatever the number of items (the items with their
references, then their current materials, active process steps and themes, each read as
plain values). ``export_bytes`` (the back office's download) writes them with the fast
writer of :mod:`yiwang.web.xlsx`; ``export_workbook`` gives an openpyxl ``Workbook`` of the same
content for code that changes it before saving.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from yiwang.web.xlsx import Sheet, write_xlsx

from ..models import Material, ProcessDefinition, ServiceItem, derive_code
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
    THEME_SEPARATOR,
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


_MATERIAL_VALUES = (
    "item_id",
    "name",
    "form",
    "count",
    "required",
    "source",
    "replaceable_by",
    "replaced_by",
    "notes",
)


@dataclass
class Related:
    """The current materials, active process steps and theme names of the exported items,
    read as values in one query each (the items given as a subquery), not as instances."""

    materials: dict[int, list[tuple]] = field(default_factory=dict)
    steps: dict[int, list[dict]] = field(default_factory=dict)
    themes: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, items: QuerySet[ServiceItem]) -> Related:
        ids = items.order_by().values("pk")
        materials: dict[int, list[tuple]] = defaultdict(list)
        rows = Material.objects.filter(item_id__in=ids).order_by("item_id", "position", "id")
        for row in rows.values_list(*_MATERIAL_VALUES):
            materials[row[0]].append(row)
        steps: dict[int, list[dict]] = {}
        processes = ProcessDefinition.objects.filter(item_id__in=ids, active=True)
        for item_id, process_steps in processes.order_by("item_id", "-version").values_list(
            "item_id", "steps"
        ):
            steps.setdefault(item_id, process_steps)
        themes: dict[int, list[str]] = defaultdict(list)
        links = ServiceItem.themes.through.objects.filter(serviceitem_id__in=ids)
        for item_id, name in links.order_by(
            "serviceitem_id", "theme__audience", "theme__order", "theme_id"
        ).values_list("serviceitem_id", "theme__name"):
            themes[item_id].append(name)
        return cls(dict(materials), steps, dict(themes))


# Read for each exported item, as values: its own fields and its references' codes and names.
_OWN_FIELDS = (
    "id",
    "name",
    "aliases",
    "main_number",
    "sub_number",
    "node_level",
    "handling_kind",
    "parent_id",
    "level_code",
    "legal_basis",
    "audience",
    "scope",
    "conditions",
    "procedure",
    "statutory_limit",
    "promised_limit",
    "fees",
    "fee_basis",
    "online_depth",
    "visits",
    "consult_phone",
    "complaint_phone",
    "location",
    "channels",
    "county_wide",
    "cross_region",
    "form_schema",
    "case_region_from",
    "case_region_field",
    "downloads",
    "preferred",
    "status",
    "version",
)
_REFERENCES = {
    "type_code": "item_type__code",
    "department_uscc": "department__uscc",
    "department_name": "department__name",
    "competent_uscc": "competent_department__uscc",
    "region_code": "region__code",
    "parent_type_code": "parent__item_type__code",
    "parent_main": "parent__main_number",
    "parent_sub": "parent__sub_number",
    "parent_level": "parent__level_code",
    "parent_region_code": "parent__region__code",
    "parent_uscc": "parent__department__uscc",
    "parent_node_level": "parent__node_level",
    "parent_handling_kind": "parent__handling_kind",
}


def item_values(items: QuerySet[ServiceItem]) -> list[dict[str, Any]]:
    """The exported items as dicts (one query, no model instances), in id order."""
    refs = {alias: F(lookup) for alias, lookup in _REFERENCES.items()}
    return list(items.order_by("id").values(*_OWN_FIELDS, **refs))


def _code(v: dict[str, Any], prefix: str = "") -> str:
    """The implementation code of the item (or, with ``prefix="parent_"``, of its parent)."""
    if prefix:
        return derive_code(
            type_code=v["parent_type_code"],
            main_number=v["parent_main"],
            sub_number=v["parent_sub"],
            level_code=v["parent_level"],
            region_code=v["parent_region_code"],
            uscc=v["parent_uscc"],
            node_level=v["parent_node_level"],
            handling_kind=v["parent_handling_kind"],
        )
    return derive_code(
        type_code=v["type_code"],
        main_number=v["main_number"],
        sub_number=v["sub_number"],
        level_code=v["level_code"],
        region_code=v["region_code"],
        uscc=v["department_uscc"],
        node_level=v["node_level"],
        handling_kind=v["handling_kind"],
    )


def item_row(v: dict[str, Any], themes: Iterable[str] = ()) -> list:
    """One 事项 row from an item's values (``item_values``) and its theme names."""
    values = {
        "implementation_code": _code(v),
        "name": v["name"],
        "aliases": v["aliases"],
        "item_type": v["type_code"],
        "main_number": v["main_number"],
        "sub_number": v["sub_number"],
        "node_level": NODE_LEVEL_LABELS[v["node_level"]],
        "handling_kind": HANDLING_LABELS[v["handling_kind"]],
        "parent": _code(v, "parent_") if v["parent_id"] is not None else "",
        "level_code": v["level_code"],
        "competent_department": v["competent_uscc"],
        "department": v["department_uscc"],
        "department_name*": v["department_name"],
        "region": v["region_code"],
        "legal_basis": v["legal_basis"],
        "audience": AUDIENCE_LABELS[v["audience"]],
        "scope": v["scope"],
        "conditions": v["conditions"],
        "procedure": _procedure_text(v["procedure"]),
        "statutory_limit": v["statutory_limit"],
        "promised_limit": v["promised_limit"],
        "fees": v["fees"],
        "fee_basis": v["fee_basis"],
        "online_depth": DEPTH_LABELS[v["online_depth"]],
        "visits": v["visits"],
        "consult_phone": v["consult_phone"],
        "complaint_phone": v["complaint_phone"],
        "location": v["location"],
        "channels": "、".join(v["channels"] or []),
        "county_wide": _yes_no(v["county_wide"]),
        "cross_region": _yes_no(v["cross_region"]),
        "form_schema": json.dumps(v["form_schema"], ensure_ascii=False) if v["form_schema"] else "",
        "case_region_from": CASE_REGION_LABELS[v["case_region_from"]],
        "case_region_field": v["case_region_field"],
        "downloads": _downloads_text(v["downloads"]),
        "themes": THEME_SEPARATOR.join(themes),
        "preferred": _yes_no(v["preferred"]),
        "status": STATUS_LABELS[v["status"]],
        "version*": v["version"],
    }
    return [values[key] for key, _ in ITEM_COLUMNS]


def _material_rows(v: dict[str, Any], code: str, related: Related) -> list[list]:
    return [
        [
            code,
            v["name"],
            position,
            name,
            FORM_LABELS[form],
            count,
            _yes_no(required),
            source,
            REPLACE_LABELS[replaceable_by],
            replaced_by,
            notes,
        ]
        for position, (
            _,
            name,
            form,
            count,
            required,
            source,
            replaceable_by,
            replaced_by,
            notes,
        ) in enumerate(related.materials.get(v["id"], []), start=1)
    ]


def _process_rows(v: dict[str, Any], code: str, related: Related) -> list[list]:
    return [
        [
            code,
            v["name"],
            position,
            s["key"],
            s["name"],
            KIND_LABELS[s["kind"]],
            s["role"],
            s["limit_days"],
            s.get("department", ""),
        ]
        for position, s in enumerate(related.steps.get(v["id"], []), start=1)
    ]


def _width(key: str, header: str) -> float:
    return 40 if key in WIDE_COLUMNS else max(10, min(30, len(header) * 2 + 2))


@dataclass
class Table:
    title: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]]


def export_tables(items: QuerySet[ServiceItem] | None = None) -> list[Table]:
    """The three sheets' rows for ``items`` (default: all items), in four queries."""
    if items is None:
        items = ServiceItem.objects.all()
    related = Related.load(items)
    item_rows, material_rows, process_rows = [], [], []
    for v in item_values(items):
        row = item_row(v, related.themes.get(v["id"], []))
        code = row[0]
        item_rows.append(row)
        material_rows += _material_rows(v, code, related)
        process_rows += _process_rows(v, code, related)
    return [
        Table(ITEMS_SHEET, ITEM_COLUMNS, item_rows),
        Table(MATERIALS_SHEET, MATERIAL_COLUMNS, material_rows),
        Table(PROCESS_SHEET, PROCESS_COLUMNS, process_rows),
    ]


def _sheet(wb: Workbook, table: Table) -> Worksheet:
    ws = wb.create_sheet(table.title)
    ws.append([header for _, header in table.columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in table.rows:
        ws.append(row)
    for index, (key, header) in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = _width(key, header)
        if key in TEXT_COLUMNS:
            for cell in ws[letter][1:]:
                cell.number_format = "@"
    ws.freeze_panes = "A2"
    return ws


def export_workbook(items: QuerySet[ServiceItem] | None = None) -> Workbook:
    """An openpyxl workbook with every item of ``items`` (default: all items), its materials
    and process."""
    wb = Workbook()
    wb.remove(wb.active)  # the sheets are created in the format's order
    for table in export_tables(items):
        _sheet(wb, table)
    return wb


def export_bytes(items: QuerySet[ServiceItem] | None = None) -> bytes:
    """The same workbook as ``export_workbook``, as .xlsx bytes, written quickly."""
    return write_xlsx(
        [
            Sheet(
                title=table.title,
                header=[header for _, header in table.columns],
                rows=table.rows,
                widths=[_width(key, header) for key, header in table.columns],
                text_columns=frozenset(
                    i for i, (key, _) in enumerate(table.columns) if key in TEXT_COLUMNS
                ),
            )
            for table in export_tables(items)
        ]
    )
