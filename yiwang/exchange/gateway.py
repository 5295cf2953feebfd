"""One exchange call from the signed request to the evidence entry.

``serve`` runs the checks in a fixed order and turns the first failure into an RFC 9457
problem (``Refusal``): identify the client (``unknown_client``), check the signing headers
and the signature (``invalid_header``, ``bad_signature``), the credential
(``credential_revoked``), the clock (``stale_request``), the nonce (``replayed_request``),
the grant (``grant_revoked``, ``grant_expired``, ``grant_not_yet_valid``,
``resource_not_granted``, ``resource_withdrawn``) and the rate (``rate_limited``); then the
endpoint reads, checks fields, page and quota, and masks. Once the client is identified,
every answer, refusals included, is appended to the evidence log *before* it is sent: no
data leaves without its evidence.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.datahub.models import Grant, Resource
from yiwang.datahub.sharing.models import GrantStatus
from yiwang.gmcrypto.core import sm3_hex
from yiwang.workdays.calendar import local_date

from . import client as signing
from . import evidence, limits
from .models import Credential, EvidenceEntry
from .prepared import PreparedGet
from .rows import Items, items_for

NONCE = re.compile(r"^[A-Za-z0-9._~-]{16,64}$")
#: How often ``Credential.last_used_at`` is written (not on every call: no hot row).
LAST_USED_EVERY = dt.timedelta(minutes=1)


class Refusal(Exception):
    """A refused call, answered as problem+json with ``code``."""

    def __init__(
        self, status: int, code: str, title: str, detail: str = "", retry_after: int | None = None
    ):
        super().__init__(code)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"about:blank#{self.code}",
            "title": self.title,
            "status": self.status,
            "code": self.code,
        }
        if self.detail:
            body["detail"] = self.detail
        return body


@dataclass
class Call:
    """What one call established so far; the evidence entry is written from it."""

    request: HttpRequest
    kind: str
    now: dt.datetime = field(default_factory=lambda: timezone.now())
    credential: Credential | None = None
    request_hash: str = ""
    items: Items | None = None
    fields: list[str] = field(default_factory=list)
    row_count: int = 0
    subjects: set[str] = field(default_factory=set)
    #: Whether the credential is within its requests per second (counted with the nonce).
    within_rate: bool = True

    @property
    def grant(self) -> Grant:
        assert self.credential is not None
        return self.credential.grant

    @property
    def resource(self) -> Resource:
        return self.grant.resource

    @property
    def day(self) -> dt.date:
        return local_date(self.now)


# --- identification and signature ---------------------------------------------------------


def _header(request: HttpRequest, name: str) -> str:
    value = request.headers.get(name, "").strip()
    if not value:
        raise Refusal(
            401,
            "invalid_header",
            _("A signing header is missing."),
            _("Send the %(header)s header (see the exchange API guide).") % {"header": name},
        )
    return value


def _bad_header(name: str, detail: str) -> Refusal:
    return Refusal(
        401, "invalid_header", _("The %(header)s header is malformed.") % {"header": name}, detail
    )


def _string_to_sign(request: HttpRequest, timestamp: str, nonce: str) -> str:
    pairs = [(k, v) for k, values in request.GET.lists() for v in values]
    target = signing.canonical_target(request.path, pairs)
    return signing.string_to_sign(request.method or "GET", target, timestamp, nonce, request.body)


# The hub table too: a key lookup then needs no other catalogue statement. Compiled once: the
# ORM's compiling of this four-table query cost more than the database's answer.
_credential_of = PreparedGet(
    Credential.objects.select_related("grant", "grant__resource__hub_table"), "client_id"
)


def identify(call: Call) -> None:
    request = call.request
    client_id = request.headers.get(signing.CLIENT_HEADER, "").strip()
    credential = None
    if client_id and len(client_id) <= 40:
        credential = _credential_of(client_id)
    if credential is None:
        raise Refusal(
            401,
            "unknown_client",
            _("Unknown client."),
            _("Send the client id of your credential in %(header)s.")
            % {"header": signing.CLIENT_HEADER},
        )
    call.credential = credential


def verify_signature(call: Call) -> None:
    request, credential = call.request, call.credential
    assert credential is not None
    timestamp = _header(request, signing.TIMESTAMP_HEADER)
    nonce = _header(request, signing.NONCE_HEADER)
    sent = _header(request, signing.SIGNATURE_HEADER).lower()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise _bad_header(
            signing.TIMESTAMP_HEADER, _("Send the time as whole seconds since 1970 (UTC).")
        )
    if not NONCE.match(nonce):
        raise _bad_header(
            signing.NONCE_HEADER,
            _(
                "Send 16 to 64 characters of A–Z, a–z, 0–9, “.”, “_”, “~” or “-”, new for every call."
            ),
        )
    text = _string_to_sign(request, timestamp, nonce)
    call.request_hash = sm3_hex(text)
    expected = signing.signature(credential.secret, text)
    if not hmac.compare_digest(expected, sent):
        raise Refusal(
            401,
            "bad_signature",
            _("The signature does not match."),
            _(
                "Sign METHOD, the path with its sorted query, the timestamp, the nonce and the "
                "SM3 of the body with your secret (HMAC-SM3, hex)."
            ),
        )
    if credential.revoked_at is not None:
        raise Refusal(
            401,
            "credential_revoked",
            _("This credential was revoked."),
            _("Ask your department's data administrator for the new credential."),
        )
    skew = limits.skew_seconds()
    if abs(call.now.timestamp() - int(timestamp)) > skew:
        raise Refusal(
            401,
            "stale_request",
            _("The request's timestamp is too far from the server's clock."),
            _("Send the current time; at most %(seconds)d seconds of difference are accepted.")
            % {"seconds": skew},
        )
    admission = limits.admit(credential.pk, nonce, call.now)
    call.within_rate = admission.within_rate  # refused later, after the grant's checks
    if not admission.first_use:
        raise Refusal(
            401,
            "replayed_request",
            _("This nonce was already used."),
            _("Send a new random nonce with every request."),
        )
    last = credential.last_used_at
    if last is None or call.now - last > LAST_USED_EVERY:
        Credential.objects.filter(pk=credential.pk).update(last_used_at=call.now)


# --- the grant -----------------------------------------------------------------------------


def authorise(call: Call, code: str) -> None:
    grant, now = call.grant, call.now
    if not grant.is_usable(now):
        if grant.status == GrantStatus.REVOKED:
            raise Refusal(
                403,
                "grant_revoked",
                _("The grant was revoked."),
                grant.revoked_reason or "",
            )
        if now < grant.valid_from:
            raise Refusal(
                403,
                "grant_not_yet_valid",
                _("The grant is not valid yet."),
                _("It is valid from %(time)s.")
                % {"time": timezone.localtime(grant.valid_from).strftime("%Y-%m-%d %H:%M")},
            )
        raise Refusal(
            403,
            "grant_expired",
            _("The grant has expired."),
            _("It expired on %(time)s; request the data again.")
            % {"time": timezone.localtime(grant.expires_at).strftime("%Y-%m-%d")},
        )
    resource = call.resource
    if code != resource.code:
        raise Refusal(
            403,
            "resource_not_granted",
            _("This credential does not grant that resource."),
            _("It grants resource %(code)s only.") % {"code": resource.code},
        )
    if resource.current_version_id is None or resource.withdrawn_at is not None:
        raise Refusal(
            403,
            "resource_withdrawn",
            _("The resource was withdrawn from the catalogue."),
        )
    call.items = items_for(resource.current_version_id)
    if not call.within_rate:
        raise Refusal(
            429,
            "rate_limited",
            _("Too many requests."),
            _("At most %(n)d requests per second per credential.")
            % {"n": limits.rate_per_second()},
            retry_after=1,
        )


# --- delivery helpers for the endpoints -------------------------------------------------------


def granted_fields(call: Call, raw: str | None) -> list[str]:
    """The columns to deliver: ``raw`` (comma-separated) when given, else every granted one."""
    assert call.items is not None
    granted = call.items.granted(list(call.grant.fields))
    if not granted:
        raise Refusal(
            403,
            "field_not_granted",
            _("Field not granted."),
            _("None of the granted fields is shared any more: ask the provider."),
        )
    if raw is None or not raw.strip():
        call.fields = granted
        return granted
    wanted = list(dict.fromkeys(f.strip() for f in raw.split(",") if f.strip()))
    refused = [f for f in wanted if f not in granted]
    if refused:
        call.fields = wanted  # the evidence says what was asked for
        raise not_granted(refused)
    call.fields = [c for c in granted if c in wanted]
    return call.fields


def not_granted(columns: list[str]) -> Refusal:
    return Refusal(
        403,
        "field_not_granted",
        _("Field not granted."),
        _("The grant does not give %(fields)s.") % {"fields": ", ".join(c[:63] for c in columns)},
    )


def check_quota(call: Call) -> None:
    """Refuse at once when the day's quota is used up."""
    grant = call.grant
    used = limits.quota_used(
        grant.pk, call.day, lambda: evidence.rows_delivered(grant.pk, call.day)
    )
    if used >= grant.daily_quota:
        raise quota_refusal(call)


def take_quota(call: Call, rows: int) -> None:
    """Count the rows about to be delivered; refuse the whole answer when they would take the
    day over the quota (saying how many rows remain, so a smaller page can still pass)."""
    grant = call.grant

    def initial() -> int:
        return evidence.rows_delivered(grant.pk, call.day)

    if not limits.take_quota(grant.pk, call.day, rows, grant.daily_quota, initial):
        used = limits.quota_used(grant.pk, call.day, initial)
        raise quota_refusal(call, remaining=max(0, grant.daily_quota - used))


def quota_refusal(call: Call, remaining: int = 0) -> Refusal:
    detail = _(
        "The grant allows %(n)d rows a day; the quota starts again at midnight (Beijing time)."
    ) % {"n": call.grant.daily_quota}
    if remaining:
        detail += " " + _("%(left)d rows remain today: ask for a smaller page.") % {
            "left": remaining
        }
    return Refusal(
        429,
        "quota_exceeded",
        _("The daily quota of the grant is used up.")
        if not remaining
        else _("This answer would exceed the daily quota of the grant."),
        detail,
        retry_after=limits.seconds_to_midnight(call.now),
    )


# --- the whole call ---------------------------------------------------------------------------


def _evidence(call: Call, status: int, outcome: str, response_hash: str) -> None:
    credential = call.credential
    assert credential is not None
    grant = credential.grant
    resource = grant.resource
    items = call.items
    name = items.name if items is not None else resource.name
    evidence.append(
        EvidenceEntry(
            credential_id=credential.pk,
            at=call.now,
            grant_id=grant.pk,
            consumer_id=grant.consumer_id,
            provider_id=resource.provider_id,
            resource_id=resource.pk,
            resource_code=resource.code,
            resource_name=name[:200],
            purpose=grant.purpose,
            kind=call.kind,
            fields=",".join(call.fields)[:2000],
            field_names="、".join(items.names(call.fields) if items else call.fields)[:4000],
            row_count=call.row_count,
            status=status,
            outcome=outcome,
            request_hash=call.request_hash,
            response_hash=response_hash,
        ),
        call.subjects,
    )


def serve(
    request: HttpRequest, kind: str, code: str, produce: Callable[[Call], dict]
) -> HttpResponse:
    """Answer one call: the checks above, then ``produce`` (the endpoint's reading)."""
    call = Call(request=request, kind=kind)
    retry_after = None
    try:
        identify(call)
        verify_signature(call)
        authorise(call, code)
        body = produce(call)
        status, outcome, content_type = 200, "ok", "application/json"
    except Refusal as refusal:
        body = refusal.body()
        status, outcome, content_type = refusal.status, refusal.code, "application/problem+json"
        retry_after = refusal.retry_after
        call.row_count, call.subjects = 0, set()
    data = json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder).encode("utf-8")
    if call.credential is not None:
        _evidence(call, status, outcome, sm3_hex(data))
    response = HttpResponse(data, status=status, content_type=content_type)
    response["Cache-Control"] = "no-store"
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
