"""Staff pages of data sharing: the request form (/data/r/<code>/request/), requests
(/data/requests/, /data/requests/<id>/ with the viewer's actions), the authority's queue
(/data/sharing/review/), the provider's queue (/data/sharing/decide/) and grants
(/data/grants/, revocation). Every page goes through the viewer's scope; other departments'
requests and grants answer 404."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from yiwang.web.params import parse_int

from . import queries as catalogue
from .actions import sharing as actions
from .permissions import is_authority, is_staff_reader
from .sharing import queries, rules
from .sharing.models import Grant, GrantStatus, RefusedAt, RequestStatus

PAGE_SIZE = 20


def _staff(request: HttpRequest) -> None:
    if not is_staff_reader(request.user):
        raise PermissionDenied(gettext("Data sharing is for staff."))


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}
    return {"__all__": list(error.messages)}


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- the request form --------------------------------------------------------------------


@login_required
def new_request(request: HttpRequest, code: str) -> HttpResponse:
    _staff(request)
    resource = catalogue.find_resource(request.user, code)
    if resource is None or not resource.in_catalogue:
        raise Http404(gettext("No resource %(code)s in the catalogue.") % {"code": code[:20]})
    departments = [d for d in rules.admin_departments(request.user) if d.pk != resource.provider_id]
    if not departments:
        raise PermissionDenied(
            gettext("Requesting shared data is for other departments' data administrators.")
        )
    snapshot = resource.current_version.snapshot if resource.current_version else {}
    choices = rules.item_choices(snapshot)
    errors: dict[str, list[str]] = {}
    post = request.POST
    if request.method == "POST":
        consumer_id = parse_int(post.get("consumer", ""), minimum=1, maximum=2**63 - 1)
        consumer = next((d for d in departments if d.pk == consumer_id), None)
        if consumer is None and len(departments) == 1:
            consumer = departments[0]
        try:
            if consumer is None:
                raise ValidationError(
                    {"consumer": [gettext("Choose the department the data is for.")]}
                )
            made = actions.submit_request(
                actor=request.user,
                resource=resource,
                consumer=consumer,
                fields=post.getlist("fields"),
                purpose=post.get("purpose", ""),
                scenario=post.get("scenario", ""),
                legal_basis=post.get("legal_basis", ""),
                period_start=_date(post.get("period_start")),
                period_end=_date(post.get("period_end")),
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, gettext("Request submitted for the conformity review."))
            return redirect("datahub:request", pk=made.pk)
    today = timezone.localdate()
    return render(
        request,
        "datahub/sharing/request_form.html",
        {
            "resource": resource,
            "data": snapshot,
            "choices": choices,
            "departments": departments,
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "checked": set(post.getlist("fields")),
            "values": post,
            "default_start": today.isoformat(),
            "default_end": today.replace(year=today.year + 1).isoformat()
            if not (today.month == 2 and today.day == 29)
            else today.replace(year=today.year + 1, day=28).isoformat(),
        },
        status=422 if errors else 200,
    )


# --- lists -------------------------------------------------------------------------------


@login_required
def requests_index(request: HttpRequest) -> HttpResponse:
    _staff(request)
    side = request.GET.get("side", "mine")
    qs = queries.visible_requests(request.user)
    if side == "about":
        qs = qs.filter(queries.about_q(request.user))
    elif side != "all":
        side = "mine"
        qs = qs.filter(queries.mine_q(request.user))
    status = request.GET.get("status", "")
    qs = queries.status_filter(qs, status).order_by("-submitted_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "datahub/sharing/requests.html",
        {
            "page_obj": page,
            "rows": queries.rows(page.object_list),
            "side": side,
            "status": status,
            "statuses": RequestStatus.choices,
            "querystring": params.urlencode(),
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not is_authority(request.user):
        raise PermissionDenied(gettext("The sharing review queue is for the data authority."))
    page = Paginator(queries.review_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "datahub/sharing/queue.html",
        {
            "page_obj": page,
            "rows": queries.rows(page.object_list),
            "title": gettext("Sharing requests to review"),
            "intro": gettext(
                "Conformity reviews and disputes to coordinate, the earliest deadline first."
            ),
            "testid": "sharing-review-queue",
        },
    )


@login_required
def decision_queue(request: HttpRequest) -> HttpResponse:
    _staff(request)
    if not rules.admin_departments(request.user) and not request.user.is_superuser:
        raise PermissionDenied(gettext("The decision queue is for providers' data administrators."))
    page = Paginator(queries.decision_queue(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "datahub/sharing/queue.html",
        {
            "page_obj": page,
            "rows": queries.rows(page.object_list),
            "title": gettext("Sharing requests to decide"),
            "intro": gettext(
                "Requests for your department's data that passed the conformity review; "
                "overdue ones first."
            ),
            "testid": "sharing-decision-queue",
        },
    )


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    _staff(request)
    side = request.GET.get("side", "consumer")
    if side == "provider":
        qs = queries.provided_grants(request.user)
    else:
        side = "consumer"
        qs = queries.consumed_grants(request.user)
    status = request.GET.get("status", "")
    if status in GrantStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-granted_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "datahub/sharing/grants.html",
        {
            "page_obj": page,
            "grants": [(g, _can_revoke(request.user, g)) for g in page.object_list],
            "side": side,
            "status": status,
            "statuses": GrantStatus.choices,
            "querystring": params.urlencode(),
        },
    )


def _can_revoke(user, grant: Grant) -> bool:
    return grant.status == GrantStatus.ACTIVE and (
        is_authority(user) or rules.is_dept_admin_of(user, grant.resource.provider)
    )


# --- one request -------------------------------------------------------------------------


def _find(request: HttpRequest, pk: int):
    _staff(request)
    found = queries.find_request(request.user, pk)
    if found is None:
        raise Http404(gettext("No such sharing request."))
    return found


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _find(request, pk)
    user = request.user
    authority = is_authority(user)
    consumer_admin = rules.is_dept_admin_of(user, found.consumer)
    provider_admin = rules.is_dept_admin_of(user, found.resource.provider)
    items = {i["column"]: i for i in found.version.snapshot.get("items", [])}
    grant = Grant.objects.filter(request=found).select_related("revoked_by").first()
    return render(
        request,
        "datahub/sharing/request.html",
        {
            "req": found,
            "items": [items[c] for c in found.fields if c in items],
            "events": list(found.events.select_related("actor").order_by("at", "id")),
            "deadline": rules.deadline_status(found.due_at) if found.pending else "",
            "grant": grant,
            "can_review": authority and found.status == RequestStatus.REVIEW,
            "can_decide": provider_admin and found.status == RequestStatus.PROVIDER,
            "can_coordinate": authority and found.status == RequestStatus.DISPUTED,
            "can_dispute": consumer_admin
            and found.status == RequestStatus.REFUSED
            and found.refused_at_step == RefusedAt.PROVIDER,
            "can_withdraw": consumer_admin and found.pending,
            "can_revoke": grant is not None and _can_revoke(user, grant),
            # The exchange app's page of the grant's API credentials and calls.
            "can_see_api": grant is not None and (consumer_admin or authority),
            "today": timezone.localdate().isoformat(),
            "default_quota": settings.YIWANG_SHARING_DAILY_QUOTA,
        },
    )


def _act(request: HttpRequest, pk: int, run, done: str) -> HttpResponse:
    found = _find(request, pk)
    try:
        run(found)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, done)
    return redirect("datahub:request", pk=found.pk)


def _terms(post) -> dict:
    raw_quota = (post.get("daily_quota") or "").strip()
    quota = parse_int(raw_quota, minimum=-(2**31), maximum=2**31) if raw_quota else None
    raw_expiry = (post.get("expires_on") or "").strip()
    return {
        "fields": post.getlist("fields") if "fields_shown" in post else None,
        "expires_on": _date(raw_expiry) if raw_expiry else None,
        "daily_quota": 0 if raw_quota and quota is None else quota,
    }


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    reasons = request.POST.get("reasons", "")
    return _act(
        request,
        pk,
        lambda r: actions.review_request(
            actor=request.user, request=r, approve=approve, reasons=reasons
        ),
        gettext("Conformity review recorded."),
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = request.POST.get("decision") == "grant"
    return _act(
        request,
        pk,
        lambda r: actions.decide_request(
            actor=request.user,
            request=r,
            grant=grant,
            reasons=request.POST.get("reasons", ""),
            **_terms(request.POST),
        ),
        gettext("Decision recorded."),
    )


@login_required
@require_POST
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda r: actions.dispute_request(
            actor=request.user, request=r, reasons=request.POST.get("reasons", "")
        ),
        gettext("Dispute sent to the data authority for coordination."),
    )


@login_required
@require_POST
def coordinate(request: HttpRequest, pk: int) -> HttpResponse:
    grant = request.POST.get("decision") == "grant"
    return _act(
        request,
        pk,
        lambda r: actions.coordinate_request(
            actor=request.user,
            request=r,
            grant=grant,
            reasons=request.POST.get("reasons", ""),
            **_terms(request.POST),
        ),
        gettext("Coordinated decision recorded."),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda r: actions.withdraw_request(
            actor=request.user, request=r, reasons=request.POST.get("reasons", "")
        ),
        gettext("Request withdrawn."),
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    grant = queries.visible_grants(request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404(gettext("No such grant."))
    try:
        actions.revoke_grant(
            actor=request.user, grant=grant, reasons=request.POST.get("reasons", "")
        )
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, gettext("Grant revoked."))
    return redirect("datahub:request", pk=grant.request_id)
