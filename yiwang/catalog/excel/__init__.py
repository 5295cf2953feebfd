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

Modules: :mod:`.columns` (the format), :mod:`.export`, :mod:`.reading` (cells and rows),
:mod:`.importer` (checks against the catalogue and the writes).
"""

from .columns import (
    CASE_REGION_LABELS,
    ITEM_COLUMNS,
    ITEMS_SHEET,
    MATERIAL_COLUMNS,
    MATERIALS_SHEET,
    PROCESS_COLUMNS,
    PROCESS_SHEET,
)
from .export import export_bytes, export_workbook, item_row
from .importer import ImportResult, import_workbook
from .reading import RowError

__all__ = [
    "CASE_REGION_LABELS",
    "ITEMS_SHEET",
    "ITEM_COLUMNS",
    "MATERIALS_SHEET",
    "MATERIAL_COLUMNS",
    "PROCESS_COLUMNS",
    "PROCESS_SHEET",
    "ImportResult",
    "RowError",
    "export_bytes",
    "export_workbook",
    "import_workbook",
    "item_row",
]
