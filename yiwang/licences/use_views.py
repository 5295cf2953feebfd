"""``/licences/use/``: a department's staff read a holder's licences (用证).

The clerk names the holder (ID number or USCC), the licence type, the purpose and, when
there is one, the holder's case in their department. Every current licence of that type is
read through ``use.read_licence`` (a grant or the case must allow it), which records the
use and tells the holder. Staff of no department get 403; a refusal is a 403 page that says
why, and nothing is recorded.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yiwang.accounts.forms import attach_errors
from yiwang.cases.models import Case

from . import use
from .actions import holder_index
from .display import licence_fields
from .models import Licence
from .permissions import departments_of
from .use_forms import UseForm

#: Current versions of one type held by one holder: a handful at most; a bound all the same.
READ_LIMIT = 20


def _case(form: UseForm) -> Case | None:
    number = form.cleaned_data.get("case_number", "").strip()
    if not number:
        return None
    case = Case.objects.select_related("enterprise").filter(number=number).first()
    if case is None:
        form.add_error("case_number", _("No case has this number."))
    return case


def _read(request: HttpRequest, form: UseForm) -> tuple[dict, int]:
    """Read the licences the valid form names; the page's extra context and status."""
    data = form.cleaned_data
    case = _case(form)
    errors: dict[str, ValidationError] = {}
    use.purpose_of(data["purpose"], errors)
    if errors:
        attach_errors(form, ValidationError(errors))
    if form.errors:
        return {}, 400
    licence_type = data["licence_type"]
    index = holder_index(data["holder_code"])
    licences = list(
        Licence.objects.filter(
            licence_type=licence_type,
            holder_kind=licence_type.holder_kind,
            holder_index=index,
            next_version__isnull=True,  # the current version: older ones were replaced
        ).select_related("licence_type", "issuer")[:READ_LIMIT]
    )
    try:
        with transaction.atomic():  # all of the holder's licences of the type, or none
            if not licences:
                # Whether a holder has a licence is theirs to tell: only with a basis.
                use.authorise(
                    actor=request.user,
                    kind=licence_type.holder_kind,
                    index=index,
                    licence_type=licence_type,
                    case=case,
                )
            for licence in licences:
                use.read_licence(
                    actor=request.user, licence=licence, purpose=data["purpose"], case=case
                )
    except PermissionDenied as error:
        return {"denied": str(error)}, 403
    except ValidationError as error:
        attach_errors(form, error)
        return {}, 400
    results = [{"licence": lic, "fields": licence_fields(lic)} for lic in licences]
    return {"results": results, "none_found": not licences}, 200


@login_required
def use_page(request: HttpRequest) -> HttpResponse:
    departments = departments_of(request.user)
    if not departments:
        raise PermissionDenied(_("Only the staff of a department can use a holder's licences."))
    posted = request.method == "POST"
    form = UseForm(request.POST if posted else None)
    context: dict = {"form": form, "departments": departments}
    status = 200
    if posted:
        if form.is_valid():
            extra, status = _read(request, form)
            context.update(extra)
        else:
            status = 400
    response = render(request, "licences/use.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # a holder's licence, read for one purpose
    return response
