"""The holder's side of licence use, and the public page of a shared copy:

- ``/licences/mine/<identifier>/``: one licence of the wallet: its fields, status and
  signed events, who used it (用证记录), its shared copies and the form to share one;
- ``/licences/mine/grants/``: the holder's grants to departments (用证授权), the form to
  grant, and the use log across all their licences;
- ``/verify/copy/<token>/``: a shared copy (加注件), public while it is valid.

The holder is whoever the wallet says (``queries.wallet_of``): a person, or the enterprise
an agent acts for. Someone else's licence, grant or copy is a 404, as for the licence file.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.forms import attach_errors
from yiwang.web.params import MAX_ID

from . import copies, queries, use
from .display import licence_fields
from .models import AnnotatedCopy, Licence, LicenceType, Status
from .use_forms import GrantForm, ShareForm
from .verification import verify

LOG_LIMIT = 200  # uses listed on a page; the API has the same bound


def _own_licence(request: HttpRequest, identifier: str) -> Licence:
    licences, _enterprise = queries.wallet_of(request)
    licence = licences.filter(identifier=identifier).first()
    if licence is None:
        raise Http404(_("No licence of yours has this identifier."))
    return licence


def _render_detail(
    request: HttpRequest, licence: Licence, form: ShareForm, status: int = 200
) -> HttpResponse:
    shared = [
        {
            "copy": copy,
            "link": request.build_absolute_uri(reverse("verify:copy", args=[copy.token])),
        }
        for copy in queries.active_copies(licence)
    ]
    context = {
        "licence": licence,
        "fields": licence_fields(licence),
        "events": list(licence.events.order_by("-id")),
        "uses": list(licence.uses.select_related("department", "case")[:LOG_LIMIT]),
        "copies": shared,
        "form": form,
        "shareable": licence.status == Status.VALID,
    }
    response = render(request, "licences/detail.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # the copies' links open them
    return response


@login_required
def licence_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    return _render_detail(request, _own_licence(request, identifier), ShareForm())


@login_required
@require_POST
def share(request: HttpRequest, identifier: str) -> HttpResponse:
    licence = _own_licence(request, identifier)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            copy = copies.share_copy(
                actor=request.user,
                licence=licence,
                purpose=form.cleaned_data["purpose"],
                hours=form.cleaned_data["hours"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("The copy is shared until %(time)s. Send its link to whoever needs it.")
                % {"time": timezone.localtime(copy.expires_at).strftime("%Y-%m-%d %H:%M")},
            )
            return redirect("licences:mine-detail", identifier=licence.identifier)
    return _render_detail(request, licence, form, status=400)


@login_required
@require_POST
def withdraw_copy(request: HttpRequest, pk: int) -> HttpResponse:
    licences, _enterprise = queries.wallet_of(request)
    copy = (
        AnnotatedCopy.objects.select_related("licence")
        .filter(pk=pk, licence__in=licences.values("pk"))
        .first()
        if pk <= MAX_ID
        else None
    )
    if copy is None:
        raise Http404(_("No shared copy of yours has this number."))
    try:
        copies.withdraw_copy(actor=request.user, copy=copy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The copy is withdrawn: its link no longer opens."))
    return redirect("licences:mine-detail", identifier=copy.licence.identifier)


def _grant_state(grant, today) -> str:
    if grant.revoked_at is not None:
        return "withdrawn"
    return "active" if grant.expires_on >= today else "expired"


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    holder = queries.holder_of(request)
    licences, enterprise = queries.wallet_of(request)
    held_types = LicenceType.objects.filter(pk__in=licences.values("licence_type_id")).order_by(
        "name"
    )
    posted = request.method == "POST"
    form = GrantForm(request.POST if posted else None, licence_types=held_types)
    status = 200
    if posted:
        if holder is None:
            raise PermissionDenied(
                _(
                    "Add your resident ID number to your account before granting the use of licences."
                )
            )
        if form.is_valid():
            data = form.cleaned_data
            kind, index, name = holder
            try:
                use.grant(
                    actor=request.user,
                    holder_kind=kind,
                    holder_index=index,
                    holder_name=name,
                    licence_type=data["licence_type"],
                    department=data["department"],
                    purpose=data["purpose"],
                    expires_on=data["expires_on"],
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(department)s may now use your %(type)s until %(day)s.")
                    % {
                        "department": data["department"].name,
                        "type": data["licence_type"].name,
                        "day": data["expires_on"].isoformat(),
                    },
                )
                return redirect("licences:grants")
        status = 400
    today = use.today()
    rows = [
        {"grant": grant, "state": _grant_state(grant, today)}
        for grant in (queries.grants_of(holder[0], holder[1])[:LOG_LIMIT] if holder else [])
    ]
    context = {
        "holder": holder,
        "enterprise": enterprise,
        "form": form,
        "can_grant": holder is not None and held_types.exists(),
        "grants": rows,
        "uses": list(queries.uses_of(licences)[:LOG_LIMIT]),
    }
    return render(request, "licences/grants.html", context, status=status)


@login_required
@require_POST
def withdraw_grant(request: HttpRequest, pk: int) -> HttpResponse:
    holder = queries.holder_of(request)
    grant = (
        queries.grants_of(holder[0], holder[1]).filter(pk=pk).first()
        if holder and pk <= MAX_ID
        else None
    )
    if grant is None:
        raise Http404(_("No grant of yours has this number."))
    try:
        use.withdraw_grant(actor=request.user, grant=grant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The grant is withdrawn: %(department)s can no longer use your licence on it.")
            % {"department": grant.department.name},
        )
    return redirect("licences:grants")


def copy_page(request: HttpRequest, token: str) -> HttpResponse:
    """A shared copy: public (its link is the key), 404 when unknown, 410 when withdrawn or
    expired."""
    try:
        copy = copies.open_copy(token)
    except copies.CopyUnavailable as error:
        context = {"error": str(error), "gone": error.status == 410}
        response = render(request, "licences/copy.html", context, status=error.status)
    else:
        licence = copy.licence
        context = {
            "copy": copy,
            "licence": licence,
            "fields": licence_fields(licence),
            "result": verify(licence.identifier),
        }
        response = render(request, "licences/copy.html", context)
    # The token is in the address: keep the page out of caches and other sites' logs.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
