"""Test and benchmark helpers shared by every app."""

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
