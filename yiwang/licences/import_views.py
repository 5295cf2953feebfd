"""The department's import of historical licences: /licences/manage/import/ (upload, and the
report of every problem by row) and its template, import/template.xlsx (``?type=`` for one
type's fields; else every type of the user's departments).

The import runs in the request: at most ``importing.MAX_ROWS`` rows, each signed; the format
and the checks are ``importing``'s.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext

from yiwang.web.params import MAX_ID, parse_int

from .import_format import MAX_BYTES, template_bytes
from .importing import import_licences
from .manage_forms import ImportForm
from .manage_views import departments
from .models import LicenceType

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive


@login_required
def template(request: HttpRequest) -> HttpResponse:
    types = LicenceType.objects.filter(issuer__in=departments(request), active=True)
    wanted = parse_int(request.GET.get("type"), minimum=1, maximum=MAX_ID)
    if wanted:
        types = types.filter(pk=wanted)
    chosen = list(types.order_by("code"))
    response = HttpResponse(template_bytes(chosen), content_type=XLSX_TYPE)
    name = f"licences-{chosen[0].code}.xlsx" if wanted and chosen else "licences.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    mine = departments(request)
    types = LicenceType.objects.filter(issuer__in=mine, active=True).order_by("code")
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    errors = []
    status = 200
    if posted:
        if form.is_valid():
            upload = form.cleaned_data["file"]
            problem = _file_problem(upload)
            if problem:
                form.add_error("file", problem)
            else:
                result = import_licences(
                    upload, actor=request.user, departments=mine, name=str(upload.name)
                )
                if result.ok:
                    count = len(result.issued)
                    messages.success(
                        request,
                        ngettext(
                            "%(n)d licence is imported and signed.",
                            "%(n)d licences are imported and signed.",
                            count,
                        )
                        % {"n": count},
                    )
                    return redirect("licences:manage")
                errors = result.errors
        status = 400
    return render(
        request,
        "licences/manage/import.html",
        {"form": form, "errors": errors, "types": types},
        status=status,
    )


def _file_problem(upload) -> str:
    if not str(upload.name or "").lower().endswith(".xlsx"):
        return gettext("Upload an .xlsx workbook (download the template from this page).")
    if upload.size > MAX_BYTES:
        return gettext("The workbook is larger than 10 MB; split it up.")
    head = upload.read(len(XLSX_MAGIC))
    upload.seek(0)
    if head != XLSX_MAGIC:
        return gettext("This file is not an .xlsx workbook.")
    return ""
