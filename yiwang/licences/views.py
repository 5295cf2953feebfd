"""The public verification page, where a licence's QR code leads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .identifiers import IdentifierError
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
