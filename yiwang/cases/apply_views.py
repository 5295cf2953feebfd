"""The application forms: a citizen applying online, window staff registering a walk-in.

Both pages follow the same rules:

- Refusals that do not depend on the form (the item is closed, window-only, for enterprises,
  not handled at this hall) are shown instead of the form, before anybody fills it in; the
  actions check them again on submission.
- The actions validate; the page only shows what was typed with the errors the action found,
  each once, next to its input (``_ShownForm``), and says "fields are marked" only when some
  are.
- Files chosen on a form that could not be submitted are kept (``cases.pending``) and shown as
  already attached, so nobody has to choose them again.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from yiwang.accounts.models import User
from yiwang.accounts.queries import current_enterprise
from yiwang.accounts.typing import AuthenticatedRequest
from yiwang.catalog.forms_schema import SchemaForm, build_form, post_values
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.personal_formats import applicant_fields
from yiwang.orgs.models import Hall, Role
from yiwang.orgs.scope import posts_of, subtree_or_ancestors_q
from yiwang.search.api import search
from yiwang.web import params

from . import actions, eligibility, material_sources, pending
from .models import Case, Status

# The item's own form fields are prefixed so they never collide with the page's fields.
FORM_PREFIX = "f"
# Inputs of the intake page's applicant section (errors keyed by these are shown there).
APPLICANT_INPUTS = ("hall", "applicant_name", "applicant_id_number", "applicant_phone")


class _ShownForm(SchemaForm):
    """The item's form as the applicant typed it, with the errors the action found.

    The action is the one place that validates; a form that validated itself as well showed
    every error twice (and a required box two different messages)."""

    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}


def staff_required(request: HttpRequest) -> None:
    if not request.user.is_authenticated or request.user.kind != "staff":
        raise PermissionDenied(_("This page is for staff."))


def uploads_from(request: HttpRequest, item: ServiceItem) -> dict[int, UploadedFile]:
    """The files chosen for the item's materials, by material id."""
    out: dict[int, UploadedFile] = {}
    for material in item.materials.all():
        f = request.FILES.get(f"material_{material.pk}")
        if f is not None:
            out[material.pk] = f
    return out


def _form_data(schema: dict, data) -> dict:
    """The item form's values from the POST (validated by the action, not here)."""
    return post_values(schema, data, FORM_PREFIX)  # every ticked choice of a multiple choice


def _refusal(check) -> str:
    """The reason ``check()`` refuses, or "" when it does not."""
    try:
        check()
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _discard_removed(request: AuthenticatedRequest, submission_key: str) -> None:
    ids = [params.parse_int(v, minimum=1) for v in request.POST.getlist("remove_kept")]
    pending.discard_uploads(actor=request.user, submission_key=submission_key, ids=ids)


class _Errors:
    """The action's errors split by where they are shown: on the item form's inputs, on the
    material inputs, on the page's own inputs (``own``), or at the top (``general``)."""

    def __init__(self, exc: ValidationError | None, form, own: tuple[str, ...] = ()):
        self.fields: dict[str, list[str]] = {}
        self.general: list[str] = []
        if exc is None:
            return
        if not hasattr(exc, "error_dict"):
            self.general = exc.messages
            return
        for key, msgs in exc.message_dict.items():
            if key.startswith("form_") and key[5:] in form.fields:
                for message in msgs:
                    form.add_error(key[5:], message)
            elif key.startswith("material_") or key in own:
                self.fields[key] = msgs
            else:  # "__all__", or a field no input shows
                self.general.extend(msgs)

    def marked(self, form) -> bool:
        """Whether any input is marked (the banner says so only then)."""
        return bool(self.fields) or bool(form.errors)


def _material_rows(
    item: ServiceItem,
    errors: _Errors,
    kept: dict,
    sources: dict[int, material_sources.Found | material_sources.Unusable] | None = None,
) -> list[dict]:
    """Each material with its input, errors, the file kept from an earlier try, and what
    stands in for it (``obtained``: no upload asked) or why the licence held cannot."""
    sources = sources or {}
    rows = []
    for m in item.materials.all():
        source = sources.get(m.pk)
        rows.append(
            {
                "material": m,
                "errors": errors.fields.get(f"material_{m.pk}", []),
                "input": f"material_{m.pk}",
                "kept": kept.get(m.pk),
                "obtained": source if isinstance(source, material_sources.Found) else None,
                "unusable": source.reason if isinstance(source, material_sources.Unusable) else "",
            }
        )
    return rows


# --- applicant ----------------------------------------------------------------


def _apply_page(
    request: AuthenticatedRequest,
    item: ServiceItem,
    schema_form,
    failure: ValidationError | None,
    *,
    key: str,
    draft: Case | None,
    enterprise,
) -> HttpResponse:
    """The application form: empty or resumed from the draft, or as typed with the errors the
    action found (``failure``)."""
    errors = _Errors(failure, schema_form)
    kept = pending.kept_for(request.user, key, item)
    sources = material_sources.look_up(item, actions.online_applicant(request.user, enterprise))
    return render(
        request,
        "cases/apply.html",
        {
            "item": item,
            "form": schema_form,
            "materials": _material_rows(item, errors, kept, sources),
            "failed": failure is not None,
            "fields_marked": errors.marked(schema_form),
            "general_errors": errors.general,
            "submission_key": key,
            "draft": draft,
            "enterprise": enterprise,
        },
    )


@login_required
def apply(request: AuthenticatedRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        ServiceItem.objects.published().select_related("region").prefetch_related("materials"),
        pk=item_pk,
    )
    enterprise = current_enterprise(request)
    drafts = Case.objects.filter(applicant=request.user, item=item, status=Status.DRAFT)
    data = request.POST
    item_version = None
    if request.method == "POST":
        # Malformed hidden parameters are a 400 before anything else happens.
        item_version = params.integer(data, "item_version", minimum=0) or None
        draft_id = params.object_id(data, "draft", required=False)
        key = data.get("submission_key", "")
        # The form says which draft it resumed; a fresh application needs no lookup.
        draft = drafts.filter(pk=draft_id).first() if draft_id else None
    else:
        draft = drafts.order_by("-pk").first()
        key = (draft.submission_key if draft else "") or uuid.uuid4().hex
    refusal = _refusal(lambda: eligibility.check_online(item, enterprise=enterprise))
    if refusal:
        return render(
            request,
            "cases/apply.html",
            {"item": item, "refusal": refusal, "enterprise": enterprise},
        )
    if request.method != "POST":
        initial = draft.form_values() if draft else None
        schema_form = build_form(item.form_schema or {}, initial=initial, prefix=FORM_PREFIX)
        return _apply_page(
            request, item, schema_form, None, key=key, draft=draft, enterprise=enterprise
        )
    _discard_removed(request, key)
    form_data = _form_data(item.form_schema, data)
    uploads = uploads_from(request, item)
    try:
        if data.get("intent") == "draft":
            actions.save_draft(
                actor=request.user,
                item=item,
                form_data=form_data,
                enterprise=enterprise,
                draft=draft,
                submission_key=key,
            )
            pending.keep_uploads(actor=request.user, item=item, submission_key=key, uploads=uploads)
            messages.success(request, _("Draft saved. You can come back and finish it later."))
            return redirect("cases:apply", item_pk=item.pk)
        case, created = actions.submit_application(
            actor=request.user,
            item=item,
            form_data=form_data,
            uploads=uploads,
            submission_key=key,
            enterprise=enterprise,
            item_version=item_version,
            draft=draft,
        )
    except ValidationError as exc:
        pending.keep_uploads(actor=request.user, item=item, submission_key=key, uploads=uploads)
        shown = build_form(
            item.form_schema or {}, data=data, prefix=FORM_PREFIX, form_class=_ShownForm
        )
        return _apply_page(request, item, shown, exc, key=key, draft=draft, enterprise=enterprise)
    if created:
        messages.success(
            request, _("Submitted. Your case number is %(number)s.") % {"number": case.number}
        )
    else:
        messages.info(
            request, _("This application was already submitted; it was not submitted twice.")
        )
    return redirect("cases:detail", pk=case.pk)


# --- window intake ----------------------------------------------------------------


def _window_halls(user: User) -> list[Hall]:
    if user.is_superuser:
        return list(Hall.objects.select_related("region"))
    ids = [p.hall_id for p in posts_of(user, roles=[Role.WINDOW]) if p.hall_id]
    return list(Hall.objects.filter(pk__in=ids).select_related("region"))


@login_required
def intake(request: AuthenticatedRequest) -> HttpResponse:
    """Window intake, step 1: find the item (any item of the county: 全县通办)."""
    staff_required(request)
    halls = _window_halls(request.user)
    if not halls:
        raise PermissionDenied(_("Window intake is for staff with a window post."))
    q = request.GET.get("q", "").strip()
    items = ServiceItem.objects.published().select_related("department", "region")
    # 全县通办 items everywhere; the others only at halls of their own region.
    local = Q()
    for hall in halls:
        local |= subtree_or_ancestors_q(hall.region)
    items = items.filter(Q(county_wide=True) | local).exclude(audience="enterprise")
    if q:
        keys = [int(h.key) for h in search(q, kind="item", limit=30)]
        found = {i.pk: i for i in items.filter(pk__in=keys)}
        results = [found[k] for k in keys if k in found]
    else:
        results = list(items.order_by("department__id", "name")[:100])
    return render(request, "cases/intake_search.html", {"items": results, "q": q, "halls": halls})


def _intake_page(
    request: AuthenticatedRequest,
    item: ServiceItem,
    schema_form,
    failure: ValidationError | None,
    *,
    halls: list[Hall],
    key: str,
) -> HttpResponse:
    """The intake form: empty, or as typed with the errors the action found (``failure``)."""
    errors = _Errors(failure, schema_form, own=APPLICANT_INPUTS)
    # The applicant's name and ID number are asked once, in the applicant section; the action
    # copies them into the form fields that hold them, which are therefore not shown.
    linked = set(applicant_fields(item.form_schema).values())
    shown_fields = [field for field in schema_form if field.name not in linked]
    kept = pending.kept_for(request.user, key, item)
    return render(
        request,
        "cases/intake_form.html",
        {
            "item": item,
            "form": schema_form,
            "shown_fields": shown_fields,
            "materials": _material_rows(item, errors, kept),
            "halls": halls,
            "failed": failure is not None,
            "fields_marked": errors.marked(schema_form),
            "general_errors": errors.general,
            "field_errors": errors.fields,
            "values": request.POST if request.method == "POST" else {},
            "submission_key": key,
        },
    )


def _register(
    request: AuthenticatedRequest,
    item: ServiceItem,
    halls: list[Hall],
    *,
    key: str,
    item_version: int | None,
    uploads: dict[int, UploadedFile],
) -> tuple[Case, bool]:
    """Register the walk-in's application at the hall the form names (one of ``halls``)."""
    data = request.POST
    hall = next((h for h in halls if str(h.pk) == data.get("hall")), None)
    if hall is None:
        raise ValidationError(
            {"hall": [_("Choose the hall where you are registering the application.")]}
        )
    return actions.window_intake(
        actor=request.user,
        item=item,
        hall=hall,
        applicant_name=data.get("applicant_name", ""),
        applicant_id_number=data.get("applicant_id_number", ""),
        applicant_phone=data.get("applicant_phone", ""),
        form_data=_form_data(item.form_schema, data),
        uploads=uploads,
        submission_key=key,
        item_version=item_version,
    )


@login_required
def intake_form(request: AuthenticatedRequest, item_pk: int) -> HttpResponse:
    """Window intake, step 2: the walk-in's details, the form and scanned materials."""
    staff_required(request)
    halls = _window_halls(request.user)
    if not halls:
        raise PermissionDenied(_("Window intake is for staff with a window post."))
    item = get_object_or_404(
        ServiceItem.objects.published()
        .select_related("department", "region")
        .prefetch_related("materials"),
        pk=item_pk,
    )
    item_version = None
    if request.method == "POST":
        item_version = params.integer(request.POST, "item_version", minimum=0) or None
        key = request.POST.get("submission_key", "")
    else:
        key = uuid.uuid4().hex
    try:
        _process, halls = eligibility.check_intake(item, halls)
    except ValidationError as exc:
        return render(
            request, "cases/intake_form.html", {"item": item, "refusal": " ".join(exc.messages)}
        )
    if request.method != "POST":
        schema_form = build_form(item.form_schema or {}, prefix=FORM_PREFIX)
        return _intake_page(request, item, schema_form, None, halls=halls, key=key)
    _discard_removed(request, key)
    uploads = uploads_from(request, item)
    try:
        case, created = _register(
            request, item, halls, key=key, item_version=item_version, uploads=uploads
        )
    except ValidationError as exc:
        pending.keep_uploads(actor=request.user, item=item, submission_key=key, uploads=uploads)
        shown = build_form(
            item.form_schema or {}, data=request.POST, prefix=FORM_PREFIX, form_class=_ShownForm
        )
        return _intake_page(request, item, shown, exc, halls=halls, key=key)
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
            request, _("This application was already registered; it was not registered twice.")
        )
    return redirect("cases:detail", pk=case.pk)
