"""The holder's wallet (证照夹): page, API and licence file — own licences only."""

from __future__ import annotations

import json

import pytest

from yiwang.accounts.models import EnterpriseAgent
from yiwang.accounts.queries import ACTING_ENTERPRISE_SESSION_KEY
from yiwang.licences import actions
from yiwang.licences.actions import Holder
from yiwang.licences.models import HolderKind, LicenceType
from yiwang.licences.offline import verify_document
from yiwang.seals import signing
from yiwang.testing import county as build

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_type(depts):
    return LicenceType.objects.create(
        code="11100000000013338W041",
        name="残疾人证",
        definer="中国残疾人联合会",
        holder_kind=HolderKind.PERSON,
        validity_years=10,
        issuer=depts["scj"],
    )


@pytest.fixture
def held(seal, clerk_scj, person_type, food_type, enterprise, citizen):
    own = actions.issue(actor=clerk_scj, licence_type=person_type, holder=Holder.person(citizen))
    firm = actions.issue(
        actor=clerk_scj, licence_type=food_type, holder=Holder.of_enterprise(enterprise)
    )
    return own, firm


def test_a_citizen_sees_their_licences_in_page_and_api(client, held, citizen):
    own, firm = held
    client.force_login(citizen)
    page = client.get("/licences/mine/").content.decode()
    assert own.identifier in page and firm.identifier not in page
    body = client.get("/api/v1/licences/mine").json()
    assert [row["identifier"] for row in body] == [own.identifier]
    assert body[0]["status"] == "01" and body[0]["verify_url"] == f"/verify/{own.identifier}"


def test_an_agent_acting_for_the_enterprise_sees_its_licences(client, held, enterprise):
    _own, firm = held
    agent = build.make_citizen(
        "wangqiang", real_name="王强", id_number="441422199106177335", phone="13817313932"
    )
    EnterpriseAgent.objects.create(enterprise=enterprise, user=agent, is_legal_representative=True)
    client.force_login(agent)
    assert client.get("/api/v1/licences/mine").json() == []  # as a person: none of their own
    session = client.session
    session[ACTING_ENTERPRISE_SESSION_KEY] = enterprise.pk
    session.save()
    body = client.get("/api/v1/licences/mine").json()
    assert [row["identifier"] for row in body] == [firm.identifier]


def test_the_licence_file_downloads_for_its_holder_only_and_verifies(client, held, citizen):
    own, firm = held
    anonymous = client.get(f"/licences/mine/{own.identifier}/licence.json")
    assert anonymous.status_code == 302  # to the login page
    assert client.get("/api/v1/licences/mine").status_code == 401
    client.force_login(citizen)
    answer = client.get(f"/licences/mine/{own.identifier}/licence.json")
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    document = json.loads(answer.content)
    assert verify_document(document, signing.public_key(own.key_id)).valid
    # Someone else's licence is not found, even with its identifier.
    assert client.get(f"/licences/mine/{firm.identifier}/licence.json").status_code == 404
