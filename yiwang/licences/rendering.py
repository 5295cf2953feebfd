"""The licence as a PDF: what the holder prints, shows and sends (电子证照版式文件).

``render_pdf`` lays out one A4 landscape page in the manner of a Chinese certificate: the
licence's name as the title, its fields under Chinese labels, the QR code of the public
verification page with the identifier under it, and the issuing department's seal stamped
over the issuer's name. The licence file (``offline.licence_file``: the signed metadata and
the signature) is embedded as ``<identifier>.json``, so the PDF alone verifies offline with
the issuer's public key.

What is printed comes from the *signed* metadata, not from the row's columns, as on the
verify page. The holder's ID number or USCC is masked on the page; the embedded licence file
carries it in full, because the signature covers it.

The rendering is deterministic (reportlab's ``invariant``, no dates of rendering, the same
seal image): the same licence renders the same bytes. ``store_document`` keeps the issued
bytes and their SM3 digest, which is what an uploaded copy is compared with.

The labels and fixed wording are Chinese on purpose, not translated: the page is the
licence's legal form (GB/T 36903 names its fields), it must read the same whoever issues it
in whatever interface language, and its bytes are digested when it is issued.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from yiwang.gmcrypto.core import sm3_hex
from yiwang.seals import signing
from yiwang.seals.models import SealKey
from yiwang.web.documents import draw_seal, pdf_font

from .display import masked_holder_code
from .metadata import HOLDER_CODE_TYPES, LicenceMetadata
from .models import Licence
from .offline import licence_file

PAGE = landscape(A4)
BORDER = colors.HexColor("#9C2A22")  # the red-brown of printed certificates
INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#555555")
#: The field block: left edge, width, and the band it fits in (from the bottom of the page).
FIELDS_X, FIELDS_WIDTH = 30 * mm, 172 * mm
FIELDS_TOP, FIELDS_BOTTOM = PAGE[1] - 60 * mm, 62 * mm
LABEL_WIDTH = 46 * mm
QR_SIZE = 40 * mm
QR_MASK = 2  # any of 0–7 decodes
QR_QUIET = 2  # modules of white around the code, as qr_png
QR_X, QR_Y = PAGE[0] - 30 * mm - QR_SIZE, PAGE[1] - 62 * mm - QR_SIZE
SEAL_SIZE = 42 * mm
SEAL_PIXELS = 420
#: Largest first: a type with many fields gets a smaller font, never a second page.
FONT_SIZES = (13, 12, 11, 10, 9, 8, 7)


def verify_url(identifier: str) -> str:
    """The public verification page of ``identifier`` (what the QR code carries)."""
    return settings.YIWANG_PUBLIC_URL.rstrip("/") + reverse("verify:page", args=[identifier])


def licence_file_of(licence: Licence) -> dict[str, Any]:
    """The licence file of ``licence`` (signed metadata and signature, as JSON values)."""
    return licence_file(
        LicenceMetadata.from_dict(licence.metadata),
        key_id=licence.key_id,
        public_key=signing.public_key(licence.key_id),
        signature=base64.b64decode(licence.signature),
    )


def licence_file_bytes(licence: Licence) -> bytes:
    """The licence file as the holder downloads it and the PDF embeds it (UTF-8 JSON)."""
    return json.dumps(licence_file_of(licence), ensure_ascii=False, indent=2).encode("utf-8")


# --- what the page says ------------------------------------------------------------------------


def _date(day: dt.date) -> str:
    return f"{day:%Y年%m月%d日}"


def _validity(meta: LicenceMetadata) -> str:
    if meta.valid_until is None:
        return f"{_date(meta.valid_from)}起长期有效"
    return f"{_date(meta.valid_from)}至{_date(meta.valid_until)}"


def field_rows(licence: Licence, meta: LicenceMetadata) -> list[tuple[str, str]]:
    """(label, value) rows of the page: the standard fields, then the type's own fields in
    the type's order (a field the type no longer lists is still printed: it was signed)."""
    rows = [
        ("证照编号", meta.number),
        ("持证主体", meta.holder_name),
        (HOLDER_CODE_TYPES[meta.holder_code_type], masked_holder_code(licence)),
        ("有效期", _validity(meta)),
    ]
    extension = {k: str(v) for k, v in dict(meta.extension).items()}
    for spec in licence.licence_type.fields:
        key = spec.get("key")
        if key in extension:
            rows.append((spec.get("label") or key, extension.pop(key)))
    rows.extend(sorted(extension.items()))
    return rows


def _seal_picture(licence: Licence) -> bytes | None:
    """The picture of the seal whose key signed the licence (else the issuer's current
    licence seal) as a JPEG on white; None when there is no picture to print."""
    key = SealKey.objects.select_related("seal").filter(key_id=licence.key_id).first()
    seal = key.seal if key is not None and key.seal_id else None
    seal = seal or signing.department_seal(licence.issuer_id)
    if seal is None:
        return None
    try:
        return _on_white(signing.seal_image(seal))
    except OSError:  # FileNotFoundError too: a seal without a stored picture
        return None


@lru_cache(maxsize=32)
def _on_white(png: bytes) -> bytes:
    """The seal's picture flattened on white, as a JPEG (once per picture and process).
    reportlab decodes and compresses a PNG and its transparency again for every document,
    most of a licence's rendering time; a JPEG it embeds as it is."""
    with Image.open(io.BytesIO(png)) as picture:
        rgba = picture.convert("RGBA")
    # At most SEAL_PIXELS across (about 250 dpi as printed): smaller files, quicker renders.
    rgba.thumbnail((SEAL_PIXELS, SEAL_PIXELS), Image.Resampling.LANCZOS)
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=92, subsampling=0)  # 4:4:4 keeps red edges clean
    return out.getvalue()


# --- drawing -----------------------------------------------------------------------------------


def _border(c: Canvas) -> None:
    width, height = PAGE
    c.saveState()
    c.setStrokeColor(BORDER)
    c.setLineWidth(2.4)
    c.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    c.setLineWidth(0.7)
    c.rect(13 * mm, 13 * mm, width - 26 * mm, height - 26 * mm)
    c.restoreState()


def _title(c: Canvas, font: str, title: str) -> None:
    # Short titles are spaced out, as printed certificates do.
    size = 30 if len(title) <= 12 else 22
    spacing = size * 0.35 if len(title) <= 8 else 0
    width = c.stringWidth(title, font, size) + spacing * (len(title) - 1)
    c.saveState()  # the character spacing would otherwise stay for all later text
    text = c.beginText((PAGE[0] - width) / 2, PAGE[1] - 40 * mm)
    text.setFont(font, size)
    text.setCharSpace(spacing)
    text.setFillColor(INK)
    text.textOut(title)
    c.drawText(text)
    c.restoreState()


def _fields_table(rows: list[tuple[str, str]], font: str) -> tuple[Table, float]:
    """The rows at the largest font size that fits the field band, and their height."""
    for size in FONT_SIZES:
        label = ParagraphStyle(
            "label",
            fontName=font,
            fontSize=size,
            leading=size * 1.45,
            textColor=MUTED,
            wordWrap="CJK",
        )
        value = ParagraphStyle("value", parent=label, textColor=INK)
        data = [
            [Paragraph(escape(name) + "：", label), Paragraph(escape(text) or "—", value)]
            for name, text in rows
        ]
        table = Table(data, colWidths=[LABEL_WIDTH, FIELDS_WIDTH - LABEL_WIDTH])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), size * 0.35),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.35),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("LINEBELOW", (1, 0), (1, -1), 0.3, colors.HexColor("#C9B8A8")),
                ]
            )
        )
        _width, height = table.wrap(FIELDS_WIDTH, FIELDS_TOP - FIELDS_BOTTOM)
        if height <= FIELDS_TOP - FIELDS_BOTTOM:
            break  # else the smallest size: a type with this many fields is not sensible
    return table, height


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code of ``url`` as rows of modules (True: dark), without a quiet zone; error
    correction M, as ``web.documents.qr_png``."""
    # A fixed mask: choosing the best of the eight (the encoder's usual search) costs more than
    # the rest of the page, and every decoder reads the mask from the code's format bits.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def _qr(c: Canvas, font: str, identifier: str) -> None:
    # Drawn as vector squares, not as qr_png's picture: sharp at any print size, and no
    # image to decode and compress again for every licence.
    matrix = qr_matrix(verify_url(identifier))
    module = QR_SIZE / (len(matrix) + 2 * QR_QUIET)
    top = QR_Y + QR_SIZE - QR_QUIET * module
    path = c.beginPath()
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            run = x
            while run < len(row) and row[run]:
                run += 1
            # One rectangle per run of dark modules: no seams between neighbours.
            left = QR_X + (QR_QUIET + x) * module
            path.rect(left, top - (y + 1) * module, (run - x) * module, module)
            x = run
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)
    centre = QR_X + QR_SIZE / 2
    c.setFillColor(INK)
    c.setFont(font, 9)
    c.drawCentredString(centre, QR_Y - 5 * mm, "扫码核验")
    # The identifier in small print, broken in two when it is wider than the code.
    c.setFillColor(MUTED)
    c.setFont(font, 6)
    lines = [identifier]
    if c.stringWidth(identifier, font, 6) > QR_SIZE + 12 * mm:
        cut = identifier.rfind(".", 0, len(identifier) // 2 + 6) + 1 or len(identifier) // 2
        lines = [identifier[:cut], identifier[cut:]]
    for i, line in enumerate(lines):
        c.drawCentredString(centre, QR_Y - 9 * mm - i * 2.8 * mm, line)


def _issuer_block(c: Canvas, font: str, meta: LicenceMetadata, seal: bytes | None) -> None:
    """发证机关 and 发证日期 at the bottom right, the seal stamped over the issuer's name."""
    right = PAGE[0] - 30 * mm
    c.setFillColor(INK)
    c.setFont(font, 13)
    issuer_y, date_y = 40 * mm, 31 * mm
    issuer = f"发证机关：{meta.issuer_name}"
    c.drawRightString(right, issuer_y, issuer)
    c.drawRightString(right, date_y, f"发证日期：{_date(meta.issued_on)}")
    name_width = c.stringWidth(meta.issuer_name, font, 13)
    cx, cy = right - name_width / 2, issuer_y + 2 * mm
    if seal is not None:
        # Multiply: the white of the picture vanishes and the red lies over the issuer's
        # name as stamp ink does, the text showing through.
        c.saveState()
        c.setBlendMode("Multiply")
        image = ImageReader(io.BytesIO(seal))
        c.drawImage(
            image,
            cx - SEAL_SIZE / 2,
            cy - SEAL_SIZE / 2,
            SEAL_SIZE,
            SEAL_SIZE,
            preserveAspectRatio=True,
        )
        c.restoreState()
    else:  # no picture stored: the drawn stand-in the case documents use
        draw_seal(c, cx, cy, SEAL_SIZE / 2, meta.issuer_name, font)


def _footer(c: Canvas, font: str, meta: LicenceMetadata) -> None:
    c.setFillColor(MUTED)
    c.setFont(font, 7.5)
    c.drawString(
        20 * mm,
        20 * mm,
        f"本证照由{meta.issuer_name}以电子印章（SM2）签发，内嵌的证照文件可凭发证机关公钥离线核验；"
        "证照当前状态以扫码核验结果为准。",
    )
    c.drawString(20 * mm, 16.5 * mm, f"核验地址：{verify_url(meta.identifier)}")


def render_pdf(licence: Licence) -> bytes:
    """The licence's PDF, the licence file embedded as ``<identifier>.json``."""
    meta = LicenceMetadata.from_dict(licence.metadata)
    font = pdf_font().name
    out = io.BytesIO()
    c = Canvas(out, pagesize=PAGE, invariant=1, pageCompression=1)
    c.setTitle(f"{meta.name} {meta.identifier}")
    c.setSubject(meta.holder_name)
    c.setCreator("yiwang")
    _border(c)
    _title(c, font, meta.name)
    table, height = _fields_table(field_rows(licence, meta), font)
    table.drawOn(c, FIELDS_X, FIELDS_TOP - height)
    _qr(c, font, meta.identifier)
    _issuer_block(c, font, meta, _seal_picture(licence))
    _footer(c, font, meta)
    _attach(c, f"{meta.identifier}.json", licence_file_bytes(licence))
    c.showPage()
    c.save()
    return out.getvalue()


def _attach(c: Canvas, name: str, data: bytes) -> None:
    """Embed ``data`` as the file ``name`` (the catalogue's EmbeddedFiles name tree), stored
    uncompressed so the JSON stays readable to any tool. reportlab has no call for it, but
    its document takes any PDF object: far cheaper than re-writing the file with pypdf."""
    doc = c._doc
    stream = PDFStream(PDFDictionary({"Type": PDFName("EmbeddedFile")}), content=data, filters=[])
    spec = PDFDictionary(
        {
            "Type": PDFName("Filespec"),
            "F": PDFString(name),
            "UF": PDFString(name),
            "EF": PDFDictionary({"F": doc.Reference(stream)}),
        }
    )
    names = PDFArray([PDFString(name), doc.Reference(spec)])
    c.setCatalogEntry("Names", PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": names})}))


def store_document(licence: Licence) -> Licence:
    """Render ``licence``'s PDF and keep it with its SM3 digest (at issuance, or the first
    time the holder asks for the PDF of a licence issued before there were PDFs)."""
    data = render_pdf(licence)
    licence.document.save(f"{licence.identifier}.pdf", ContentFile(data), save=False)
    licence.document_sm3 = sm3_hex(data)
    licence.save(update_fields=["document", "document_sm3"])
    return licence
