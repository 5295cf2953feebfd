"""Running an ingestion job: from queued to done (rows written, failed rows reported) or
failed as a whole (nothing written, and why).

The order of the checks is what makes "fails as a whole ⇒ writes nothing" hold: the
resource must be published, the file must be readable (a CSV is decoded in full first), the
header must have the key item's column and the hub table must accept the published items —
all before the first row is converted. Then rows are converted column by column (one
converter per column, see ``mapping``); a row with a bad value, an empty key or a key an
earlier row of the file already had is reported and left out, the others go to
``hub.store.write_values`` in batches of ``BATCH_ROWS`` (one transaction each). After every
batch the job's counters are saved and put in the cache, so a page polling the job follows
it from any process. Only the keys of the file are held for the whole run (to find
duplicates), never its converted rows.
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
from ..hub.store import Load, write_values
from ..hub.values import BadValue, HubColumn, as_text
from .mapping import Mapping, map_header
from .models import Ingestion, IngestionSource, IngestionStatus, PullSource
from .readers import Table, Unreadable, open_table, rows_of, table_of_records
from .report import Masker, Problems

if TYPE_CHECKING:
    from ..models import Resource

logger = logging.getLogger(__name__)

#: Rows per call of ``write_values`` (one transaction, one progress step).
BATCH_ROWS = 5000
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
        steps = list(zip(mapping.positions, mapping.converters, mapping.columns, strict=True))
        width = max(mapping.positions) + 1
        key_index = mapping.key_index
        key_column = mapping.columns[key_index]
        key_position = mapping.positions[key_index]
        fold = key_column.encrypted  # blind indexes ignore case: so must the duplicate check
        empty_key = _("The key item “%(name)s” is empty: the row was not written.") % {
            "name": key_column.name
        }
        duplicate = _("Same key as row %(row)d: the row was not written.")
        seen: dict[str, int] = {}
        batch: list[list[Any]] = []
        counts = self.counts
        read = 0
        for number, cells in table.rows:
            if not any(cells):
                continue
            read += 1
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            values: list[Any] = []
            bad: list[tuple[HubColumn, Any, str]] | None = None
            for position, convert, column in steps:
                try:
                    values.append(convert(cells[position]))
                except BadValue as exc:
                    if bad is None:
                        bad = []
                    bad.append((column, cells[position], str(exc)))
                    values.append(None)
            if bad is None:
                key = values[key_index]
                if key is None:
                    bad = [(key_column, None, empty_key)]
                else:
                    text = key if key.__class__ is str else as_text(key)
                    if fold:
                        text = text.upper()
                    first = seen.get(text)
                    if first is None:
                        seen[text] = number
                    else:
                        bad = [(key_column, cells[key_position], duplicate % {"row": first})]
            if bad is not None:
                self._report(number, cells, bad)
                continue
            batch.append(values)
            if len(batch) >= BATCH_ROWS:
                counts["rows_read"] = read
                self._write(hub, mapping, batch)
                batch = []
        counts["rows_read"] = read
        if batch:
            self._write(hub, mapping, batch)
        else:
            self._save_progress()

    def _report(self, number: int, cells: list[Any], bad: list[tuple[HubColumn, Any, str]]):
        problems = self.problems
        assert problems is not None
        reasons = []
        for column, value, message in bad:
            entry = problems.add(number, column, value, message)
            reasons.append(f"{column.name}: {entry['message']}")
        problems.failed_row(number, cells, reasons)
        self.counts["failed"] += 1
        self.counts["error_count"] = problems.total

    def _write(self, hub: Any, mapping: Mapping, batch: list[list[Any]]) -> None:
        # The job's keys are distinct across its batches (the duplicate check above).
        result = write_values(hub, mapping.columns, batch, load=self.load)
        self.counts["created"] += result.created
        self.counts["updated"] += result.updated
        self.counts["unchanged"] += result.unchanged
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
