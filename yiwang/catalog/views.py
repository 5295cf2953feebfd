"""Public guide pages (/services/) and the catalogue back office (/services/manage/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.orgs.scope import ancestor_paths
from yiwang.search import popular
from yiwang.web.documents import render_pdf

from . import actions, excel, indexing
from .editor import ItemEditor
from .forms import ImportForm, ServiceFilterForm, WithdrawForm
from .forms_schema import choices_of, field_order
from .models import Audience, ItemStatus, ServiceItem
from .permissions import (
    can_manage_item,
    can_use_back_office,
    manageable_items,
)
from .process import KIND_LABELS

PAGE_SIZE = 20
SEARCH_LIMIT = 100


def apply_url(item_id: int) -> str:
    try:
        return reverse("cases:apply", args=[item_id])
    except NoReverseMatch:
        return f"/cases/apply/{item_id}/"


def filter_items(qs, form: ServiceFilterForm):
    """Apply the public filters (not the search text) to a queryset of items."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("department"):
        qs = qs.filter(department=data["department"])
    audience = data.get("audience")
    if audience in (Audience.PERSON, Audience.ENTERPRISE):
        qs = qs.filter(audience__in=[audience, Audience.BOTH])
    if data.get("depth"):
        qs = qs.filter(online_depth=data["depth"])
    town = data.get("town")
    if town is not None:
        # Items of the town itself, and county-level items any hall in the county handles.
        qs = qs.filter(
            Q(region__path__startswith=town.path)
            | Q(region__path__in=ancestor_paths(town), county_wide=True)
        )
    return qs


def index(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET or None)
    qs = ServiceItem.objects.published().select_related("department", "item_type", "region")
    qs = filter_items(qs, form)
    query = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    searched = False
    if query:
        ids = indexing.search_item_ids(query, limit=SEARCH_LIMIT)
        if ids is None:  # search not installed: plain substring match
            qs = qs.filter(Q(name__icontains=query) | Q(aliases__icontains=query))
            items = list(qs[:SEARCH_LIMIT])
        else:
            searched = True
            rank = {pk: i for i, pk in enumerate(ids)}
            items = sorted(qs.filter(pk__in=ids), key=lambda item: rank[item.pk])
            if request.GET.get("page") in (None, "", "1"):  # one search, however many pages
                popular.record_query(query, kind="item", found=bool(items))
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        page = Paginator(
            qs.order_by("item_type__code", "main_number", "sub_number", "id"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "catalog/index.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "searched": searched,
            "querystring": params.urlencode(),
            "can_manage": can_use_back_office(request.user),
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        ServiceItem.objects.select_related(
            "department", "competent_department", "item_type", "region", "parent"
        ),
        pk=pk,
    )
    preview = item.status != ItemStatus.PUBLISHED
    if preview and not can_manage_item(request.user, item):
        raise Http404(gettext("This service item is not published."))
    process = item.active_process()
    steps = process.steps if process else []
    flow = item.procedure or [{"name": s["name"], "description": ""} for s in steps]
    return render(
        request,
        "catalog/detail.html",
        {
            "item": item,
            "materials": list(item.materials.all()),
            "process": process,
            "steps": [{**s, "kind_label": KIND_LABELS.get(s["kind"], s["kind"])} for s in steps],
            "flow": flow,
            "preview": preview,
            "apply_url": apply_url(item.pk),
            "can_manage": can_manage_item(request.user, item),
        },
    )


# --- back office -----------------------------------------------------------------------


def _back_office(request: HttpRequest) -> None:
    if not can_use_back_office(request.user):
        raise PermissionDenied(
            gettext(
                "The catalogue back office is for department administrators and the data authority."
            )
        )


def _managed_item(request: HttpRequest, pk: int) -> ServiceItem:
    _back_office(request)
    return get_object_or_404(manageable_items(request.user), pk=pk)


@login_required
def manage(request: AuthenticatedRequest) -> HttpResponse:
    _back_office(request)
    qs = manageable_items(request.user).order_by(
        "department_id", "item_type__code", "main_number", "sub_number", "id"
    )
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(aliases__icontains=text))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "catalog/manage/list.html",
        {
            "page": page,
            "status": status,
            "text": text,
            "statuses": ItemStatus.choices,
            "querystring": params.urlencode(),
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
def manage_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    _back_office(request)
    item = _managed_item(request, pk) if pk is not None else None
    editor = ItemEditor(
        user=request.user, item=item, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and editor.is_valid():
        saved = editor.save()
        if saved is not None:
            messages.success(request, gettext("Saved “%(name)s”.") % {"name": saved.name})
            return redirect("catalog:manage_edit", pk=saved.pk)
    return render(
        request,
        "catalog/manage/edit.html",
        {
            "item": item,
            "form": editor.form,
            "formset": editor.materials,
            "fields": editor.fields,
            "steps": editor.steps,
            "json_open": editor.json_errors or bool(editor.form.errors.get("form_schema")),
            "process": editor.process,
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_POST
def manage_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    try:
        actions.publish_item(actor=request.user, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            gettext("Published “%(name)s” as version %(version)d.")
            % {"name": item.name, "version": item.version},
        )
    if request.POST.get("next") == "list":
        return redirect("catalog:manage")
    return redirect("catalog:manage_edit", pk=item.pk)


@login_required
@require_POST
def manage_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    try:
        actions.withdraw_item(actor=request.user, item=item, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Withdrew “%(name)s”.") % {"name": item.name})
    return redirect("catalog:manage_edit", pk=item.pk)


@login_required
def manage_export(request: AuthenticatedRequest) -> HttpResponse:
    _back_office(request)
    content = excel.export_bytes(manageable_items(request.user))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.xlsx"'
    return response


@login_required
def manage_import(request: AuthenticatedRequest) -> HttpResponse:
    _back_office(request)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = excel.import_workbook(
                form.cleaned_data["file"],
                actor=request.user,
                dry_run=bool(request.POST.get("dry_run")),
            )
            if result.ok and not request.POST.get("dry_run"):
                messages.success(
                    request, gettext("Import finished: %(summary)s") % {"summary": result.summary()}
                )
                return redirect("catalog:manage")
    else:
        form = ImportForm()
    return render(request, "catalog/manage/import.html", {"form": form, "result": result})


def form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable blank application form (表格下载) built from the item's form and materials."""
    item = get_object_or_404(
        ServiceItem.objects.select_related("department", "item_type", "region"), pk=pk
    )
    if item.status != ItemStatus.PUBLISHED and not can_manage_item(request.user, item):
        raise Http404(gettext("This service item is not published."))
    schema = item.form_schema or {}
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    rows = []
    for key in field_order(schema):
        prop = props[key]
        label = str(prop.get("title") or key)
        if key in required:
            label = gettext("%(label)s (required)") % {"label": label}
        if choices_of(prop):  # one choice or several: a box for each
            value = "　".join(f"□ {choice}" for choice in choices_of(prop))
        elif prop.get("type") == "boolean":
            value = gettext("□ Yes　□ No")
        elif prop.get("format") == "date":
            value = gettext("      year    month    day")
        else:
            value = prop.get("description", "")
        rows.append((label, value))
    paragraphs = [gettext("Materials to bring (tick what you submit):")]
    for n, material in enumerate(item.materials.all(), start=1):
        line = f"□ {n}. {material.name}（{material.get_form_display()} {material.count}）"
        if material.replaceable_by:
            line += "　" + str(material.get_replaceable_by_display())
        paragraphs.append(line)
    paragraphs += [
        gettext(
            "I promise that the information above is true, accurate and complete and accept "
            "the legal consequences of any false statement."
        ),
        gettext("Applicant (signature or seal): ____________    Date: ______"),
    ]
    pdf = render_pdf(
        title=gettext("Application form: %(name)s") % {"name": item.name},
        subtitle=f"{item.department.name} · {item.implementation_code}",
        rows=rows,
        paragraphs=paragraphs,
        qr_url=request.build_absolute_uri(reverse("catalog:detail", args=[item.pk])),
        qr_caption=gettext("Scan for the guide and to apply online"),
        footer=gettext("Dabu County government services · consultation %(phone)s")
        % {"phone": item.consult_phone or "12345"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="form-{item.pk}.pdf"'
    return response
