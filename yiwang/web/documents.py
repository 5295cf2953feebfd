"""PDF documents in Chinese (receipts, notices, decisions) rendered with reportlab.

``render_pdf`` lays out an A4 page: a centred title, an optional subtitle, a
two-column table of label/value rows (long Chinese values wrap), free
paragraphs, a closing block with a QR code at the bottom right and, when asked,
a red round seal drawn as a stand-in until real e-seals (C8) sign the file.

Fonts
-----
reportlab embeds TrueType fonts only (``TTFont`` rejects CFF/PostScript
outlines, which rules out Noto Sans CJK ``.ttc``/``.otf``). The font is chosen
once per process, in this order:

1. ``settings.YIWANG_PDF_FONT`` or the environment variable of the same name:
   a path to a ``.ttf``/``.ttc`` with TrueType outlines (``path.ttc#2`` picks
   the sub-font of a collection);
2. common system paths (Debian ``fonts-wqy-microhei``, ``fonts-wqy-zenhei``,
   ``fonts-arphic-uming``, ``fonts-droid-fallback``; macOS and Windows fonts);
3. reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1), which needs no
   file: the PDF names the font and the viewer supplies the glyphs.

An embedded TrueType font is preferred: the file then looks the same on every
viewer and can be archived. ``pdf_font()`` tells which one is in use.
"""

from __future__ import annotations

import io
import logging
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

logger = logging.getLogger(__name__)

CID_FALLBACK = "STSong-Light"
SEAL_RED = colors.HexColor("#D1001C")

# TrueType-outline CJK fonts in the usual places (first hit wins).
SYSTEM_FONT_PATHS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    # CFF outlines: reportlab refuses these today; tried in case that changes.
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#2",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc#2",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)


@dataclass(frozen=True)
class PdfFont:
    name: str  # the name registered with reportlab
    path: str | None  # the font file, or None for the built-in CID font

    @property
    def embedded(self) -> bool:
        return self.path is not None


def _split_index(spec: str) -> tuple[str, int]:
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec, 0


def _try_ttf(spec: str) -> PdfFont | None:
    path, index = _split_index(spec)
    if not os.path.isfile(path):
        return None
    stem = "".join(ch if ch.isalnum() else "-" for ch in os.path.basename(path))
    name = f"yiwang-{stem}-{index}"
    if name in pdfmetrics.getRegisteredFontNames():
        return PdfFont(name, spec)
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        logger.info("PDF font %s not usable by reportlab: %s", spec, exc)
        return None
    # A font without CJK glyphs (e.g. a Latin-only TTF) would print empty boxes.
    if ord("办") not in font.face.charToGlyph:
        logger.info("PDF font %s has no Chinese glyphs", spec)
        return None
    pdfmetrics.registerFont(font)
    return PdfFont(name, spec)


def load_font(candidates: Iterable[str]) -> PdfFont:
    """The first usable TrueType CJK font among ``candidates``, else the CID fallback."""
    for spec in candidates:
        if spec and (font := _try_ttf(spec)):
            return font
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return PdfFont(CID_FALLBACK, None)


@lru_cache(maxsize=4)
def _resolve(configured: str, system: tuple[str, ...]) -> PdfFont:
    if configured:
        if font := _try_ttf(configured):
            return font
        logger.warning(
            "YIWANG_PDF_FONT=%s is not a TrueType font with Chinese glyphs; searching system fonts",
            configured,
        )
    return load_font(system)


def pdf_font() -> PdfFont:
    """The font documents are rendered with (see the module docstring for the order)."""
    configured = getattr(settings, "YIWANG_PDF_FONT", "") or os.environ.get("YIWANG_PDF_FONT", "")
    return _resolve(configured, SYSTEM_FONT_PATHS)


def qr_png(url: str, *, box_size: int = 8, border: int = 2) -> bytes:
    """A PNG of the QR code for ``url`` (error correction M, survives a smudge)."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    qr.add_data(url)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()


def _markup(text: str) -> str:
    """Plain text → reportlab paragraph markup (escaped, newlines kept)."""
    return "<br/>".join(escape(line) for line in str(text).splitlines()) or "&nbsp;"


def draw_seal(canvas, cx: float, cy: float, radius: float, text: str, font: str) -> None:
    """A round red seal: double rim, a five-pointed star, ``text`` clockwise along the top arc."""
    canvas.saveState()
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillColor(SEAL_RED)
    canvas.setLineWidth(radius * 0.06)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    canvas.setLineWidth(radius * 0.012)
    canvas.circle(cx, cy, radius * 0.92, stroke=1, fill=0)

    # Star: outer points at 0.3 R, inner at 0.38 of that.
    outer, inner = radius * 0.3, radius * 0.3 * 0.382
    path = canvas.beginPath()
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        angle = math.radians(90 + i * 36)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        path.moveTo(x, y) if i == 0 else path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)

    chars = [c for c in text.strip() if not c.isspace()]
    if chars:
        n = len(chars)
        span = min(250.0, 22.0 * (n - 1) + 10) if n > 1 else 0.0
        text_radius = radius * 0.62
        arc = math.radians(span) * text_radius
        size = min(radius * 0.22, arc / max(n - 1, 1) * 0.95 if n > 1 else radius * 0.22)
        canvas.setFont(font, size)
        for i, ch in enumerate(chars):
            angle = 90 + span / 2 - (span * i / (n - 1) if n > 1 else 0)
            rad = math.radians(angle)
            canvas.saveState()
            canvas.translate(cx + text_radius * math.cos(rad), cy + text_radius * math.sin(rad))
            canvas.rotate(angle - 90)
            canvas.drawCentredString(0, 0, ch)
            canvas.restoreState()
    canvas.restoreState()


class _ClosingBlock(Flowable):
    """The bottom of the document: seal (if any) and the QR code with its caption."""

    def __init__(self, *, qr: bytes | None, caption: str, seal_text: str | None, font: str):
        super().__init__()
        self.qr, self.caption, self.seal_text, self.font = qr, caption, seal_text, font
        self.qr_size = 30 * mm
        self.seal_radius = 21 * mm

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        needed = [
            self.qr_size + 8 * mm if self.qr else 0,
            2 * self.seal_radius + 4 * mm if self.seal_text else 0,
        ]
        self.height = max(needed)
        return self.width, self.height

    def draw(self):
        c = self.canv
        if self.qr:
            x = self.width - self.qr_size
            c.drawImage(ImageReader(io.BytesIO(self.qr)), x, 6 * mm, self.qr_size, self.qr_size)
            c.setFont(self.font, 8)
            c.setFillColor(colors.black)
            c.drawCentredString(x + self.qr_size / 2, 1.5 * mm, self.caption)
        if self.seal_text:
            right_edge = self.width - (self.qr_size + 12 * mm if self.qr else 10 * mm)
            cx = right_edge - self.seal_radius
            cy = self.height - self.seal_radius - 2 * mm
            draw_seal(c, cx, cy, self.seal_radius, self.seal_text, self.font)


def render_pdf(
    *,
    title: str,
    subtitle: str = "",
    rows: Sequence[tuple[str, str]],
    paragraphs: Sequence[str] = (),
    qr_url: str | None = None,
    qr_caption: str | None = None,
    footer: str = "",
    seal_text: str | None = None,
) -> bytes:
    """Render an A4 PDF and return its bytes.

    ``rows`` are (label, value) pairs shown as a two-column table; ``paragraphs``
    follow it, each indented two characters as Chinese documents are. With
    ``qr_url`` a QR code sits at the bottom right above ``qr_caption`` (default:
    a generic "scan to verify" caption). ``footer`` is printed at the foot of
    every page. ``seal_text`` (e.g. a department name) draws a red round seal.
    """
    font = pdf_font().name
    styles = _styles(font)
    story = _heading(title, subtitle, styles)
    story.extend(_rows_table(rows, styles))
    story.extend(Paragraph(_markup(text), styles["body"]) for text in paragraphs if text)
    story.extend(_closing(qr_url=qr_url, qr_caption=qr_caption, seal_text=seal_text, font=font))
    return _build(story, title=title, subtitle=subtitle, footer=footer, font=font)


def _styles(font: str) -> dict[str, ParagraphStyle]:
    """The paragraph styles of a document, all in ``font`` and wrapping Chinese text."""
    base = ParagraphStyle("base", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "subtitle": ParagraphStyle(
            "subtitle",
            parent=base,
            fontSize=11,
            leading=16,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#555555"),
            spaceAfter=4 * mm,
        ),
        "label": ParagraphStyle(
            "label", parent=base, fontSize=10.5, leading=15, textColor=colors.HexColor("#333333")
        ),
        "value": ParagraphStyle("value", parent=base, fontSize=10.5, leading=15, alignment=TA_LEFT),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=22, spaceBefore=2 * mm),
    }


def _heading(title: str, subtitle: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The centred title, then the subtitle or, without one, a little space."""
    story: list[Flowable] = [Paragraph(_markup(title), styles["title"])]
    if subtitle:
        story.append(Paragraph(_markup(subtitle), styles["subtitle"]))
    else:
        story.append(Spacer(1, 3 * mm))
    return story


def _rows_table(
    rows: Sequence[tuple[str, str]], styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    """The label/value rows as a two-column table across the page (nothing without rows)."""
    if not rows:
        return []
    page_width = A4[0] - 40 * mm
    data = [
        [Paragraph(_markup(label), styles["label"]), Paragraph(_markup(value), styles["value"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[38 * mm, page_width - 38 * mm], repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F2F2")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [table, Spacer(1, 4 * mm)]


def _closing(
    *, qr_url: str | None, qr_caption: str | None, seal_text: str | None, font: str
) -> list[Flowable]:
    """The closing block with the QR code and the seal (nothing when neither is asked for)."""
    if not (qr_url or seal_text):
        return []
    return [
        Spacer(1, 8 * mm),
        _ClosingBlock(
            qr=qr_png(qr_url) if qr_url else None,
            caption=qr_caption
            if qr_caption is not None
            else _("Scan the code to verify this document"),
            seal_text=seal_text,
            font=font,
        ),
    ]


def _build(story: list[Flowable], *, title: str, subtitle: str, footer: str, font: str) -> bytes:
    """Lay ``story`` out on A4 pages, ``footer`` at the foot of each, and return the PDF."""

    def decorate(canvas, doc):
        if footer:
            canvas.saveState()
            canvas.setFont(font, 8.5)
            canvas.setFillColor(colors.HexColor("#555555"))
            canvas.drawCentredString(A4[0] / 2, 12 * mm, footer)
            canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=title,
        subject=subtitle,
        creator="yiwang",
        author=getattr(settings, "YIWANG_PDF_AUTHOR", ""),
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
