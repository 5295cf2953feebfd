"""Files chosen on an application form that was not submitted yet.

A browser cannot put a chosen file back into a re-shown form, so without this an applicant
whose form had a mistake in one field had to find and choose every file again. Instead the
files that passed the upload checks are kept as ``PendingUpload`` rows for that form (its
submission key) and that person, shown on the re-shown form as already attached (name, size,
remove), and turned into the case's materials when the form is submitted.

Rows of a form that is never submitted are purged after :data:`KEEP_HOURS`, unless the form
was saved as a draft (kept while the draft exists). The files are never served: nobody but
the submitting action reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM
from yiwang.catalog.models import ServiceItem
from yiwang.web.uploads import check_upload, checked_fields, delete_stored, save_checked

from .models import Case, CaseMaterial, PendingUpload, Status

log = logging.getLogger(__name__)

#: Files of a form that was neither submitted nor saved as a draft are kept this long.
KEEP_HOURS = 24


def _owner(actor):
    return actor if getattr(actor, "is_authenticated", False) and actor.pk else None


def kept_for(actor, submission_key: str, item: ServiceItem) -> dict[int, PendingUpload]:
    """The files kept for this person's form, by material id (current materials only)."""
    owner = _owner(actor)
    if owner is None or not submission_key:
        return {}
    current = {m.pk for m in item.materials.all()}
    rows = PendingUpload.objects.filter(owner=owner, submission_key=submission_key, item=item)
    return {row.material_id: row for row in rows.order_by("pk") if row.material_id in current}


def _delete_files_on_commit(names: Iterable[str | None]) -> None:
    paths = [name for name in names if name]  # a row without a file has nothing to delete

    def delete():
        for path in paths:
            try:
                default_storage.delete(path)
            except OSError:  # the row is gone; a leftover file is only wasted space
                log.warning("could not delete pending upload %s", path)

    if paths:
        transaction.on_commit(delete)


def keep_uploads(
    *, actor, item: ServiceItem, submission_key: str, uploads: Mapping[int, UploadedFile]
) -> list[PendingUpload]:
    """Keep the files of a form that could not be submitted, for the next try.

    Each file is checked as on submission; one that fails is not kept (its error is shown
    next to its input). A new file for a material replaces the one kept before.
    """
    owner = _owner(actor)
    if owner is None or not submission_key or not uploads:
        return []
    materials = {m.pk: m for m in item.materials.all()}
    checked = {}
    for material_id, upload in uploads.items():
        material = materials.get(int(material_id))
        if material is None:
            continue
        try:
            upload.seek(0)
            checked[material.pk] = check_upload(upload, material.name)
        except (ValidationError, OSError, ValueError):
            continue
    if not checked:
        return []
    saved: list[str] = []
    try:
        with transaction.atomic():
            old = PendingUpload.objects.filter(
                owner=owner, submission_key=submission_key, material_id__in=list(checked)
            )
            _delete_files_on_commit([row.file.name for row in old])
            old.delete()
            rows = []
            for material_id, file in checked.items():
                path = save_checked(file, "pending")
                saved.append(path)
                rows.append(
                    PendingUpload.objects.create(
                        owner=owner,
                        submission_key=submission_key,
                        item=item,
                        material_id=material_id,
                        file=path,
                        **checked_fields(file),
                        extension=file.extension,
                    )
                )
            record(
                actor=actor,
                action="cases.keep_uploads",
                obj=item,
                after={
                    "materials": sorted(checked),
                    "bytes": sum(f.size for f in checked.values()),
                },
            )
    except Exception:
        delete_stored(saved)
        raise
    return rows


@transaction.atomic
def discard_uploads(*, actor, submission_key: str, ids: Iterable[int | None]) -> int:
    """Remove kept files the person no longer wants (their own only); empty ids are skipped."""
    owner = _owner(actor)
    wanted = [i for i in ids if i]
    if owner is None or not submission_key or not wanted:
        return 0
    rows = PendingUpload.objects.filter(owner=owner, submission_key=submission_key, pk__in=wanted)
    gone = list(rows)
    if not gone:
        return 0
    _delete_files_on_commit([row.file.name for row in gone])
    rows.delete()
    record(
        actor=actor,
        action="cases.discard_uploads",
        obj=gone[0].item,
        before={"materials": sorted(row.material_id for row in gone)},
    )
    return len(gone)


def adopt(
    case: Case,
    kept: Mapping[int, PendingUpload],
    *,
    actor,
    names: Mapping[int, str],
    replaced: Iterable[int],
) -> None:
    """Inside the submitting action's transaction: kept files become the new case's materials
    (the stored file is reused), and those replaced by a newly chosen file are deleted (the
    file once the transaction commits)."""
    replaced = set(replaced)
    stale = [row.file.name for material_id, row in kept.items() if material_id in replaced]
    CaseMaterial.objects.bulk_create(
        CaseMaterial(
            case=case,
            material_id=material_id,
            name=names[material_id],
            file=row.file.name,
            original_name=row.original_name,
            sha256=row.sha256,
            size=row.size,
            content_type=row.content_type,
            uploaded_by=row.owner,
        )
        for material_id, row in kept.items()
        if material_id not in replaced and material_id in names
    )
    PendingUpload.objects.filter(pk__in=[row.pk for row in kept.values()]).delete()
    _delete_files_on_commit(stale)


def purge_stale(now: datetime | None = None) -> int:
    """Delete kept files of forms abandoned more than :data:`KEEP_HOURS` ago (not drafts')."""
    now = now or timezone.now()
    drafts = Case.objects.filter(status=Status.DRAFT, submission_key__isnull=False).values(
        "submission_key"
    )
    stale = PendingUpload.objects.filter(created_at__lt=now - timedelta(hours=KEEP_HOURS)).exclude(
        submission_key__in=drafts
    )
    count = 0
    for row in stale.iterator(chunk_size=500):
        with transaction.atomic():
            deleted, _ = PendingUpload.objects.filter(pk=row.pk).delete()
            if deleted:
                _delete_files_on_commit([row.file.name])
                count += 1
    if count:
        with transaction.atomic():
            record(actor=SYSTEM, action="cases.purge_uploads", after={"purged": count})
    return count
