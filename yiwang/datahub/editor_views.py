"""The provider's side: my department's resources (/data/manage/), the editor of metadata and
items together (/data/manage/new/, /data/r/<code>/edit/) and the grade suggestion fragment
the editor asks for (htmx, /data/suggest/)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import actions, detection
from .choices import ResourceStatus
from .forms import ItemForm, ItemFormSet, ResourceForm, attach_errors, item_specs
from .models import Resource
from .permissions import manageable_departments, managed_departments_q

PAGE_SIZE = 30
_ROW = re.compile(r"^items-\d{1,3}$")
MAX_SAMPLE_LINES = 50


def _managed(request: HttpRequest):
    departments = manageable_departments(request.user)
    if not departments.exists():
        raise PermissionDenied(
            gettext("Registering data resources is for department data administrators.")
        )
    return departments


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _managed(request)
    qs = (
        Resource.objects.filter(managed_departments_q(request.user))
        .select_related("provider", "classification")
        .order_by("-updated_at", "-id")
    )
    status = request.GET.get("status", "")
    if status in ResourceStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "datahub/manage/list.html",
        {"page_obj": page, "status": status, "statuses": ResourceStatus.choices},
    )


def _initial(resource: Resource) -> tuple[dict, list[dict]]:
    items = list(resource.items.order_by("order", "id"))
    key = next((i.column for i in items if i.pk == resource.key_item_id), "")
    initial = {name: getattr(resource, name) for name in actions.METADATA_FIELDS}
    initial.update(
        classification=resource.classification.code,
        provider=str(resource.provider_id),
        release_date=resource.release_date.isoformat() if resource.release_date else "",
        key_item=key,
        related=" ".join(resource.related.order_by("code").values_list("code", flat=True)),
    )
    rows = [
        {"id": i.pk, "ORDER": n, **{f: getattr(i, f) for f in actions.ITEM_FIELDS}}
        for n, i in enumerate(items, start=1)
    ]
    return initial, rows


@login_required
def edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    departments = _managed(request)
    resource = None
    if code is not None:
        resource = (
            Resource.objects.filter(managed_departments_q(request.user))
            .select_related("provider", "classification")
            .filter(code=code)
            .first()
        )
        if resource is None:
            raise Http404(gettext("No resource %(code)s among yours.") % {"code": code[:20]})
        if not resource.editable:
            messages.error(
                request,
                gettext("Resource %(code)s is %(status)s: start a new version to edit it.")
                % {"code": resource.code, "status": resource.get_status_display()},
            )
            return redirect("datahub:resource", code=resource.code)
    if request.method == "POST":
        form = ResourceForm(request.POST, departments=departments)
        formset = ItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            specs, index_map = item_specs(formset)
            fields = form.action_fields()
            related, key_item = fields.pop("related"), fields.pop("key_item")
            try:
                if resource is None:
                    resource = actions.create_resource(
                        actor=request.user,
                        items=specs,
                        key_item=key_item,
                        related=related,
                        **fields,
                    )
                else:
                    fields.pop("provider")
                    actions.update_resource(
                        actor=request.user,
                        resource=resource,
                        items=specs,
                        key_item=key_item,
                        related=related,
                        **fields,
                    )
            except ValidationError as error:
                attach_errors(error, form, formset, index_map)
            else:
                messages.success(
                    request, gettext("Saved. Submit it for review when it is complete.")
                )
                return redirect("datahub:resource", code=resource.code)
    elif resource is not None:
        initial, rows = _initial(resource)
        form = ResourceForm(initial=initial, departments=departments)
        formset = ItemFormSet(initial=rows, prefix="items")
    else:
        only = list(departments[:2])
        form = ResourceForm(
            initial={"provider": str(only[0].pk) if len(only) == 1 else ""},
            departments=departments,
        )
        formset = ItemFormSet(prefix="items")
    return render(
        request,
        "datahub/manage/edit.html",
        {"form": form, "items": formset, "resource": resource},
    )


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """Grade, mask and personal flag suggested for one editor row (htmx): the suggestion
    text, and the row's grade, mask and personal inputs swapped out of band."""
    _managed(request)
    row = request.POST.get("row", "")
    if not _ROW.match(row):
        raise Http404(gettext("No such row."))
    samples = request.POST.get(f"{row}-samples", "").splitlines()[:MAX_SAMPLE_LINES]
    found = detection.suggest(
        request.POST.get(f"{row}-column", "")[:63],
        request.POST.get(f"{row}-name", "")[:100],
        samples,
    )
    form = ItemForm(
        prefix=row,
        initial={"grade": found.grade, "mask": found.mask, "personal": found.personal},
    )
    for name in ("grade", "mask", "personal"):
        form.fields[name].widget.attrs["hx-swap-oob"] = "true"
    return render(
        request, "datahub/manage/_suggestion.html", {"suggestion": found, "form": form, "row": row}
    )
