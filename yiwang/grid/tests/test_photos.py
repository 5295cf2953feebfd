"""City-event photos: stored without EXIF, the reported point kept, served only in scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

pytestmark = pytest.mark.django_db


def gps_jpeg() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (24.0, 30.0, 0.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (116.0, 50.0, 0.0),
    }
    buf = io.BytesIO()
    Image.new("RGB", (30, 20), "gray").save(buf, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("IMG_2.jpg", buf.getvalue(), content_type="image/jpeg")


def test_event_photo_has_no_exif_and_the_reported_point_stays(client, world, report):
    event = report(photos=[gps_jpeg()])
    assert (float(event.lat), float(event.lng)) == pytest.approx((24.352, 116.712))
    item = event.photos.get()
    client.force_login(world.dispatcher)
    response = client.get(reverse("grid:photo", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    assert not Image.open(io.BytesIO(content)).getexif() and b"PhoneMaker" not in content


def test_event_photo_is_404_for_another_towns_staff(client, world, report):
    item = report(photos=[gps_jpeg()]).photos.get()
    client.force_login(world.dispatcher_gaobei)
    assert client.get(reverse("grid:photo", args=[item.pk])).status_code == 404
