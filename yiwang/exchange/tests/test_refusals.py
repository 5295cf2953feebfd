"""Every refusal of the exchange API has its own status and problem code, and (once the
client is known) its own evidence entry; nothing is delivered."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from yiwang.datahub.actions import sharing
from yiwang.datahub.models import Grant
from yiwang.exchange import actions
from yiwang.exchange.client import ExchangeClient, ExchangeError
from yiwang.exchange.models import EvidenceEntry

from .conftest import django_transport, rows_url

pytestmark = pytest.mark.django_db

KEY = "JY144142200000"


def refused(call) -> ExchangeError:
    with pytest.raises(ExchangeError) as info:
        call()
    return info.value


def last_outcome() -> tuple[str, int, int]:
    entry = EvidenceEntry.objects.order_by("-id").first()
    assert entry is not None
    return entry.outcome, entry.status, entry.row_count


def test_unknown_client_is_refused_without_evidence(client, issued, licences):
    stranger = ExchangeClient(
        "http://testserver", "ywc_nobody", issued.secret, transport=django_transport(client)
    )
    error = refused(lambda: stranger.get(rows_url(licences.code, KEY)))
    assert (error.status, error.code) == (401, "unknown_client")
    response = client.get(rows_url(licences.code, KEY))  # no headers at all
    assert response.status_code == 401 and response.json()["code"] == "unknown_client"
    assert response["Content-Type"] == "application/problem+json"
    assert not EvidenceEntry.objects.exists()


def test_missing_or_malformed_headers(client, api, licences):
    path = rows_url(licences.code, KEY)
    headers = api.signed_headers("GET", path)
    del headers["X-Yiwang-Nonce"]
    response = client.get(path, headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "invalid_header")
    headers = api.signed_headers("GET", path)
    headers["X-Yiwang-Nonce"] = "short"
    assert client.get(path, headers=headers).json()["code"] == "invalid_header"
    headers = api.signed_headers("GET", path)
    headers["X-Yiwang-Timestamp"] = "yesterday"
    assert client.get(path, headers=headers).json()["code"] == "invalid_header"
    assert EvidenceEntry.objects.filter(outcome="invalid_header").count() == 3


def test_bad_signature(make_api, issued, licences, client):
    forger = make_api(actions.Issued(issued.credential, "0" * 64))
    error = refused(lambda: forger.get(rows_url(licences.code, KEY)))
    assert (error.status, error.code) == (401, "bad_signature")
    assert last_outcome() == ("bad_signature", 401, 0)
    # a query changed after signing breaks the signature too
    path = rows_url(licences.code)
    headers = make_api(issued).signed_headers("GET", path, {"limit": 1})
    response = client.get(path, {"limit": 7}, headers=headers)
    assert response.json()["code"] == "bad_signature"


def test_stale_requests_either_way(make_api, issued, licences):
    for skew in (-301, 301):
        late = make_api(issued, clock=lambda skew=skew: time.time() + skew)
        error = refused(lambda late=late: late.get(rows_url(licences.code, KEY)))
        assert (error.status, error.code) == (401, "stale_request")
    assert make_api(issued, clock=lambda: time.time() - 250).get(rows_url(licences.code, KEY))


def test_replayed_request(client, api, licences):
    path = rows_url(licences.code, KEY)
    headers = api.signed_headers("GET", path)
    assert client.get(path, headers=headers).status_code == 200
    again = client.get(path, headers=headers)
    assert (again.status_code, again.json()["code"]) == (401, "replayed_request")
    assert last_outcome() == ("replayed_request", 401, 0)


def test_revoked_and_rotated_credentials(api, admin_mzj, grant, licences, make_api):
    rotated = actions.issue_credentials(actor=admin_mzj, grant=grant)
    error = refused(lambda: api.get(rows_url(licences.code, KEY)))
    assert (error.status, error.code) == (401, "credential_revoked")
    assert make_api(rotated).get(rows_url(licences.code, KEY))["row"]["licence_no"] == KEY
    actions.revoke_credentials(actor=admin_mzj, grant=grant)
    error = refused(lambda: make_api(rotated).get(rows_url(licences.code, KEY)))
    assert error.code == "credential_revoked"


def test_revoked_grant(api, admin_scj, grant, licences):
    sharing.revoke_grant(actor=admin_scj, grant=grant, reasons="低保审核已结束")
    error = refused(lambda: api.get(rows_url(licences.code, KEY)))
    assert (error.status, error.code) == (403, "grant_revoked")
    assert error.detail == "低保审核已结束"
    assert last_outcome() == ("grant_revoked", 403, 0)


def test_expired_grant(api, grant, licences):
    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    error = refused(lambda: api.get(rows_url(licences.code)))
    assert (error.status, error.code) == (403, "grant_expired")


def test_grant_not_yet_valid(api, grant, licences):
    Grant.objects.filter(pk=grant.pk).update(valid_from=timezone.now() + dt.timedelta(days=2))
    assert refused(lambda: api.get(rows_url(licences.code))).code == "grant_not_yet_valid"


def test_other_resource_is_not_granted(api, licences):
    error = refused(lambda: api.get(rows_url("301999", KEY)))
    assert (error.status, error.code) == (403, "resource_not_granted")


def test_fields_and_filters_outside_the_grant(api, licences, make_grant, admin_zjj, make_api):
    for params in (
        {"fields": "licence_no,internal_note"},  # not shared at all
        {"fields": "no_such_column"},
        {"internal_note": "x"},  # a filter on a column not granted
    ):
        error = refused(lambda params=params: api.get(rows_url(licences.code), params))
        assert (error.status, error.code) == (403, "field_not_granted"), params
    assert last_outcome() == ("field_not_granted", 403, 0)
    narrow = make_api(
        actions.issue_credentials(
            actor=admin_zjj, grant=make_grant(admin_zjj, fields=["operator_name", "phone"])
        )
    )
    assert narrow.get(rows_url(licences.code), {"limit": 1})["fields"] == ["operator_name", "phone"]
    error = refused(lambda: narrow.get(rows_url(licences.code), {"holder_id": "x"}))
    assert error.code == "field_not_granted"
    # looking up by the key item needs the key item granted
    error = refused(lambda: narrow.get(rows_url(licences.code, KEY)))
    assert (error.status, error.code) == (403, "field_not_granted")


def test_page_size_is_capped(api, licences, settings):
    error = refused(lambda: api.get(rows_url(licences.code), {"limit": 501}))
    assert (error.status, error.code) == (400, "page_too_large")
    settings.YIWANG_EXCHANGE_MAX_PAGE = 5
    assert refused(lambda: api.get(rows_url(licences.code), {"limit": 6})).code == "page_too_large"
    assert len(api.get(rows_url(licences.code), {"limit": 5})["rows"]) == 5
    assert last_outcome() == ("ok", 200, 5)


@pytest.mark.parametrize(
    "params",
    [{"limit": "abc"}, {"limit": 0}, {"after": "not-a-cursor"}, {"after": "YWJj"}],
)
def test_malformed_parameters(api, licences, params):
    error = refused(lambda: api.get(rows_url(licences.code), params))
    assert (error.status, error.code) == (400, "invalid_parameter")


def test_repeated_and_unknown_parameters(api, licences):
    error = refused(lambda: api.get(rows_url(licences.code), [("phone", "1"), ("phone", "2")]))
    assert (error.status, error.code) == (400, "invalid_parameter")
    error = refused(lambda: api.get(rows_url(licences.code, KEY), {"limit": 3}))
    assert (error.status, error.code) == (400, "invalid_parameter")


def test_a_value_of_the_wrong_type(api, licences):
    error = refused(lambda: api.get(rows_url(licences.code), {"issued_on": "yesterday"}))
    assert (error.status, error.code) == (400, "invalid_value")


def test_daily_quota(make_grant, admin_zjj, make_api, licences):
    grant = make_grant(admin_zjj, quota=3)
    api = make_api(actions.issue_credentials(actor=admin_zjj, grant=grant))
    assert len(api.get(rows_url(licences.code), {"limit": 2})["rows"]) == 2
    error = refused(lambda: api.get(rows_url(licences.code), {"limit": 2}))
    assert (error.status, error.code) == (429, "quota_exceeded")
    assert "1" in error.detail  # one row remains
    assert last_outcome() == ("quota_exceeded", 429, 0)
    assert len(api.get(rows_url(licences.code), {"limit": 1})["rows"]) == 1
    error = refused(lambda: api.get(rows_url(licences.code, KEY)))
    assert error.code == "quota_exceeded"
    assert 0 < error.retry_after <= 24 * 3600
    # a flushed cache does not give the day's quota back: it restarts from the evidence log
    cache.clear()
    assert refused(lambda: api.get(rows_url(licences.code, KEY))).code == "quota_exceeded"


def test_rate_limit(api, licences, settings, monkeypatch):
    settings.YIWANG_EXCHANGE_RATE = 2
    fixed = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    api.get(rows_url(licences.code, KEY))
    api.get(rows_url(licences.code, KEY))
    error = refused(lambda: api.get(rows_url(licences.code, KEY)))
    assert (error.status, error.code, error.retry_after) == (429, "rate_limited", 1)
    assert last_outcome() == ("rate_limited", 429, 0)
    monkeypatch.setattr(timezone, "now", lambda: fixed + dt.timedelta(seconds=1))
    assert api.get(rows_url(licences.code, KEY))["row"]
