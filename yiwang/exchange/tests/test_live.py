"""The standalone client over real HTTP (urllib) against a live server: what a consumer
system that copied ``client.py`` does."""

from __future__ import annotations

import pytest

from yiwang.exchange.client import ExchangeClient, ExchangeError
from yiwang.exchange.models import EvidenceEntry

from .conftest import rows_url


@pytest.mark.django_db(transaction=True)
def test_the_client_over_http(live_server, issued, licences):
    api = ExchangeClient(live_server.url, issued.credential.client_id, issued.secret)
    row = api.get(rows_url(licences.code, "JY144142200001"), {"fields": "holder_name,phone"})
    assert row["row"] == {"holder_name": "张*", "phone": "138****0001"}
    page = api.get(rows_url(licences.code), {"operator_name": "大埔县第2食品店"})
    assert [r["licence_no"] for r in page["rows"]] == ["JY144142200002"]
    with pytest.raises(ExchangeError) as refused:
        api.get(rows_url(licences.code), {"limit": 100000})
    assert (refused.value.status, refused.value.code) == (400, "page_too_large")
    assert list(EvidenceEntry.objects.order_by("seq").values_list("outcome", flat=True)) == [
        "ok",
        "ok",
        "page_too_large",
    ]
