"""Public guide pages (/services/) and the catalogue back office (/services/manage/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.orgs.scope import ancestor_paths
from yiwang.search import popular
from yiwang.web.documents import render_pdf

from . import actions, indexing, queries
from .editor import ItemEditor
from .forms import ServiceFilterForm, WithdrawForm
from .forms_schema import choices_of, field_order
from .models import Audience, ItemStatus, ServiceItem
from .permissions import (
    can_manage_item,
    can_use_back_office,
    manageable_items,
)
from .process import KIND_LABELS

PAGE_SIZE = 20
FILTERS = ("department", "audience", "depth", "town")


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


def _search(query: str, qs, page_number: str | None, filtered: bool):
    """One page of the services matching ``query`` among ``qs``, best first, with the real
    number of matches; None when the search index is not installed.

    Items of the same name (one matter handled by several departments or by every town) are
    one line: the preferred one, or the best ranked, with the others under it.
    """
    found = indexing.search_items(query)
    if found is None:
        return None
    if filtered:  # the filters are the database's to apply, to every match
        allowed = set(qs.filter(pk__in=[pk for pk, _n in found]).values_list("pk", flat=True))
        found = [(pk, name) for pk, name in found if pk in allowed]
    groups: dict[str, list[int]] = {}
    for pk, name in found:
        groups.setdefault(name, []).append(pk)
    # Unfiltered, the index holds exactly the published items: only the page is read.
    # The page holds groups of ids, then the lines built from them (hence Any).
    pages: Paginator[Any] = Paginator(list(groups.values()), PAGE_SIZE)
    page = pages.get_page(page_number)
    page_groups: list[list[int]] = list(page.object_list)
    items = qs.in_bulk([pk for group in page_groups for pk in group])
    lines = []
    for group in page_groups:
        members = queries.preferred_first([items[pk] for pk in group if pk in items])
        if members:
            lead, *others = members
            lead.others = tuple(others)
            lines.append(lead)
    page.object_list = list(queries.mark_namesakes(lines))
    return page


def index(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET or None)
    qs = ServiceItem.objects.published().select_related("department", "item_type", "region")
    qs = filter_items(qs, form)
    query = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    filtered = form.is_valid() and any(form.cleaned_data.get(f) for f in FILTERS)
    page = _search(query, qs, request.GET.get("page"), filtered) if query else None
    if page is not None:
        if request.GET.get("page") in (None, "", "1"):  # one search, however many pages
            popular.record_query(query, kind="item", found=bool(page.paginator.count))
    elif query:  # search not installed: plain substring match
        qs = qs.filter(Q(name__icontains=query) | Q(aliases__icontains=query))
        page = Paginator(qs.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        page = Paginator(
            qs.order_by("item_type__code", "main_number", "sub_number", "id"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        page.object_list = list(queries.mark_namesakes(list(page.object_list)))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "catalog/index.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "querystring": params.urlencode(),
            "filtered": filtered,
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
    if not preview:  # guide views feed 热门服务 (counts per day only, nothing personal)
        popular.record_view("item", item.pk)
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
            "display": editor.display,
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
