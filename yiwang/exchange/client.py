"""A tiny client of the 一网 data exchange API, and the one definition of its signature.

Standalone on purpose: it imports nothing of Django or of the platform, only the standard
library and ``cryptography`` (SM3), so a consumer system can copy this file as it is. The
server verifies requests with the functions below, so client and server cannot drift.

Signing (docs/zh/exchange-api.md explains it step by step)::

    string_to_sign = METHOD + "\\n" + canonical_target + "\\n" + timestamp + "\\n" + nonce
                     + "\\n" + hex(SM3(body))
    X-Yiwang-Signature = hex(HMAC-SM3(secret, string_to_sign))

where ``canonical_target`` is the URL path, percent-encoded (RFC 3986, ``/`` kept), followed
by ``?`` and the query parameters sorted by name then value, each name and value
percent-encoded with nothing kept, when there are any. The secret's text (its ASCII bytes)
is the HMAC key, so ``openssl dgst -sm3 -hmac "$SECRET"`` computes the same signature.

Usage::

    client = ExchangeClient("https://yiwang.example.gov.cn", "ywc_…", "…secret…")
    row = client.get("/api/v1/exchange/resources/301001/rows/JY14414220001")
    page = client.get("/api/v1/exchange/resources/301001/rows", {"limit": 100})
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

CLIENT_HEADER = "X-Yiwang-Client"
TIMESTAMP_HEADER = "X-Yiwang-Timestamp"
NONCE_HEADER = "X-Yiwang-Nonce"
SIGNATURE_HEADER = "X-Yiwang-Signature"

Params = Mapping[str, Any] | Iterable[tuple[str, Any]] | None


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(secret: str, text: str) -> str:
    mac = crypto_hmac.HMAC(secret.encode("utf-8"), hashes.SM3())
    mac.update(text.encode("utf-8"))
    return mac.finalize().hex()


def _pairs(params: Params) -> list[tuple[str, str]]:
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str]] = []
    for name, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        out.extend((str(name), str(v)) for v in values)
    return out


def canonical_query(params: Params) -> str:
    """``name=value`` pairs sorted by name then value, percent-encoded, joined by ``&``."""
    return "&".join(
        f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in sorted(_pairs(params))
    )


def canonical_path(path: str) -> str:
    """The decoded path re-encoded one way (UTF-8, RFC 3986 unreserved characters and ``/``
    kept), so ``%7e`` and ``~`` or ``%E5%A4%A7`` and ``大`` sign alike."""
    return quote(unquote(path), safe="/")


def canonical_target(path: str, params: Params = None) -> str:
    query = canonical_query(params)
    return canonical_path(path) + (f"?{query}" if query else "")


def string_to_sign(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join([method.upper(), target, timestamp, nonce, sm3_hex(body)])


def signature(secret: str, text: str) -> str:
    return hmac_sm3_hex(secret, text)


def new_nonce() -> str:
    """32 random URL-safe characters (the server accepts 16 to 64 of ``A-Z a-z 0-9 . _ ~ -``)."""
    return secrets.token_urlsafe(24)


# --- the client ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


class ExchangeError(Exception):
    """A refused call: ``status``, the problem's ``code`` (e.g. ``quota_exceeded``), ``title``,
    ``detail`` and, for 429 answers, ``retry_after`` in seconds."""

    def __init__(self, answer: Answer):
        problem: dict[str, Any] = {}
        try:
            problem = answer.json() or {}
        except ValueError:
            problem = {}
        self.status = answer.status
        self.code = str(problem.get("code", "error"))
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", ""))
        retry = answer.headers.get("retry-after", "")
        self.retry_after = int(retry) if retry.isdigit() else None
        self.problem = problem
        super().__init__(f"{self.status} {self.code}: {self.title} {self.detail}".strip())


#: (method, url, headers, body) → Answer; the default sends the request with urllib.
Transport = Callable[[str, str, dict[str, str], bytes], Answer]


def urllib_transport(method: str, url: str, headers: dict[str, str], body: bytes) -> Answer:
    request = urllib.request.Request(url, data=body or None, headers=headers, method=method)  # noqa: S310 (the caller's https URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Answer(
            error.code, {k.lower(): v for k, v in error.headers.items()}, error.read() or b""
        )


@dataclass
class ExchangeClient:
    base_url: str
    client_id: str
    secret: str
    transport: Transport = field(default=urllib_transport)
    #: Seconds since the epoch; a test or a client with a skewed clock may replace it.
    clock: Callable[[], float] = field(default=time.time)

    def signed_headers(
        self, method: str, path: str, params: Params = None, body: bytes = b""
    ) -> dict[str, str]:
        """The four headers of a request to ``path`` (with ``params``) carrying ``body``."""
        timestamp = str(int(self.clock()))
        nonce = new_nonce()
        text = string_to_sign(method, canonical_target(path, params), timestamp, nonce, body)
        return {
            CLIENT_HEADER: self.client_id,
            TIMESTAMP_HEADER: timestamp,
            NONCE_HEADER: nonce,
            SIGNATURE_HEADER: signature(self.secret, text),
        }

    def request(self, method: str, path: str, params: Params = None, body: bytes = b"") -> Answer:
        """Send one signed request; the answer whatever its status."""
        base = urlsplit(self.base_url)
        full_path = base.path.rstrip("/") + path
        query = canonical_query(params)
        url = f"{base.scheme}://{base.netloc}{canonical_path(full_path)}"
        if query:
            url += f"?{query}"
        headers = {
            "Accept": "application/json",
            **self.signed_headers(method, full_path, params, body),
        }
        return self.transport(method.upper(), url, headers, body)

    def get(self, path: str, params: Params = None) -> Any:
        """GET ``path`` and return the decoded JSON; raises :class:`ExchangeError` when refused."""
        answer = self.request("GET", path, params)
        if answer.status != 200:
            raise ExchangeError(answer)
        return answer.json()

    def rows(self, code: str, params: Params = None) -> Iterable[dict]:
        """Every row of resource ``code`` matching ``params``, following the cursor."""
        query = dict(_pairs(params))
        while True:
            page = self.get(f"/api/v1/exchange/resources/{quote(code, safe='')}/rows", query)
            yield from page["rows"]
            if not page.get("next"):
                return
            query["after"] = page["next"]
