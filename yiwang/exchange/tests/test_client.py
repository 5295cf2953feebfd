"""The signature as the guide writes it: canonical path and query, the string to sign, and
the test vector docs/zh/exchange-api.md gives (computed there with ``openssl dgst -sm3``)."""

from __future__ import annotations

import pytest

from yiwang.exchange import client as signing
from yiwang.exchange.client import ExchangeClient

#: The guide's worked example.
SECRET = "abc123"
TIMESTAMP = "1700000000"
NONCE = "0123456789abcdef0123456789abcdef"
PATH = "/api/v1/exchange/resources/101001/rows"
EMPTY_SM3 = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
SIGNATURE = "bb3e637c3d60cf971ff582bd9283b24dcc3c8e10c0a705455659f7c84ddaec37"


def test_the_guides_vector():
    target = signing.canonical_target(PATH, {"limit": 2, "fields": "id_number,real_name"})
    assert target == PATH + "?fields=id_number%2Creal_name&limit=2"
    assert signing.sm3_hex(b"") == EMPTY_SM3
    text = signing.string_to_sign("get", target, TIMESTAMP, NONCE, b"")
    assert text == f"GET\n{target}\n{TIMESTAMP}\n{NONCE}\n{EMPTY_SM3}"
    assert signing.signature(SECRET, text) == SIGNATURE


def test_canonical_forms_do_not_depend_on_how_the_url_was_written():
    assert signing.canonical_path("/rows/%E5%A4%A7%7e") == signing.canonical_path("/rows/大~")
    assert signing.canonical_path("/rows/a b") == "/rows/a%20b"
    # sorted by name, then value; repeated names kept; everything but unreserved encoded
    assert signing.canonical_query([("b", "2"), ("a", "z y"), ("a", "x/")]) == "a=x%2F&a=z%20y&b=2"
    assert signing.canonical_target("/p", {}) == "/p"


def test_signed_headers():
    api = ExchangeClient("https://example.org/base", "ywc_1", SECRET, clock=lambda: 1700000000.9)
    headers = api.signed_headers("GET", PATH, {"limit": 2, "fields": "id_number,real_name"})
    assert headers[signing.CLIENT_HEADER] == "ywc_1"
    assert headers[signing.TIMESTAMP_HEADER] == TIMESTAMP
    nonce = headers[signing.NONCE_HEADER]
    assert 16 <= len(nonce) <= 64
    assert headers[signing.SIGNATURE_HEADER] == signing.signature(
        SECRET,
        signing.string_to_sign(
            "GET", PATH + "?fields=id_number%2Creal_name&limit=2", TIMESTAMP, nonce, b""
        ),
    )
    assert api.signed_headers("GET", PATH)[signing.NONCE_HEADER] != nonce


def test_requests_go_to_the_base_path_with_the_canonical_query():
    sent = {}

    def transport(method, url, headers, body):
        sent.update(method=method, url=url, headers=headers)
        return signing.Answer(200, {}, b'{"rows": []}')

    api = ExchangeClient("https://example.org/base/", "ywc_1", SECRET, transport=transport)
    assert api.get("/api/v1/exchange/resources/301001/rows", {"holder_name": "张三"}) == {
        "rows": []
    }
    assert sent["url"] == (
        "https://example.org/base/api/v1/exchange/resources/301001/rows"
        "?holder_name=%E5%BC%A0%E4%B8%89"
    )
    # the path signed is the one sent, base path included
    headers = sent["headers"]
    expected = signing.signature(
        SECRET,
        signing.string_to_sign(
            "GET",
            "/base/api/v1/exchange/resources/301001/rows?holder_name=%E5%BC%A0%E4%B8%89",
            headers[signing.TIMESTAMP_HEADER],
            headers[signing.NONCE_HEADER],
            b"",
        ),
    )
    assert headers[signing.SIGNATURE_HEADER] == expected


def test_refusals_become_exchange_errors():
    def transport(method, url, headers, body):
        return signing.Answer(
            429,
            {"retry-after": "3600"},
            b'{"status": 429, "code": "quota_exceeded", "title": "t", "detail": "d"}',
        )

    api = ExchangeClient("https://example.org", "ywc_1", SECRET, transport=transport)
    with pytest.raises(signing.ExchangeError) as refused:
        api.get("/x")
    assert (refused.value.status, refused.value.code, refused.value.retry_after) == (
        429,
        "quota_exceeded",
        3600,
    )
