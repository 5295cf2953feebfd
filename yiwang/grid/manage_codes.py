"""Back office for the GB/T 30428 code lists (component and event subclasses), under
/grid/manage/classes/. Same rule as the rest of the registry (``actions.may_manage_registry``);
every change goes through ``grid.actions`` and is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import actions
from .manage_forms import SubclassCreateForm, SubclassEditForm
from .manage_views import _require_manager, _status, _submit
from .models import CaseClass, CaseSubclass, Kind


def _classes(kind: str = ""):
    qs = CaseClass.objects.order_by("kind", "code")
    return qs.filter(kind=kind) if kind else qs


@login_required
@require_GET
def class_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    classes = _classes(kind).prefetch_related(
        Prefetch("subclasses", queryset=CaseSubclass.objects.order_by("code"))
    )
    return render(
        request,
        "grid/manage/classes.html",
        {"classes": classes, "kinds": Kind.choices, "kind": kind, "tab": "classes"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def subclass_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    classes = list(_classes())
    chosen = request.GET.get("class", "")
    form = SubclassCreateForm(request.POST or None, classes=classes, initial={"case_class": chosen})
    if request.method == "POST":
        subclass = _submit(
            form,
            lambda d: actions.create_subclass(
                actor=request.user,
                case_class=d["case_class"],
                code=d["code"],
                name=d["name"],
                description=d["description"],
            ),
        )
        if subclass is not None:
            messages.success(request, _("Subclass %(s)s added.") % {"s": subclass})
            return redirect("grid:manage_classes")
    return render(
        request,
        "grid/manage/subclass_form.html",
        {"form": form, "subclass": None, "tab": "classes"},
        status=_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def subclass_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    subclass = get_object_or_404(CaseSubclass.objects.select_related("case_class"), pk=pk)
    form = SubclassEditForm(
        request.POST or None,
        initial={
            "name": subclass.name,
            "description": subclass.description,
            "active": subclass.active,
        },
    )
    if subclass.standard:
        form.fields["name"].disabled = True  # the standard's name (the action says so too)
    if request.method == "POST":
        saved = _submit(
            form,
            lambda d: actions.update_subclass(
                actor=request.user,
                subclass=subclass,
                name=d["name"],
                description=d["description"],
                active=d["active"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Subclass %(s)s saved.") % {"s": saved})
            return redirect("grid:manage_classes")
    return render(
        request,
        "grid/manage/subclass_form.html",
        {"form": form, "subclass": subclass, "tab": "classes"},
        status=_status(form),
    )
