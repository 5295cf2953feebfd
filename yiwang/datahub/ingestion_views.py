"""Pages of ingestion, for the provider's data admins and the data authority only:

- the "Data" panel of a published resource's page (``panel``): rows held, last written, the
  upload form, pull sources and recent loads;
- ``upload`` (POST): starts a job and opens its page;
- ``job`` (/data/ingestions/<id>/): a progress bar while it runs (the page polls itself
  with htmx), then the report — counts, warnings, problems in pages, failed rows to download;
- ``failed_rows``: the failed rows as CSV or Excel;
- pull sources: ``pull_new``, ``pull_edit``, ``pull_disable``, ``pull_run``.

Everyone else gets 403 (staff of another department, citizens) or the login page.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import HtmxRequest

from . import actions
from .hub.models import HubTable
from .ingestion.models import Ingestion, PullInterval, PullSource
from .ingestion.report import failed_rows_xlsx
from .ingestion.runner import live_progress
from .models import Resource
from .permissions import can_manage_provider

RECENT = 10
ERRORS_PER_PAGE = 50


def may_load(user, resource: Resource) -> bool:
    return can_manage_provider(user, resource.provider)


def _deny() -> PermissionDenied:
    return PermissionDenied(
        gettext("Only the provider's data administrators and the data authority load data.")
    )


def panel(user, resource: Resource) -> dict | None:
    """What the resource page's "Data" section shows ``user``, or None (not theirs, or not
    published)."""
    if not resource.in_catalogue or not may_load(user, resource):
        return None
    table = HubTable.objects.filter(resource=resource).first()
    return {
        "row_count": table.row_count if table else 0,
        "written_at": table.written_at if table else None,
        "sources": list(resource.pull_sources.order_by("id")),
        "jobs": list(resource.ingestions.select_related("created_by")[:RECENT]),
        "max_mb": settings.YIWANG_INGESTION_MAX_BYTES // (1024 * 1024),
    }


def _resource(request: HttpRequest, code: str) -> Resource:
    resource = Resource.objects.select_related("provider", "provider__region").filter(code=code)
    found = resource.first()
    if found is None:
        raise Http404(gettext("No resource %(code)s in the catalogue.") % {"code": code[:20]})
    if not may_load(request.user, found):
        raise _deny()
    return found


@login_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    resource = _resource(request, code)
    try:
        job = actions.start_ingestion(
            actor=request.user, resource=resource, upload=request.FILES.get("file")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{resource_url(resource)}#data")
    return redirect("datahub:ingestion", pk=job.pk)


def resource_url(resource: Resource) -> str:
    return reverse("datahub:resource", kwargs={"code": resource.code})


def _job(request: HttpRequest, pk: int) -> Ingestion:
    job = get_object_or_404(
        Ingestion.objects.select_related("resource__provider__region", "created_by", "pull_source"),
        pk=pk,
    )
    if not may_load(request.user, job.resource):
        raise _deny()
    return job


def is_stalled(job: Ingestion) -> bool:
    """Still queued or running long after the worker would have given up on it."""
    if job.finished:
        return False
    limit = settings.YIWANG_TASK_TIMEOUT_SECONDS + 60
    return (timezone.now() - job.created_at).total_seconds() > limit


@login_required
def job(request: HtmxRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    stalled = is_stalled(found)
    errors = Paginator(found.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    progress = live_progress(found)
    expected = progress.get("rows_expected") or 0
    context = {
        "job": found,
        "resource": found.resource,
        "progress": progress,
        "percent": min(100, round(100 * progress.get("rows_read", 0) / expected))
        if expected
        else None,
        "stalled": stalled,
        "errors_page": errors,
        "more_errors": max(0, found.error_count - len(found.errors or [])),
    }
    if request.htmx:  # the page polling itself: 286 tells htmx to stop once the job is over
        return render(
            request,
            "datahub/ingestion/_status.html",
            context,
            status=286 if found.finished or stalled else 200,
        )
    return render(request, "datahub/ingestion/job.html", context)


@login_required
def failed_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    found = _job(request, pk)
    if not found.failed_file:
        raise Http404(gettext("No row of this load failed."))
    stem = f"ingestion-{found.pk}-failed"
    if fmt == "xlsx":
        out = io.BytesIO()
        failed_rows_xlsx(str(found.failed_file.name), out)
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{stem}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "csv":
        return FileResponse(
            found.failed_file.open("rb"),
            as_attachment=True,
            filename=f"{stem}.csv",
            content_type="text/csv; charset=utf-8",
        )
    raise Http404(gettext("Unknown format."))


# --- pull sources ------------------------------------------------------------------------


def _source_values(post) -> dict[str, str]:
    return {
        "url": post.get("url", ""),
        "header_name": post.get("header_name", ""),
        "rows_path": post.get("rows_path", ""),
        "interval": post.get("interval", ""),
    }


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}
    return {"__all__": list(error.messages)}


def _form(request, resource, source, values, errors, status=200) -> HttpResponse:
    return render(
        request,
        "datahub/ingestion/pull_form.html",
        {
            "resource": resource,
            "source": source,
            "values": values,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "intervals": PullInterval.choices,
        },
        status=status,
    )


@login_required
def pull_new(request: HttpRequest, code: str) -> HttpResponse:
    resource = _resource(request, code)
    values = {"url": "", "header_name": "", "rows_path": "", "interval": PullInterval.DAILY}
    if request.method == "POST":
        values = _source_values(request.POST)
        try:
            actions.create_pull_source(
                actor=request.user,
                resource=resource,
                header_value=request.POST.get("header_value", ""),
                **values,
            )
        except ValidationError as error:
            return _form(request, resource, None, values, _errors(error), status=400)
        messages.success(request, gettext("The pull source is saved; its first pull is due now."))
        return redirect(f"{resource_url(resource)}#data")
    return _form(request, resource, None, values, {})


def _source(request: HttpRequest, pk: int) -> PullSource:
    source = get_object_or_404(
        PullSource.objects.select_related("resource__provider__region"), pk=pk
    )
    if not may_load(request.user, source.resource):
        raise _deny()
    return source


@login_required
def pull_edit(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    values = {
        "url": source.url,
        "header_name": source.header_name,
        "rows_path": source.rows_path,
        "interval": source.interval,
        "enabled": source.enabled,
    }
    if request.method == "POST":
        fields = _source_values(request.POST)
        enabled = request.POST.get("enabled") == "on"
        values = {**fields, "enabled": enabled}
        new_value = request.POST.get("header_value", "")
        try:
            actions.update_pull_source(
                actor=request.user,
                source=source,
                # An empty field keeps the stored key: forms never show it back.
                header_value=new_value if new_value or request.POST.get("clear_header") else None,
                enabled=enabled,
                **fields,
            )
        except ValidationError as error:
            return _form(request, source.resource, source, values, _errors(error), status=400)
        messages.success(request, gettext("The pull source is saved."))
        return redirect(f"{resource_url(source.resource)}#data")
    return _form(request, source.resource, source, values, {})


@login_required
@require_POST
def pull_disable(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    actions.disable_pull_source(actor=request.user, source=source)
    messages.success(request, gettext("The pull source is disabled: nothing is pulled from it."))
    return redirect(f"{resource_url(source.resource)}#data")


@login_required
@require_POST
def pull_run(request: HttpRequest, pk: int) -> HttpResponse:
    source = _source(request, pk)
    try:
        job = actions.run_pull_now(actor=request.user, source=source)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{resource_url(source.resource)}#data")
    return redirect("datahub:ingestion", pk=job.pk)
