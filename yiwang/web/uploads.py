"""Checking uploaded files for every app: by content, size-limited, hashed."""

import hashlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What a material may be: documents and scans, judged by their bytes, not their name.
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    original_name: str
    content_type: str
    extension: str
    sha256: str
    size: int


def check_upload(upload, label: str) -> CheckedFile:
    limit = settings.YIWANG_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _(
                "“%(label)s”: the file is too large (%(size).1f MB); each file may be at most %(limit)d MB."
            )
            % {"label": label, "size": upload.size / 1048576, "limit": limit // 1048576},
            code="file_too_large",
        )
    if upload.size == 0:
        raise ValidationError(
            _("“%(label)s”: the file is empty.") % {"label": label}, code="file_empty"
        )
    content = upload.read()
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in ALLOWED:
        raise ValidationError(
            _(
                "“%(label)s”: %(name)s is not a PDF, JPG or PNG file. Please upload a scan or photo in one of these formats."
            )
            % {"label": label, "name": upload.name},
            code="file_type",
        )
    return CheckedFile(
        content=content,
        original_name=upload.name[:200],
        content_type=kind.mime,
        extension=ALLOWED[kind.mime],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


PHOTO_TYPES = {"image/jpeg", "image/png"}


def check_photo(upload, label: str) -> CheckedFile:
    """A photo (tickets, city events): JPEG or PNG by content; a PDF is refused here."""
    checked = check_upload(upload, label)
    if checked.content_type not in PHOTO_TYPES:
        raise ValidationError(
            _("“%(label)s”: %(name)s is not a photo. Please upload a JPG or PNG image.")
            % {"label": label, "name": checked.original_name},
            code="photo_type",
        )
    return checked
