"""The generated seal picture and the checks on uploaded ones (no database needed)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

from yiwang.seals import images
from yiwang.seals.models import SealKind

from .conftest import jpeg_bytes, png_bytes, upload


def decode(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def pixels(picture: Image.Image):
    # Pillow 12 names it get_flattened_data (getdata is deprecated); older ones getdata.
    return getattr(picture, "get_flattened_data", picture.getdata)()


def red(pixel) -> bool:
    r, g, b, a = pixel
    return a > 128 and r > 150 and g < 80 and b < 80


def test_the_generated_seal_is_a_transparent_red_round_png():
    picture = decode(images.draw_seal_png("大埔县市场监督管理局", SealKind.OFFICIAL))
    assert picture.format == "PNG" and picture.mode == "RGBA"
    assert picture.size == (images.SIZE, images.SIZE)
    assert picture.getpixel((5, 5))[3] == 0  # transparent outside the rim
    middle = images.SIZE // 2
    assert red(picture.getpixel((middle, middle)))  # the star
    assert red(picture.getpixel((middle, 14)))  # the outer rim at the top
    reds = sum(1 for p in pixels(picture) if red(p))
    assert 0.08 < reds / images.SIZE**2 < 0.5


def test_lettering_depends_on_name_and_kind():
    if images.font_spec() is None:
        pytest.skip("no CJK font on this machine: seals are drawn without lettering")
    official = images.draw_seal_png("大埔县市场监督管理局", SealKind.OFFICIAL)
    other_name = images.draw_seal_png("大埔县民政局", SealKind.OFFICIAL)
    approval = images.draw_seal_png("大埔县市场监督管理局", SealKind.APPROVAL)
    assert len({official, other_name, approval}) == 3
    # The purpose line sits below the star: only the approval seal has red there.
    size = images.SIZE
    box = (size * 3 // 10, size * 70 // 100, size * 7 // 10, size * 82 // 100)

    def reds_in(content):
        return sum(1 for p in pixels(decode(content).crop(box)) if red(p))

    assert reds_in(official) == 0 < reds_in(approval)


def test_the_printed_words_are_chinese_whatever_the_language():
    with translation.override("en"):
        assert images.bottom_text(SealKind.APPROVAL) == "行政审批专用章"
    assert images.bottom_text(SealKind.OFFICIAL) == ""
    assert images.arc_text("大埔县市场监督管理局行政审批专用章", SealKind.APPROVAL) == (
        "大埔县市场监督管理局"
    )
    assert images.arc_text("大埔县 民政局", SealKind.OFFICIAL) == "大埔县民政局"


def test_an_uploaded_png_is_re_encoded_without_metadata():
    checked = images.check_upload(upload(png_bytes(500, 460, text="GPS 24.35N")))
    assert checked.content_type == "image/png" and checked.extension == "png"
    assert b"GPS 24.35N" not in checked.content
    assert decode(checked.content).size == (500, 460)


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (jpeg_bytes(), "file_type", "必须是 PNG"),
        (png_bytes(199, 199), "image_too_small", "至少"),
        (png_bytes(600, 300), "image_not_square", "正方形"),
        (b"", "file_empty", "空"),
    ],
)
def test_bad_uploads_get_a_specific_chinese_message(content, code, words):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        images.check_upload(upload(content))
    error = caught.value.error_dict["image"][0]
    assert error.code == code
    assert words in " ".join(caught.value.message_dict["image"])
