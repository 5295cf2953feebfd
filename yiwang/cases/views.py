"""Pages for applicants (apply, my cases), window staff (intake) and handlers (workbench)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.queries import current_enterprise
from yiwang.catalog.forms_schema import build_form, field_order
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.personal_formats import applicant_fields
from yiwang.orgs.models import Department, Hall, Role
from yiwang.orgs.scope import can_act, posts_of
from yiwang.web import params
from yiwang.web.files import file_response

from . import actions, documents, queries, rules
from .models import Case, CaseEvent, CaseMaterial, Status

PAGE_SIZE = 20
# The item's own form fields are prefixed so they never collide with the page's fields.
FORM_PREFIX = "f"


def _form_data(schema: dict, data) -> dict:
    """The item form's values from the POST (validated by the action, not here)."""
    return {name: data.get(f"{FORM_PREFIX}-{name}", "") for name in field_order(schema or {})}


def _staff_required(request: HttpRequest) -> None:
    if not request.user.is_authenticated or request.user.kind != "staff":
        raise PermissionDenied(_("This page is for staff."))


def _errors_to_messages(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _uploads(request: HttpRequest, item: ServiceItem) -> dict[int, object]:
    out = {}
    for material in item.materials.all():
        f = request.FILES.get(f"material_{material.pk}")
        if f is not None:
            out[material.pk] = f
    return out


def _split_errors(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """Field errors (by input name) and general ones."""
    if not hasattr(exc, "error_dict"):
        return {}, exc.messages
    fields = {k: v for k, v in exc.message_dict.items() if k != "__all__"}
    return fields, exc.message_dict.get("__all__", [])


def _form_errors_for(schema_form, field_errors: dict[str, list[str]]) -> None:
    for key, msgs in field_errors.items():
        if key.startswith("form_") and key[5:] in schema_form.fields:
            for m in msgs:
                schema_form.add_error(key[5:], m)


# --- applicant ----------------------------------------------------------------


@login_required
def apply(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        ServiceItem.objects.published().select_related("region").prefetch_related("materials"),
        pk=item_pk,
    )
    materials = list(item.materials.all())
    enterprise = current_enterprise(request)
    drafts = Case.objects.filter(applicant=request.user, item=item, status=Status.DRAFT)
    if request.method == "POST":
        # The form says which draft it resumed; a fresh application needs no lookup.
        draft_id = params.object_id(request.POST, "draft", required=False)
        draft = drafts.filter(pk=draft_id).first() if draft_id else None
    else:
        draft = drafts.order_by("-pk").first()
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        data = request.POST
        form_data = _form_data(item.form_schema, data)
        try:
            if data.get("intent") == "draft":
                actions.save_draft(
                    actor=request.user,
                    item=item,
                    form_data=form_data,
                    enterprise=enterprise,
                    draft=draft,
                )
                messages.success(request, _("Draft saved. You can come back and finish it later."))
                return redirect("cases:apply", item_pk=item.pk)
            case, created = actions.submit_application(
                actor=request.user,
                item=item,
                form_data=form_data,
                uploads=_uploads(request, item),
                submission_key=data.get("submission_key", ""),
                enterprise=enterprise,
                item_version=params.integer(data, "item_version", minimum=0) or None,
                draft=draft,
            )
        except ValidationError as exc:
            # The form is built only to show the errors again, with what was typed.
            schema_form = build_form(item.form_schema or {}, data=data, prefix=FORM_PREFIX)
            field_errors, general = _split_errors(exc)
            _form_errors_for(schema_form, field_errors)
        else:
            if created:
                messages.success(
                    request,
                    _("Submitted. Your case number is %(number)s.") % {"number": case.number},
                )
            else:
                messages.info(
                    request,
                    _("This application was already submitted; it was not submitted twice."),
                )
            return redirect("cases:detail", pk=case.pk)
    else:
        schema_form = build_form(
            item.form_schema or {},
            initial=draft.form_values() if draft else None,
            prefix=FORM_PREFIX,
        )
    material_rows = [
        {
            "material": m,
            "errors": field_errors.get(f"material_{m.pk}", []),
            "input": f"material_{m.pk}",
        }
        for m in materials
    ]
    return render(
        request,
        "cases/apply.html",
        {
            "item": item,
            "form": schema_form,
            "materials": material_rows,
            "general_errors": general,
            "submission_key": request.POST.get("submission_key") or uuid.uuid4().hex,
            "draft": draft,
            "enterprise": enterprise,
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.my_cases(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/mine.html", {"page_obj": page})


def _case_for(request: HttpRequest, pk: int) -> tuple[Case, bool]:
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
                "value": shown,
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
def detail(request: HttpRequest, pk: int, revealed: dict | None = None) -> HttpResponse:
    case, as_staff = _case_for(request, pk)
    events = CaseEvent.objects.filter(case=case).select_related("actor")
    if not as_staff:
        events = events.filter(public=True)
    events = _timeline(case, events)
    files = CaseMaterial.objects.filter(case=case).select_related("material")
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
            "events": events,
            "files": files,
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
def reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """Staff reveal the applicant's full ID number or phone for a purpose and a reason;
    rendered once, never put in the session or a cookie. Out of scope: 404 (as the case
    page); in scope but not allowed (role, closed case, limit): the reason on the case page."""
    _staff_required(request)
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
def reveal_form(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Staff reveal one personal value of the application form (purpose and reason given);
    rendered once, never put in the session or a cookie. Same answers as :func:`reveal`."""
    _staff_required(request)
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
def act(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_required(request)
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
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    try:
        actions.resubmit(
            actor=request.user,
            case=case,
            uploads=_uploads(request, case.item),
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
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
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
def download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    case, _staff = _case_for(request, pk)
    f = get_object_or_404(CaseMaterial, pk=file_pk, case=case)
    return file_response(f.file, filename=f.original_name, content_type=f.content_type)


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    return _pdf(documents.receipt(case, request), f"受理回执-{case.number}.pdf")


@login_required
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    case, _staff = _case_for(request, pk)
    if case.status not in (Status.CLOSED, Status.REJECTED):
        raise Http404
    return _pdf(documents.decision(case, request), f"决定书-{case.number}.pdf")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def track(request: HttpRequest, token: str) -> HttpResponse:
    """Public progress page reached from the receipt's QR code (no personal data shown)."""
    case = get_object_or_404(Case.objects.select_related("item", "department"), track_token=token)
    events = _timeline(case, CaseEvent.objects.filter(case=case, public=True))
    return render(request, "cases/track.html", {"case": case, "events": events})


# --- staff ----------------------------------------------------------------------


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    _staff_required(request)
    tab = request.GET.get("tab", "todo")
    base = queries.inbox(request.user) if tab == "todo" else queries.visible_cases(request.user)
    params = request.GET.copy()
    params["mine_user"] = request.user.pk
    qs = queries.ordered_for_work(queries.filtered(base, params))
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
def bulk_accept(request: HttpRequest) -> HttpResponse:
    _staff_required(request)
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


def _ancestor_paths(path: str) -> list[str]:
    """'440000/441400/441422/441422100/' → the paths of its ancestors."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def _window_halls(user) -> list[Hall]:
    if user.is_superuser:
        return list(Hall.objects.all())
    ids = [p.hall_id for p in posts_of(user, roles=[Role.WINDOW]) if p.hall_id]
    return list(Hall.objects.filter(pk__in=ids))


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Window intake, step 1: find the item (any item of the county: 全县通办)."""
    _staff_required(request)
    halls = _window_halls(request.user)
    if not halls:
        raise PermissionDenied(_("Window intake is for staff with a window post."))
    q = request.GET.get("q", "").strip()
    items = ServiceItem.objects.published().select_related("department", "region")
    # 全县通办 items everywhere; the others only at halls of their own region.
    local = Q()
    for hall in halls:
        local |= Q(region__path__startswith=hall.region.path) | Q(
            region__path__in=_ancestor_paths(hall.region.path)
        )
    items = items.filter(Q(county_wide=True) | local).exclude(audience="enterprise")
    if q:
        from yiwang.search.api import search

        keys = [int(h.key) for h in search(q, kind="item", limit=30)]
        found = {i.pk: i for i in items.filter(pk__in=keys)}
        results = [found[k] for k in keys if k in found]
    else:
        results = list(items.order_by("department__id", "name")[:100])
    return render(request, "cases/intake_search.html", {"items": results, "q": q, "halls": halls})


@login_required
def intake_form(request: HttpRequest, item_pk: int) -> HttpResponse:
    """Window intake, step 2: the walk-in's details, the form and scanned materials."""
    _staff_required(request)
    halls = _window_halls(request.user)
    if not halls:
        raise PermissionDenied(_("Window intake is for staff with a window post."))
    item = get_object_or_404(
        ServiceItem.objects.published()
        .select_related("department", "region")
        .prefetch_related("materials"),
        pk=item_pk,
    )
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    values = {}
    if request.method == "POST":
        data = request.POST
        values = data
        schema_form = build_form(item.form_schema or {}, data=data, prefix=FORM_PREFIX)
        hall = next((h for h in halls if str(h.pk) == data.get("hall")), None)
        try:
            if hall is None:
                raise ValidationError(
                    {"hall": [_("Choose the hall where you are registering the application.")]}
                )
            case, created = actions.window_intake(
                actor=request.user,
                item=item,
                hall=hall,
                applicant_name=data.get("applicant_name", ""),
                applicant_id_number=data.get("applicant_id_number", ""),
                applicant_phone=data.get("applicant_phone", ""),
                form_data=_form_data(item.form_schema, data),
                uploads=_uploads(request, item),
                submission_key=data.get("submission_key", ""),
                item_version=params.integer(data, "item_version", minimum=0) or None,
            )
        except ValidationError as exc:
            field_errors, general = _split_errors(exc)
            _form_errors_for(schema_form, field_errors)
        else:
            if created:
                messages.success(
                    request,
                    _(
                        "Registered and accepted, case number %(number)s. Print the receipt for the applicant."
                    )
                    % {"number": case.number},
                )
            else:
                messages.info(
                    request,
                    _("This application was already registered; it was not registered twice."),
                )
            return redirect("cases:detail", pk=case.pk)
    else:
        schema_form = build_form(item.form_schema or {}, prefix=FORM_PREFIX)
    # The applicant's name and ID number are asked once, in the applicant section; the action
    # copies them into the form fields that hold them, which are therefore not shown.
    linked = set(applicant_fields(item.form_schema).values())
    shown_fields = [field for field in schema_form if field.name not in linked]
    material_rows = [
        {
            "material": m,
            "errors": field_errors.get(f"material_{m.pk}", []),
            "input": f"material_{m.pk}",
        }
        for m in item.materials.all()
    ]
    return render(
        request,
        "cases/intake_form.html",
        {
            "item": item,
            "form": schema_form,
            "shown_fields": shown_fields,
            "materials": material_rows,
            "halls": halls,
            "general_errors": general,
            "field_errors": field_errors,
            "values": values,
            "submission_key": request.POST.get("submission_key") or uuid.uuid4().hex,
        },
    )
