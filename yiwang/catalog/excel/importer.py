"""Importing a workbook: every row checked against the catalogue, then all written or nothing.

Item rows are matched to items by the implementation code derived from their code columns;
materials and steps are grouped by the item code they name. When any row is wrong nothing
is written. Otherwise what each row changes is worked out first (:mod:`.changes`: the dry
run stops there and reports it), and the items that change are written through
``catalog.actions`` in one transaction; unchanged items are not touched.

Progress is reported to an optional callback ``progress(phase, done, total)``: phase
``"check"`` once per item row checked, then ``"write"`` once per item written (inside the
transaction: a caller that records it must not write to the database, see
``catalog.import_jobs``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from openpyxl import load_workbook

from yiwang.orgs.models import Department
from yiwang.regions.models import Region

from .. import actions
from ..models import ItemStatus, ItemType, MaterialForm, Replaceable, ServiceItem, derive_code
from ..permissions import can_manage
from ..process import default_process, step_errors
from ..validation import ITEM_FIELDS, clean_item_fields, material_errors
from . import display
from .changes import (
    MATERIALS,
    NEW_PARENT,
    PROCESS,
    PUBLISH,
    WITHDRAW,
    Current,
    ItemChange,
    item_change,
)
from .columns import (
    FORM_LABELS,
    ITEM_COLUMNS,
    ITEM_HEADER,
    ITEMS_SHEET,
    KIND_LABELS,
    MATERIAL_COLUMNS,
    MATERIAL_HEADER,
    MATERIALS_SHEET,
    PROCESS_COLUMNS,
    PROCESS_HEADER,
    PROCESS_SHEET,
    REPLACE_LABELS,
    SHEETS,
)
from .reading import (
    ItemRow,
    Row,
    RowError,
    choice,
    int_cell,
    not_allowed,
    parse_item_row,
    read_sheet,
    text,
    yes_no,
)

# The level code an item gets from its region's level when the cell is empty.
LEVEL_BY_REGION_LEVEL = {1: "2", 2: "3", 3: "4"}
# Columns of the 材料 sheet that material_errors' keys point at.
MATERIAL_ERROR_COLUMNS = {
    key: MATERIAL_HEADER[key]
    for key in ("name", "form", "count", "required", "replaceable_by", "replaced_by", "notes")
}
Rows = list[tuple[int, Row]]
Progress = Callable[[str, int, int], None]
CHECK, WRITE = "check", "write"


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    withdrawn: int = 0
    errors: list[RowError] = field(default_factory=list)
    changes: list[ItemChange] = field(default_factory=list)

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

    def reset_counts(self) -> None:
        """Nothing was imported after all."""
        self.created = self.updated = self.unchanged = self.published = self.withdrawn = 0
        self.changes = []

    def count(self, changes: list[ItemChange]) -> None:
        self.changes = changes
        for change in changes:
            setattr(self, change.action, getattr(self, change.action) + 1)
        self.published = sum(1 for c in changes if c.status == PUBLISH)
        self.withdrawn = sum(1 for c in changes if c.status == WITHDRAW)

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe report (kept by import jobs)."""
        return {
            "ok": self.ok,
            "counts": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "published": self.published,
                "withdrawn": self.withdrawn,
            },
            "items": [change.as_dict() for change in self.changes],
            "errors": [error.as_dict() for error in self.errors],
        }


class _Abort(Exception):
    """Leaves the import transaction when a write fails, with the errors to report."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class _Catalogue:
    """What rows refer to, loaded once: items by implementation code, types, agencies, regions."""

    existing: dict[str, ServiceItem]
    item_types: dict[str, ItemType]
    departments: dict[str, Department]
    regions: dict[str, Region]

    @classmethod
    def load(cls) -> _Catalogue:
        items = ServiceItem.objects.select_related("item_type", "department", "region")
        return cls(
            existing={item.implementation_code: item for item in items},
            item_types={t.code: t for t in ItemType.objects.all()},
            departments={d.uscc: d for d in Department.objects.select_related("region")},
            regions={r.code: r for r in Region.objects.filter(level__lte=5)},
        )


@dataclass
class _ItemPlan:
    row: ItemRow
    code: str
    instance: ServiceItem | None  # None: the item is created
    data: dict[str, Any] = field(default_factory=dict)  # the cleaned fields
    change: ItemChange | None = None


class _Entry(NamedTuple):
    """A material or step row: its place in the list, its row number and its data."""

    position: int
    number: int
    data: dict[str, Any]


def import_workbook(
    file: IO[bytes], *, actor, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Validate the whole workbook, work out what changes, then import it in one transaction
    (or nothing). A dry run stops before writing; its result says what would change."""
    progress = progress or _no_progress
    result = ImportResult()
    errors = result.errors
    sheets = _read_workbook(file, errors)
    if sheets is None:
        return result
    item_rows, material_rows, process_rows = sheets
    catalogue = _Catalogue.load()
    plans = _plan_items(item_rows, catalogue, actor, errors, progress)
    codes = {plan.code for plan in plans}
    materials = _group_materials(material_rows, codes, errors)
    steps = _group_steps(process_rows, codes, errors)
    display.check(plans, errors)  # 主题 / 默认展示
    if errors:
        errors.sort(key=lambda e: (SHEETS.index(e.sheet), e.row or 0))
        _name_items(errors, sheets, plans)
        return result
    _plan_changes(plans, materials, steps, catalogue)
    display.plan_changes(plans)
    result.count([plan.change for plan in plans if plan.change is not None])
    if dry_run:
        return result
    progress(WRITE, 0, sum(1 for c in result.changes if c.writes))  # before the transaction
    try:
        with actions.deferred_indexing(), transaction.atomic():  # search updated in bulk
            _write(plans, materials, steps, catalogue.existing, actor=actor, progress=progress)
    except _Abort as abort:
        result.reset_counts()
        result.errors.extend(abort.errors)
    return result


def _name_items(
    errors: list[RowError], sheets: tuple[Rows, Rows, Rows], plans: list[_ItemPlan]
) -> None:
    """Give each row error the code and name of the item its row is about."""
    derived = {plan.row.number: plan.code for plan in plans}
    items, materials, steps = sheets
    labels: dict[tuple[str, int], tuple[str, str]] = {}
    for number, row in items:
        code = derived.get(number) or text(row.get("implementation_code"))
        labels[ITEMS_SHEET, number] = (code, text(row.get("name")))
    for sheet, rows in ((MATERIALS_SHEET, materials), (PROCESS_SHEET, steps)):
        for number, row in rows:
            labels[sheet, number] = (text(row.get("code")), text(row.get("item_name*")))
    for error in errors:
        if error.row is not None and (error.sheet, error.row) in labels:
            error.code, error.name = labels[error.sheet, error.row]


def _read_workbook(file: IO[bytes], errors: list[RowError]) -> tuple[Rows, Rows, Rows] | None:
    """The rows of the three sheets; None when the file or a sheet cannot be read."""
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        message = gettext(
            "the file is not an Excel workbook (.xlsx) that can be read; export a workbook to "
            "see the expected format."
        )
        errors.append(RowError(ITEMS_SHEET, None, "", message))
        return None
    try:
        sheets = (
            read_sheet(wb, ITEMS_SHEET, ITEM_COLUMNS, errors),
            read_sheet(wb, MATERIALS_SHEET, MATERIAL_COLUMNS, errors),
            read_sheet(wb, PROCESS_SHEET, PROCESS_COLUMNS, errors),
        )
    finally:
        wb.close()
    return None if errors else sheets


def _unknown_item(sheet: str, number: int, column: str, code: str) -> RowError:
    message = gettext("the item %(code)s is not in the sheet “事项”.") % {"code": code or "—"}
    return RowError(sheet, number, column, message)


def _field_errors_to_rows(number: int, errors: dict, out: list[RowError]) -> None:
    for key, messages in errors.items():
        column = ITEM_HEADER.get(key, "")
        for message in messages:
            out.append(RowError(ITEMS_SHEET, number, column, str(message)))


# --- item rows ------------------------------------------------------------------------


def _plan_items(
    item_rows: Rows, catalogue: _Catalogue, actor, errors: list[RowError], progress: Progress
) -> list[_ItemPlan]:
    """Every readable item row with its code; the rows' problems go to ``errors``."""
    plans: list[_ItemPlan] = []
    seen: dict[str, int] = {}  # code -> row number
    for done, (number, row) in enumerate(item_rows, start=1):
        progress(CHECK, done, len(item_rows))
        parsed = parse_item_row(number, row, errors)
        if parsed is None:
            continue
        code = _derive_code(parsed, catalogue, errors)
        if code is None:
            continue
        clash = _code_clash(parsed, code, seen)
        if clash:
            errors.append(RowError(ITEMS_SHEET, number, ITEM_HEADER["implementation_code"], clash))
            continue
        seen[code] = number
        plan = _ItemPlan(row=parsed, code=code, instance=catalogue.existing.get(code))
        _resolve_references(parsed.fields, catalogue)
        plan.data = _check_item(plan, catalogue, seen, actor, errors)
        plans.append(plan)
    return plans


def _derive_code(parsed: ItemRow, catalogue: _Catalogue, errors: list[RowError]) -> str | None:
    """The row's implementation code (filling in its level code); None when a code column
    names nothing in the catalogue."""
    f = parsed.fields
    if (
        f["item_type"] not in catalogue.item_types
        or f["department"] not in catalogue.departments
        or f["region"] not in catalogue.regions
    ):
        # Let the shared validation explain which reference is unknown.
        _, field_errors = clean_item_fields(f)
        _field_errors_to_rows(parsed.number, field_errors, errors)
        return None
    region = catalogue.regions[f["region"]]
    f["level_code"] = f["level_code"] or LEVEL_BY_REGION_LEVEL.get(region.level, "5")
    return derive_code(
        type_code=f["item_type"],
        main_number=f["main_number"],
        sub_number=f["sub_number"],
        level_code=f["level_code"],
        region_code=region.code,
        uscc=f["department"],
        node_level=f["node_level"],
        handling_kind=f["handling_kind"],
    )


def _code_clash(parsed: ItemRow, code: str, seen: dict[str, int]) -> str | None:
    """Why the row's code cannot be used (a different code written, or a repeated item)."""
    if parsed.code_cell and parsed.code_cell != code:
        return gettext(
            "“%(cell)s” does not match the code derived from the code columns (%(code)s); "
            "correct the code columns or clear this cell."
        ) % {"cell": parsed.code_cell, "code": code}
    if code in seen:
        return gettext("the item %(code)s is already in row %(row)d.") % {
            "code": code,
            "row": seen[code],
        }
    return None


def _resolve_references(fields: dict[str, Any], catalogue: _Catalogue) -> None:
    """Replace the codes of known references by the instances (unknown ones stay codes)."""
    fields["department"] = catalogue.departments[fields["department"]]
    fields["region"] = catalogue.regions[fields["region"]]
    fields["item_type"] = catalogue.item_types[fields["item_type"]]
    if fields["competent_department"] in catalogue.departments:
        fields["competent_department"] = catalogue.departments[fields["competent_department"]]


def _check_item(
    plan: _ItemPlan,
    catalogue: _Catalogue,
    seen: dict[str, int],
    actor,
    errors: list[RowError],
) -> dict[str, Any]:
    """The actions' item rules, the actor's permission and the parent reference; returns the
    cleaned fields."""
    number, fields = plan.row.number, plan.row.fields
    data, field_errors = clean_item_fields(fields, instance=plan.instance)
    _field_errors_to_rows(number, field_errors, errors)
    department = fields["department"]
    if not can_manage(actor, department=department, region=fields["region"]):
        message = gettext("you may not manage the items of %(department)s.") % {
            "department": department.name
        }
        errors.append(RowError(ITEMS_SHEET, number, ITEM_HEADER["department"], message))
    parent = plan.row.parent
    if parent and parent not in catalogue.existing and parent not in seen:
        message = gettext(
            "the parent item %(code)s is neither in the catalogue nor in an earlier row."
        ) % {"code": parent}
        errors.append(RowError(ITEMS_SHEET, number, ITEM_HEADER["parent"], message))
    return data


def _plan_changes(
    plans: list[_ItemPlan],
    materials: dict[str, list[_Entry]],
    steps: dict[str, list[_Entry]],
    catalogue: _Catalogue,
) -> None:
    """What each (valid) row changes; see :mod:`.changes`."""
    current = Current.load(plan.instance.pk for plan in plans if plan.instance is not None)
    for plan in plans:
        parent_code = plan.row.parent
        parent = None
        if parent_code:
            known = catalogue.existing.get(parent_code)
            parent = known.pk if known is not None else NEW_PARENT
        material_list, _ = material_errors([e.data for e in materials.get(plan.code, [])])
        plan.change = item_change(
            row=plan.row.number,
            code=plan.code,
            instance=plan.instance,
            data=plan.data,
            parent=parent,
            materials=material_list,
            steps=[e.data for e in steps[plan.code]] if plan.code in steps else None,
            status=plan.row.status,
            current=current,
        )


# --- material and step rows -----------------------------------------------------------


def _entry(number: int, row: Row, data: dict[str, Any]) -> _Entry:
    position = int_cell(row["position"])
    return _Entry(position if isinstance(position, int) else number, number, data)


def _material(row: Row) -> dict[str, Any]:
    """A 材料 row as ``set_materials`` takes it; KeyError names a value that is not allowed."""
    return {
        "name": text(row["name"]),
        "source": text(row["source"]) or "申请人自备",
        "notes": text(row["notes"]),
        "count": int_cell(row["count"]) or 1,
        "form": choice(row["form"], FORM_LABELS, default=MaterialForm.ELECTRONIC),
        "required": yes_no(row["required"], default=True),
        "replaceable_by": choice(row["replaceable_by"], REPLACE_LABELS, default=Replaceable.NO),
        "replaced_by": text(row["replaced_by"]) if "replaced_by" in row else "",
    }


def _group_materials(
    rows: Rows, codes: set[str], errors: list[RowError]
) -> dict[str, list[_Entry]]:
    """Each item's materials in order; every row's and every list's problems reported."""
    materials: dict[str, list[_Entry]] = defaultdict(list)
    for number, row in rows:
        code = text(row["code"])
        if code not in codes:
            errors.append(_unknown_item(MATERIALS_SHEET, number, MATERIAL_HEADER["code"], code))
            continue
        try:
            data = _material(row)
        except KeyError as exc:
            message = gettext(
                "“%(value)s” is not allowed (材料形式: 原件、复印件、电子件; 是否必需: 是、否; "
                "免提交方式: empty、电子证照、共享数据)."
            ) % {"value": exc.args[0]}
            errors.append(RowError(MATERIALS_SHEET, number, "", message))
            continue
        materials[code].append(_entry(number, row, data))
    for entries in materials.values():
        entries.sort(key=lambda e: e.position)
        _, problems = material_errors([e.data for e in entries])
        for index, key, message in problems:
            number = entries[index].number if index is not None else entries[0].number
            column = MATERIAL_ERROR_COLUMNS.get(key, "")
            errors.append(RowError(MATERIALS_SHEET, number, column, message))
    return materials


def _step(row: Row) -> dict[str, Any]:
    """A 流程 row as ``set_process`` takes it; KeyError names a step kind that is not allowed."""
    step = {
        "key": text(row["key"]),
        "name": text(row["name"]),
        "kind": choice(row["kind"], KIND_LABELS),
        "role": text(row["role"]),
        "limit_days": int_cell(row["limit_days"]),
    }
    if text(row["department"]):
        step["department"] = text(row["department"]).upper()
    return step


def _group_steps(rows: Rows, codes: set[str], errors: list[RowError]) -> dict[str, list[_Entry]]:
    """Each item's process steps in order; every row's and every process's problems reported."""
    steps: dict[str, list[_Entry]] = defaultdict(list)
    broken: set[str] = set()  # items with an unreadable step row: skip the whole-process checks
    for number, row in rows:
        code = text(row["code"])
        if code not in codes:
            errors.append(_unknown_item(PROCESS_SHEET, number, PROCESS_HEADER["code"], code))
            continue
        try:
            data = _step(row)
        except KeyError as exc:
            message = not_allowed(exc.args[0], KIND_LABELS)
            errors.append(RowError(PROCESS_SHEET, number, PROCESS_HEADER["kind"], message))
            broken.add(code)
            continue
        steps[code].append(_entry(number, row, data))
    for code, entries in steps.items():
        if code in broken:
            continue
        entries.sort(key=lambda e: e.position)
        for index, message in step_errors([e.data for e in entries]):
            number = entries[index].number if index is not None else entries[0].number
            errors.append(RowError(PROCESS_SHEET, number, "", message))
    return steps


# --- writing --------------------------------------------------------------------------


def _write(
    plans: Iterable[_ItemPlan],
    materials: dict[str, list[_Entry]],
    steps: dict[str, list[_Entry]],
    existing: dict[str, ServiceItem],
    *,
    actor,
    progress: Progress,
) -> None:
    """Write every planned item that changes; the first failure undoes everything."""
    by_code: dict[str, ServiceItem] = dict(existing)
    writing = [plan for plan in plans if plan.change is not None and plan.change.writes]
    for done, plan in enumerate(writing, start=1):
        try:
            by_code[plan.code] = _write_item(
                plan,
                [e.data for e in materials.get(plan.code, [])],
                [e.data for e in steps[plan.code]] if plan.code in steps else None,
                by_code,
                actor=actor,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            name = str(plan.row.fields.get("name", ""))
            raise _Abort(
                [RowError(ITEMS_SHEET, plan.row.number, "", m, plan.code, name) for m in messages]
            ) from exc
        progress(WRITE, done, len(writing))


def _write_item(
    plan: _ItemPlan,
    materials: list[dict],
    steps: list[dict] | None,
    by_code: dict[str, ServiceItem],
    *,
    actor,
) -> ServiceItem:
    change = plan.change
    assert change is not None  # planned before writing
    fields = dict(plan.row.fields)
    fields["parent"] = by_code.get(plan.row.parent) if plan.row.parent else None
    creating = plan.instance is None
    if plan.instance is None:
        item = actions.create_item(actor=actor, **fields)
    else:
        item = plan.instance
        if any(key in ITEM_FIELDS for key in change.fields):  # not only materials, themes…
            actions.update_item(actor=actor, item=item, **fields)
    if creating or MATERIALS in change.fields:
        actions.set_materials(actor=actor, item=item, materials=materials)
    if creating or PROCESS in change.fields:
        if steps is not None:
            actions.set_process(actor=actor, item=item, steps=steps)
        elif plan.row.status == ItemStatus.PUBLISHED:  # a published item needs a process
            actions.set_process(actor=actor, item=item, steps=default_process(item))
    display.write(plan, item, actor=actor, created=creating)
    # The item as the actions left it decides (the plan said so too, from the same comparison).
    if change.status == PUBLISH and (
        item.status != ItemStatus.PUBLISHED or item.changed_since_publish
    ):
        actions.publish_item(actor=actor, item=item)
    elif change.status == WITHDRAW:
        actions.withdraw_item(actor=actor, item=item, reason="通过 Excel 导入撤回")
    return item
