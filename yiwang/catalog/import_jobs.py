"""Catalogue imports in the background: the actions and the task of ``ImportJob``.

- ``start_import`` (an upload in the back office) checks the workbook file, stores it under
  the media root (never served in production) and queues the task ``run_import``;
- ``run_import`` (``yiwang worker``; inline with the immediate backend) runs
  ``excel.import_workbook`` as the job's uploader, so every change is checked against that
  person's scope and audited under their name, then stores the report in ``job.result``:
  the counts, every item row created, updated (with its changed fields) or unchanged, and
  the errors with their sheet, row and item; and deletes the stored workbook.

Progress. The importer reports each row checked and each item written. While it checks
rows (outside any transaction) the job row itself is updated every ``PROGRESS_EVERY`` rows:
every process sees it. The writing happens in one transaction (all or nothing), so an
update of the job row there would only become visible at the commit; the written count goes
to the cache instead (``progress_key``), which the job page reads first. With a shared cache
(Redis) the page follows every ``PROGRESS_EVERY`` items; with the local-memory cache of a
single process it shows the writing phase without a count.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from yiwang.audit.actions import record
from yiwang.web.uploads import CheckedFile, delete_stored, save_checked

from .excel import import_workbook
from .excel.importer import CHECK, WRITE
from .models import ImportJob, ImportStatus
from .permissions import can_use_back_office, is_catalog_authority

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 50
PROGRESS_SECONDS = 3600
READ = "read"


def progress_key(job_id: int) -> str:
    return f"catalog:import-progress:{job_id}"


def may_see(user, job: ImportJob) -> bool:
    """The uploader and the data authority see a job and its report."""
    return job.actor_id == getattr(user, "pk", None) or is_catalog_authority(user)


def _check_file(upload) -> bytes:
    """The workbook's bytes; ``ValidationError`` on ``file`` when it cannot be one."""
    if upload is None:
        raise ValidationError({"file": [gettext("Choose the Excel workbook (.xlsx) to import.")]})
    if not str(upload.name or "").lower().endswith(".xlsx"):
        raise ValidationError(
            {"file": [gettext("Upload an .xlsx workbook (exported from this page).")]}
        )
    if upload.size > MAX_BYTES:
        raise ValidationError(
            {"file": [gettext("The workbook is larger than 10 MB; split it up.")]}
        )
    content = upload.read()
    if not content.startswith(XLSX_MAGIC):
        raise ValidationError({"file": [gettext("This file is not an .xlsx workbook.")]})
    return content


def start_import(*, actor, upload, dry_run: bool = False) -> ImportJob:
    """Store the uploaded workbook and queue its import (or only its check, ``dry_run``)."""
    if not can_use_back_office(actor):
        raise PermissionDenied(
            gettext("Only department administrators and the data authority can import items.")
        )
    content = _check_file(upload)
    digest = hashlib.sha256(content).hexdigest()
    checked = CheckedFile(
        content=content,
        original_name=str(upload.name)[:200],
        content_type=XLSX_TYPE,
        extension="xlsx",
        sha256=digest,
        size=len(content),
    )
    path = save_checked(checked, "catalog-imports")
    try:
        job = _create_job(actor, path, checked, dry_run=bool(dry_run))
    except Exception:
        delete_stored([path])
        raise
    return job


@transaction.atomic
def _create_job(actor, path: str, checked: CheckedFile, *, dry_run: bool) -> ImportJob:
    job = ImportJob.objects.create(
        actor=actor, file=path, original_name=checked.original_name, dry_run=dry_run
    )
    record(
        actor=actor,
        action="catalog.start_import",
        obj=job,
        after={
            "file": checked.original_name,
            "sha256": checked.sha256,
            "size": checked.size,
            "dry_run": dry_run,
        },
    )
    job_id = job.pk
    transaction.on_commit(lambda: run_import.enqueue(job_id))
    return job


class _Recorder:
    """The importer's progress callback for one job (see the module docstring)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.phase = ""
        self.saved = -PROGRESS_EVERY

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == self.phase and done < total and done - self.saved < PROGRESS_EVERY:
            return
        self.phase, self.saved = phase, done
        cache.set(
            progress_key(self.job_id),
            {"phase": phase, "done": done, "total": total},
            PROGRESS_SECONDS,
        )
        # The count of items written stays out of the job row: the row would be written
        # inside the import's transaction. ``WRITE, 0`` comes before that transaction opens.
        if phase == CHECK or done == 0:
            ImportJob.objects.filter(pk=self.job_id).update(phase=phase, done=done, total=total)


def _finish(job: ImportJob, status: str, result: dict[str, Any]) -> None:
    """Store the report and delete the workbook: the report says what every row did, the
    audit log keeps the file's name and SHA-256, and a county's uploads would otherwise pile
    up under the media root for ever."""
    stored = job.file.name
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=status, result=result, finished_at=timezone.now(), phase="", file=""
        )
        record(
            actor=job.actor,
            action="catalog.finish_import",
            obj=job,
            after={
                "status": status,
                "dry_run": job.dry_run,
                "counts": result.get("counts", {}),
                "errors": len(result.get("errors", [])),
            },
        )
    cache.delete(progress_key(job.pk))
    if stored:
        delete_stored([stored])


def _failure(message: str) -> dict[str, Any]:
    return {"ok": False, "counts": {}, "items": [], "errors": [{"text": message}]}


def run_job(job_id: int) -> str:
    """Run a queued job (the body of the task ``run_import``); returns its final status.
    A job that is not queued (already run, or run by another worker) is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), phase=READ
    )
    job = ImportJob.objects.select_related("actor").filter(pk=job_id).first()
    if not claimed or job is None:
        return job.status if job is not None else ""
    try:
        with job.file.open("rb") as handle:
            outcome = import_workbook(
                handle, actor=job.actor, dry_run=job.dry_run, progress=_Recorder(job_id)
            )
    except Exception:  # the job must end whatever happens; the traceback goes to the log
        logger.exception("catalogue import job %s failed", job_id)
        message = gettext(
            "The import stopped because of an internal error; nothing was imported. Try again, "
            "or tell the operators (job %(id)d)."
        ) % {"id": job_id}
        _finish(job, ImportStatus.FAILED, _failure(message))
        return ImportStatus.FAILED
    result = outcome.as_dict()
    result["dry_run"] = job.dry_run
    status = ImportStatus.DONE if outcome.ok else ImportStatus.FAILED
    _finish(job, status, result)
    return status


@task()
def run_import(job_id: int) -> str:
    """Import (or check) the workbook of job ``job_id``."""
    return run_job(job_id)


def live_progress(job: ImportJob) -> dict[str, Any]:
    """Where a job is: ``{"phase", "done", "total"}`` from the cache when the worker shares
    it, else from the job row (``done`` is None while items are written: not counted)."""
    progress = cache.get(progress_key(job.pk)) if not job.finished else None
    if progress:
        return progress
    done = job.done if job.phase != WRITE else None
    return {"phase": job.phase, "done": done, "total": job.total}


def is_stalled(job: ImportJob) -> bool:
    """Still queued or running long after the worker would have given up on it."""
    if job.finished:
        return False
    limit = settings.YIWANG_TASK_TIMEOUT_SECONDS + 60
    return (timezone.now() - job.created_at).total_seconds() > limit
