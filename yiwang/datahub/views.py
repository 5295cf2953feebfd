"""Staff pages of the catalogue: the list (/data/), a resource (/data/r/<code>/), its review
and life-cycle buttons, the authority's queue (/data/review/) and the grade policy
(/data/grades/). The editor and the provider's list are in ``editor_views``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.orgs.models import Department
from yiwang.web.params import parse_int

from . import actions, ingestion_views, queries
from .choices import (
    ApprovalRoute,
    Grade,
    Mask,
    OpenType,
    ResourceStatus,
    SharingType,
)
from .models import GradePolicy, Resource
from .permissions import (
    can_manage_provider,
    is_authority,
    is_staff_reader,
    manageable_departments,
    sees_working_copy,
)
from .sharing import queries as sharing_queries
from .sharing import rules as sharing_rules

PAGE_SIZE = 20
MAX_QUERY = 100


def staff_only(request: HttpRequest) -> None:
    if not is_staff_reader(request.user):
        raise PermissionDenied(gettext("The data catalogue is for staff."))


def _filters(request: HttpRequest) -> queries.Filters:
    get = request.GET
    kind = get.get("kind", "")
    classification = get.get("classification", "")
    return queries.Filters(
        q=get.get("q", "").strip()[:MAX_QUERY],
        kind=kind if kind in ("1", "2", "3") else "",
        classification=classification
        if classification.isdigit() and len(classification) <= 9
        else "",
        provider=parse_int(get.get("provider", ""), minimum=1, maximum=2**31),
        sharing_type=get.get("sharing_type", ""),
        open_type=get.get("open_type", ""),
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    staff_only(request)
    filters = _filters(request)
    qs = queries.filtered(request.user, queries.catalogue_for(request.user), filters)
    rows = queries.search(request.user, filters.q, qs) if filters.q else qs.order_by("code")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    counts = queries.kind_counts(request.user)
    kinds = [(c, c.code, counts.get(c.code, 0)) for c in queries.top_classes()]
    return render(
        request,
        "datahub/index.html",
        {
            "page_obj": page,
            "rows": [queries.row(request.user, r) for r in page.object_list],
            "filters": filters,
            "kinds": kinds,
            "total": sum(counts.values()),
            "classifications": queries.classification_choices(),
            "departments": Department.objects.filter(
                pk__in=queries.catalogue_for(request.user).values("provider_id")
            ).order_by("id"),
            "sharing_types": SharingType.choices,
            "open_types": OpenType.choices,
            "querystring": params.urlencode(),
            "can_register": can_manage_any(request.user),
        },
    )


def can_manage_any(user) -> bool:
    return is_authority(user) or manageable_departments(user).exists()


def _resource(request: HttpRequest, code: str) -> Resource:
    staff_only(request)
    resource = queries.find_resource(request.user, code)
    if resource is None:
        raise Http404(gettext("No resource %(code)s in the catalogue.") % {"code": code[:20]})
    return resource


@login_required
def resource(request: HttpRequest, code: str) -> HttpResponse:
    found = _resource(request, code)
    face = queries.face(request.user, found)
    working = found.current_version is None or sees_working_copy(request.user, found)
    manager = can_manage_provider(request.user, found.provider)
    authority = is_authority(request.user)
    status = found.status
    return render(
        request,
        "datahub/resource.html",
        {
            "resource": found,
            "data": face,
            "working": working,
            "related": queries.related_names(request.user, face.get("related", [])),
            "versions": list(found.versions.select_related("published_by").order_by("-version")),
            "can_edit": manager and found.editable,
            "can_submit": manager and found.editable,
            "can_revise": manager
            and status in (ResourceStatus.PUBLISHED, ResourceStatus.WITHDRAWN),
            "can_withdraw": manager and status == ResourceStatus.PUBLISHED,
            "can_review": authority and status == ResourceStatus.SUBMITTED,
            "show_note": working and bool(found.review_note),
            # Data sharing: who may request it, and its active grants ("who consumes it").
            "can_request": found.in_catalogue
            and any(
                d.pk != found.provider_id for d in sharing_rules.admin_departments(request.user)
            ),
            "consumers": sharing_queries.resource_consumers(request.user, found),
            # Loading rows (provider's admins and the authority): the "Data" section.
            "data_panel": ingestion_views.panel(request.user, found),
        },
    )


def _act(request: HttpRequest, code: str, run, done: str) -> HttpResponse:
    found = _resource(request, code)
    try:
        run(found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("datahub:resource", code=found.code)


@login_required
@require_POST
def submit(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda r: actions.submit(actor=request.user, resource=r),
        gettext("Submitted for review by the data authority."),
    )


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda r: actions.publish(actor=request.user, resource=r),
        gettext("Published: the catalogue now shows this version."),
    )


@login_required
@require_POST
def return_resource(request: HttpRequest, code: str) -> HttpResponse:
    reasons = request.POST.get("reasons", "")
    return _act(
        request,
        code,
        lambda r: actions.return_resource(actor=request.user, resource=r, reasons=reasons),
        gettext("Returned to the provider with your reasons."),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    reasons = request.POST.get("reasons", "")
    return _act(
        request,
        code,
        lambda r: actions.withdraw(actor=request.user, resource=r, reasons=reasons),
        gettext("Withdrawn from the catalogue."),
    )


@login_required
@require_POST
def revise(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        lambda r: actions.revise(actor=request.user, resource=r),
        gettext("A new version is being drafted; the catalogue still shows the published one."),
    )


@login_required
def review(request: HttpRequest) -> HttpResponse:
    if not is_authority(request.user):
        raise PermissionDenied(gettext("The review queue is for the data authority."))
    page = Paginator(queries.review_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "datahub/review.html", {"page_obj": page})


@login_required
def grades(request: HttpRequest) -> HttpResponse:
    staff_only(request)
    authority = is_authority(request.user)
    policies = list(GradePolicy.objects.order_by("id"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not authority:
            raise PermissionDenied(gettext("Only the data authority can change the grade policy."))
        grade = request.POST.get("grade", "")
        policy = next((p for p in policies if p.grade == grade), None)
        if policy is None:
            raise Http404(gettext("No such grade."))
        try:
            actions.update_grade_policy(
                actor=request.user,
                policy=policy,
                loosest_sharing=request.POST.get("loosest_sharing", ""),
                may_open=request.POST.get("may_open") == "on",
                default_mask=request.POST.get("default_mask", ""),
                approval_route=request.POST.get("approval_route", ""),
            )
        except ValidationError as error:
            errors = {grade: error.messages}
        else:
            messages.success(
                request,
                gettext("The policy of %(grade)s is saved.") % {"grade": Grade(grade).label},
            )
            return redirect("datahub:grades")
    return render(
        request,
        "datahub/grades.html",
        {
            "policies": policies,
            "errors": errors,
            "can_edit": authority,
            "sharing_types": SharingType.choices,
            "masks": Mask.choices,
            "routes": ApprovalRoute.choices,
        },
    )
