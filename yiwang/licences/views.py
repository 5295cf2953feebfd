"""The public verification page (where a licence's QR code leads) and the holder's wallet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .identifiers import IdentifierError
from .models import Licence
from .queries import wallet_of
from .rendering import licence_file_bytes, store_document
from .verification import UnknownLicence, matches_document, verify

#: An issued licence PDF is far smaller; anything larger cannot be one.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """The verdict on a licence; a POST also compares an uploaded PDF with the issued one."""
    try:
        result = verify(identifier)
    except IdentifierError as error:
        return render(
            request,
            "licences/verify.html",
            {"identifier": identifier, "error": str(error)},
            status=400,
        )
    except UnknownLicence:
        return render(
            request,
            "licences/verify.html",
            {"identifier": identifier, "unknown": True},
            status=404,
        )
    context: dict[str, object] = {"identifier": identifier, "result": result}
    status = 200
    if request.method == "POST":
        context["copy"] = copy = _compare_copy(request, result.licence)
        status = 400 if "error" in copy else 200
    return render(request, "licences/verify.html", context, status=status)


def _compare_copy(request: HttpRequest, licence: Licence | None) -> dict[str, object]:
    """{"matches": bool} for an uploaded PDF, or {"error": message} when it cannot be compared."""
    upload = request.FILES.get("document")
    if upload is None:
        return {"error": _("Choose the licence PDF to check.")}
    if (upload.size or 0) > MAX_DOCUMENT_BYTES:
        return {
            "error": _("The file is larger than 10 MB, so it is not a licence PDF issued here.")
        }
    data = b"".join(upload.chunks())
    if not data.startswith(b"%PDF-"):
        return {"error": _("The file is not a PDF. Upload the licence PDF as it was downloaded.")}
    if licence is None or not licence.document_sm3:
        return {
            "error": _(
                "No PDF is on record for this licence yet, so a copy cannot be compared. The "
                "verdict above still holds."
            )
        }
    return {"matches": matches_document(licence, data)}


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    licences, enterprise = wallet_of(request)
    return render(
        request,
        "licences/wallet.html",
        {"licences": list(licences[:500]), "enterprise": enterprise},
    )


def _held(request: HttpRequest, identifier: str) -> Licence:
    """One of the request's user's licences; someone else's, or none, is a 404."""
    licences, _enterprise = wallet_of(request)
    licence = licences.filter(identifier=identifier).first()
    if licence is None:
        raise Http404
    return licence


@login_required
def licence_file_download(request: HttpRequest, identifier: str) -> HttpResponse:
    """The holder's licence file (signed metadata, JSON): it verifies offline with the
    issuer's public key. Someone else's licence, or none, is a 404."""
    licence = _held(request, identifier)
    response = HttpResponse(
        licence_file_bytes(licence), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{licence.identifier}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def licence_pdf_download(request: HttpRequest, identifier: str) -> FileResponse:
    """The holder's licence PDF, as issued. A licence issued before there were PDFs gets its
    PDF now, kept like an issued one. Someone else's licence, or none, is a 404."""
    licence = _held(request, identifier)
    if not licence.document:
        with transaction.atomic():
            # Locked, so two first downloads at once store one document, not two.
            licence = Licence.objects.select_for_update().get(pk=licence.pk)
            if not licence.document:
                store_document(licence)
    response = FileResponse(
        licence.document.open("rb"),
        as_attachment=True,
        filename=f"{licence.identifier}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
