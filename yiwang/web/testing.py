"""Test and benchmark helpers shared by every app."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

# The smallest PDF that a real parser (pypdf, as the upload check uses) reads: a catalogue with
# an empty page tree. Padding keeps its size realistic where a caller needs that.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n"
    b"startxref\n0\n%%EOF\n"
)


def padded_pdf(lines: int = 200) -> bytes:
    """A readable PDF of a few kilobytes (comments before the end marker)."""
    head, tail = MINIMAL_PDF.split(b"startxref")
    return head + b"% padding\n" * lines + b"startxref" + tail


def pdf_file(name: str = "scan.pdf", size: int = 0) -> SimpleUploadedFile:
    """An uploaded PDF that the upload check accepts (``size`` bytes of padding)."""
    return SimpleUploadedFile(name, MINIMAL_PDF + b" " * size, content_type="application/pdf")


def _image_file(name: str, image_format: str, colour: str, content_type: str):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def png_file(name: str = "photo.png") -> SimpleUploadedFile:
    """A real 4×4 PNG (uploads are decoded and re-encoded)."""
    return _image_file(name, "PNG", "white", "image/png")


def jpeg_file(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A real 4×4 JPEG."""
    return _image_file(name, "JPEG", "red", "image/jpeg")


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of ``pdf``, extracted in Python.

    pypdf decodes our CJK text both from the embedded TrueType subsets and from the
    STSong-Light CID fallback (through their ToUnicode maps), so tests need no poppler.
    """
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    """All text of ``pdf``, pages separated by a form feed (as pdftotext does)."""
    return "\f".join(pdf_pages(pdf))


def pdf_font_subtypes(pdf: bytes) -> set[str]:
    """The font subtypes used on the pages of ``pdf`` (descendant CID fonts included)."""
    subtypes: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for ref in fonts.values():
            font = ref.get_object()
            subtypes.add(str(font.get("/Subtype")))
            for descendant in font.get("/DescendantFonts", []):
                subtypes.add(str(descendant.get_object().get("/Subtype")))
    return subtypes
