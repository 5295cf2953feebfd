"""The rules of an item's list of materials (申请材料)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext

from ..models import MaterialForm, Replaceable

#: GB/T 36902: the type code is the definer's USCC and a three-digit sequence.
LICENCE_TYPE_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}[0-9]{3}$")

MATERIAL_KEYS = {
    "id",
    "name",
    "form",
    "count",
    "required",
    "source",
    "replaceable_by",
    "replaced_by",
    "notes",
}
Problem = tuple[int | None, str, str]  # (material index or None, field, message)


def material_errors(materials: Any) -> tuple[list[dict], list[Problem]]:
    """Clean a list of material dicts: (cleaned, [(index, field, message)])."""
    if not isinstance(materials, list):
        return [], [(None, "materials", gettext("Materials must be a list."))]
    problems: list[Problem] = []
    cleaned: list[dict] = []
    names: dict[str, int] = {}  # name -> index of its first material
    for i, raw in enumerate(materials):
        if not isinstance(raw, dict):
            message = gettext("Material %(n)d must be an object.") % {"n": i + 1}
            problems.append((i, "materials", message))
            continue
        found: list[tuple[str, str]] = []
        cleaned.append(_material(i + 1, raw, names, found))
        problems += [(i, field, message) for field, message in found]
    return cleaned, problems


def _material(n: int, raw: dict, names: dict[str, int], found: list[tuple[str, str]]) -> dict:
    """Material number ``n`` cleaned; its problems appended to ``found`` as (field, message)."""
    unknown = sorted(set(raw) - MATERIAL_KEYS)
    if unknown:
        found.append(
            (
                "materials",
                gettext("Material %(n)d has unknown attributes: %(words)s.")
                % {"n": n, "words": ", ".join(unknown)},
            )
        )
    name = str(raw.get("name") or "").strip()
    _check_name(n, name, names, found)
    form = raw.get("form") or MaterialForm.ELECTRONIC
    if form not in MaterialForm.values:
        found.append(
            (
                "form",
                gettext(
                    "Material %(n)d: the form “%(value)s” must be one of "
                    "original, copy, electronic."
                )
                % {"n": n, "value": form},
            )
        )
    count = raw.get("count", 1)
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 99:
        found.append(
            (
                "count",
                gettext("Material %(n)d: the number of copies must be a whole number from 1 to 99.")
                % {"n": n},
            )
        )
    required = raw.get("required", True)
    if not isinstance(required, bool):
        found.append(
            ("required", gettext("Material %(n)d: “required” must be yes or no.") % {"n": n})
        )
    replaceable = raw.get("replaceable_by") or ""
    if replaceable not in Replaceable.values:
        found.append(
            (
                "replaceable_by",
                gettext("Material %(n)d: “replaceable by” must be empty, licence or shared.")
                % {"n": n},
            )
        )
    replaced_by = str(raw.get("replaced_by") or "").strip()
    if replaced_by and not replaceable:
        found.append(
            (
                "replaced_by",
                gettext(
                    "Material %(n)d: say what replaces it only when it is replaceable by an "
                    "e-licence or shared data."
                )
                % {"n": n},
            )
        )
    elif (
        replaceable == Replaceable.LICENCE
        and replaced_by
        and not LICENCE_TYPE_CODE.match(replaced_by)
    ):
        found.append(
            (
                "replaced_by",
                gettext(
                    "Material %(n)d: a licence type code is the defining authority's 18-character "
                    "unified social credit code followed by three digits."
                )
                % {"n": n},
            )
        )
    elif len(replaced_by) > 100:
        found.append(
            (
                "replaced_by",
                gettext("Material %(n)d: “replaced by” may have at most 100 characters.")
                % {"n": n},
            )
        )
    source = str(raw.get("source") or "申请人自备").strip()
    notes = str(raw.get("notes") or "").strip()
    if len(source) > 100 or len(notes) > 300:
        found.append(
            (
                "notes",
                gettext(
                    "Material %(n)d: the source may have at most 100 and the notes 300 characters."
                )
                % {"n": n},
            )
        )
    return {
        "id": raw.get("id"),
        "name": name,
        "form": form,
        "count": count,
        "required": required,
        "source": source,
        "replaceable_by": replaceable,
        "replaced_by": replaced_by,
        "notes": notes,
    }


def _check_name(n: int, name: str, names: dict[str, int], found: list[tuple[str, str]]) -> None:
    """Every material is named, briefly, once (a good name is recorded in ``names``)."""
    if not name:
        found.append(("name", gettext("Material %(n)d needs a name.") % {"n": n}))
    elif len(name) > 200:
        found.append(
            ("name", gettext("Material %(n)d: the name is longer than 200 characters.") % {"n": n})
        )
    elif name in names:
        found.append(
            (
                "name",
                gettext("Material %(n)d: “%(name)s” is already listed as material %(m)d.")
                % {"n": n, "name": name, "m": names[name] + 1},
            )
        )
    else:
        names[name] = n - 1
