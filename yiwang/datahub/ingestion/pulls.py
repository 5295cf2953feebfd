"""Pulling rows from an HTTP JSON endpoint: the one function that goes out to the network.

``fetch_json`` asks for the address once (no redirects followed: a redirect could carry the
API key to another host), with a time limit and a size cap, and gives the decoded JSON or a
:class:`PullError` saying what the endpoint did wrong, in words a data admin can pass on to
the system's operators. The actions that manage ``PullSource`` rows and the schedule are in
``datahub.actions.ingestion``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

#: A header name as HTTP allows it (a token).
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
#: Headers the platform sets itself or that would change how the answer is read.
RESERVED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "accept-encoding", "cookie"}
)


class PullError(ValueError):
    """The endpoint could not give rows; ``str()`` says why."""


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be pulled from, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _("Enter a valid web address.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Enter an http:// or https:// address.")
    if parts.username or parts.password:
        return _(
            "Do not put a user name or password in the address: use the header fields for the "
            "endpoint's key."
        )
    return None


def fetch_json(url: str, header_name: str = "", header_value: str = "") -> Any:
    """The JSON document at ``url``; raises :class:`PullError`."""
    problem = url_problem(url)
    if problem:
        raise PullError(problem)
    headers = {"Accept": "application/json"}
    if header_name:
        headers[header_name] = header_value
    limit = settings.YIWANG_INGESTION_PULL_MAX_BYTES
    try:
        with requests.get(
            url,
            headers=headers,
            timeout=settings.YIWANG_INGESTION_PULL_TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            if 300 <= response.status_code < 400:
                raise PullError(
                    _(
                        "The endpoint answered with a redirect (HTTP %(status)d) to %(location)s: "
                        "enter that address instead."
                    )
                    % {
                        "status": response.status_code,
                        "location": response.headers.get("Location", "?")[:200],
                    }
                )
            if response.status_code != 200:
                raise PullError(
                    _("The endpoint answered HTTP %(status)d %(reason)s instead of the data.")
                    % {"status": response.status_code, "reason": (response.reason or "")[:100]}
                )
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body.extend(chunk)
                if len(body) > limit:
                    raise PullError(
                        _("The answer is larger than %(limit)d MB: ask for fewer rows per pull.")
                        % {"limit": limit // (1024 * 1024)}
                    )
    except requests.Timeout as exc:
        raise PullError(
            _("The endpoint did not answer within %(seconds)d seconds.")
            % {"seconds": settings.YIWANG_INGESTION_PULL_TIMEOUT}
        ) from exc
    except requests.RequestException as exc:
        raise PullError(
            _("The endpoint cannot be reached: %(reason)s") % {"reason": type(exc).__name__}
        ) from exc
    try:
        return json.loads(bytes(body).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        kind = response.headers.get("Content-Type", "").split(";")[0] or "?"
        raise PullError(
            _("The endpoint's answer is not JSON (it says it is %(type)s).") % {"type": kind[:80]}
        ) from exc
