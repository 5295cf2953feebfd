"""The public verification API and page: answers, masking, and 4xx for bad identifiers."""

from __future__ import annotations

import pytest

from yiwang.licences import actions
from yiwang.licences.actions import Holder
from yiwang.licences.models import HolderKind, LicenceType

pytestmark = pytest.mark.django_db
API = "/api/v1/licences/verify/"


@pytest.fixture
def licence(seal, clerk_scj, food_type, enterprise):
    return actions.issue(
        actor=clerk_scj,
        licence_type=food_type,
        holder=Holder.of_enterprise(enterprise),
        fields={"经营场所": "湖寮镇大埔大道1号"},
    )


def test_the_api_answers_without_login(client, licence):
    answer = client.get(API + licence.identifier)
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True and body["status"] == "01"
    assert body["identifier"] == licence.identifier
    assert body["licence_type"] == "食品经营许可证"
    assert body["issuer"] == licence.issuer.name
    assert body["valid_from"] == licence.valid_from.isoformat()


def test_a_persons_name_is_masked(seal, depts, clerk_scj, citizen):
    disability = LicenceType.objects.create(
        code="11100000000013338W041",
        name="残疾人证",
        definer="中国残疾人联合会",
        holder_kind=HolderKind.PERSON,
        validity_years=10,
        issuer=depts["scj"],
    )
    citizen.real_name, citizen.id_number = "李梅", "441422199005185387"
    citizen.save()
    licence = actions.issue(actor=clerk_scj, licence_type=disability, holder=Holder.person(citizen))
    body = client_get(API + licence.identifier)
    assert body["holder"] == "李*"
    assert "199005185387" not in str(body)  # nor any part of the ID number


def client_get(path):
    from django.test import Client

    return Client().get(path).json()


def test_bad_identifiers_are_problems_not_pages(client, licence):
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    answer = client.get(API + wrong)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "invalid_identifier"
    answer = client.get(API + "1.2.3")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_identifier"
    unknown = licence.identifier.rsplit(".", 2)[0] + ".009."
    from yiwang.licences.identifiers import parse

    other = str(parse(licence.identifier).next_version())
    answer = client.get(API + other)
    assert answer.status_code == 404 and answer.json()["code"] == "licence_not_found"
    assert unknown  # a malformed prefix of the same licence is refused above


def test_the_verify_page_shows_the_verdict(client, licence, clerk_scj):
    page = client.get(f"/verify/{licence.identifier}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-valid="true"' in html and "食品经营许可证" in html
    actions.revoke(actor=clerk_scj, licence=licence, reason="以欺骗手段取得许可")
    html = client.get(f"/verify/{licence.identifier}").content.decode()
    assert 'data-valid="false"' in html
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    assert client.get(f"/verify/{wrong}").status_code == 400


def test_a_department_seals_public_key_is_published_by_its_key_id(client, licence):
    """The key a licence file names verifies it offline: the integrator fetches it here."""
    from yiwang.licences.offline import verify_document
    from yiwang.licences.rendering import licence_file_of

    document = licence_file_of(licence)
    body = client.get(f"/api/v1/licences/keys/{licence.key_id}").json()
    assert body["public_key"] == document["signature"]["public_key"]
    assert body["user_id"] == "1234567812345678" and body["retired_at"] is None
    assert body["department_code"] == licence.issuer.uscc
    assert verify_document(document, body["public_key"]).valid
    missing = client.get("/api/v1/licences/keys/" + "0" * len(licence.key_id))
    assert missing.status_code == 404 and missing.json()["code"] == "key_not_found"
