"""Uploads: photos re-encoded without metadata and bomb-safe, PDFs without active content."""

import hashlib
import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from yiwang.web.files import safe_filename
from yiwang.web.uploads import check_photo, check_upload

GPS_POINT = (24.351, 116.6952)


def _rational(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def jpeg_with_gps(size=(60, 40), orientation: int | None = None) -> bytes:
    """A JPEG whose left half is red and right half blue, with GPS and camera EXIF."""
    image = Image.new("RGB", size, "blue")
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: _rational(GPS_POINT[0]),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: _rational(GPS_POINT[1]),
    }
    buf = io.BytesIO()
    image.save(buf, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG header declaring a huge image, with a tiny (truncated) data stream."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refused_code(func, content: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as exc:
        func(upload(content, name), "材料")
    assert exc.value.messages and exc.value.messages[0]
    return exc.value.code


# --- photos -----------------------------------------------------------------------------


def test_photo_is_stored_without_exif_gps_or_comment_and_gps_is_returned():
    original = jpeg_with_gps()
    checked = check_photo(upload(original, "IMG_0001.jpg"), "照片")
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert "exif" not in stored.info and "comment" not in stored.info
    assert b"PhoneMaker" not in checked.content and b"secret comment" not in checked.content
    assert checked.gps == pytest.approx(GPS_POINT, abs=1e-4)
    assert checked.content_type == "image/jpeg"
    # The hash and size describe the bytes that are stored, not the upload.
    assert checked.sha256 == hashlib.sha256(checked.content).hexdigest()
    assert checked.size == len(checked.content) != len(original)


def test_photo_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera held upright; viewers rotate 90° clockwise.
    checked = check_photo(upload(jpeg_with_gps((60, 40), orientation=6), "a.jpg"), "照片")
    stored = Image.open(io.BytesIO(checked.content)).convert("RGB")
    assert stored.size == (40, 60)
    top = stored.getpixel((20, 5))
    bottom = stored.getpixel((20, 55))
    assert top[0] > 200 and top[2] < 60  # the red half is now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_large_photo_is_scaled_down(settings):
    settings.YIWANG_PHOTO_MAX_EDGE = 100
    buf = io.BytesIO()
    Image.new("RGB", (400, 200), "green").save(buf, format="PNG")
    checked = check_photo(upload(buf.getvalue(), "big.png"), "照片")
    stored = Image.open(io.BytesIO(checked.content))
    assert stored.format == "PNG" and stored.size == (100, 50)
    assert checked.content_type == "image/png" and checked.extension == "png"


def test_png_keeps_transparency_but_loses_text_chunks():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "李梅 13800135678")
    buf = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(buf, format="PNG", pnginfo=info)
    checked = check_photo(upload(buf.getvalue(), "t.png"), "照片")
    assert b"13800135678" not in checked.content
    assert Image.open(io.BytesIO(checked.content)).mode == "RGBA"
    assert checked.gps is None


def test_decompression_bomb_is_refused_quickly_without_decoding():
    start = time.monotonic()
    code = refused_code(check_photo, png_header_only(20000, 20000), "bomb.png")
    assert code == "image_too_large"
    assert time.monotonic() - start < 1.0


def test_image_above_the_pixel_limit_is_refused_from_its_header(settings):
    settings.YIWANG_PHOTO_MAX_PIXELS = 1_000_000
    assert refused_code(check_upload, png_header_only(2000, 1000), "scan.png") == (
        "image_too_large"
    )


@pytest.mark.parametrize("cut", [120, 400])
def test_truncated_or_corrupt_image_is_refused(cut):
    content = jpeg_with_gps((200, 200))[:cut]
    assert refused_code(check_photo, content, "broken.jpg") == "image_corrupt"


def test_a_pdf_is_not_a_photo():
    assert refused_code(check_photo, plain_pdf(), "scan.pdf") == "photo_type"


def test_images_among_materials_are_re_encoded_too():
    checked = check_upload(upload(jpeg_with_gps(), "id-card.jpg"), "身份证")
    assert not Image.open(io.BytesIO(checked.content)).getexif()


# --- PDFs -------------------------------------------------------------------------------


def _pdf(change=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if change:
        change(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def plain_pdf() -> bytes:
    return _pdf()


def test_plain_pdf_is_accepted_unchanged():
    content = plain_pdf()
    checked = check_upload(upload(content, "licence.pdf"), "营业执照")
    assert checked.content == content and checked.content_type == "application/pdf"


def test_pdf_with_open_action_javascript_is_refused():
    content = _pdf(lambda w: w.add_open_action(JavaScript("app.alert('x')")))
    assert refused_code(check_upload, content, "form.pdf") == "pdf_javascript"


def test_pdf_with_javascript_in_an_annotation_action_is_refused():
    def annotate(writer):
        page = writer.pages[0]
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
        )
        annot = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/AA"): DictionaryObject({NameObject("/E"): action}),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])

    assert refused_code(check_upload, _pdf(annotate), "a.pdf") == "pdf_javascript"


def test_pdf_with_an_embedded_file_is_refused():
    content = _pdf(lambda w: w.add_attachment("payload.exe", b"MZ\x90\x00"))
    assert refused_code(check_upload, content, "a.pdf") == "pdf_embedded"


def test_pdf_with_a_launch_action_is_refused():
    def launch(writer):
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc")}
        )

    assert refused_code(check_upload, _pdf(launch), "a.pdf") == "pdf_launch"


def test_pdf_with_an_xfa_form_is_refused():
    def xfa(writer):
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/XFA"): TextStringObject("<xdp/>")}
        )

    assert refused_code(check_upload, _pdf(xfa), "a.pdf") == "pdf_xfa"


def test_encrypted_pdf_is_refused():
    content = _pdf(lambda w: w.encrypt("", "owner-password"))
    assert refused_code(check_upload, content, "a.pdf") == "pdf_encrypted"


def test_unparseable_pdf_is_refused():
    assert refused_code(check_upload, b"%PDF-1.7\n\x00garbage", "a.pdf") == "pdf_unreadable"


def objstm_pdf(hidden: bytes) -> bytes:
    """A PDF whose catalog sits in a compressed object stream (found by no byte search)."""
    header = b"2 0 "
    data = zlib.compress(header + b"<</Type/Catalog/Pages 3 0 R" + hidden + b">>")
    parts: list[bytes] = [b"%PDF-1.5\n"]
    offsets = {}

    def add(num: int, body: bytes) -> None:
        offsets[num] = sum(len(p) for p in parts)
        parts.append(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    add(
        1,
        b"<</Type/ObjStm/N 1/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
        % (len(header), len(data))
        + data
        + b"\nendstream",
    )
    add(3, b"<</Type/Pages/Kids[4 0 R]/Count 1>>")
    add(4, b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 72 72]>>")
    xref_at = sum(len(p) for p in parts)

    def row(kind: int, a: int, b: int) -> bytes:
        return bytes([kind]) + a.to_bytes(4, "big") + b.to_bytes(2, "big")

    rows = b"".join(
        [
            row(0, 0, 65535),
            row(1, offsets[1], 0),
            row(2, 1, 0),
            row(1, offsets[3], 0),
            row(1, offsets[4], 0),
            row(1, xref_at, 0),
        ]
    )
    parts.append(
        b"5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 2 0 R/Length %d>>\nstream\n" % len(rows)
        + rows
        + b"\nendstream\nendobj\n"
    )
    parts.append(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return b"".join(parts)


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    content = objstm_pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>")
    assert b"JavaScript" not in content
    assert refused_code(check_upload, content, "a.pdf") == "pdf_javascript"
    check_upload(upload(objstm_pdf(b""), "clean.pdf"), "材料")


# --- download names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("IMG_1.jpg", "image/jpeg", "IMG_1.jpg"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ('a"b;c.pdf', "application/pdf", "a_b_c.pdf"),
        ("page.html", "application/pdf", "page.pdf"),
        ("", "image/jpeg", "file.jpg"),
        ("营业执照.pdf", "application/pdf", "营业执照.pdf"),
    ],
)
def test_safe_filename(name, content_type, expected):
    assert safe_filename(name, content_type) == expected
