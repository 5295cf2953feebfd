"""Checking uploaded files for every app: by content, size-limited, hashed.

Images are decoded and written again with Pillow before they are stored: the pixel count is
checked from the header before anything is decoded (decompression bombs), the EXIF
orientation is applied, the picture is scaled down to ``YIWANG_PHOTO_MAX_EDGE`` and saved
without EXIF, XMP or comments, so a photo never carries where or with which phone it was
taken. The GPS position, if any, is handed back to the caller (a ticket or city event may
keep it as its location). PDFs are opened with pypdf and refused when they hold active or
hidden content (JavaScript, launch actions, embedded files, XFA forms) or are encrypted;
what cannot be parsed is refused too, because it cannot be checked. The hash is taken of
the bytes that are stored. Checked files are stored here too (``save_checked``,
``store_photos``), under one naming rule, and deleted again when the action fails.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

logger = logging.getLogger(__name__)

# What a material may be: documents and scans, judged by their bytes, not their name.
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_EDGE = 4096
JPEG_QUALITY = 88


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    original_name: str
    content_type: str
    extension: str
    sha256: str
    size: int
    #: (latitude, longitude) read from the photo's EXIF before it was stripped.
    gps: tuple[float, float] | None = None


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
    names = {"label": label, "name": upload.name}
    gps = None
    if kind.mime in IMAGE_FORMATS:
        content, gps = reencode_image(content, kind.mime, names)
    else:
        check_pdf(content, names)
    return CheckedFile(
        content=content,
        original_name=upload.name[:200],
        content_type=kind.mime,
        extension=ALLOWED[kind.mime],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        gps=gps,
    )


PHOTO_TYPES = {"image/jpeg", "image/png"}


def check_photo(upload, label: str) -> CheckedFile:
    """A photo (tickets, city events): JPEG or PNG by content; a PDF is refused here."""
    kind = filetype.guess(upload.read(8192))
    upload.seek(0)
    if kind is not None and kind.mime == "application/pdf":
        raise ValidationError(
            _("“%(label)s”: %(name)s is not a photo. Please upload a JPG or PNG image.")
            % {"label": label, "name": upload.name[:200]},
            code="photo_type",
        )
    return check_upload(upload, label)


# --- storing --------------------------------------------------------------------------------


def save_checked(checked: CheckedFile, folder: str) -> str:
    """Write a checked file's bytes to ``folder/YYYY/MM/`` named by its hash; returns the storage
    name. The one naming rule for every stored upload (materials, ticket and city-case photos)."""
    return default_storage.save(
        f"{folder}/{timezone.now():%Y/%m}/{checked.sha256[:16]}.{checked.extension}",
        ContentFile(checked.content),
    )


def checked_fields(checked: CheckedFile) -> dict:
    """The columns every stored-file row keeps about its file."""
    return {
        "original_name": checked.original_name,
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
    }


def delete_stored(paths: Iterable[str]) -> None:
    """Remove files an action had already stored when it fails (its transaction rolls back)."""
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:  # pragma: no cover - best effort
            logger.warning("could not delete %s", path)


def store_photos(model, checked: Iterable[CheckedFile], folder: str, **attach) -> list[str]:
    """Save checked photos and attach each as a ``model`` row (``attach`` names the owner, its
    phase and uploader); returns the stored paths so a caller failing later can delete them.
    If storing fails part-way, the files already written are deleted before the error rises."""
    saved: list[str] = []
    try:
        for photo in checked:
            path = save_checked(photo, folder)
            saved.append(path)
            model.objects.create(file=path, **checked_fields(photo), **attach)
    except Exception:
        delete_stored(saved)
        raise
    return saved


# --- images -------------------------------------------------------------------------------


def _too_large(names: dict, width: int = 0, height: int = 0) -> ValidationError:
    limit = getattr(settings, "YIWANG_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    if not width:
        return ValidationError(
            _(
                "“%(label)s”: %(name)s has too many pixels; images may have at most %(limit)d million pixels. Please send a smaller picture."
            )
            % {**names, "limit": limit // 1_000_000},
            code="image_too_large",
        )
    return ValidationError(
        _(
            "“%(label)s”: %(name)s is %(width)d × %(height)d pixels; images may have at most %(limit)d million pixels. Please send a smaller picture."
        )
        % {**names, "width": width, "height": height, "limit": limit // 1_000_000},
        code="image_too_large",
    )


def _unreadable(names: dict) -> ValidationError:
    return ValidationError(
        _(
            "“%(label)s”: %(name)s is damaged or incomplete and cannot be opened. Please take or scan it again."
        )
        % names,
        code="image_corrupt",
    )


def _open(content: bytes, fmt: str, names: dict) -> Image.Image:
    """Open and decode, checking the pixel count from the header before decoding."""
    limit = getattr(settings, "YIWANG_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=[fmt])
            width, height = image.size
            if width * height > limit:
                raise _too_large(names, width, height)
            if fmt == "JPEG":
                edge = getattr(settings, "YIWANG_PHOTO_MAX_EDGE", DEFAULT_MAX_EDGE)
                image.draft(None, (edge, edge))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(names) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _unreadable(names) from exc
    return image


def _degrees(value, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -result if str(ref).strip().upper() in ("S", "W") else result


def gps_of(image: Image.Image) -> tuple[float, float] | None:
    """The photo's EXIF GPS position as (lat, lng) in degrees, or None."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # malformed EXIF means no position, never an error
        return None
    if not gps:
        return None
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
    lng = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:
        return None
    return round(lat, 6), round(lng, 6)


def carries_metadata(content: bytes) -> bool:
    """Whether stored image bytes still hold EXIF, XMP or comments, or exceed the maximum
    edge (a file stored before uploads were re-encoded). Reads the header only."""
    edge = getattr(settings, "YIWANG_PHOTO_MAX_EDGE", DEFAULT_MAX_EDGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            keys = {str(k).lower() for k in image.info}
            return (
                bool(image.getexif())
                or bool(keys & {"exif", "xmp", "comment", "xml:com.adobe.xmp"})
                or max(image.size) > edge
            )
    except Exception:  # unreadable: let the re-encoding refuse it
        return True


def reencode_image(
    content: bytes, mime: str, names: dict
) -> tuple[bytes, tuple[float, float] | None]:
    """Decode safely, apply orientation, scale down, save without metadata.

    Returns the new bytes (same format as the input) and the GPS position it carried.
    """
    fmt = IMAGE_FORMATS[mime]
    image = _open(content, fmt, names)
    gps = gps_of(image)
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken orientation tag: keep the pixels as they are
        logger.info("EXIF orientation ignored for %s", names.get("name"))
    edge = getattr(settings, "YIWANG_PHOTO_MAX_EDGE", DEFAULT_MAX_EDGE)
    image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    image.info = {}  # no EXIF, XMP, comments or text chunks are carried over
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        extra = {"transparency": transparency} if transparency is not None else {}
        image.save(out, format="PNG", optimize=False, icc_profile=icc, **extra)
    return out.getvalue(), gps


# --- PDF ----------------------------------------------------------------------------------

#: Dictionary keys that mean active or hidden content.
PDF_FORBIDDEN_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/EmbeddedFiles": "embedded",
    "/EmbeddedFile": "embedded",
    "/XFA": "xfa",
    "/RichMedia": "embedded",
    "/EF": "embedded",
}
#: Action types (``/S``) and object types (``/Type``) refused wherever they appear.
PDF_FORBIDDEN_NAMES = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/GoToE": "embedded",
    "/EmbeddedFile": "embedded",
    "/FileAttachment": "embedded",
    "/RichMedia": "embedded",
}
PDF_MAX_OBJECTS = 200_000


def _pdf_reason(reason: str, names: dict) -> ValidationError:
    messages = {
        "javascript": _(
            "“%(label)s”: %(name)s contains JavaScript. Please upload a plain PDF, e.g. printed to PDF again or scanned."
        ),
        "launch": _(
            "“%(label)s”: %(name)s contains an action that starts a program. Please upload a plain PDF, e.g. printed to PDF again or scanned."
        ),
        "embedded": _(
            "“%(label)s”: %(name)s contains embedded files. Please upload each document separately as a plain PDF."
        ),
        "xfa": _(
            "“%(label)s”: %(name)s is an XFA form, which cannot be checked. Please print it to a plain PDF and upload that."
        ),
        "encrypted": _(
            "“%(label)s”: %(name)s is password-protected or encrypted. Please upload an unprotected copy or a scan."
        ),
        "unreadable": _(
            "“%(label)s”: %(name)s is not a readable PDF and cannot be checked. Please save or scan it again."
        ),
        "complex": _(
            "“%(label)s”: %(name)s has too many internal objects to be checked. Please print it to PDF again or scan it."
        ),
    }
    return ValidationError(messages[reason] % names, code=f"pdf_{reason}")


def _children(obj):
    if isinstance(obj, DictionaryObject):
        return obj.values()
    if isinstance(obj, ArrayObject):
        return obj
    return ()


def pdf_problem(reader: PdfReader) -> str | None:
    """Walk every object reachable from the trailer; the first reason to refuse, or None.

    Objects inside compressed object streams are resolved by pypdf, which a search of the
    raw bytes would miss. Stream data (page contents, images) is not decoded.
    """
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            return "complex"
        if isinstance(obj, DictionaryObject):
            for key in obj:
                if key in PDF_FORBIDDEN_KEYS:
                    return PDF_FORBIDDEN_KEYS[key]
            for key in ("/S", "/Type", "/Subtype"):
                value = obj.get(key)
                if isinstance(value, NameObject) and value in PDF_FORBIDDEN_NAMES:
                    return PDF_FORBIDDEN_NAMES[value]
        stack.extend(_children(obj))
    return None


def check_pdf(content: bytes, names: dict) -> None:
    """Refuse encrypted, unparseable and active PDFs (see ``pdf_problem``)."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _pdf_reason("encrypted", names)
        problem = pdf_problem(reader)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds on malformed input
        logger.info("PDF refused as unreadable (%s): %s", names.get("name"), exc)
        raise _pdf_reason("unreadable", names) from exc
    if problem:
        raise _pdf_reason(problem, names)
