"""The exchange API (/api/v1/exchange/): granted rows of a resource, for consumer systems.

Machine clients sign every request with their credential (``client.py``); there is no
session. Two reads:

- ``GET /resources/{code}/rows/{key}``: the row whose key item is ``key``;
- ``GET /resources/{code}/rows?fields=a,b&<column>=<value>…&after=<cursor>&limit=<n>``:
  rows matching every filter exactly (granted columns only), in keyset pages.

Values are masked by their item's mask. Every call, refused ones included once the client is
known, is appended to the evidence log (``gateway.serve``). Errors are RFC 9457 problems
with a specific ``code`` (docs/zh/exchange-api.md lists them).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema
from pydantic import Field

from yiwang.datahub.hub import read as hub

from . import gateway, limits, rows
from .gateway import Call, Refusal
from .models import Kind

router = Router(tags=["exchange"])

#: Query parameters of the list read that are not filters.
RESERVED = ("fields", "after", "limit")
DEFAULT_LIMIT = 50
_CURSOR_PREFIX = b"c1:"


class ExchangeRow(Schema):
    resource: str = Field(description="The resource code")
    fields: list[str] = Field(description="The columns delivered, in item order")
    row: dict[str, Any] = Field(description="Column → value, masked by the item's mask")


class ExchangePage(Schema):
    resource: str
    fields: list[str]
    rows: list[dict[str, Any]]
    next: str | None = Field(description="Send as `after` for the next page; null at the end")


class ExchangeProblem(Schema):
    type: str
    title: str
    status: int
    code: str = Field(description="e.g. bad_signature, quota_exceeded (see the guide)")
    detail: str | None = None


_ERRORS = {400: ExchangeProblem, 401: ExchangeProblem, 403: ExchangeProblem, 429: ExchangeProblem}
_SIGNED = (
    "Signed request: X-Yiwang-Client, X-Yiwang-Timestamp (unix seconds), X-Yiwang-Nonce "
    "(16–64 characters, new each time) and X-Yiwang-Signature = hex HMAC-SM3(secret, METHOD "
    '"\\n" path?sorted-query "\\n" timestamp "\\n" nonce "\\n" hex SM3(body)). '
)


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(_CURSOR_PREFIX + str(row_id).encode()).decode().rstrip("=")


def decode_cursor(text: str) -> int | None:
    """The row id behind a cursor this API wrote, or None when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_CURSOR_PREFIX):
        return None
    digits = raw[len(_CURSOR_PREFIX) :]
    if not digits.isdigit() or len(digits) > 19:
        return None
    return int(digits)


def _invalid(name: str, detail: str, code: str = "invalid_parameter") -> Refusal:
    return Refusal(
        400, code, _("The parameter %(name)s is not valid.") % {"name": name[:40]}, detail
    )


def _single_values(request: HttpRequest) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, given in request.GET.lists():
        if len(given) > 1:
            raise _invalid(name, _("Give each parameter once."))
        values[name] = given[0]
    return values


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    cap = limits.max_page()
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise _invalid(
            "limit", _("Give the number of rows per page, from 1 to %(cap)d.") % {"cap": cap}
        )
    if int(raw) > cap:
        raise Refusal(
            400,
            "page_too_large",
            _("The page is too large."),
            _("At most %(cap)d rows per page.") % {"cap": cap},
        )
    return int(raw)


def _read_errors(run):
    """Turn the hub's refusals of a value or a column into problems."""
    try:
        return run()
    except hub.BadValue as error:
        raise _invalid("", str(error), code="invalid_value") from error
    except hub.UnknownColumn as error:
        raise Refusal(
            503,
            "data_unavailable",
            _("The data is not available yet."),
            _("The provider has not loaded this field yet; try again later."),
        ) from error


def _reading(call: Call, columns: list[str]) -> list[str]:
    """What to read: the delivered columns plus the ID-number columns that name the row's
    person for the evidence log."""
    assert call.items is not None
    return list(dict.fromkeys([*columns, *call.items.subject_columns()]))


# --- one row by key --------------------------------------------------------------------------


def _lookup(call: Call, key: str) -> dict:
    params = _single_values(call.request)
    columns = gateway.granted_fields(call, params.get("fields"))
    unknown = sorted(set(params) - {"fields"})
    if unknown:
        raise _invalid(unknown[0], _("A lookup by key takes only the fields parameter."))
    items = call.items
    assert items is not None
    key_column = items.key_column
    if not key_column:
        raise Refusal(
            409, "no_key_item", _("The resource has no key item."), _("Query it with filters.")
        )
    if key_column not in items.granted(list(call.grant.fields)):
        raise gateway.not_granted([key_column])
    # One row at most: it is taken from the quota once read (a page checks the quota first,
    # so that a used-up quota costs no page read); a used-up quota refuses it all the same.
    found = _read_errors(lambda: rows.lookup(call.resource, key, _reading(call, columns)))
    if found is None:
        raise Refusal(404, "row_not_found", _("No row with this key."))
    gateway.take_quota(call, 1)
    call.row_count, call.subjects = 1, rows.subjects_of([found], items)
    return {
        "resource": call.resource.code,
        "fields": columns,
        "row": rows.masked(found, columns, items),
    }


@router.get(
    "/resources/{code}/rows/{key}",
    response={200: ExchangeRow, 404: ExchangeProblem, **_ERRORS},
    summary="One row of a granted resource, by its key item",
    description=_SIGNED
    + "The key item must be granted. `fields` (comma-separated) narrows the columns.",
    auth=None,
)
def get_row(
    request: HttpRequest,
    code: str,
    key: str,
    fields: str | None = None,
    client: str | None = Header(None, alias="X-Yiwang-Client"),
    timestamp: str | None = Header(None, alias="X-Yiwang-Timestamp"),
    nonce: str | None = Header(None, alias="X-Yiwang-Nonce"),
    signature: str | None = Header(None, alias="X-Yiwang-Signature"),
) -> HttpResponse:
    return gateway.serve(request, Kind.LOOKUP, code, lambda call: _lookup(call, key))


# --- pages of rows -----------------------------------------------------------------------------


def _page(call: Call) -> dict:
    params = _single_values(call.request)
    columns = gateway.granted_fields(call, params.get("fields"))
    items = call.items
    assert items is not None
    limit = _limit(params.get("limit"))
    after = None
    if params.get("after"):
        after = decode_cursor(params["after"])
        if after is None:
            raise _invalid("after", _("Send the next value of the previous page unchanged."))
    filters = {k: v for k, v in params.items() if k not in RESERVED}
    granted = set(items.granted(list(call.grant.fields)))
    refused = [k for k in filters if k not in granted]
    if refused:
        raise gateway.not_granted(refused)
    gateway.check_quota(call)
    found, next_id = _read_errors(
        lambda: rows.page(
            call.resource,
            filters=filters,
            columns=_reading(call, columns),
            after=after,
            limit=limit,
        )
    )
    gateway.take_quota(call, len(found))
    call.row_count, call.subjects = len(found), rows.subjects_of(found, items)
    return {
        "resource": call.resource.code,
        "fields": columns,
        "rows": [rows.masked(r, columns, items) for r in found],
        "next": encode_cursor(next_id) if next_id is not None else None,
    }


@router.get(
    "/resources/{code}/rows",
    response={200: ExchangePage, **_ERRORS},
    summary="Rows of a granted resource, filtered, in keyset pages",
    description=_SIGNED
    + "Any other query parameter `<column>=<value>` is an exact-match filter on a granted "
    "column. `limit` defaults to 50 (at most YIWANG_EXCHANGE_MAX_PAGE, 500); `after` is the "
    "previous page's `next`.",
    auth=None,
)
def list_rows(
    request: HttpRequest,
    code: str,
    fields: str | None = None,
    after: str | None = None,
    limit: str | None = None,
    client: str | None = Header(None, alias="X-Yiwang-Client"),
    timestamp: str | None = Header(None, alias="X-Yiwang-Timestamp"),
    nonce: str | None = Header(None, alias="X-Yiwang-Nonce"),
    signature: str | None = Header(None, alias="X-Yiwang-Signature"),
) -> HttpResponse:
    return gateway.serve(request, Kind.PAGE, code, _page)
