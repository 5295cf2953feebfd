"""Seal pictures: the generated red round seal, and the checks on an uploaded official one.

The generated seal is the usual shape of a Chinese official seal: a thick outer rim with a
thin inner one, a five-pointed star in the middle, the name clockwise along the top arc and,
for a special-purpose seal, its purpose (行政审批专用章, …) in a line below the star (an
official seal, 公章, carries no such line). It is drawn at twice the size and scaled down,
because Pillow draws shapes without anti-aliasing; the background is transparent, so the
seal can be laid over a document.

Font: Pillow reads CFF outlines too, so a serif CJK face (closest to the 宋体 of real seals)
is tried first; then the same lookup as the PDF documents (``YIWANG_PDF_FONT``, then
``web.documents.SYSTEM_FONT_PATHS``). Without any CJK font the seal is drawn without
lettering and a warning is logged.

An uploaded picture must be a PNG (judged by its bytes), at most ``MAX_BYTES``, roughly square
and of a usable size; it is decoded and written again without metadata by
``web.uploads.reencode_image`` (which also refuses decompression bombs).
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import os
from functools import lru_cache

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from yiwang.web.documents import SYSTEM_FONT_PATHS
from yiwang.web.uploads import CheckedFile, reencode_image

from .models import PURPOSE_WORDS

logger = logging.getLogger(__name__)

RED = (209, 0, 28, 255)  # the documents' SEAL_RED, #D1001C
SIZE = 600  # pixels of a generated seal (about 5 cm at 300 dpi)
_SCALE = 2

MAX_BYTES = 2 * 1024 * 1024
MIN_EDGE = 200
MAX_RATIO = 1.25  # a round seal's picture is (nearly) square

SERIF_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc#2",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2",
)


# --- font ---------------------------------------------------------------------------------


def _split_index(spec: str) -> tuple[str, int]:
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec, 0


def _rendered(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    tile = Image.new("L", (64, 64))
    ImageDraw.Draw(tile).text((4, 4), char, font=font, fill=255)
    return tile.tobytes()


def _has_cjk(font: ImageFont.FreeTypeFont) -> bool:
    # A missing glyph renders as the font's .notdef box, the same as a private-use character.
    return _rendered(font, "印") != _rendered(font, "\ue000")


@lru_cache(maxsize=4)
def _font_spec(configured: str) -> str | None:
    for spec in (configured, *SERIF_FONT_PATHS, *SYSTEM_FONT_PATHS):
        if not spec:
            continue
        path, index = _split_index(spec)
        if not os.path.isfile(path):
            continue
        try:
            font = ImageFont.truetype(path, 40, index=index)
        except OSError:
            continue
        if _has_cjk(font):
            return spec
    logger.warning("no CJK font found: seal pictures are drawn without lettering")
    return None


def font_spec() -> str | None:
    """The font file (``path`` or ``path#index``) seal lettering is drawn with, or None."""
    configured = getattr(settings, "YIWANG_PDF_FONT", "") or os.environ.get("YIWANG_PDF_FONT", "")
    return _font_spec(configured)


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    spec = font_spec()
    if spec is None:
        return None
    path, index = _split_index(spec)
    return ImageFont.truetype(path, max(size, 1), index=index)


# --- drawing ------------------------------------------------------------------------------


def arc_text(name: str, kind: str) -> str:
    """The lettering of the top arc: the name without the purpose it ends with, if it does
    (大埔县市场监督管理局行政审批专用章 → 大埔县市场监督管理局)."""
    text = "".join(name.split())
    purpose = bottom_text(kind)
    if purpose and text.endswith(purpose) and len(text) > len(purpose):
        text = text[: -len(purpose)]
    return text


def bottom_text(kind: str) -> str:
    """The purpose line below the star, in Chinese whatever the language (none on an
    official seal)."""
    return PURPOSE_WORDS.get(kind, "")


def _glyph(char: str, font: ImageFont.FreeTypeFont, angle: float) -> Image.Image:
    left, top, right, bottom = font.getbbox(char)
    side = int(max(right - left, bottom - top) * 1.5) + 4
    tile = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((side / 2, side / 2), char, font=font, fill=RED, anchor="mm")
    return tile.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)


def _draw_arc(canvas: Image.Image, text: str, centre: float, radius: float) -> None:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return
    n = len(chars)
    span = min(250.0, 22.0 * (n - 1) + 10) if n > 1 else 0.0  # degrees, as documents.draw_seal
    text_radius = radius * 0.70
    step = math.radians(span) * text_radius / max(n - 1, 1)
    size = int(min(radius * 0.24, step * 0.92 if n > 1 else radius * 0.24))
    font = _font(size)
    if font is None:
        return
    for i, char in enumerate(chars):
        # Angles counted anticlockwise from 3 o'clock; the first character on the left.
        angle = 90 + span / 2 - (span * i / (n - 1) if n > 1 else 0)
        rad = math.radians(angle)
        x = centre + text_radius * math.cos(rad)
        y = centre - text_radius * math.sin(rad)
        glyph = _glyph(char, font, angle - 90)
        canvas.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))


def _draw_star(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    outer, inner = radius * 0.30, radius * 0.30 * 0.382
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        rad = math.radians(90 + i * 36)
        points.append((centre + r * math.cos(rad), centre - r * math.sin(rad)))
    draw.polygon(points, fill=RED)


def _draw_bottom(canvas: Image.Image, text: str, centre: float, radius: float) -> None:
    if not text:
        return
    # A straight line below the star that fits inside the inner rim at that height.
    y = centre + radius * 0.52
    chord = 2 * math.sqrt((radius * 0.86) ** 2 - (y - centre) ** 2)
    size = int(min(radius * 0.16, chord * 0.85 / len(text)))
    font = _font(size)
    if font is None:
        return
    ImageDraw.Draw(canvas).text((centre, y), text, font=font, fill=RED, anchor="mm")


def draw_seal_png(name: str, kind: str, *, size: int = SIZE) -> bytes:
    """The PNG of a generated seal for ``name`` and ``kind`` (transparent background)."""
    big = size * _SCALE
    canvas = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    centre = big / 2
    radius = big / 2 * 0.96
    rim = radius * 0.06
    draw.ellipse(
        (centre - radius, centre - radius, centre + radius, centre + radius),
        outline=RED,
        width=int(rim),
    )
    inner = radius - rim * 1.8
    draw.ellipse(
        (centre - inner, centre - inner, centre + inner, centre + inner),
        outline=RED,
        width=max(int(radius * 0.012), 2),
    )
    _draw_star(draw, centre, radius)
    _draw_arc(canvas, arc_text(name, kind), centre, radius)
    _draw_bottom(canvas, bottom_text(kind), centre, radius)
    out = io.BytesIO()
    canvas.resize((size, size), Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()


def generated(name: str, kind: str) -> CheckedFile:
    """A generated seal as a checked file, ready for ``web.uploads.save_checked``."""
    content = draw_seal_png(name, kind)
    return CheckedFile(
        content=content,
        original_name="seal.png",
        content_type="image/png",
        extension="png",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


# --- uploads ------------------------------------------------------------------------------


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"image": ValidationError(message, code=code)})


def check_upload(upload) -> CheckedFile:
    """An uploaded official seal picture, checked and re-encoded; ValidationError keyed
    ``image`` with a specific message otherwise."""
    size = getattr(upload, "size", 0) or 0
    if size > MAX_BYTES:
        raise _refuse(
            _("The seal image is too large (%(size).1f MB); it may be at most %(limit)d MB.")
            % {"size": size / 1048576, "limit": MAX_BYTES // 1048576},
            "file_too_large",
        )
    if size == 0:
        raise _refuse(_("The seal image file is empty."), "file_empty")
    content = upload.read()
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime != "image/png":
        raise _refuse(
            _(
                "The seal image must be a PNG file (ideally with a transparent background); "
                "%(name)s is not one."
            )
            % {"name": str(getattr(upload, "name", ""))[:100]},
            "file_type",
        )
    names = {"label": _("Seal image"), "name": str(getattr(upload, "name", ""))[:100]}
    try:
        content, _gps = reencode_image(content, "image/png", names)
    except ValidationError as error:  # damaged, or a decompression bomb: keep its message
        raise ValidationError(
            {"image": [ValidationError(m, code="image_unreadable") for m in error.messages]}
        ) from error
    width, height = Image.open(io.BytesIO(content)).size
    if min(width, height) < MIN_EDGE:
        raise _refuse(
            _(
                "The seal image is %(width)d × %(height)d pixels: too small to print clearly. "
                "It needs at least %(min)d pixels on each side."
            )
            % {"width": width, "height": height, "min": MIN_EDGE},
            "image_too_small",
        )
    if max(width, height) / min(width, height) > MAX_RATIO:
        raise _refuse(
            _(
                "The seal image is %(width)d × %(height)d pixels: a round seal's picture must "
                "be (nearly) square. Crop it to the seal and upload it again."
            )
            % {"width": width, "height": height},
            "image_not_square",
        )
    return CheckedFile(
        content=content,
        original_name=str(getattr(upload, "name", "seal.png"))[:200],
        content_type="image/png",
        extension="png",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
