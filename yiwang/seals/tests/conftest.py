# ruff: noqa: F811  (the small county's fixtures imported below are used as arguments)
"""Fixtures: a small 大埔县 with 市场监管局, 民政局 and the 政数局; their administrators, the
data authority (a platform administrator), a 市场监管局 reviewer, a citizen; media in a
temporary folder; PNG files to upload; and the 市场监管局's seal."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from yiwang.seals import actions
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER as SYSTEM
from yiwang.testing.small_county import (  # noqa: F401 (fixtures)
    admin_mzj,
    admin_scj,
    authority,
    citizen,
    depts,
    places,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reviewer_scj(depts, places):
    return build.make_staff(SYSTEM, "reviewer_scj", "reviewer", depts["scj"], places["county"])


@pytest.fixture
def seal(admin_scj, depts):
    return actions.create_seal(actor=admin_scj, department=depts["scj"])


def png_bytes(width: int = 400, height: int = 400, *, text: str = "") -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    for x in range(width // 4, width * 3 // 4):
        image.putpixel((x, height // 2), (209, 0, 28, 255))
    out = io.BytesIO()
    extra = {}
    if text:
        info = PngInfo()
        info.add_text("Comment", text)
        extra["pnginfo"] = info
    image.save(out, format="PNG", **extra)
    return out.getvalue()


def upload(content: bytes, name: str = "seal.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_bytes(width: int = 400, height: int = 400) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (255, 255, 255)).save(out, format="JPEG")
    return out.getvalue()
