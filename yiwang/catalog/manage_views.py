"""The catalogue back office at scale: the item list (filters, bulk publish and withdraw),
Excel export, and imports run in the background with their progress and report.

Every page is for department administrators (their department's items) and the data
authority (every item); the queries are scoped by ``permissions.manageable_items`` and use
a constant number of statements whatever the catalogue's size.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import AuthenticatedRequest

from . import actions, excel, import_jobs
from .excel.changes import CREATED, UNCHANGED, UPDATED
from .excel.columns import ITEM_HEADER
from .forms import WithdrawForm
from .manage_forms import (
    MATCHING,
    PUBLISH,
    BulkForm,
    ManageFilterForm,
    UploadForm,
)
from .models import ImportJob, ItemStatus, ServiceItem
from .permissions import can_use_back_office, is_catalog_authority, manageable_items

PAGE_SIZE = 50
RECENT_JOBS = 10
# Labels of the keys a report lists as changed besides the workbook's item columns.
EXTRA_FIELD_LABELS = {"materials": "材料", "process": "流程", "parent": "上级事项实施编码"}


def _require_back_office(user) -> None:
    if not can_use_back_office(user):
        raise PermissionDenied(
            gettext(
                "The catalogue back office is for department administrators and the data authority."
            )
        )


def _filtered(request: AuthenticatedRequest, params: QueryDict):
    form = ManageFilterForm(params or None, user=request.user)
    return form, form.filter(manageable_items(request.user))


def _list_context(request: AuthenticatedRequest, params: QueryDict, **extra) -> dict:
    form, qs = _filtered(request, params)
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    filters = params.copy()
    filters.pop("page", None)
    return {
        "form": form,
        "page": page,
        "filters": filters.urlencode(),
        "bulk_form": extra.pop("bulk_form", None) or BulkForm(initial={"scope": "selected"}),
        "withdraw_form": WithdrawForm(),
        **extra,
    }


@login_required
def manage(request: AuthenticatedRequest) -> HttpResponse:
    _require_back_office(request.user)
    return render(request, "catalog/manage/list.html", _list_context(request, request.GET))


def _bulk_items(request: AuthenticatedRequest, data: dict, filters: QueryDict) -> QuerySet:
    """The items a bulk action is about. Ticked ids are taken as they are (the action refuses
    the whole request when one is outside the user's scope); "all matching" is the list's
    filtered, scoped query, narrowed to the items the operation applies to."""
    if data["scope"] != MATCHING:
        return (
            ServiceItem.objects.select_related("item_type", "department", "region")
            .filter(pk__in=data["ids"])
            .order_by("id")
        )
    _, qs = _filtered(request, filters)
    if data["operation"] == PUBLISH:
        return qs.exclude(status=ItemStatus.PUBLISHED, changed_since_publish=False)
    return qs.filter(status=ItemStatus.PUBLISHED)


def _back(filters: QueryDict):
    url = reverse("catalog:manage")
    return redirect(f"{url}?{filters.urlencode()}" if filters else url)


@login_required
@require_POST
def manage_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Publish or withdraw many items at once: all of them, or none with every problem listed."""
    _require_back_office(request.user)
    form = BulkForm(request.POST)
    filters = QueryDict(request.POST.get("filters", "")[:1000])
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _back(filters)
    data = form.cleaned_data
    items = _bulk_items(request, data, filters)
    try:
        if data["operation"] == PUBLISH:
            count = len(actions.publish_items(actor=request.user, items=items))
        else:
            count = len(
                actions.withdraw_items(actor=request.user, items=items, reason=data["reason"])
            )
    except actions.ItemErrors as exc:
        failed = [
            {"pk": pk, "name": name, "messages": problems}
            for pk, (name, problems) in exc.by_item.items()
        ]
        context = _list_context(
            request, filters, bulk_form=form, bulk_errors=failed, bulk_total=len(items)
        )
        return render(request, "catalog/manage/list.html", context, status=400)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back(filters)
    if data["operation"] == PUBLISH:
        text = ngettext("Published %(n)d item.", "Published %(n)d items.", count)
    else:
        text = ngettext("Withdrew %(n)d item.", "Withdrew %(n)d items.", count)
    messages.success(request, text % {"n": count})
    return _back(filters)


@login_required
def manage_export(request: AuthenticatedRequest) -> HttpResponse:
    _require_back_office(request.user)
    content = excel.export_bytes(manageable_items(request.user))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.xlsx"'
    return response


@login_required
def manage_import(request: AuthenticatedRequest) -> HttpResponse:
    """The upload form and the user's recent imports; an upload starts a job."""
    _require_back_office(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.start_import(
                actor=request.user,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("catalog:manage_import_job", pk=job.pk)
    recent = ImportJob.objects.filter(actor=request.user).select_related("actor")[:RECENT_JOBS]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "catalog/manage/import.html", {"form": form, "jobs": recent}, status=status
    )


def _report(job: ImportJob) -> dict:
    """The job's result grouped for the page: created, updated (with field labels), errors."""
    result = job.result or {}
    items = result.get("items", [])
    labels = {**ITEM_HEADER, **EXTRA_FIELD_LABELS}
    updated = [
        {**entry, "labels": [labels.get(key, key) for key in entry["fields"]]}
        for entry in items
        if entry["action"] == UPDATED
    ]
    return {
        "counts": result.get("counts", {}),
        "created": [entry for entry in items if entry["action"] == CREATED],
        "updated": updated,
        "unchanged": [entry for entry in items if entry["action"] == UNCHANGED],
        "errors": result.get("errors", []),
        "ok": bool(result.get("ok")),
    }


@login_required
def manage_import_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One import: its progress while it runs (the page polls itself with htmx), then its
    report. Only the uploader and the data authority see it."""
    _require_back_office(request.user)
    job = get_object_or_404(ImportJob.objects.select_related("actor"), pk=pk)
    if not import_jobs.may_see(request.user, job):
        raise PermissionDenied(
            gettext("Only the person who uploaded this workbook and the data authority see it.")
        )
    context = {
        "job": job,
        "progress": import_jobs.live_progress(job),
        "stalled": import_jobs.is_stalled(job),
        "report": _report(job) if job.finished else None,
        "is_authority": is_catalog_authority(request.user),
    }
    if request.htmx:  # the page polling itself: 286 tells htmx to stop once the job is over
        finished = job.finished or context["stalled"]
        return render(
            request, "catalog/manage/_import_status.html", context, status=286 if finished else 200
        )
    return render(request, "catalog/manage/job.html", context)
