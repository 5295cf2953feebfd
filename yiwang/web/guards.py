"""Request guards that run before any view: refuse what no view can store.

A NUL character (U+0000) is never meaningful in a URL, a form field or a JSON string, and
PostgreSQL cannot store it in a text column: left to the views it ends as a database error
(a 500) on PostgreSQL and as stored garbage on SQLite. ``RejectNulMiddleware`` answers such
requests with a 400 that names the parameter, in the error format of the interface the path
belongs to (HTML page, problem+json, Open311 errors).
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from .errors import bad_request_page
from .params import shown

NUL = "\x00"
JSON_TYPES = ("application/json", "application/problem+json")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _in_pairs(pairs) -> str | None:
    for key, values in pairs:
        if NUL in key:
            return shown(key)
        if any(NUL in value for value in values):
            return key
    return None


def _in_json(value, path: str = "body") -> str | None:
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                return path
            found = _in_json(item, str(key))
            if found:
                return found
    if isinstance(value, list):
        for item in value:
            found = _in_json(item, path)
            if found:
                return found
    return None


def nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first part of the request holding a NUL character, or None."""
    if NUL in request.path_info:
        return "path"
    found = _in_pairs(request.GET.lists())
    if found:
        return found
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        found = _in_pairs(request.POST.lists())
        if found:
            return found
        for name, files in request.FILES.lists():
            if any(NUL in (f.name or "") for f in files):
                return name
    elif content_type in JSON_TYPES or content_type.endswith("+json"):
        try:
            return _in_json(json.loads(request.body))
        except ValueError:
            return "body" if b"\x00" in request.body else None
    return None


class RejectNulMiddleware:
    """Answer 400 to any request with a NUL character in its path, query, form or JSON body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            name = nul_parameter(request)
        except MultiPartParserError:
            return bad_request_page(
                request,
                [_("The uploaded form data is malformed; send it again from the page.")],
                "malformed_body",
            )
        if name is not None:
            message = _(
                "“%(name)s” contains a NUL character (U+0000), which is not allowed; "
                "remove it and send the request again."
            ) % {"name": name}
            return bad_request_page(request, [message], "nul_character")
        return self.get_response(request)
