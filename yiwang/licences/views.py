"""The public verification page (where a licence's QR code leads) and the holder's wallet."""

from __future__ import annotations

import base64
import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.seals import signing

from .identifiers import IdentifierError
from .metadata import LicenceMetadata
from .offline import licence_file
from .queries import wallet_of
from .verification import UnknownLicence, verify


def verify_page(request: HttpRequest, identifier: str) -> HttpResponse:
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
    return render(request, "licences/verify.html", {"identifier": identifier, "result": result})


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    licences, enterprise = wallet_of(request)
    return render(
        request,
        "licences/wallet.html",
        {"licences": list(licences[:500]), "enterprise": enterprise},
    )


@login_required
def licence_file_download(request: HttpRequest, identifier: str) -> HttpResponse:
    """The holder's licence file (signed metadata, JSON): it verifies offline with the
    issuer's public key. Someone else's licence, or none, is a 404."""
    licences, _enterprise = wallet_of(request)
    licence = licences.filter(identifier=identifier).first()
    if licence is None:
        raise Http404
    document = licence_file(
        LicenceMetadata.from_dict(licence.metadata),
        key_id=licence.key_id,
        public_key=signing.public_key(licence.key_id),
        signature=base64.b64decode(licence.signature),
    )
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{licence.identifier}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
