"""Serving stored uploads (photos, materials) through views that have checked permission.

Uploads are never linked by their storage URL (``/media/…`` exists only with ``DEBUG``):
each app has a view that finds the object through its scoped queryset and then answers
with ``file_response``. The response is built so a file cannot act as a page of the site:
the type is the one checked at upload (anything else is an attachment of type
``application/octet-stream``), ``nosniff``, a sandboxing CSP (a PDF viewer gets no script,
no same-origin access), and nothing is kept by shared caches or the browser.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from .uploads import PHOTO_TYPES, carries_metadata, reencode_image

#: Types a browser may show inline, with the file extension that matches each.
INLINE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\"\\/:*?<>|;]+")


def safe_filename(name: str, content_type: str, fallback: str = "file") -> str:
    """A download name without path parts, control characters or quotes, with the right extension."""
    name = PurePosixPath((name or "").replace("\\", "/")).name
    name = _UNSAFE.sub("_", name).strip(" .")[:120] or fallback
    wanted = INLINE_TYPES.get(content_type)
    stem, dot, ext = name.rpartition(".")
    if wanted and f".{ext.lower()}" not in (wanted, ".jpeg" if wanted == ".jpg" else wanted):
        name = (stem if dot else name) + wanted
    return name


def _harden(response, public: bool) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "cross-origin" if public else "same-origin"


def file_response(
    field_file, *, filename: str, content_type: str, public: bool = False
) -> FileResponse:
    """Stream ``field_file`` from storage with headers safe for user-supplied content.

    ``public``: a file anyone may see (a public Open311 request's photo): other sites may
    embed it and caches may keep it for a day. Everything else is private and not stored.
    """
    inline = content_type in INLINE_TYPES
    served_type = content_type if inline else "application/octet-stream"
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=not inline,
        filename=safe_filename(filename, served_type),
        content_type=served_type,
    )
    _harden(response, public)
    return response


def public_photo_response(field_file, *, filename: str, content_type: str) -> HttpResponse:
    """A photo for everyone: as stored when it carries no metadata (every photo uploaded
    since uploads are re-encoded), re-encoded on the way out when it does (older uploads).
    Raises Http404 for anything that is not a readable JPEG or PNG."""
    if content_type not in PHOTO_TYPES:
        raise Http404
    with field_file.open("rb") as fh:
        content = fh.read()
    if carries_metadata(content):
        try:
            content, _gps = reencode_image(content, content_type, {"label": "", "name": filename})
        except ValidationError as exc:
            raise Http404 from exc
    name = safe_filename(filename, content_type)
    response = HttpResponse(content, content_type=content_type)
    disposition = content_disposition_header(False, name)
    assert disposition is not None  # only an empty name gives none; ``safe_filename`` has one
    response["Content-Disposition"] = disposition
    _harden(response, public=True)
    return response
