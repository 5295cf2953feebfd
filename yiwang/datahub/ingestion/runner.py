"""Running an ingestion job: from queued to done (rows written, failed rows reported) or
failed as a whole (nothing written, and why).

The order of the checks is what makes "fails as a whole ⇒ writes nothing" hold: the
resource must be published, the file must be readable (a CSV is decoded in full first), the
header must have the key item's column and the hub table must accept the published items —
all before the first row is converted. Then the rows go to ``hub.store.write_chunks`` in
batches of ``BATCH_ROWS`` (one transaction each), read and converted ``CHUNK_ROWS`` at a time
as the writer takes them (``batches.ConvertedRows``); a row with a bad value, an empty key or
a key an earlier row of the file already had is reported and left out. After every batch the
job's counters are saved and put in the cache, so a page polling the job follows it from any
process. Only the keys of the file are held for the whole run (to find duplicates), never
its converted rows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM

from ..hub.schema import SchemaConflict, ensure_table, published_columns
from ..hub.store import Load, write_chunks
from .batches import ConvertedRows
from .mapping import Mapping, map_header
from .models import Ingestion, IngestionSource, IngestionStatus, PullSource
from .readers import Table, Unreadable, open_table, rows_of, table_of_records
from .report import Masker, Problems

if TYPE_CHECKING:
    from ..models import Resource

logger = logging.getLogger(__name__)

#: Rows per call of ``write_chunks`` (one transaction, one progress step).
BATCH_ROWS = 10_000
#: Rows read, converted and sent to the database at a time.
CHUNK_ROWS = 500
PROGRESS_SECONDS = 3600


class Failure(Exception):
    """The job cannot run at all; ``str()`` is the reason shown on its page."""


def progress_key(job_id: int) -> str:
    return f"datahub:ingestion-progress:{job_id}"


COUNTERS = ("rows_read", "created", "updated", "unchanged", "failed", "error_count")


def live_progress(job: Ingestion) -> dict[str, int]:
    """The job's counters: from the cache while it runs (fresh after every batch), else
    from its row."""
    progress = cache.get(progress_key(job.pk)) if not job.finished else None
    if progress:
        return progress
    counts = {name: getattr(job, name) for name in COUNTERS}
    counts["rows_expected"] = job.rows_expected
    return counts


class _Run:
    def __init__(self, job: Ingestion):
        self.job = job
        self.counts = dict.fromkeys(COUNTERS, 0)
        self.problems: Problems | None = None
        self.warnings: list[str] = []
        self.load = Load()

    # --- opening -------------------------------------------------------------------------

    @contextmanager
    def _table(self) -> Iterator[Table]:
        job = self.job
        if job.source == IngestionSource.PULL:
            from .pulls import PullError, fetch_json

            source = job.pull_source
            if source is None:
                raise Failure(_("The pull source of this job was deleted."))
            try:
                data = fetch_json(source.url, source.header_name, source.header_value)
                table = table_of_records(rows_of(data, source.rows_path))
            except (PullError, Unreadable) as exc:
                raise Failure(str(exc)) from exc
            yield table
            return
        if not job.file:
            raise Failure(_("The uploaded file is no longer there: upload it again."))
        resource = job.resource
        with job.file.open("rb") as handle:
            try:
                table = open_table(handle, job.format, sheet_names=[resource.name, resource.code])
            except Unreadable as exc:
                raise Failure(str(exc)) from exc
            try:
                yield table
            finally:
                table.close()

    def run(self) -> None:
        resource: Resource = self.job.resource
        try:
            columns, key = published_columns(resource)
        except SchemaConflict as exc:
            raise Failure(str(exc)) from exc
        snapshot = resource.current_version.snapshot if resource.current_version else {}
        with self._table() as table:
            try:
                mapping = map_header(table.header, columns, key)
            except Unreadable as exc:
                raise Failure(str(exc)) from exc
            self._warn(mapping)
            try:
                hub = ensure_table(resource)
            except SchemaConflict as exc:
                raise Failure(str(exc)) from exc
            self.problems = Problems(
                self.job.pk, mapping, Masker(snapshot.get("items", []), columns), table.header
            )
            Ingestion.objects.filter(pk=self.job.pk).update(
                rows_expected=table.expected, warnings=self.warnings
            )
            self.expected = table.expected
            try:
                self._load(table, mapping, hub)
            except Unreadable as exc:
                raise Failure(str(exc)) from exc
        if not self.counts["rows_read"]:
            raise Failure(_("The file has a header row but no rows of data."))

    def _warn(self, mapping: Mapping) -> None:
        if mapping.unknown:
            self.warnings.append(
                _("Columns no data item matches were ignored: %(columns)s.")
                % {"columns": "、".join(mapping.unknown[:50])}
            )
        if mapping.missing:
            self.warnings.append(
                _("The file has no column for %(items)s: their values were left as they were.")
                % {"items": "、".join(c.name for c in mapping.missing)}
            )

    # --- the rows ------------------------------------------------------------------------

    def _load(self, table: Table, mapping: Mapping, hub: Any) -> None:
        problems = self.problems
        assert problems is not None
        source = ConvertedRows(table, mapping, problems)
        counts = self.counts
        while not source.done:
            # The job's keys are distinct across its batches (the duplicate check of
            # ``ConvertedRows``).
            chunks = source.take(BATCH_ROWS, CHUNK_ROWS)
            result = write_chunks(hub, mapping.columns, chunks, load=self.load)
            counts["created"] += result.created
            counts["updated"] += result.updated
            counts["unchanged"] += result.unchanged
            counts.update(rows_read=source.read, failed=problems.rows, error_count=problems.total)
            self._save_progress()

    def _save_progress(self) -> None:
        counts = {**self.counts, "rows_expected": getattr(self, "expected", 0)}
        cache.set(progress_key(self.job.pk), counts, PROGRESS_SECONDS)
        Ingestion.objects.filter(pk=self.job.pk).update(**self.counts)


def _summary(job_id: int) -> dict[str, Any]:
    job = Ingestion.objects.get(pk=job_id)
    return {
        "status": job.status,
        "source": job.source,
        "file": job.file_name,
        **{name: getattr(job, name) for name in COUNTERS},
    }


def _finish(job: Ingestion, run: _Run, status: str, message: str = "") -> None:
    """Save the outcome, audit it, and delete the uploaded file: the job's report says what
    every row did and the audit log keeps the file's name and hash."""
    problems = run.problems
    failed_file = ""
    if problems is not None:
        # A batch's failed rows are reported before it is written: the counts say what the
        # report holds even when the write failed.
        run.counts.update(failed=problems.rows, error_count=problems.total)
        failed_file = problems.save()
    stored = job.file.name if job.file else ""
    now = timezone.now()
    with transaction.atomic():
        Ingestion.objects.filter(pk=job.pk).update(
            status=status,
            message=message,
            errors=problems.stored if problems is not None else [],
            warnings=run.warnings,
            failed_file=failed_file,
            finished_at=now,
            file="",
            **run.counts,
        )
        if job.pull_source_id:
            PullSource.objects.filter(pk=job.pull_source_id).update(
                last_run_at=job.started_at or now, last_status=status
            )
        record(
            actor=job.created_by or SYSTEM,
            action="datahub.finish_ingestion",
            obj=job,
            after={**_summary(job.pk), "resource": job.resource.code},
        )
    cache.delete(progress_key(job.pk))
    if stored:
        job.file.storage.delete(stored)


def run_job(job_id: int) -> str:
    """Run a queued job (the body of the task ``run_ingestion``); returns its final status.
    A job that is not queued (already run, or taken by another worker) is left alone."""
    claimed = Ingestion.objects.filter(pk=job_id, status=IngestionStatus.QUEUED).update(
        status=IngestionStatus.RUNNING, started_at=timezone.now()
    )
    job = (
        Ingestion.objects.select_related(
            "resource", "resource__current_version", "pull_source", "created_by"
        )
        .filter(pk=job_id)
        .first()
    )
    if not claimed or job is None:
        return job.status if job is not None else ""
    run = _Run(job)
    started = time.monotonic()
    try:
        run.run()
    except Failure as exc:
        _finish(job, run, IngestionStatus.FAILED, _failure_text(str(exc), run))
        return IngestionStatus.FAILED
    except Exception:  # the job must end whatever happens; the traceback goes to the log
        logger.exception("ingestion job %s failed", job_id)
        message = _(
            "The load stopped because of an internal error. Try again, or tell the operators "
            "(job %(id)d)."
        ) % {"id": job_id}
        _finish(job, run, IngestionStatus.FAILED, _failure_text(message, run))
        return IngestionStatus.FAILED
    logger.info(
        "ingestion job %s: %s rows in %.1f s",
        job_id,
        run.counts["rows_read"],
        time.monotonic() - started,
    )
    _finish(job, run, IngestionStatus.DONE)
    return IngestionStatus.DONE


def _failure_text(message: str, run: _Run) -> str:
    written = run.counts["created"] + run.counts["updated"] + run.counts["unchanged"]
    if not written:
        nothing = _("Nothing was written.")
        return f"{message} {nothing}"
    return f"{message} " + _(
        "%(count)d rows had been written before it stopped; loading the corrected file again "
        "is safe: rows are matched by their key."
    ) % {"count": written}
