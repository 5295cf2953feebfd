"""The exchange API: signed reads by key and in keyset pages, masking, projection, and the
evidence entry every answer leaves."""

from __future__ import annotations

import json

import pytest

from yiwang.exchange import client as signing
from yiwang.exchange.client import ExchangeError
from yiwang.exchange.models import EvidenceEntry, EvidenceSubject
from yiwang.gmcrypto.core import blind_index, sm3_hex
from yiwang.workdays.calendar import local_date

from .conftest import GRANTED, LIMEI_ID, ZHANGWEI_ID, licence_rows, rows_url

pytestmark = pytest.mark.django_db


def test_lookup_by_key_returns_the_granted_fields_masked(api, licences):
    answer = api.get(rows_url(licences.code, "JY144142200000"))
    assert answer["resource"] == licences.code
    assert answer["fields"] == GRANTED
    assert answer["row"] == {
        "licence_no": "JY144142200000",
        "operator_name": "大埔县第0食品店",
        "holder_name": "李*",
        "holder_id": "110105********002X",
        "phone": "138****0000",
        "issued_on": "2025-01-15",
    }


def test_page_masks_every_row_and_leaves_out_the_not_shared_item(api, licences):
    answer = api.get(rows_url(licences.code), {"limit": 2})
    assert [r["licence_no"] for r in answer["rows"]] == ["JY144142200000", "JY144142200001"]
    second = answer["rows"][1]
    assert second["holder_name"] == "张*"
    assert second["holder_id"] == "440524********0014"
    assert second["phone"] == "138****0001"
    assert "internal_note" not in second and "_id" not in second
    assert answer["next"]


def test_fields_narrow_the_answer(api, licences):
    answer = api.get(rows_url(licences.code, "JY144142200001"), {"fields": "phone,licence_no"})
    assert answer["fields"] == ["licence_no", "phone"]  # item order
    assert answer["row"] == {"licence_no": "JY144142200001", "phone": "138****0001"}


def test_keyset_pages_walk_every_row_once(api, licences):
    seen = []
    params: dict = {"limit": 3, "fields": "licence_no"}
    pages = 0
    while True:
        answer = api.get(rows_url(licences.code), params)
        pages += 1
        seen.extend(r["licence_no"] for r in answer["rows"])
        if not answer["next"]:
            break
        params["after"] = answer["next"]
    assert pages == 3
    assert seen == [r["licence_no"] for r in licence_rows()]
    assert len(set(seen)) == 7
    # the client's own iterator follows the same cursor
    assert [r["licence_no"] for r in api.rows(licences.code, {"limit": 2})] == seen


def test_filters_match_exactly_on_granted_columns_including_encrypted_ones(api, licences):
    by_person = api.get(rows_url(licences.code), {"holder_id": ZHANGWEI_ID})
    assert [r["licence_no"] for r in by_person["rows"]] == ["JY144142200001"]
    by_name = api.get(rows_url(licences.code), {"operator_name": "大埔县第3食品店"})
    assert [r["licence_no"] for r in by_name["rows"]] == ["JY144142200003"]
    nothing = api.get(rows_url(licences.code), {"operator_name": "没有这家店"})
    assert nothing == {"resource": licences.code, "fields": GRANTED, "rows": [], "next": None}


def test_every_call_is_evidence_with_request_and_response_hashes(api, licences, grant, client):
    path = rows_url(licences.code, "JY144142200000")
    headers = api.signed_headers("GET", path)
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    entry = EvidenceEntry.objects.get()
    text = signing.string_to_sign(
        "GET",
        signing.canonical_target(path),
        headers[signing.TIMESTAMP_HEADER],
        headers[signing.NONCE_HEADER],
        b"",
    )
    assert entry.request_hash == sm3_hex(text)
    assert entry.response_hash == sm3_hex(response.content)
    assert (entry.outcome, entry.status, entry.row_count, entry.kind) == ("ok", 200, 1, "lookup")
    assert entry.grant_id == grant.pk and entry.consumer_id == grant.consumer_id
    assert entry.provider_id == licences.provider_id and entry.resource_code == licences.code
    assert entry.purpose == grant.purpose
    assert entry.field_list == GRANTED
    assert entry.field_names.startswith("许可证编号、经营者名称")
    assert (entry.seq, entry.day) == (1, local_date(entry.at))
    # the person the row is about, by blind index only
    assert list(EvidenceSubject.objects.values_list("subject_index", flat=True)) == [
        blind_index(LIMEI_ID, "id")
    ]
    assert LIMEI_ID not in json.dumps(list(EvidenceSubject.objects.values()), default=str)
    assert response["Cache-Control"] == "no-store"


def test_subjects_are_recorded_even_when_the_id_number_is_not_delivered(api, licences):
    api.get(rows_url(licences.code), {"fields": "licence_no", "limit": 3})
    entry = EvidenceEntry.objects.get()
    assert entry.row_count == 3
    assert set(EvidenceSubject.objects.values_list("subject_index", flat=True)) == {
        blind_index(LIMEI_ID, "id"),
        blind_index(ZHANGWEI_ID, "id"),
    }


def test_unknown_key_is_404_and_logged_without_rows(api, licences):
    with pytest.raises(ExchangeError) as refused:
        api.get(rows_url(licences.code, "JY0000000000"))
    assert (refused.value.status, refused.value.code) == (404, "row_not_found")
    entry = EvidenceEntry.objects.get()
    assert (entry.outcome, entry.status, entry.row_count) == ("row_not_found", 404, 0)
    assert not EvidenceSubject.objects.exists()
