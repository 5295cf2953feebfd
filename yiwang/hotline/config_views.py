"""Back-office pages for the hotline's reference data: the category tree, the dispatch
catalogue (派单目录) and the time limits. Every change goes through ``hotline.config``."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.orgs.choices import grouped_departments
from yiwang.orgs.models import Department
from yiwang.orgs.scope import county_regions
from yiwang.regions.choices import set_grouped_choices, use_grouped_regions
from yiwang.regions.models import Level, Region
from yiwang.web import params

from . import config
from .models import COUNTY_CODE, DEFAULT_TIME_LIMITS, Category, DispatchRule, TicketType

MAX_RULES_SHOWN = 500
INDENT = "\u3000"


# --- helpers -----------------------------------------------------------------------


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _index(anchor: str) -> str:
    return f"{reverse('hotline:config')}#{anchor}"


def _tree(categories: list[Category]) -> list[Category]:
    """Categories in tree order (depth-first, siblings by sort and code), each with ``.depth``."""
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    ordered: list[Category] = []

    def walk(parent_id, depth):
        for c in children.get(parent_id, []):
            c.depth = depth
            ordered.append(c)
            walk(c.pk, depth + 1)

    walk(None, 0)
    return ordered


def _subtree_ids(tree: list[Category], root_pk: int) -> set[int]:
    ids, found_depth = set(), None
    for c in tree:
        if found_depth is not None:
            if c.depth <= found_depth:
                break
            ids.add(c.pk)
        elif c.pk == root_pk:
            ids.add(c.pk)
            found_depth = c.depth
    return ids


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = INDENT * (obj.level - 1) + obj.name
        return label if obj.active else f"{label} ({_('not in use')})"


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return INDENT * max(obj.level - Level.COUNTY, 0) + obj.name


def _category_queryset(max_level: int = config.MAX_LEVEL):
    return Category.objects.filter(level__lte=max_level)


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A field the form declares as a model choice (``form.fields`` types it as any field)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _category_choices_in_tree_order(field: forms.ModelChoiceField, max_level: int) -> None:
    """ModelChoiceField iterates its queryset; give it the tree order instead of code order."""
    tree = [c for c in _tree(list(Category.objects.all())) if c.level <= max_level]
    field.choices = [("", field.empty_label)] + [
        (field.prepare_value(c), field.label_from_instance(c)) for c in tree
    ]


# --- forms -------------------------------------------------------------------------


class CategoryFields(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=config.NAME_MAX_CHARS)
    keywords = forms.CharField(
        label=gettext_lazy("Keywords"),
        max_length=config.TEXT_MAX_CHARS,
        required=False,
        help_text=gettext_lazy("Words callers use for this category, separated by spaces."),
    )
    description = forms.CharField(
        label=pgettext_lazy("hotline", "Service description"),
        max_length=config.TEXT_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Shown to Open311 clients; the full name when empty."),
    )
    default_urgent = forms.BooleanField(label=gettext_lazy("Urgent by default"), required=False)
    active = forms.BooleanField(
        label=gettext_lazy("Active (can be chosen for new tickets)"), required=False
    )
    sort = forms.IntegerField(
        label=gettext_lazy("Sort order"),
        min_value=0,
        initial=0,
        help_text=gettext_lazy("Smaller numbers come first among siblings."),
    )


class NewCategoryForm(CategoryFields):
    parent = CategoryChoiceField(
        label=gettext_lazy("Parent category"),
        queryset=_category_queryset(config.MAX_LEVEL - 1),
        required=False,
        empty_label=gettext_lazy("— none: a new 大类 —"),
        help_text=gettext_lazy("大类 have no parent; 中类 sit under a 大类, 小类 under a 中类."),
    )
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=config.CODE_MAX_CHARS,
        help_text=gettext_lazy("Unique; by custom the parent's code plus two digits (0101)."),
    )

    field_order = ["parent", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _category_choices_in_tree_order(_model_choice(self, "parent"), config.MAX_LEVEL - 1)


class RuleForm(forms.Form):
    category = CategoryChoiceField(
        label=gettext_lazy("Category"), queryset=_category_queryset(), empty_label="—"
    )
    region = RegionChoiceField(
        label=pgettext_lazy("hotline", "Region"),
        queryset=Region.objects.none(),
        empty_label="—",
        help_text=gettext_lazy("The rule covers this region and everything below it."),
    )
    lead_department = forms.ModelChoiceField(
        label=gettext_lazy("Lead department"),
        queryset=Department.objects.order_by("id"),
        empty_label="—",
    )
    co_departments = params.ModelMultipleIdField(
        label=gettext_lazy("Co-handling departments"),
        queryset=Department.objects.order_by("id"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        initial=0,
        help_text=gettext_lazy("Only when two rules are equally specific: the larger number wins."),
    )
    active = forms.BooleanField(
        label=pgettext_lazy("hotline", "Active"), required=False, initial=True
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), max_length=config.NOTE_MAX_CHARS, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _model_choice(self, "region").queryset = county_regions()
        _category_choices_in_tree_order(_model_choice(self, "category"), config.MAX_LEVEL)
        # Grouped pickers: the county, then each town with its villages; departments county
        # first, then by town (one read shared by both department fields).
        use_grouped_regions(self.fields["region"])
        departments = grouped_departments(Department.objects.all())
        set_grouped_choices(self.fields["lead_department"], departments)
        set_grouped_choices(self.fields["co_departments"], departments)


# --- index ---------------------------------------------------------------------------


def _limit_rows(posted=None, errors: dict | None = None) -> list[dict]:
    current = config.effective_time_limits()
    errors = errors or {}
    rows = []
    for urgent in (False, True):
        for type_, label in TicketType.choices:
            days, sign = current[(type_, urgent)]
            cells = []
            for field, value, heading in (
                ("days", days, _("Working days to handle")),
                ("sign_days", sign, _("Working days to sign for")),
            ):
                name = config.limit_field(type_, urgent, field)
                cells.append(
                    {
                        "name": name,
                        "heading": heading,
                        "value": posted.get(name, "") if posted is not None else value,
                        "errors": errors.get(name, []),
                    }
                )
            rows.append(
                {
                    "label": label,
                    "urgent": urgent,
                    "standard": DEFAULT_TIME_LIMITS[(TicketType(type_), urgent)],
                    "changed": current[(type_, urgent)]
                    != DEFAULT_TIME_LIMITS[(TicketType(type_), urgent)],
                    "cells": cells,
                }
            )
    return rows


def _render_index(request: AuthenticatedRequest, limit_rows=None, limit_errors=()) -> HttpResponse:
    g = request.GET
    tree = _tree(list(Category.objects.all()))
    rules = DispatchRule.objects.select_related(
        "category__parent__parent", "region", "lead_department"
    ).prefetch_related("co_departments")
    category_filter = params.object_id(g, "category", required=False)
    region_filter = params.object_id(g, "region", required=False)
    if category_filter is not None:
        rules = rules.filter(category_id__in=_subtree_ids(tree, category_filter))
    regions = list(county_regions())
    if region_filter is not None:
        chosen = next((r for r in regions if r.pk == region_filter), None)
        rules = rules.filter(region__path__startswith=chosen.path) if chosen else rules.none()
    shown = list(rules.order_by("category__code", "region__path", "id")[: MAX_RULES_SHOWN + 1])
    return render(
        request,
        "hotline/config/index.html",
        {
            "tree": tree,
            "rules": shown[:MAX_RULES_SHOWN],
            "rules_capped": len(shown) > MAX_RULES_SHOWN,
            "max_rules": MAX_RULES_SHOWN,
            "filter_categories": tree,
            "filter_regions": regions,
            "category_filter": category_filter,
            "region_filter": region_filter,
            "limit_rows": limit_rows if limit_rows is not None else _limit_rows(),
            "limit_errors": limit_errors,
            "max_days": config.MAX_LIMIT_DAYS,
        },
    )


@login_required
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponse:
    config.ensure_can_configure(request.user)
    return _render_index(request)


# --- categories ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def category_new(request: AuthenticatedRequest) -> HttpResponse:
    config.ensure_can_configure(request.user)
    if request.method == "POST":
        form = NewCategoryForm(request.POST)
        if form.is_valid():
            try:
                category = config.create_category(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Category “%(name)s” (%(code)s) added.")
                    % {"name": category.full_name, "code": category.code},
                )
                return redirect(_index(f"category-{category.pk}"))
    else:
        parent = request.GET.get("parent", "")
        form = NewCategoryForm(
            initial={"parent": params.parse_int(parent, minimum=1), "active": True}
        )
    return render(request, "hotline/config/category.html", {"form": form, "category": None})


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    config.ensure_can_configure(request.user)
    category = get_object_or_404(Category.objects.select_related("parent__parent"), pk=pk)
    if request.method == "POST":
        form = CategoryFields(request.POST)
        if form.is_valid():
            try:
                config.update_category(actor=request.user, category=category, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Category “%(name)s” saved.") % {"name": category.full_name}
                )
                return redirect(_index(f"category-{category.pk}"))
    else:
        form = CategoryFields(
            initial={
                f: getattr(category, f)
                for f in ("name", "keywords", "description", "default_urgent", "active", "sort")
            }
        )
    return render(
        request,
        "hotline/config/category.html",
        {
            "form": form,
            "category": category,
            "in_use": config.category_in_use(category),
            "can_add_child": category.level < config.MAX_LEVEL,
        },
    )


@login_required
@require_POST
def category_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    config.ensure_can_configure(request.user)
    category = get_object_or_404(Category.objects.select_related("parent__parent"), pk=pk)
    name = category.full_name
    try:
        config.delete_category(actor=request.user, category=category)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("hotline:config_category", pk=pk)
    messages.success(request, _("Category “%(name)s” deleted.") % {"name": name})
    return redirect(_index("categories"))


# --- dispatch rules --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    config.ensure_can_configure(request.user)
    rule = None
    if pk is not None:
        rule = get_object_or_404(
            DispatchRule.objects.select_related("category__parent__parent", "region"), pk=pk
        )
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            try:
                rule = config.save_dispatch_rule(actor=request.user, rule=rule, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Dispatch rule saved: “%(category)s” in %(region)s → %(lead)s.")
                    % {
                        "category": rule.category.full_name,
                        "region": rule.region.name,
                        "lead": rule.lead_department.name,
                    },
                )
                return redirect(_index(f"rule-{rule.pk}"))
    elif rule is not None:
        form = RuleForm(
            initial={
                "category": rule.category_id,
                "region": rule.region_id,
                "lead_department": rule.lead_department_id,
                "co_departments": [d.pk for d in rule.co_departments.all()],
                "priority": rule.priority,
                "active": rule.active,
                "note": rule.note,
            }
        )
    else:
        g = request.GET
        initial: dict[str, object] = {"active": True, "priority": 0}
        category_pk = params.parse_int(g.get("category", ""), minimum=1)
        if category_pk:
            initial["category"] = category_pk
        county = Region.objects.filter(code=COUNTY_CODE).first()
        if county is not None:
            initial["region"] = county.pk
        form = RuleForm(initial=initial)
    return render(request, "hotline/config/rule.html", {"form": form, "rule": rule})


@login_required
@require_POST
def rule_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    config.ensure_can_configure(request.user)
    rule = get_object_or_404(
        DispatchRule.objects.select_related("category__parent__parent", "region"), pk=pk
    )
    label = _("“%(category)s” in %(region)s") % {
        "category": rule.category.full_name,
        "region": rule.region.name,
    }
    config.delete_dispatch_rule(actor=request.user, rule=rule)
    messages.success(request, _("Dispatch rule deleted: %(rule)s.") % {"rule": label})
    return redirect(_index("dispatch"))


# --- time limits ---------------------------------------------------------------------------


@login_required
@require_POST
def time_limits(request: AuthenticatedRequest) -> HttpResponse:
    config.ensure_can_configure(request.user)
    limits = {}
    for urgent in (False, True):
        for type_ in TicketType.values:
            limits[(type_, urgent)] = (
                request.POST.get(config.limit_field(type_, urgent, "days"), ""),
                request.POST.get(config.limit_field(type_, urgent, "sign_days"), ""),
            )
    try:
        written = config.set_time_limits(actor=request.user, limits=limits)
    except ValidationError as exc:
        errors = exc.message_dict
        rows = _limit_rows(posted=request.POST, errors=errors)
        return _render_index(request, limit_rows=rows, limit_errors=errors.get("__all__", []))
    if written:
        messages.success(
            request,
            _(
                "Time limits saved (%(count)d changed). They apply to tickets dispatched from "
                "now on; running deadlines do not move."
            )
            % {"count": len(written)},
        )
    else:
        messages.info(request, _("No time limit was changed."))
    return redirect(_index("time-limits"))
