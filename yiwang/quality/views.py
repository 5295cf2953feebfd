"""Staff pages of data quality, under /data/quality/:

- ``/`` the resources by their latest score (the data authority: all; data administrators:
  their departments');
- ``r/<code>/`` a resource's rules, suggested rules, latest score and runs, with the buttons
  to run now and to detect sensitive fields (``r/<code>/detect/``);
- ``rules/<pk>/`` to change a rule; ``runs/<pk>/`` a run's results and issues, paged, and
  ``runs/<pk>/export/`` the issues as CSV or Excel.

Everything but the score list is for the provider's data administrator and the authority.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.datahub import queries as catalogue
from yiwang.datahub.models import Resource
from yiwang.datahub.permissions import is_staff_reader

from . import actions, display, exports, queries
from .choices import RESOURCE_KINDS, RuleKind, RunStatus
from .models import QualityRun
from .params import published_items
from .permissions import require_manager, sees_scores
from .suggestions import suggest

PAGE_SIZE = 30
ISSUES_PAGE_SIZE = 50
#: The form fields that carry a rule's parameters.
PARAM_FIELDS = ("pattern", "min", "max", "values", "reference", "grace_days")


def _staff(request: HttpRequest) -> None:
    if not is_staff_reader(request.user):
        raise PermissionDenied(gettext("Data quality is for staff."))


def _resource(request: HttpRequest, code: str) -> Resource:
    _staff(request)
    found = catalogue.find_resource(request.user, code[:20])
    if found is None:
        raise Http404(gettext("No resource %(code)s in the catalogue.") % {"code": code[:20]})
    require_manager(request.user, found)
    return found


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _staff(request)
    if not sees_scores(request.user):
        raise PermissionDenied(
            gettext("Quality scores are for data administrators and the data authority.")
        )
    page = Paginator(queries.scores_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "score": s,
            "tone": display.tone(s.score),
            "dimensions": display.dimension_scores(s.scores),
        }
        for s in page.object_list
    ]
    return render(request, "quality/index.html", {"page_obj": page, "rows": rows})


def _errors(error: ValidationError) -> dict[str, list[str]]:
    """Messages by field; those of no field under ``NON_FIELD_ERRORS``."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def _params(post) -> dict[str, str]:
    return {name: post.get(name, "") for name in PARAM_FIELDS}


def _references(request: HttpRequest):
    """(code, name) of the catalogued resources a reference rule may name."""
    return (
        catalogue.catalogue_for(request.user)
        .filter(catalogue.IN_CATALOGUE)
        .order_by("code")
        .values_list("code", "current_version__name")
    )


def _resource_page(
    request: HttpRequest,
    resource: Resource,
    *,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    items = published_items(resource)
    rules = queries.rules_of(resource)
    runs = queries.recent_runs(resource)
    latest = next((r for r in runs if r.status == RunStatus.DONE), None)
    active = next((r for r in runs if not r.finished and not actions.stalled(r)), None)
    return render(
        request,
        "quality/resource.html",
        {
            "resource": resource,
            "name": resource.current_version.name if resource.current_version else resource.name,
            "published": resource.current_version_id is not None,
            "items": list(items.values()),
            "rules": display.rule_rows(rules, items),
            "suggestions": suggest(resource, [(r.kind, r.column) for r in rules]),
            "runs": runs,
            "latest": latest,
            "latest_tone": display.tone(latest.score) if latest else "muted",
            "dimensions": display.dimension_scores(latest.scores) if latest else [],
            "active": active,
            "kinds": RuleKind.choices,
            "resource_kinds": sorted(RESOURCE_KINDS),
            "references": _references(request),
            "errors": errors,
            "general_errors": errors.get(NON_FIELD_ERRORS, []),
            "values": values or {},
        },
        status=status,
    )


@login_required
def resource(request: HttpRequest, code: str) -> HttpResponse:
    return _resource_page(request, _resource(request, code))


@login_required
@require_POST
def add_rule(request: HttpRequest, code: str) -> HttpResponse:
    found = _resource(request, code)
    kind = request.POST.get("kind", "")
    column = request.POST.get("column", "")
    try:
        actions.create_rule(
            actor=request.user,
            resource=found,
            kind=kind,
            column=column,
            params=_params(request.POST),
        )
    except ValidationError as error:
        values = {"kind": kind, "column": column, **_params(request.POST)}
        return _resource_page(request, found, errors=_errors(error), values=values, status=400)
    messages.success(request, gettext("The rule is added. It applies from the next run."))
    return redirect("quality:resource", code=found.code)


@login_required
@require_POST
def accept_suggestions(request: HttpRequest, code: str) -> HttpResponse:
    found = _resource(request, code)
    try:
        created = actions.accept_suggestions(
            actor=request.user, resource=found, keys=request.POST.getlist("suggestion")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("%(n)d suggested rules are added.") % {"n": len(created)})
    return redirect("quality:resource", code=found.code)


def _rule(request: HttpRequest, pk: int):
    _staff(request)
    rule = queries.find_rule(pk)
    if rule is None:
        raise Http404(gettext("No such rule."))
    require_manager(request.user, rule.resource)
    return rule


@login_required
def edit_rule(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    items = published_items(rule.resource)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {"column": rule.column}
    params = rule.params
    values.update(
        {name: "" if params.get(name) is None else str(params[name]) for name in PARAM_FIELDS}
    )
    values["values"] = "\n".join(params.get("values", []))
    values["reference"] = params.get("resource", "")
    if request.method == "POST":
        column = request.POST.get("column", rule.column)
        try:
            actions.update_rule(
                actor=request.user, rule=rule, column=column, params=_params(request.POST)
            )
        except ValidationError as error:
            errors = _errors(error)
            values = {"column": column, **_params(request.POST)}
        else:
            messages.success(request, gettext("The rule is saved."))
            return redirect("quality:resource", code=rule.resource.code)
    return render(
        request,
        "quality/rule_edit.html",
        {
            "rule": rule,
            "resource": rule.resource,
            "kind_label": display.kind_label(rule.kind),
            "items": list(items.values()),
            "errors": errors,
            "general_errors": errors.get(NON_FIELD_ERRORS, []),
            "values": values,
            "resource_rule": rule.kind in RESOURCE_KINDS,
            "references": _references(request),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def delete_rule(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    code = rule.resource.code
    actions.delete_rule(actor=request.user, rule=rule)
    messages.success(request, gettext("The rule is deleted."))
    return redirect("quality:resource", code=code)


@login_required
@require_POST
def run_now(request: HttpRequest, code: str) -> HttpResponse:
    found = _resource(request, code)
    try:
        run = actions.request_run(actor=request.user, resource=found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("quality:resource", code=found.code)
    messages.success(request, gettext("The run is queued; this page shows its result."))
    return redirect("quality:run", pk=run.pk)


def _run(request: HttpRequest, pk: int) -> QualityRun:
    _staff(request)
    run = queries.find_run(pk)
    if run is None:
        raise Http404(gettext("No such run."))
    require_manager(request.user, run.resource)
    return run


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    items = published_items(run.resource)
    kind = request.GET.get("kind", "")
    kind = kind if kind in RuleKind.values else ""
    column = request.GET.get("column", "")
    column = column if column in items else ""
    issues = queries.issues_of(run, kind=kind, column=column)
    page = Paginator(issues, ISSUES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/run.html",
        {
            "run": run,
            "resource": run.resource,
            "name": run.resource.current_version.name
            if run.resource.current_version
            else run.resource.name,
            "tone": display.tone(run.score),
            "dimensions": display.dimension_scores(run.scores),
            "results": display.result_rows(run.results, items),
            "page_obj": page,
            "issues": [
                (issue, items.get(issue.column, {}).get("name", issue.column))
                for issue in page.object_list
            ],
            "items": items,
            "kinds": RuleKind.choices,
            "kind": kind,
            "column": column,
            "capped": run.issues_stored < run.issue_total,
            "stalled": actions.stalled(run),
        },
    )


@login_required
def export_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    items = published_items(run.resource)
    name = f"quality-{run.resource.code}-{run.pk}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(exports.as_xlsx(run, items), content_type=exports.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = HttpResponse(exports.as_csv(run, items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
def detect(request: HttpRequest, code: str) -> HttpResponse:
    """POST: detect and show the findings (it reads personal values and is audited, so a
    prefetching browser's GET must not start it); GET: back to the quality page."""
    found = _resource(request, code)
    if request.method != "POST":
        return redirect("quality:resource", code=found.code)
    try:
        findings = actions.detect_sensitive(actor=request.user, resource=found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("quality:resource", code=found.code)
    return render(
        request,
        "quality/detect.html",
        {
            "resource": found,
            "name": found.current_version.name if found.current_version else found.name,
            "findings": findings,
            "differences": sum(1 for f in findings if f.differs),
            "can_edit": found.editable,
        },
    )
