"""Pages for applicants (apply, my cases), window staff (intake) and handlers (workbench)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.catalog.forms_schema import value_text
from yiwang.orgs.models import Department
from yiwang.orgs.scope import can_act, posts_of
from yiwang.web import params
from yiwang.web.files import file_response

from . import actions, documents, queries, rules
from .apply_views import FORM_PREFIX, staff_required, uploads_from
from .models import Case, CaseEvent, CaseMaterial, Status

__all__ = ["FORM_PREFIX"]  # the apply form's field prefix, read by bench/run.py

PAGE_SIZE = 20


def _errors_to_messages(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


# --- applicant ----------------------------------------------------------------


@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(queries.my_cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/mine.html", {"page_obj": page})


def _case_for(request: AuthenticatedRequest, pk: int) -> tuple[Case, bool]:
    """The case and whether the user sees it as staff. 404 when not visible at all."""
    base = Case.objects.select_related(
        "item", "department", "region", "process", "assignee", "hall", "applicant"
    )
    case = get_object_or_404(base, pk=pk)
    user = request.user
    if case.applicant_id == user.pk and case.status != Status.DRAFT:
        return case, False
    if user.kind == "staff" and queries.visible_cases(user).filter(pk=pk).exists():
        return case, True
    raise Http404


def _form_rows(case: Case, as_staff: bool, revealed: dict) -> list[dict]:
    """The 申请表 section: staff see personal values masked (one revealed by the audited
    action shows once), the applicant sees their own form in full."""
    props = (case.item.form_schema or {}).get("properties") or {}
    personal = case.personal_form_data()
    rows = []
    for key, value in case.form_data.items():
        is_personal = key in personal
        shown = value if as_staff else personal.get(key, value)
        rows.append(
            {
                "key": key,
                "label": (props.get(key) or {}).get("title", key),
                "value": value_text(shown),
                "personal": as_staff and is_personal,
                "revealed": revealed.get(f"form:{key}") if is_personal else None,
            }
        )
    return rows


# Timeline events that conclude a process step: shown with the step's name, so that two
# review steps in a row (初审, 复审) read as different events.
STEP_ACTIONS = frozenset({"accept", "pass_review", "decide", "approve", "refuse"})


def _timeline(case: Case, events) -> list[CaseEvent]:
    """The events, each with ``step_name``: the name of the step it concluded, if any."""
    steps = case.process.steps if case.process_id else []
    names = {s["key"]: s["name"] for s in steps}
    out = list(events)
    for event in out:
        event.step_name = names.get(event.step, "") if event.action in STEP_ACTIONS else ""
    return out


@login_required
def detail(request: AuthenticatedRequest, pk: int, revealed: dict | None = None) -> HttpResponse:
    case, as_staff = _case_for(request, pk)
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    if not as_staff:
        events = events.filter(public=True)
    files = CaseMaterial.objects.filter(case=case).select_related("material")
    obtained = list(case.obtained_materials.all())
    step = case.step()
    kind = step["kind"] if step else ""
    # Staff see the actions of the current step only if the step is theirs to take.
    handles = (
        as_staff
        and bool(case.current_role)
        and can_act(
            request.user, roles=[case.current_role], department=case.department, region=case.region
        )
        and case.assignee_id in (None, request.user.pk)
    )
    can = {
        a: rules.is_allowed(a, case.status, kind) and (handles if as_staff else a == "withdraw")
        for a in rules.ALLOWED
    }
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "as_staff": as_staff,
            "events": _timeline(case, events),
            "files": files,
            "obtained": obtained,
            "step": step,
            "can": can,
            "materials": list(case.item.materials.all()),
            "special_procedures": rules.SPECIAL_PROCEDURES.items(),
            "departments": Department.objects.exclude(pk=case.department_id) if as_staff else [],
            "pauses": case.pauses.all(),
            "revealed": revealed or {},
            "may_reveal_applicant": as_staff and actions.may_reveal_applicant(request.user, case),
            "form_rows": _form_rows(case, as_staff, revealed or {}),
            "may_release": as_staff
            and can_act(
                request.user, roles=["dept_admin"], department=case.department, region=case.region
            ),
        },
    )


@login_required
@require_POST
def reveal(request: AuthenticatedRequest, pk: int, field: str) -> HttpResponse:
    """Staff reveal the applicant's full ID number or phone for a purpose and a reason;
    rendered once, never put in the session or a cookie. Out of scope: 404 (as the case
    page); in scope but not allowed (role, closed case, limit): the reason on the case page."""
    staff_required(request)
    case, _as_staff = _case_for(request, pk)
    try:
        value = actions.reveal_applicant_data(
            actor=request.user,
            case=case,
            field=field,
            purpose=request.POST.get("purpose", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("cases:detail", pk=pk)
    response = detail(request, pk, revealed={field: value})
    add_never_cache_headers(response)  # the full value must not stay in a cache
    return response


@login_required
@require_POST
def reveal_form(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    """Staff reveal one personal value of the application form (purpose and reason given);
    rendered once, never put in the session or a cookie. Same answers as :func:`reveal`."""
    staff_required(request)
    case, _as_staff = _case_for(request, pk)
    try:
        value = actions.reveal_form_value(
            actor=request.user,
            case=case,
            key=key,
            purpose=request.POST.get("purpose", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("cases:detail", pk=pk)
    response = detail(request, pk, revealed={f"form:{key}": value})
    add_never_cache_headers(response)  # the full value must not stay in a cache
    return response


STAFF_ACTIONS = {
    "claim": lambda u, c, p, v: actions.claim(actor=u, case=c, expected_version=v),
    "release": lambda u, c, p, v: actions.release(actor=u, case=c, expected_version=v),
    "accept": lambda u, c, p, v: actions.accept(
        actor=u, case=c, note=p.get("note", ""), expected_version=v
    ),
    "reject": lambda u, c, p, v: actions.reject(
        actor=u, case=c, reason=p.get("reason", ""), expected_version=v
    ),
    "request_correction": lambda u, c, p, v: actions.request_correction(
        actor=u, case=c, missing=p.get("missing", ""), expected_version=v
    ),
    "pass_review": lambda u, c, p, v: actions.pass_review(
        actor=u, case=c, opinion=p.get("opinion", ""), expected_version=v
    ),
    "start_special": lambda u, c, p, v: actions.start_special(
        actor=u,
        case=c,
        procedure=p.get("procedure", ""),
        reason=p.get("reason", ""),
        expected_version=v,
    ),
    "end_special": lambda u, c, p, v: actions.end_special(
        actor=u, case=c, result=p.get("result", ""), expected_version=v
    ),
    "approve": lambda u, c, p, v: actions.decide(
        actor=u, case=c, approve=True, reason=p.get("reason", ""), expected_version=v
    ),
    "refuse": lambda u, c, p, v: actions.decide(
        actor=u, case=c, approve=False, reason=p.get("reason", ""), expected_version=v
    ),
    "conclude": lambda u, c, p, v: actions.conclude(
        actor=u, case=c, note=p.get("note", ""), expected_version=v
    ),
    "transfer": lambda u, c, p, v: actions.transfer(
        actor=u,
        case=c,
        department=get_object_or_404(Department, pk=params.object_id(p, "department")),
        reason=p.get("reason", ""),
        expected_version=v,
    ),
}


@login_required
@require_POST
def act(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    staff_required(request)
    case, as_staff = _case_for(request, pk)
    handler = STAFF_ACTIONS.get(request.POST.get("action", ""))
    if handler is None or not as_staff:
        raise PermissionDenied(_("Unknown action."))
    version = params.integer(request.POST, "version", minimum=0)
    try:
        handler(request.user, case, request.POST, version)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You are not authorised to do this."))
    else:
        messages.success(
            request, _("Done: %(action)s.") % {"action": rules.ACTION_NAMES[request.POST["action"]]}
        )
        if request.POST.get("next") == "workbench":
            return redirect("cases:workbench")
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def resubmit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    try:
        actions.resubmit(
            actor=request.user,
            case=case,
            uploads=uploads_from(request, case.item),
            note=request.POST.get("note", ""),
            expected_version=params.integer(request.POST, "version", minimum=0, required=True),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Corrections submitted."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    try:
        actions.withdraw(
            actor=request.user,
            case=case,
            reason=request.POST.get("reason", ""),
            expected_version=params.integer(request.POST, "version", minimum=0, required=True),
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("cases:detail", pk=case.pk)


@login_required
def download(request: AuthenticatedRequest, pk: int, file_pk: int) -> FileResponse:
    case, _staff = _case_for(request, pk)
    f = get_object_or_404(CaseMaterial, pk=file_pk, case=case)
    return file_response(f.file, filename=f.original_name, content_type=f.content_type)


@login_required
def receipt_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    return _pdf(documents.receipt(case, request), f"受理回执-{case.number}.pdf")


@login_required
def decision_pdf(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    if case.status not in (Status.CLOSED, Status.REJECTED):
        raise Http404
    return _pdf(documents.decision(case, request), f"决定书-{case.number}.pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def track(request: HttpRequest, token: str) -> HttpResponse:
    """Public progress page reached from the receipt's QR code (no personal data shown)."""
    case = get_object_or_404(Case.objects.select_related("item", "department"), track_token=token)
    events = _timeline(case, CaseEvent.objects.filter(case=case, public=True))
    return render(request, "cases/track.html", {"case": case, "events": events})


# --- staff ----------------------------------------------------------------------


@login_required
def workbench(request: AuthenticatedRequest) -> HttpResponse:
    staff_required(request)
    tab = request.GET.get("tab", "todo")
    base = queries.inbox(request.user) if tab == "todo" else queries.visible_cases(request.user)
    filters = request.GET.copy()
    filters["mine_user"] = str(request.user.pk)  # "mine" filters by the one asking
    qs = queries.ordered_for_work(queries.filtered(base, filters))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = sorted({p.get_role_display() for p in posts_of(request.user)})
    return render(
        request,
        "cases/workbench.html",
        {
            "page_obj": page,
            "tab": tab,
            "roles": roles,
            "statuses": Status.choices,
            "can_bulk_accept": tab == "todo",
        },
    )


@login_required
@require_POST
def bulk_accept(request: AuthenticatedRequest) -> HttpResponse:
    staff_required(request)
    ids = [n for n in (params.parse_int(i, minimum=1) for i in request.POST.getlist("case")) if n]
    cases = list(queries.inbox(request.user).filter(pk__in=ids))
    if not ids:
        messages.error(request, _("Select the cases to accept first."))
    elif len(cases) != len(ids):
        messages.error(
            request, _("Some selected cases are not in your queue any more. Nothing was accepted.")
        )
    else:
        try:
            actions.accept_many(actor=request.user, cases=cases)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(
                request,
                _("Nothing was accepted: %(error)s")
                % {"error": " ".join(getattr(exc, "messages", [str(exc)]))},
            )
        else:
            messages.success(request, _("%(n)d cases accepted.") % {"n": len(cases)})
    return redirect(reverse("cases:workbench"))
