"""Loading rows into a published resource's hub table: uploads and scheduled pulls.

| action | who |
|---|---|
| ``start_ingestion`` | the provider's data admin, the authority |
| ``create_pull_source`` / ``update_pull_source`` / ``disable_pull_source`` | the same |
| ``run_pull_now`` | the same |
| ``run_due_pulls`` | the platform (periodic task ``ingestion_tasks.run_due_pulls``) |

An upload is checked here (size, kind by its bytes and name), stored under the media root
(never served) and queued as the task ``run_ingestion``; the rows are read, checked and
written by ``ingestion.runner`` in the worker. Audited as ``datahub.<verb>``; the value of a
pull source's header (an API key) is never written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.audit.actors import SYSTEM

from ..ingestion.models import (
    INTERVALS,
    Ingestion,
    IngestionFormat,
    IngestionSource,
    PullInterval,
    PullSource,
)
from ..ingestion.pulls import HEADER_NAME, RESERVED_HEADERS, url_problem
from ..ingestion.readers import sniff_format
from ..ingestion.tasks import run_ingestion
from ..models import Resource
from ._common import require_provider_admin

HEAD_BYTES = 8192
MAX_URL = 500
MAX_HEADER_VALUE = 2000
ROWS_PATH = re.compile(r"^[\w.-]{0,200}$")


def _require_published(resource: Resource) -> None:
    if not resource.in_catalogue:
        raise ValidationError(
            {
                "resource": [
                    _("Only a published resource can hold data: %(code)s is not in the catalogue.")
                    % {"code": resource.code}
                ]
            },
            code="not_published",
        )


def _enqueue(job_id: int) -> None:
    transaction.on_commit(lambda: run_ingestion.enqueue(job_id))


# --- uploads -----------------------------------------------------------------------------


def _check_upload(upload) -> str:
    """The upload's format (``IngestionFormat``); ``ValidationError`` on ``file`` otherwise."""
    if upload is None:
        raise ValidationError({"file": [_("Choose the file to load (CSV, Excel or JSON).")]})
    limit = settings.YIWANG_INGESTION_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is %(size).1f MB; at most %(limit)d MB can be loaded at once.")
                    % {"size": upload.size / 1048576, "limit": limit // 1048576}
                ]
            },
            code="file_too_large",
        )
    if upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]}, code="file_empty")
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    fmt = sniff_format(str(upload.name or ""), head)
    if fmt is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "%(name)s is not a CSV, Excel (.xlsx, .xls) or JSON file. A web page "
                        "saved as .xls must be saved again in Excel as .xlsx."
                    )
                    % {"name": str(upload.name)[:200]}
                ]
            },
            code="file_type",
        )
    return fmt


def _store(upload, fmt: str) -> tuple[str, str]:
    """Write the upload to storage in chunks (a big CSV is never held in memory); returns
    the storage name and the SHA-256 of the bytes."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    sha256 = digest.hexdigest()
    name = default_storage.save(
        f"datahub-ingestions/{timezone.now():%Y/%m}/{sha256[:16]}.{fmt}", upload
    )
    return name, sha256


def start_ingestion(*, actor, resource: Resource, upload) -> Ingestion:
    """Store ``upload`` and queue its load into ``resource``'s hub table."""
    require_provider_admin(actor, resource)
    _require_published(resource)
    fmt = _check_upload(upload)
    path, sha256 = _store(upload, fmt)
    try:
        with transaction.atomic():
            job = Ingestion.objects.create(
                resource=resource,
                source=IngestionSource.UPLOAD,
                file=path,
                file_name=str(upload.name)[:200],
                file_size=upload.size,
                format=fmt,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            record(
                actor=actor,
                action="datahub.start_ingestion",
                obj=job,
                after={
                    "resource": resource.code,
                    "source": IngestionSource.UPLOAD,
                    "file": job.file_name,
                    "format": fmt,
                    "size": upload.size,
                    "sha256": sha256,
                },
            )
            _enqueue(job.pk)
    except Exception:
        default_storage.delete(path)
        raise
    return job


# --- pull sources ------------------------------------------------------------------------


def _clean_source(
    url: str, header_name: str, header_value: str | None, rows_path: str, interval: str
) -> dict:
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    if not url:
        errors["url"] = [_("Enter the endpoint's address.")]
    elif len(url) > MAX_URL:
        errors["url"] = [_("At most %(n)d characters.") % {"n": MAX_URL}]
    else:
        problem = url_problem(url)
        if problem:
            errors["url"] = [problem]
    header_name = (header_name or "").strip()
    if header_name and (
        not HEADER_NAME.match(header_name) or header_name.lower() in RESERVED_HEADERS
    ):
        errors["header_name"] = [
            _("Enter a header name such as X-Api-Key (letters, digits and - only).")
        ]
    if header_value is not None:
        header_value = header_value.strip()
        if len(header_value) > MAX_HEADER_VALUE:
            errors["header_value"] = [_("At most %(n)d characters.") % {"n": MAX_HEADER_VALUE}]
        elif header_value and not header_name:
            errors["header_name"] = [_("Name the header the value is sent in.")]
        elif any(ch in header_value for ch in "\r\n"):
            errors["header_value"] = [_("The value must be on one line.")]
    rows_path = (rows_path or "").strip()
    if not ROWS_PATH.match(rows_path):
        errors["rows_path"] = [
            _("Write the path to the rows as names joined by dots, e.g. data.items.")
        ]
    if interval not in PullInterval.values:
        errors["interval"] = [_("Choose hourly, daily or weekly.")]
    if errors:
        raise ValidationError(errors)
    cleaned = {
        "url": url,
        "header_name": header_name,
        "rows_path": rows_path,
        "interval": interval,
    }
    if header_value is not None:
        cleaned["header_value"] = header_value if header_name else ""
    return cleaned


def source_summary(source: PullSource) -> dict:
    """What the audit log keeps of a pull source (never the header's value)."""
    return {
        "resource": source.resource.code,
        "url": source.url,
        "header_name": source.header_name,
        "header_value_set": bool(source.header_value),
        "rows_path": source.rows_path,
        "interval": source.interval,
        "enabled": source.enabled,
    }


@transaction.atomic
def create_pull_source(
    *,
    actor,
    resource: Resource,
    url: str,
    header_name: str = "",
    header_value: str = "",
    rows_path: str = "",
    interval: str = PullInterval.DAILY,
) -> PullSource:
    """A new endpoint pulled every ``interval``; the first pull is due at once."""
    require_provider_admin(actor, resource)
    _require_published(resource)
    cleaned = _clean_source(url, header_name, header_value, rows_path, interval)
    source = PullSource.objects.create(
        resource=resource,
        enabled=True,
        next_run_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
        **cleaned,
    )
    record(
        actor=actor, action="datahub.create_pull_source", obj=source, after=source_summary(source)
    )
    return source


def _lock(source: PullSource) -> PullSource:
    fresh = PullSource.objects.select_for_update().select_related("resource__provider")
    return fresh.get(pk=source.pk)


@transaction.atomic
def update_pull_source(
    *,
    actor,
    source: PullSource,
    url: str,
    header_name: str = "",
    header_value: str | None = None,
    rows_path: str = "",
    interval: str = PullInterval.DAILY,
    enabled: bool = True,
) -> PullSource:
    """Change a pull source. ``header_value=None`` keeps the stored value (forms never show
    it back); enabling a disabled source makes its next pull due at once."""
    source = _lock(source)
    require_provider_admin(actor, source.resource)
    cleaned = _clean_source(url, header_name, header_value, rows_path, interval)
    if not cleaned["header_name"]:
        cleaned["header_value"] = ""
    before = source_summary(source)
    for name, value in cleaned.items():
        setattr(source, name, value)
    if enabled and not source.enabled:
        _require_published(source.resource)
        source.next_run_at = timezone.now()
    elif enabled and before["interval"] != source.interval and source.last_run_at:
        source.next_run_at = source.last_run_at + INTERVALS[PullInterval(source.interval)]
    source.enabled = bool(enabled)
    source.save()
    record(
        actor=actor,
        action="datahub.update_pull_source",
        obj=source,
        before=before,
        after=source_summary(source),
    )
    return source


@transaction.atomic
def disable_pull_source(*, actor, source: PullSource) -> PullSource:
    source = _lock(source)
    require_provider_admin(actor, source.resource)
    before = source_summary(source)
    source.enabled = False
    source.next_run_at = None
    source.save(update_fields=["enabled", "next_run_at", "updated_at"])
    record(
        actor=actor,
        action="datahub.disable_pull_source",
        obj=source,
        before=before,
        after=source_summary(source),
    )
    return source


def _queue_pull(actor, source: PullSource) -> Ingestion:
    job = Ingestion.objects.create(
        resource=source.resource,
        source=IngestionSource.PULL,
        pull_source=source,
        file_name=source.url[:200],
        format=IngestionFormat.JSON,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action="datahub.start_ingestion",
        obj=job,
        after={"resource": source.resource.code, "source": IngestionSource.PULL, "url": source.url},
    )
    _enqueue(job.pk)
    return job


@transaction.atomic
def run_pull_now(*, actor, source: PullSource) -> Ingestion:
    """Pull now (also from a disabled source: a trial before enabling it)."""
    source = _lock(source)
    require_provider_admin(actor, source.resource)
    _require_published(source.resource)
    return _queue_pull(actor, source)


def run_due_pulls(*, actor=SYSTEM, now: dt.datetime | None = None) -> list[int]:
    """Queue a pull of every enabled source that is due (its resource still published);
    each source's next run moves one interval on first, so a second sweep queues nothing."""
    now = now or timezone.now()
    due = PullSource.objects.filter(
        enabled=True,
        next_run_at__lte=now,
        resource__current_version__isnull=False,
        resource__withdrawn_at__isnull=True,
    ).values_list("pk", flat=True)
    queued: list[int] = []
    for pk in list(due):
        with transaction.atomic():
            source = (
                PullSource.objects.select_for_update(skip_locked=True)
                .select_related("resource")
                .filter(pk=pk, enabled=True, next_run_at__lte=now)
                .first()
            )
            if source is None:
                continue
            step = INTERVALS[PullInterval(source.interval)]
            later = (source.next_run_at or now) + step
            # A worker that was down for days runs each source once, not once per interval.
            source.next_run_at = later if later > now else now + step
            source.save(update_fields=["next_run_at", "updated_at"])
            queued.append(_queue_pull(actor, source).pk)
    return queued
