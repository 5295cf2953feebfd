"""Is this licence genuine and valid? The answer of the public verify page and API.

``valid`` is true only when the seal's signature over the licence's metadata verifies, the
latest signed status statement verifies and says what the licence row says, that status is
有效 (01), and the validity has not ended. Everything shown comes from the signed metadata,
not from columns that could be edited behind the signature's back.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from yiwang.gmcrypto.core import sm3_hex
from yiwang.gmcrypto.masking import mask_name
from yiwang.seals import signing
from yiwang.workdays.calendar import local_date

from .identifiers import parse
from .metadata import LicenceMetadata, MetadataError
from .models import HolderKind, Licence, LicenceEvent, Status


class UnknownLicence(LookupError):
    """No licence has this (well-formed) identifier."""


@dataclass(frozen=True)
class Verification:
    identifier: str
    valid: bool
    status: str  # GB/T 36903 code
    status_label: str
    reason: str  # "" when valid; else why not, in the user's language
    licence_type: str
    issuer: str
    holder: str  # masked for a person
    valid_from: dt.date | None
    valid_until: dt.date | None  # None: 长期有效
    signature_ok: bool
    licence: Licence | None = None


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def signature_ok(licence: Licence) -> bool:
    """The seal's signature over the metadata, and the identifier they carry, are intact."""
    try:
        metadata = LicenceMetadata.from_dict(licence.metadata)
    except (MetadataError, TypeError):
        return False
    if metadata.identifier != licence.identifier:
        return False
    return signing.verify(licence.key_id, metadata.canonical(), _decoded(licence.signature))


def status_ok(licence: Licence, event: LicenceEvent | None = None) -> bool:
    """The latest signed status statement (``event``, read when not given) verifies, by a key
    not yet retired when the statement was made, and says the status the row says."""
    if event is None:
        event = licence.events.order_by("-id").first()
    if event is None or event.status != licence.status:
        return False
    try:
        said = json.loads(event.statement)
    except ValueError:
        return False
    if said.get("identifier") != licence.identifier or said.get("status") != licence.status:
        return False
    return signing.verify(
        event.key_id,
        event.statement.encode("utf-8"),
        _decoded(event.signature),
        signed_at=event.at,
    )


def matches_document(licence: Licence, data: bytes) -> bool:
    """Whether ``data`` is, byte for byte, the PDF issued for ``licence`` (its SM3 digest is
    the one kept at issuance). Any change, even one that leaves the embedded licence file
    intact, makes it another document."""
    return bool(licence.document_sm3) and sm3_hex(bytes(data)) == licence.document_sm3


def verify(text: str, *, today: dt.date | None = None) -> Verification:
    """Verify the licence named by ``text``. Raises ``identifiers.IdentifierError`` for a
    malformed identifier and ``UnknownLicence`` when none has it."""
    identifier = str(parse(text))
    found = _read(identifier)
    if found is None:
        raise UnknownLicence(identifier)
    licence, event, type_name, issuer_name = found
    today = today or local_date(timezone.now())
    sealed = signature_ok(licence) and status_ok(licence, event)
    meta = licence.metadata if sealed else {}
    until = meta.get("valid_until")
    valid_until = dt.date.fromisoformat(until) if until else None
    valid_from = dt.date.fromisoformat(meta["valid_from"]) if "valid_from" in meta else None
    expired = valid_until is not None and valid_until < today
    status = Status.EXPIRED if (licence.status == Status.VALID and expired) else licence.status
    reason = ""
    if not sealed:
        reason = "signature"
    elif status != Status.VALID:
        reason = "status"
    elif valid_from is not None and valid_from > today:
        reason = "not_yet_valid"
    holder = licence.holder_name
    if licence.holder_kind == HolderKind.PERSON:
        holder = mask_name(holder)
    return Verification(
        identifier=identifier,
        valid=not reason,
        status=status,
        status_label=str(Status(status).label),
        reason=reason,
        licence_type=type_name,
        issuer=issuer_name,
        holder=holder,
        valid_from=valid_from,
        valid_until=valid_until,
        signature_ok=sealed,
        licence=licence,
    )


#: The licence, its latest status statement and the names shown, in one statement: the public
#: page answers every scan of a QR code, and the ORM's two queries cost it more than the checks.
_READ = """
SELECT l.id, l.identifier, l.status, l.metadata, l.signature, l.key_id, l.holder_kind,
       l.holder_name, l.document_sm3, l.licence_type_id, l.issuer_id, t.name, d.name,
       e.id, e.operation, e.status, e.statement, e.signature, e.key_id, e.at
FROM licences_licence l
JOIN licences_licencetype t ON t.id = l.licence_type_id
JOIN orgs_department d ON d.id = l.issuer_id
LEFT JOIN licences_licenceevent e
  ON e.id = (SELECT MAX(id) FROM licences_licenceevent WHERE licence_id = l.id)
WHERE l.identifier = %s
"""


def _read(identifier: str) -> tuple[Licence, LicenceEvent | None, str, str] | None:
    with connection.cursor() as cursor:
        cursor.execute(_READ, [identifier])
        row = cursor.fetchone()
    if row is None:
        return None
    metadata = row[3]
    if isinstance(metadata, str):  # SQLite hands JSON back as text
        metadata = json.loads(metadata)
    licence = Licence(
        id=row[0],
        identifier=row[1],
        status=row[2],
        metadata=metadata,
        signature=row[4],
        key_id=row[5],
        holder_kind=row[6],
        holder_name=row[7],
        document_sm3=row[8],
        licence_type_id=row[9],
        issuer_id=row[10],
    )
    event = None
    if row[13] is not None:
        at = row[19]
        if isinstance(at, str):  # SQLite: text
            at = dt.datetime.fromisoformat(at)
        if timezone.is_naive(at):
            at = timezone.make_aware(at, dt.UTC)
        event = LicenceEvent(
            id=row[13],
            licence_id=row[0],
            operation=row[14],
            status=row[15],
            statement=row[16],
            signature=row[17],
            key_id=row[18],
            at=at,
        )
    return licence, event, row[11], row[12]
