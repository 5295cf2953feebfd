"""Public FAQ (/faq/), glossary, the agents' suggestion fragment and the back office."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.catalog.models import ServiceItem
from yiwang.web.params import parse_int

from . import actions, queries
from .forms import ArticleForm, CategoryForm, GlossaryForm, SearchForm
from .models import Article, ArticleStatus, GlossaryTerm, KnowledgeCategory
from .permissions import (
    can_edit_glossary,
    can_manage_article,
    can_manage_categories,
    can_use_back_office,
    is_staff_reader,
    manageable_articles,
    manageable_departments,
)

PAGE_SIZE = 20
MANAGE_PAGE_SIZE = 50
SUGGEST_LIMIT = 5


def _categories():
    """Top-level categories with their children and public article counts (2 queries)."""
    counts = dict(
        Article.objects.public()
        .values("category_id")
        .annotate(n=Count("id"))
        .values_list("category_id", "n")
    )
    categories = list(KnowledgeCategory.objects.order_by("position", "id"))
    children: dict[int, list] = {}
    for c in categories:
        c.article_count = counts.get(c.pk, 0)
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    top = [c for c in categories if c.parent_id is None]
    for c in top:
        c.subcategories = children.get(c.pk, [])
        c.total = c.article_count + sum(s.article_count for s in c.subcategories)
    return top, {c.pk: c for c in categories}


def index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    top, by_id = _categories()
    raw = request.GET.get("category", "")
    category = by_id.get(parse_int(raw, minimum=1))
    if query:
        articles = queries.search_articles(query)
        if category is not None:
            ids = set(queries.category_ids(category))
            articles = [a for a in articles if a.category_id in ids]
        page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    elif category is not None:
        page = Paginator(queries.public_articles(category), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    else:
        page = None
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "knowledge/index.html",
        {
            "form": form,
            "query": query,
            "categories": top,
            "category": category,
            "page": page,
            "popular": queries.popular_articles(10) if page is None else [],
            "querystring": params.urlencode(),
            "can_manage": can_use_back_office(request.user),
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(
        Article.objects.select_related(
            "category", "category__parent", "department"
        ).prefetch_related(
            Prefetch(
                "service_items",
                queryset=ServiceItem.objects.published()
                .select_related("department")
                .order_by("name"),
                to_attr="published_items",
            )
        ),
        pk=pk,
    )
    can_manage = (
        can_manage_article(request.user, article) if request.user.is_authenticated else False
    )
    staff = is_staff_reader(request.user)
    visible = article.is_public or (
        staff and article.status == ArticleStatus.PUBLISHED and article.is_valid
    )
    if not visible and not can_manage:
        raise Http404(gettext("This question is not published or no longer valid."))
    if article.is_public:
        actions.count_view(article)
    return render(
        request,
        "knowledge/detail.html",
        {
            "article": article,
            "items": article.published_items,  # type: ignore[attr-defined]  # Prefetch to_attr
            "can_manage": can_manage,
            "preview": not article.is_public,
            # What the public sees is redacted; a staff preview of a non-public article is not.
            "public_page": article.is_public,
        },
    )


def glossary(request: HttpRequest) -> HttpResponse:
    terms = list(GlossaryTerm.objects.order_by("dialect", "term")[:1000])
    return render(
        request,
        "knowledge/glossary.html",
        {
            "terms": terms,
            "can_edit": can_edit_glossary(request.user) and request.user.is_authenticated,
        },
    )


def suggest(request: HttpRequest) -> HttpResponse:
    """The suggestion list for the 12345 agent form (htmx fragment; staff only)."""
    if not is_staff_reader(request.user):
        raise PermissionDenied(gettext("Answer suggestions are for 12345 agents and other staff."))
    q = request.GET.get("q", "")[:200].strip()
    try:
        limit = int(request.GET.get("limit", SUGGEST_LIMIT))
    except ValueError:
        limit = SUGGEST_LIMIT
    articles = queries.suggest_articles(q, limit=limit) if q else []
    return render(request, "knowledge/_suggestions.html", {"articles": articles, "query": q})


# --- back office -------------------------------------------------------------------------


def _back_office(request: HttpRequest) -> None:
    if not can_use_back_office(request.user):
        raise PermissionDenied(
            gettext(
                "The knowledge base back office is for department administrators and the data "
                "authority."
            )
        )


def _managed(request: HttpRequest, pk: int) -> Article:
    _back_office(request)
    return get_object_or_404(manageable_articles(request.user), pk=pk)


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _back_office(request)
    qs = manageable_articles(request.user).order_by("-updated_at", "-id")
    status = request.GET.get("status", "")
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    text = request.GET.get("q", "").strip()[:100]
    if text:
        qs = qs.filter(
            Q(title__icontains=text) | Q(question__icontains=text) | Q(aliases__icontains=text)
        )
    page = Paginator(qs, MANAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "knowledge/manage/list.html",
        {
            "page": page,
            "status": status,
            "text": text,
            "statuses": ArticleStatus.choices,
            "querystring": params.urlencode(),
        },
    )


def _apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@login_required
def manage_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _back_office(request)
    article = _managed(request, pk) if pk is not None else None
    departments = manageable_departments(request.user)
    if request.method == "POST":
        form = ArticleForm(request.POST, departments=departments)
        if form.is_valid():
            try:
                if article is None:
                    article = actions.create_article(actor=request.user, **form.article_fields())
                else:
                    actions.update_article(
                        actor=request.user, article=article, **form.article_fields()
                    )
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(request, gettext("Saved “%(title)s”.") % {"title": article.title})
                return redirect("knowledge:manage_edit", pk=article.pk)
    else:
        form = ArticleForm(
            initial=ArticleForm.initial_for(article) if article else None, departments=departments
        )
    return render(request, "knowledge/manage/edit.html", {"article": article, "form": form})


@login_required
@require_POST
def manage_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = _managed(request, pk)
    try:
        actions.publish_article(actor=request.user, article=article)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Published “%(title)s”.") % {"title": article.title})
    if request.POST.get("next") == "list":
        return redirect("knowledge:manage")
    return redirect("knowledge:manage_edit", pk=article.pk)


@login_required
@require_POST
def manage_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    article = _managed(request, pk)
    try:
        actions.unpublish_article(
            actor=request.user, article=article, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("Unpublished “%(title)s”.") % {"title": article.title})
    if request.POST.get("next") == "list":
        return redirect("knowledge:manage")
    return redirect("knowledge:manage_edit", pk=article.pk)


@login_required
def manage_glossary(request: HttpRequest) -> HttpResponse:
    _back_office(request)
    if request.method == "POST":
        form = GlossaryForm(request.POST)
        if form.is_valid():
            try:
                entry = actions.add_glossary_term(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    gettext("Added “%(term)s” → %(standard)s.")
                    % {"term": entry.term, "standard": entry.standard},
                )
                return redirect("knowledge:manage_glossary")
    else:
        form = GlossaryForm()
    terms = list(GlossaryTerm.objects.order_by("dialect", "term")[:1000])
    return render(request, "knowledge/manage/glossary.html", {"form": form, "terms": terms})


@login_required
def manage_glossary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _back_office(request)
    entry = get_object_or_404(GlossaryTerm, pk=pk)
    if request.method == "POST":
        form = GlossaryForm(request.POST)
        if form.is_valid():
            try:
                actions.update_glossary_term(actor=request.user, entry=entry, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    gettext("Saved “%(term)s” → %(standard)s.")
                    % {"term": entry.term, "standard": entry.standard},
                )
                return redirect("knowledge:manage_glossary")
    else:
        form = GlossaryForm(
            initial={
                "term": entry.term,
                "standard": entry.standard,
                "dialect": entry.dialect,
                "note": entry.note,
            }
        )
    return render(request, "knowledge/manage/glossary_edit.html", {"entry": entry, "form": form})


@login_required
def manage_glossary_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask for confirmation; POST: delete the term."""
    _back_office(request)
    entry = get_object_or_404(GlossaryTerm, pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            actions.delete_glossary_term(actor=request.user, entry=entry)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, gettext("Deleted “%(term)s”.") % {"term": entry.term})
            return redirect("knowledge:manage_glossary")
    return render(
        request,
        "knowledge/manage/confirm_delete.html",
        {
            "title": gettext("Delete the term “%(term)s”") % {"term": entry.term},
            "question": gettext(
                "Delete “%(term)s” → %(standard)s (%(dialect)s)? Searches using “%(term)s” will "
                "no longer also look for %(standard)s."
            )
            % {"term": entry.term, "standard": entry.standard, "dialect": entry.dialect},
            "errors": errors,
            "back_url": reverse("knowledge:manage_glossary"),
            "back_label": gettext("Dialect glossary"),
        },
    )


# --- categories ------------------------------------------------------------------------------


def _category_rows() -> list[KnowledgeCategory]:
    """Every category in tree order (top level, each followed by its subcategories) with its
    article counts (1 query). Anything deeper than two levels is listed under its parent."""
    categories = list(
        KnowledgeCategory.objects.select_related("parent")
        .annotate(
            article_count=Count("articles"),
            published_count=Count("articles", filter=Q(articles__status=ArticleStatus.PUBLISHED)),
        )
        .order_by("position", "id")
    )
    children: dict[int, list[KnowledgeCategory]] = {}
    for c in categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    rows: list[KnowledgeCategory] = []
    listed: set[int] = set()

    def walk(nodes, depth):
        for c in nodes:
            if c.pk in listed:  # a cycle written outside the actions: list each one once
                continue
            listed.add(c.pk)
            c.depth = depth
            c.child_count = len(children.get(c.pk, []))
            c.deletable = not c.article_count and not c.child_count
            rows.append(c)
            walk(children.get(c.pk, []), depth + 1)

    walk([c for c in categories if c.parent_id is None], 0)
    return rows


@login_required
def manage_categories(request: HttpRequest) -> HttpResponse:
    """The category tree with article counts; the data authority creates categories here."""
    _back_office(request)
    can_edit = can_manage_categories(request.user)
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                category = actions.create_category(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(
                    request, gettext("Created the category “%(name)s”.") % {"name": category.name}
                )
                return redirect("knowledge:manage_categories")
    else:
        form = CategoryForm()
    return render(
        request,
        "knowledge/manage/categories.html",
        {"rows": _category_rows(), "form": form if can_edit else None, "can_edit": can_edit},
    )


def _category_for_change(request: HttpRequest, pk: int) -> KnowledgeCategory:
    _back_office(request)
    if not can_manage_categories(request.user):
        raise PermissionDenied(gettext("Only the data authority can change the categories."))
    return get_object_or_404(KnowledgeCategory.objects.select_related("parent"), pk=pk)


@login_required
def manage_category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = _category_for_change(request, pk)
    if request.method == "POST":
        form = CategoryForm(request.POST, category=category)
        if form.is_valid():
            try:
                actions.update_category(actor=request.user, category=category, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(
                    request, gettext("Saved the category “%(name)s”.") % {"name": category.name}
                )
                return redirect("knowledge:manage_categories")
    else:
        form = CategoryForm(initial=CategoryForm.initial_for(category), category=category)
    return render(
        request,
        "knowledge/manage/category_edit.html",
        {"category": category, "form": form, "in_use": actions.category_in_use(category)},
    )


@login_required
def manage_category_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask for confirmation (or say why it cannot be deleted); POST: delete."""
    category = _category_for_change(request, pk)
    if request.method == "POST":
        try:
            actions.delete_category(actor=request.user, category=category)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request, gettext("Deleted the category “%(name)s”.") % {"name": category.name}
            )
            return redirect("knowledge:manage_categories")
    else:
        errors = actions.category_in_use(category)
    return render(
        request,
        "knowledge/manage/confirm_delete.html",
        {
            "title": gettext("Delete the category “%(name)s”") % {"name": category.name},
            "question": gettext(
                "Delete the category “%(name)s”? This cannot be undone; the change is recorded "
                "in the audit log."
            )
            % {"name": category.name},
            "errors": errors,
            "back_url": reverse("knowledge:manage_categories"),
            "back_label": gettext("Categories"),
        },
    )
