"""What the hotline publishes is redacted; photos are stripped, scoped and never /media/."""

import io
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from yiwang.audit.actors import SystemActor
from yiwang.hotline import actions as hotline
from yiwang.hotline.models import Channel, Ticket
from yiwang.hotline.open311 import actions as open311

from .conftest import HULIAO_POINT

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_NUMBER = "441422199001011232"
LANDLINE = "0753-5512345"
DESCRIPTION = f"新城路18号门口有流动摊贩占道经营，请回电{PHONE}，身份证{ID_NUMBER}。"
REPLY = f"已现场处理，如有问题请联系执法队员{LANDLINE}或138 1234 5678。"
#: Inside the county, away from HULIAO_POINT.
GPS_POINT = (24.4012, 116.7021)


def photo(name="IMG_0001.jpg", gps=GPS_POINT) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Phone 12"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (float(int(gps[0])), 0.0, round((gps[0] % 1) * 3600, 3)),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (float(int(gps[1])), 0.0, round((gps[1] % 1) * 3600, 3)),
        }
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buf, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def xml(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def closed_open311_ticket(world) -> Ticket:
    _client, key = open311.create_client(actor=SystemActor("test"), name="随手拍")
    ticket = open311.submit_request(
        actor=open311.authenticate(key),
        data=open311.Submission(
            service_code="0201",
            lat=HULIAO_POINT[0],
            long=HULIAO_POINT[1],
            address_string=f"湖寮镇新城路18号（电话{PHONE}）",
            description=DESCRIPTION,
            phone="13900001111",
        ),
    )
    hotline.dispatch(actor=world.dispatcher, ticket=ticket, lead_department=world.scj)
    ticket.refresh_from_db()
    hotline.sign_for(actor=world.handler_scj, ticket=ticket)
    hotline.reply(actor=world.handler_scj, ticket=ticket, text=REPLY)
    hotline.close(actor=world.dispatcher, ticket=ticket)
    ticket.refresh_from_db()
    return ticket


def _assert_no_numbers(text: str) -> None:
    for value in (PHONE, ID_NUMBER, "5512345", "138 1234 5678"):
        assert value not in text


def test_open311_json_masks_numbers_written_into_the_text(client, world):
    ticket = closed_open311_ticket(world)
    for path in (
        reverse("open311:requests", args=["json"]),
        reverse("open311:request", args=[ticket.number, "json"]),
    ):
        response = client.get(path)
        assert response.status_code == 200
        _assert_no_numbers(response.content.decode())
        [row] = response.json()
        assert row["description"].startswith("新城路18号门口有流动摊贩占道经营，请回电138****5678")
        assert "441422********1232" in row["description"]
        assert "0753-*****45" in row["status_notes"]
        assert "138****5678" in row["address"]


def test_open311_xml_masks_numbers_written_into_the_text(client, world):
    ticket = closed_open311_ticket(world)
    for path in (
        reverse("open311:requests", args=["xml"]),
        reverse("open311:request", args=[ticket.number, "xml"]),
    ):
        root = xml(client.get(path))
        text = ET.tostring(root, encoding="unicode")
        _assert_no_numbers(text)
        assert "138****5678" in root.find("request/description").text
        assert "0753-*****45" in root.find("request/status_notes").text


def test_staff_ticket_page_keeps_the_original_text(client, world):
    ticket = closed_open311_ticket(world)
    client.force_login(world.dispatcher)
    page = client.get(reverse("hotline:detail", args=[ticket.pk])).content.decode()
    assert PHONE in page and ID_NUMBER in page and LANDLINE in page


# --- photos -------------------------------------------------------------------------------


def phone_ticket_with_photo(world, **kw) -> Ticket:
    args = {
        "actor": world.agent,
        "channel": Channel.PHONE,
        "type": "complaint",
        "category": world.stall,
        "content": "城东路口有流动摊贩占道经营",
        "region": world.chengdong,
        "lat": HULIAO_POINT[0],
        "lng": HULIAO_POINT[1],
        "photos": [photo()],
    }
    args.update(kw)
    return hotline.register_ticket(**args).ticket


def _assert_private_image(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert not image.getexif()
    return image


def test_stored_photo_has_no_exif_and_the_given_point_is_kept(world):
    ticket = phone_ticket_with_photo(world)
    assert (str(ticket.lat), str(ticket.lng)) == HULIAO_POINT
    stored = ticket.photos.get()
    with stored.file.open("rb") as fh:
        content = fh.read()
    assert not Image.open(io.BytesIO(content)).getexif()
    assert b"Phone 12" not in content


def test_photo_gps_becomes_the_ticket_location_when_none_was_given(world):
    ticket = phone_ticket_with_photo(world, lat=None, lng=None)
    assert float(ticket.lat) == pytest.approx(GPS_POINT[0], abs=1e-4)
    assert float(ticket.lng) == pytest.approx(GPS_POINT[1], abs=1e-4)


def test_photo_gps_outside_the_county_is_dropped(world):
    ticket = phone_ticket_with_photo(world, lat=None, lng=None, photos=[photo(gps=(39.9, 116.4))])
    assert ticket.lat is None and ticket.lng is None


def test_ticket_photo_is_served_to_staff_in_scope_only(client, world):
    ticket = phone_ticket_with_photo(world)
    item = ticket.photos.get()
    path = reverse("hotline:photo", args=[ticket.pk, item.pk])

    client.force_login(world.dispatcher)
    page = client.get(reverse("hotline:detail", args=[ticket.pk])).content.decode()
    assert path in page and "/media/" not in page
    _assert_private_image(client.get(path))

    for outsider in (world.dispatcher_gaobei, world.handler_scj, world.citizen):
        client.force_login(outsider)
        assert client.get(path).status_code == 404
    # Another ticket's id with this photo's id is not a way in either.
    other = phone_ticket_with_photo(world, photos=[])
    client.force_login(world.dispatcher)
    assert client.get(reverse("hotline:photo", args=[other.pk, item.pk])).status_code == 404


def test_ticket_photo_requires_login(client, world):
    ticket = phone_ticket_with_photo(world)
    response = client.get(reverse("hotline:photo", args=[ticket.pk, ticket.photos.get().pk]))
    assert response.status_code == 302 and "login" in response.url


def test_citizen_sees_the_photo_of_their_own_request(client, world):
    ticket = hotline.register_ticket(
        actor=world.citizen,
        channel=Channel.WEB,
        type="suggestion",
        category=world.noise,
        content="夜间施工噪声扰民",
        photos=[photo()],
    ).ticket
    path = reverse("hotline:photo", args=[ticket.pk, ticket.photos.get().pk])
    client.force_login(world.citizen)
    assert path in client.get(reverse("hotline:mine_detail", args=[ticket.pk])).content.decode()
    _assert_private_image(client.get(path))
    client.force_login(world.handler_zjj)  # not dispatched to this department
    assert client.get(path).status_code == 404


def test_open311_media_url_serves_the_public_requests_photo(client, world, settings):
    settings.YIWANG_OPEN311_PUBLIC_CHANNELS = ("open311", "web")
    ticket = hotline.register_ticket(
        actor=world.citizen,
        channel=Channel.WEB,
        type="help",
        category=world.stall,
        content="路口摊贩占道",
        photos=[photo()],
    ).ticket
    [row] = client.get(reverse("open311:request", args=[ticket.number, "json"])).json()
    assert not urlsplit(row["media_url"]).path.startswith(settings.MEDIA_URL)
    response = client.get(row["media_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("public")
    assert response["Content-Disposition"].startswith("inline;")
    assert not Image.open(io.BytesIO(response.content)).getexif()


def test_open311_media_cleans_a_photo_stored_before_re_encoding(client, world, settings):
    settings.YIWANG_OPEN311_PUBLIC_CHANNELS = ("open311", "web")
    ticket = hotline.register_ticket(
        actor=world.citizen,
        channel=Channel.WEB,
        type="help",
        category=world.stall,
        content="路口摊贩占道",
        photos=[photo()],
    ).ticket
    item = ticket.photos.get()
    legacy = photo().read()  # the upload as it was stored before, EXIF and all
    with item.file.open("wb") as fh:
        fh.write(legacy)
    response = client.get(reverse("open311:media", args=[ticket.number, item.pk]))
    assert response.status_code == 200
    assert b"Phone 12" in legacy and b"Phone 12" not in response.content
    assert not Image.open(io.BytesIO(response.content)).getexif()


def test_open311_media_is_404_for_requests_that_are_not_public(client, world, settings):
    settings.YIWANG_OPEN311_PUBLIC_CHANNELS = ("open311", "web")
    phone = phone_ticket_with_photo(world)  # phone channel: not published
    report = hotline.register_ticket(
        actor=world.citizen,
        channel=Channel.WEB,
        type="report",  # reports of wrongdoing are never published
        category=world.stall,
        content="有人违规占道",
        photos=[photo()],
    ).ticket
    for ticket in (phone, report):
        path = reverse("open311:media", args=[ticket.number, ticket.photos.get().pk])
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()[0]["code"] == 404
    listed = client.get(reverse("open311:requests", args=["json"])).json()
    assert {r["service_request_id"] for r in listed}.isdisjoint({phone.number, report.number})
