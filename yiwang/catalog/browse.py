"""Browsing services by life event and theme (/services/themes/) and managing the themes
(/services/manage/themes/, catalogue authority only)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import AuthenticatedRequest

from . import actions
from .models import ItemStatus, ServiceItem, Theme
from .permissions import is_catalog_authority
from .queries import mark_namesakes, preferred_first
from .theme_forms import ThemeForm, facet_value
from .theme_icons import ICONS
from .themes import browsable_items, grouped, item_counts

PAGE_SIZE = 20
#: Facet values shown before the rest are folded away (on a phone a long list is a wall).
FACET_SHOWN = 8


# --- public pages -----------------------------------------------------------------------


def themes(request: HttpRequest) -> HttpResponse:
    """个人办事 and 法人办事: the active themes that have items, with their item counts."""
    active = list(Theme.objects.filter(active=True))
    counts = item_counts()
    for theme in active:
        theme.item_count = counts.get(theme.pk, 0)
    shown = [t for t in active if t.item_count]
    return render(request, "catalog/browse/index.html", {"groups": grouped(shown)})


def _link(params: QueryDict, name: str, value: str) -> str:
    """The current page's query with facet ``name`` set to ``value`` ("" clears it), page 1."""
    query = params.copy()
    query.pop("page", None)
    query.pop(name, None)
    if value:
        query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _facet(
    qs: QuerySet[ServiceItem], params: QueryDict, name: str, fields: tuple[str, str], selected: str
) -> dict:
    """One facet's values with counts (one GROUP BY), the most frequent first, each with its
    link; the selected value is always among those shown."""
    key, label = fields
    rows = list(
        qs.order_by()
        .values(key, label)
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", label)
    )
    values = [
        {
            "value": str(r[key]),
            "label": r[label],
            "count": r["n"],
            "selected": str(r[key]) == selected,
            "url": _link(params, name, str(r[key])),
        }
        for r in rows
    ]
    shown, more = values[:FACET_SHOWN], values[FACET_SHOWN:]
    chosen = [v for v in more if v["selected"]]
    if chosen:
        shown.append(chosen[0])
        more.remove(chosen[0])
    return {
        "name": name,
        "shown": shown,
        "more": more,
        "selected": selected,
        "all_url": _link(params, name, ""),
    }


def theme(request: HttpRequest, code: str) -> HttpResponse:
    """A theme's items with 部门 and 事项类型 facets (each counted with the other one applied)."""
    current = get_object_or_404(Theme, code=code, active=True)
    base = browsable_items().filter(themes=current)
    department = facet_value(request.GET.get("department"), digits=True)
    item_type = facet_value(request.GET.get("type"), limit=4).upper()
    by_department = Q(department_id=int(department)) if department else Q()
    by_type = Q(item_type__code=item_type) if item_type else Q()
    facets = [
        _facet(
            base.filter(by_type),
            request.GET,
            "department",
            ("department_id", "department__name"),
            department,
        ),
        _facet(
            base.filter(by_department),
            request.GET,
            "type",
            ("item_type__code", "item_type__name"),
            item_type,
        ),
    ]
    listed = (
        base.filter(by_department & by_type)
        .select_related("department", "item_type", "region")
        .order_by("item_type__code", "main_number", "sub_number", "pk")
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    items = preferred_first(mark_namesakes(list(page.object_list)))
    siblings = [
        t
        for t in Theme.objects.filter(active=True, audience=current.audience).order_by("order")
        if t.pk != current.pk
    ]
    return render(
        request,
        "catalog/browse/theme.html",
        {
            "theme": current,
            "page": page,
            "items": items,
            "facets": facets,
            "filtered": bool(department or item_type),
            "siblings": siblings,
        },
    )


# --- back office ------------------------------------------------------------------------


def _authority(request: HttpRequest) -> None:
    if not is_catalog_authority(request.user):
        raise PermissionDenied(
            gettext(
                "The themes are managed by the data authority (catalogue administrators); "
                "department administrators choose an item's themes in the item editor."
            )
        )


@login_required
def manage_themes(request: AuthenticatedRequest) -> HttpResponse:
    _authority(request)
    listed = Theme.objects.annotate(
        items_total=Count("items", distinct=True),
        items_published=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED), distinct=True),
    )
    unthemed = ServiceItem.objects.published().filter(themes__isnull=True).count()
    return render(
        request,
        "catalog/manage/themes.html",
        {"groups": grouped(listed), "unthemed": unthemed},
    )


@login_required
def manage_theme_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    _authority(request)
    current = get_object_or_404(Theme, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                if current is None:
                    current = actions.create_theme(actor=request.user, **form.cleaned_data)
                else:
                    actions.update_theme(actor=request.user, theme=current, **form.cleaned_data)
            except ValidationError as exc:
                form.show_errors(exc)
            else:
                messages.success(request, gettext("Saved “%(name)s”.") % {"name": current.name})
                return redirect("catalog:manage_themes")
    else:
        form = ThemeForm(initial=ThemeForm.initial_for(current) if current else None)
    return render(
        request,
        "catalog/manage/themes_edit.html",
        {"theme": current, "form": form, "icons": ICONS},
    )


@login_required
@require_POST
def manage_themes_place(request: AuthenticatedRequest) -> HttpResponse:
    _authority(request)
    result = actions.place_unthemed_items(actor=request.user)
    messages.success(
        request,
        gettext("%(placed)d of %(checked)d published items without a theme were placed by keyword.")
        % {"placed": result.placed, "checked": result.checked},
    )
    return redirect("catalog:manage_themes")
