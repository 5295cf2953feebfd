"""Materials: checked by content, served inline only through the scoped view; the public
progress page shows nothing personal."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from yiwang.cases import actions
from yiwang.cases.models import Case, CaseMaterial

pytestmark = pytest.mark.django_db


def js_pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_open_action(JavaScript("app.launchURL('http://example.com')"))
    buf = io.BytesIO()
    writer.write(buf)
    return SimpleUploadedFile("申请书.pdf", buf.getvalue(), content_type="application/pdf")


def gps_jpeg() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (24.0, 21.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (116.0, 41.0, 0.0),
    }
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(buf, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("scan.jpg", buf.getvalue(), content_type="image/jpeg")


def _apply(world, upload, key="files-1"):
    material = world.food.materials.get(name="申请书")
    return actions.submit_application(
        actor=world.citizen,
        item=world.food,
        form_data={"shop_name": "客家味道小吃店", "staff": "3"},
        uploads={material.pk: upload},
        submission_key=key,
    )


def test_material_is_served_inline_with_safe_headers_in_scope(client, world, submit):
    case = submit()
    f = case.files.get()
    url = reverse("cases:download", args=[case.pk, f.pk])
    for user in (world.citizen, world.reviewer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Security-Policy"].startswith("sandbox")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_material_is_hidden_from_other_departments_towns_and_citizens(client, world, submit):
    case = submit()
    url = reverse("cases:download", args=[case.pk, case.files.get().pk])
    for outsider in (world.reviewer_mzj, world.reviewer_town, world.other_citizen):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_pdf_with_javascript_is_refused_and_nothing_is_saved(world):
    with pytest.raises(ValidationError) as exc:
        _apply(world, js_pdf())
    material = world.food.materials.get(name="申请书")
    assert list(exc.value.message_dict) == [f"material_{material.pk}"]
    assert Case.objects.count() == 0 and CaseMaterial.objects.count() == 0


def test_image_material_is_stored_without_exif(world):
    case, _created = _apply(world, gps_jpeg())
    stored = case.files.get()
    assert stored.content_type == "image/jpeg"
    with stored.file.open("rb") as fh:
        assert not Image.open(io.BytesIO(fh.read())).getexif()


def test_track_page_does_not_show_numbers_or_names_from_notes(client, world, submit):
    case = submit()
    case = actions.accept(actor=world.reviewer, case=case)
    actions.request_correction(
        actor=world.reviewer,
        case=case,
        missing="申请人李梅（身份证441422199001011232，电话13800135678）请补充经营场所平面图",
    )
    html = client.get(reverse("cases:track", args=[case.track_token])).content.decode()
    assert case.number in html
    for value in ("441422199001011232", "13800135678", "李梅", world.reviewer.real_name):
        assert value not in html
