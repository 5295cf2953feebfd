"""The issuing department's licence pages, under /licences/manage/:

- ``/`` the licences the user's departments issued (filter by type and status, search by
  number, identifier, holder name or holder code), and those departments' licence types;
- ``issue/`` issuing by hand: first the type, then the holder, first day and the type's fields;
- ``<identifier>/`` one licence: its signed metadata, status and signed events;
- ``<identifier>/renew/`` a new version (renewal, or a change of the type's fields);
- ``<identifier>/<suspend|restore|revoke|cancel>/`` a confirmation page, then the POST.

For staff holding a post in a department (``permissions.departments_of``); anyone else gets
403, and a licence of another department is a 404, as if it did not exist. Every change goes
through ``actions``, which check the permission again and sign.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from yiwang.accounts.forms import attach_errors
from yiwang.gmcrypto.masking import mask_id_number
from yiwang.orgs.models import Department
from yiwang.seals import signing
from yiwang.web.params import MAX_ID, parse_int

from . import actions
from .actions import Holder, holder_index
from .holders import find_holder
from .manage_forms import ChooseTypeForm, FilterForm, IssueForm, RenewForm, StatusForm
from .models import HolderKind, Licence, LicenceType, Operation, Status
from .permissions import departments_of

PAGE_SIZE = 30
STATUS_ACTIONS: dict[str, Callable[..., Licence]] = {
    Operation.SUSPEND: actions.suspend,
    Operation.RESTORE: actions.restore,
    Operation.REVOKE: actions.revoke,
    Operation.CANCEL: actions.cancel,
}


def departments(request: HttpRequest) -> list[Department]:
    """The user's departments; 403 for anyone who holds no post in one."""
    found = departments_of(request.user)
    if not found:
        raise PermissionDenied(
            gettext("These pages are for the staff of the departments that issue licences.")
        )
    return found


def _licence(request: HttpRequest, identifier: str) -> Licence:
    licence = (
        Licence.objects.select_related("licence_type", "issuer", "previous")
        .filter(identifier=identifier, issuer__in=departments(request))
        .first()
    )
    if licence is None:
        raise Http404(gettext("No licence has this identifier."))
    return licence


def _refused(form, error: Exception) -> None:
    """Put an action's refusal on the form: its fields' errors, or the seal's refusal."""
    if isinstance(error, ValidationError):
        attach_errors(form, error)
    else:
        form.add_error(None, getattr(error, "message", str(error)))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    mine = departments(request)
    types = list(
        LicenceType.objects.filter(issuer__in=mine)
        .select_related("issuer")
        .annotate(issued=Count("licences"))
    )
    form = FilterForm(request.GET, types=types)
    filters = form.values()
    licences = Licence.objects.filter(issuer__in=mine).select_related("licence_type", "issuer")
    if filters.get("type"):
        licences = licences.filter(licence_type_id=filters["type"])
    if filters.get("status"):
        licences = licences.filter(status=filters["status"])
    query = " ".join((filters.get("q") or "").split())
    if query:
        licences = licences.filter(
            Q(number__icontains=query)
            | Q(identifier__icontains=query)
            | Q(holder_name__icontains=query)
            | Q(holder_index=holder_index(query))  # a full ID number or USCC, exactly
        )
    page = Paginator(licences.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "licences/manage/index.html",
        {"form": form, "page_obj": page, "licences": page.object_list, "types": types},
    )


def _extension(licence: Licence) -> list[tuple[str, str]]:
    """The signed extension fields, labelled as the type labels them, in its order."""
    values = dict((licence.metadata or {}).get("extension") or {})
    shown = []
    for spec in licence.licence_type.fields:
        if spec["key"] in values:
            shown.append((spec.get("label") or spec["key"], values.pop(spec["key"])))
    return shown + sorted(values.items())


@login_required
def detail(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _licence(request, identifier)
    code = licence.holder_code
    newer = Licence.objects.filter(previous=licence).only("identifier").first()
    return render(
        request,
        "licences/manage/detail.html",
        {
            "licence": licence,
            "metadata": licence.metadata or {},
            "holder_code": mask_id_number(code)
            if licence.holder_kind == HolderKind.PERSON
            else code,
            "extension": _extension(licence),
            "events": licence.events.select_related("actor").order_by("-at", "-id"),
            "operations": [
                op
                for op, (allowed, _a, _r) in actions.TRANSITIONS.items()
                if licence.status in allowed
            ],
            "renewable": licence.status == Status.VALID and newer is None,
            "newer": newer,
        },
    )


# What each status page says: title, explanation, button.
def _wording(operation: str) -> tuple[str, str, str]:
    wording: dict[str, tuple[str, str, str]] = {
        Operation.SUSPEND: (
            gettext("Suspend the licence"),
            gettext("A suspended licence does not verify as valid until the suspension is lifted."),
            gettext("Suspend"),
        ),
        Operation.RESTORE: (
            gettext("Lift the suspension"),
            gettext("The licence verifies as valid again from now on."),
            gettext("Lift the suspension"),
        ),
        Operation.REVOKE: (
            gettext("Revoke the licence"),
            gettext("A revoked licence is invalid for good: a revocation cannot be undone."),
            gettext("Revoke"),
        ),
        Operation.CANCEL: (
            gettext("Cancel the licence"),
            gettext(
                "A cancelled licence is invalid for good, for example when the holder gave it up "
                "or closed down: a cancellation cannot be undone."
            ),
            gettext("Cancel the licence"),
        ),
    }
    return wording[operation]


@login_required
def change_status(request: HttpRequest, identifier: str, operation: str) -> HttpResponse:
    if operation not in STATUS_ACTIONS:
        raise Http404
    licence = _licence(request, identifier)
    allowed, _after, reason_required = actions.TRANSITIONS[operation]
    if licence.status not in allowed and request.method != "POST":
        return redirect("licences:manage_detail", identifier=licence.identifier)
    form = StatusForm(
        request.POST if request.method == "POST" else None, reason_required=reason_required
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = STATUS_ACTIONS[operation](
                    actor=request.user, licence=licence, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, signing.SigningRefused) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    gettext("The licence is now %(status)s.")
                    % {"status": Status(changed.status).label},
                )
                return redirect("licences:manage_detail", identifier=licence.identifier)
        status = 400
    title, explanation, button = _wording(operation)
    context = {
        "licence": licence,
        "form": form,
        "operation": operation,
        "title": title,
        "explanation": explanation,
        "button": button,
        "danger": operation in (Operation.REVOKE, Operation.CANCEL),
    }
    return render(request, "licences/manage/status.html", context, status=status)


@login_required
def renew(request: HttpRequest, identifier: str) -> HttpResponse:
    """A new version: the same holder and number, from a new first day, fields edited."""
    licence = _licence(request, identifier)
    if licence.status != Status.VALID and request.method != "POST":
        return redirect("licences:manage_detail", identifier=licence.identifier)
    form = RenewForm(request.POST if request.method == "POST" else None, licence=licence)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            holder = Holder(
                licence.holder_kind,
                licence.holder_name,
                licence.holder_code,
                user=licence.holder_user,
                enterprise=licence.holder_enterprise,
            )
            try:
                new = actions.issue(
                    actor=request.user,
                    licence_type=licence.licence_type,
                    holder=holder,
                    valid_from=form.cleaned_data["valid_from"],
                    fields=form.extension(),
                    number=licence.number,
                    previous=licence,
                    related_items=tuple(licence.metadata.get("related_items") or ()),
                )
            except (ValidationError, signing.SigningRefused) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    gettext("Version %(version)s of the licence is issued.")
                    % {"version": new.version},
                )
                return redirect("licences:manage_detail", identifier=new.identifier)
        status = 400
    return render(
        request, "licences/manage/renew.html", {"licence": licence, "form": form}, status=status
    )


@login_required
def issue(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET, no type): choose the type. Step 2 (``type``): the licence's details."""
    types = LicenceType.objects.filter(issuer__in=departments(request), active=True)
    posted = request.method == "POST"
    wanted = parse_int(
        (request.POST if posted else request.GET).get("type"), minimum=1, maximum=MAX_ID
    )
    licence_type = (
        types.select_related("issuer", "issuer__region").filter(pk=wanted).first()
        if wanted
        else None
    )
    if licence_type is None:
        chooser = ChooseTypeForm(types=types)
        return render(request, "licences/manage/issue.html", {"chooser": chooser})
    form = IssueForm(request.POST if posted else None, licence_type=licence_type)
    status = 200
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            try:
                holder = find_holder(
                    licence_type.holder_kind, data["holder_code"], data["holder_name"]
                )
                licence = actions.issue(
                    actor=request.user,
                    licence_type=licence_type,
                    holder=holder,
                    valid_from=data["valid_from"],
                    fields=form.extension(),
                )
            except (ValidationError, signing.SigningRefused) as error:
                _refused(form, error)
            else:
                messages.success(
                    request,
                    gettext("The licence %(number)s is issued to %(holder)s.")
                    % {"number": licence.number, "holder": licence.holder_name},
                )
                return redirect("licences:manage_detail", identifier=licence.identifier)
        status = 400
    return render(
        request,
        "licences/manage/issue.html",
        {"form": form, "licence_type": licence_type},
        status=status,
    )
