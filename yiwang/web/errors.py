"""Error pages (400, 403, 404, 500) and the error formats of machine interfaces.

People get the site's HTML pages. Clients of a machine interface mounted under a path prefix
(the JSON API's problem+json, Open311's error arrays) must never receive an HTML page, so each
interface registers a renderer for its prefix (from its ``AppConfig.ready`` or where its URLs
are defined); the handlers and the request guards below answer in that format under the prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from .params import BadParameter

log = logging.getLogger(__name__)

#: renderer(request, status, code, messages) -> response
Renderer = Callable[[HttpRequest, int, str, list[str]], HttpResponse]
_FORMATS: list[tuple[Callable[[], str], Renderer]] = []


def register_format(prefix: Callable[[], str], renderer: Renderer) -> None:
    """Answer errors for paths under ``prefix()`` with ``renderer`` (the prefix is computed
    lazily, from ``reverse``, because the URL configuration is not loaded yet at startup)."""
    if all(known is not renderer for _prefix, known in _FORMATS):
        _FORMATS.append((prefix, renderer))


def renderer_for(path: str) -> Renderer | None:
    for prefix, renderer in _FORMATS:
        try:
            start = prefix()
        except Exception:  # a prefix that cannot be computed matches nothing
            log.exception("error format prefix failed")
            continue
        if start and path.startswith(start):
            return renderer
    return None


DEFAULT_MESSAGES = {
    400: lambda: _("The request could not be understood: a parameter is malformed."),
    403: lambda: _("You are not authorised to do this."),
    404: lambda: _("The page does not exist, or you are not authorised to see it."),
    405: lambda: _("This method is not allowed here."),
    500: lambda: _("An internal error occurred; it has been logged. Please try again later."),
}
DEFAULT_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    500: "server_error",
}


def error_response(
    request: HttpRequest, status: int, messages: list[str] | None = None, code: str = ""
) -> HttpResponse | None:
    """The error answer in the format of the interface ``request`` is under; None elsewhere."""
    renderer = renderer_for(request.path)
    if renderer is None:
        return None
    messages = [str(m) for m in messages or []] or [DEFAULT_MESSAGES[status]()]
    return renderer(request, status, code or DEFAULT_CODES.get(status, "error"), messages)


def bad_request_page(request: HttpRequest, messages: list[str], code: str) -> HttpResponse:
    """A 400 for ``request``: the interface's format, else the HTML page with the messages."""
    response = error_response(request, 400, messages, code)
    if response is not None:
        return response
    return render(request, "400.html", {"problems": messages}, status=400)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, BadParameter):
        return bad_request_page(request, [exception.message], exception.code)
    return bad_request_page(request, [DEFAULT_MESSAGES[400]()], DEFAULT_CODES[400])


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if exception is not None else ""
    response = error_response(request, 403, [message] if message else None)
    return response or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_response(request, 404) or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        response = error_response(request, 500)
    except Exception:  # the plain page below must still be served
        log.exception("error format renderer failed")
        response = None
    return response or defaults.server_error(request)
