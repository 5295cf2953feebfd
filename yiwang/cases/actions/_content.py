"""What an application holds: the item's form (personal values encrypted apart, with blind
indexes for exact lookup) and the material files, validated together so the applicant sees every
problem at once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from yiwang.catalog import personal_formats
from yiwang.catalog.forms_schema import clean_data
from yiwang.catalog.models import ServiceItem
from yiwang.web.uploads import (
    CheckedFile,
    check_upload,
    checked_fields,
    delete_stored,
    save_checked,
)

from .. import material_sources
from ..material_sources import Found, Unusable
from ..models import Case, CaseMaterial, FormValueIndex, ObtainedMaterial

#: The files chosen on a form, by material id.
Uploads = Mapping[int, UploadedFile]


def store_files(
    case: Case,
    files: Mapping[int, CheckedFile],
    actor,
    names: Mapping[int, str],
    saved: list[str],
    new_case: bool = False,
) -> None:
    """Save checked files as the case's materials, superseding earlier files of the same
    material; ``saved`` collects the storage paths so a failed action can delete them."""
    for material_id, checked in files.items():
        path = save_checked(checked, "cases")
        saved.append(path)
        if not new_case:  # a case being created has no earlier files to supersede
            CaseMaterial.objects.filter(
                case=case, material_id=material_id, superseded=False
            ).update(superseded=True)
        CaseMaterial.objects.create(
            case=case,
            material_id=material_id,
            name=names[material_id],
            file=path,
            **checked_fields(checked),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )


#: Remove the files a failed action had already stored (the transaction rolled back).
delete_files = delete_stored


def check_materials(
    item: ServiceItem,
    uploads: Uploads,
    *,
    require: bool,
    existing: Iterable[int] = (),
    sources: Mapping[int, Found | Unusable] | None = None,
) -> dict[int, CheckedFile]:
    """Validate every upload and that required materials are present (uploaded, kept from an
    earlier try, or obtained from ``sources``). Raises with all errors."""
    sources = sources or {}
    materials = {m.pk: m for m in item.materials.all()}
    errors: dict[str, list[str]] = {}
    checked: dict[int, CheckedFile] = {}
    for material_id, upload in uploads.items():
        material = materials.get(int(material_id))
        if material is None:
            errors.setdefault("__all__", []).append(
                _("An uploaded file does not match any material of this item.")
            )
            continue
        try:
            checked[material.pk] = check_upload(upload, material.name)
        except ValidationError as exc:
            errors.setdefault(f"material_{material.pk}", []).extend(exc.messages)
    if require:
        have = set(checked) | set(existing)
        for material in materials.values():
            source = sources.get(material.pk)
            if (
                material.required
                and not isinstance(source, Found)
                and material.pk not in have
                and f"material_{material.pk}" not in errors
            ):
                message = _("“%(name)s” is required; please upload it.") % {"name": material.name}
                if isinstance(source, Unusable):
                    message = f"{source.reason} {message}"
                errors.setdefault(f"material_{material.pk}", []).append(message)
    if errors:
        raise ValidationError(errors)
    return checked


def set_form(case: Case, schema: dict | None, values: dict) -> list[tuple[str, str]]:
    """Put the form on the case: personal values encrypted apart, masks in ``form_data``.

    Returns the blind indexes to write with :func:`write_form_index` once the case is saved.
    """
    shown, personal = personal_formats.split(schema, values)
    case.form_data = shown
    case.form_pii = json.dumps(personal, ensure_ascii=False) if personal else ""
    return personal_formats.blind_indexes(schema, personal)


def write_form_index(case: Case, indexes: list[tuple[str, str]], *, replace: bool) -> None:
    if replace:
        FormValueIndex.objects.filter(case=case).delete()
    if indexes:
        FormValueIndex.objects.bulk_create(
            FormValueIndex(case=case, field=field, digest=digest) for field, digest in indexes
        )


def validate_form(item: ServiceItem, form_data: dict) -> dict:
    cleaned, errors = clean_data(item.form_schema or {}, form_data)
    if errors:
        raise ValidationError({f"form_{k}": [v] for k, v in errors.items()})
    return cleaned


def validate_application(
    item: ServiceItem,
    form_data: dict,
    uploads: Uploads,
    errors: dict[str, list[str]] | None = None,
    kept: Iterable[int] = (),
    sources: Mapping[int, Found | Unusable] | None = None,
) -> tuple[dict, dict[int, CheckedFile]]:
    """Form and materials together, so the applicant sees every problem at once. ``kept``:
    materials whose file was kept from an earlier try of the same form (``cases.pending``)."""
    errors = dict(errors or {})
    cleaned: dict = {}
    checked: dict[int, CheckedFile] = {}
    try:
        cleaned = validate_form(item, form_data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = check_materials(item, uploads, require=True, existing=kept, sources=sources)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned, checked


def ensure_current(item: ServiceItem, item_version: int | None) -> None:
    """Refuse a form filled in against an older version of the item's guide."""
    if item_version is not None and item_version != item.version:
        raise ValidationError(
            _(
                "The guide of “%(name)s” was updated while you were filling in the form. Please check the form and submit again."
            )
            % {"name": item.name},
            code="stale_item",
        )


def obtained_instead(
    sources: Mapping[int, Found | Unusable], uploaded: Iterable[int]
) -> dict[int, Found]:
    """The materials the case takes from a source: found, and not uploaded anyway."""
    uploaded = set(uploaded)
    return {
        pk: s for pk, s in material_sources.obtained(dict(sources)).items() if pk not in uploaded
    }


def count_materials(case: Case, item: ServiceItem, obtained: Mapping[int, Found]) -> None:
    """材料减免: how many required materials the case had, and how many it did not upload."""
    required = [m.pk for m in item.materials.all() if m.required]
    case.materials_required = len(required)
    case.materials_obtained = sum(1 for pk in required if pk in obtained)


def store_obtained(case: Case, item: ServiceItem, obtained: Mapping[int, Found]) -> None:
    """Keep what each obtained material came from, and let its source log the use."""
    names = {m.pk: m.name for m in item.materials.all()}
    ObtainedMaterial.objects.bulk_create(
        ObtainedMaterial(
            case=case,
            material_id=pk,
            name=names[pk],
            kind=found.kind,
            reference=found.reference,
            label=found.label,
            url=found.url,
        )
        for pk, found in obtained.items()
    )
    material_sources.record_uses(case, item, dict(obtained))
