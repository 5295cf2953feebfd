"""Signing with seals: the one module of ``seals`` other apps import.

    from yiwang.seals import signing

    seal = signing.department_seal(department)          # the seal to issue licences with
    sig = signing.sign(seal, payload, purpose="licence.issue 1.2.156…", actor=clerk_or_SYSTEM)
    signing.verify(sig.key_id, payload, sig.signature)   # True, also after a key rotation
    signing.public_key(sig.key_id)                       # for offline verification

``sign`` always takes the seal's *current* key, re-read under a row lock, so a key that a
rotation retired can sign nothing new, not even when the rotation commits while the signer
waits. The private key is opened from its sealed form for this one signature only. Every
signature is audited (``seals.sign``) with its purpose and the SM3 digest and size of the
data, never the data itself.

Refusals are ``SigningRefused`` subclasses with a ``code``: ``SealInactive`` (the seal was
deactivated), ``NoActiveKey`` (the seal or staff member has no current key), ``KeyUnusable``
(the sealed private key does not open under ``YIWANG_SIGNING_KEK``, or is not the public
key's). A signer who may not use the seal gets ``PermissionDenied``; an empty purpose a
``ValidationError``; data that is not bytes a ``TypeError``.

``verify`` never raises: an unknown or malformed key id, a malformed signature or data that
is not bytes is simply ``False`` (a verifier has nothing to do differently in those cases).
``public_key`` raises ``UnknownKey`` (a ``LookupError``) for an unknown key id, because a
caller asking for a key must tell "no such key" from a key.

The SM2 signature follows GB/T 32918.2 / GM/T 0009: SM3 digest of Z ‖ M with the default user
ID ``1234567812345678``, DER-encoded ``SEQUENCE { r, s }`` (``gmcrypto.sm2``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.audit.actions import record
from yiwang.gmcrypto import core, sm2
from yiwang.web.params import strip_control

from . import keys
from .models import Seal, SealKey, SealKind
from .permissions import require_signer

ALGORITHM = "SM2-with-SM3"
#: OID of SM2 signatures with SM3 (GM/T 0006), for documents that name the algorithm.
ALGORITHM_OID = "1.2.156.10197.1.501"
USER_ID = sm2.DEFAULT_USER_ID
PURPOSE_MAX = 200
#: The seal kinds a department issues licences with, most specific first.
LICENCE_SEAL_KINDS = (SealKind.LICENCE, SealKind.APPROVAL, SealKind.OFFICIAL)


@dataclass(frozen=True)
class SealSignature:
    seal_id: int | None  # None for a staff member's personal signature
    key_id: str
    algorithm: str
    signature: bytes  # DER
    signature_b64: str
    public_key: str  # 04 || x || y, hex
    signed_at: dt.datetime
    holder_id: int | None = None  # the staff member of a personal signature


class SigningRefused(Exception):
    """A signature that cannot be made; ``code`` says why, ``message`` in the user's words."""

    code = "signing_refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SealInactive(SigningRefused):
    code = "seal_inactive"


class NoActiveKey(SigningRefused):
    code = "no_active_key"


class KeyUnusable(SigningRefused):
    code = "key_unusable"


class UnknownKey(LookupError):
    """No key has this key id."""


# --- finding seals ------------------------------------------------------------------------


def department_seal(department, kinds: Iterable[str] = LICENCE_SEAL_KINDS) -> Seal | None:
    """The active seal of ``department`` (a Department or its id) of the first of ``kinds``
    it has, or None. One query."""
    order = [str(k) for k in kinds]
    department_id = getattr(department, "pk", department)
    candidates = Seal.objects.select_related("department").filter(
        department_id=department_id, active=True, kind__in=order
    )
    found = sorted(candidates, key=lambda s: (order.index(s.kind), s.pk))
    return found[0] if found else None


def seal_image(seal: Seal) -> bytes:
    """The PNG of ``seal``'s picture, for documents that print it."""
    if not seal.image.name:
        raise FileNotFoundError(f"seal {seal.pk} has no image")
    with default_storage.open(seal.image.name, "rb") as fh:
        return fh.read()


# --- signing ------------------------------------------------------------------------------


def _data(data) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("signing.sign signs bytes (serialise the data first)")
    return bytes(data)


def _purpose(purpose: str) -> str:
    text = " ".join(strip_control(str(purpose or ""), newlines=False).split())
    if not text:
        raise ValidationError(
            _("State the purpose of the signature; it is kept in the audit log."),
            code="purpose_required",
        )
    if len(text) > PURPOSE_MAX:
        raise ValidationError(
            _("A signature's purpose may have at most %(max)d characters.") % {"max": PURPOSE_MAX},
            code="purpose_too_long",
        )
    return text


def _current_key(**owner) -> SealKey | None:
    # Locked, so a rotation or deactivation waits for this signature (and this signature for
    # them). On PostgreSQL a signer that waited on a key the rotation retired finds no row in
    # its statement's snapshot; the second query, a new snapshot, finds the new key.
    for _attempt in range(2):
        key = (
            SealKey.objects.select_for_update()
            .filter(retired_at__isnull=True, **owner)
            .order_by("-id")
            .first()
        )
        if key is not None:
            return key
    return None


def _signature(key: SealKey, data: bytes) -> tuple[bytes, dt.datetime]:
    try:
        private = keys.open_key(key)
    except (sm2.SealedKeyError, core.MissingKeyError) as exc:
        raise KeyUnusable(
            _(
                "The private key %(key)s cannot be opened with the configured key-encryption "
                "key (YIWANG_SIGNING_KEK); nothing was signed. Ask the operators to check it."
            )
            % {"key": key.key_id}
        ) from exc
    return sm2.sign(private, data, USER_ID), timezone.now()


def _result(key: SealKey, signature: bytes, signed_at, **owner) -> SealSignature:
    return SealSignature(
        key_id=key.key_id,
        algorithm=ALGORITHM,
        signature=signature,
        signature_b64=base64.b64encode(signature).decode("ascii"),
        public_key=key.public_key,
        signed_at=signed_at,
        **owner,
    )


def sign(seal: Seal, data: bytes, *, purpose: str, actor) -> SealSignature:
    """Sign ``data`` with ``seal``'s current key in the name of its department."""
    return sign_all(seal, [data], purpose=purpose, actor=actor)[0]


@transaction.atomic
def sign_all(seal: Seal, items: Iterable[bytes], *, purpose: str, actor) -> list[SealSignature]:
    """Sign each of ``items`` with ``seal``'s current key, as one act: one key, one audit
    entry (a licence and the statement of its issue are signed together)."""
    items = [_data(data) for data in items]
    if not items:
        raise ValueError("nothing to sign")
    clean_purpose = _purpose(purpose)
    current = Seal.objects.select_related("department").filter(pk=seal.pk).first()
    if current is None:
        raise NoActiveKey(_("There is no such seal."))
    require_signer(actor, current)
    inactive = SealInactive(
        _("The seal %(name)s is deactivated and signs nothing.") % {"name": current.name}
    )
    if not current.active:
        raise inactive
    key = _current_key(seal=current)
    if key is None:
        # A deactivation that committed while this waited retired the key with the seal.
        if not Seal.objects.filter(pk=current.pk, active=True).exists():
            raise inactive
        raise NoActiveKey(
            _("The seal %(name)s has no current key: rotate its key to make one.")
            % {"name": current.name}
        )
    signed = [_signature(key, data) for data in items]
    digests = [core.sm3_digest(data).hex() for data in items]
    sizes = [len(data) for data in items]
    record(
        actor=actor,
        action="seals.sign",
        obj=current,
        key_id=key.key_id,
        purpose=clean_purpose,
        algorithm=ALGORITHM,
        data_sm3=digests[0] if len(items) == 1 else digests,
        data_bytes=sizes[0] if len(items) == 1 else sizes,
    )
    return [_result(key, signature, at, seal_id=current.pk) for signature, at in signed]


@transaction.atomic
def sign_personal(data: bytes, *, purpose: str, actor) -> SealSignature:
    """Sign ``data`` with the staff member ``actor``'s own current signing key."""
    data = _data(data)
    clean_purpose = _purpose(purpose)
    if not getattr(actor, "is_active", False) or getattr(actor, "kind", "") != "staff":
        raise PermissionDenied(_("Only staff members sign with a personal signing key."))
    key = _current_key(holder_id=actor.pk)
    if key is None:
        raise NoActiveKey(_("You have no personal signing key yet."))
    signature, signed_at = _signature(key, data)
    record(
        actor=actor,
        action="seals.sign_personal",
        obj=actor,
        key_id=key.key_id,
        purpose=clean_purpose,
        algorithm=ALGORITHM,
        data_sm3=core.sm3_digest(data).hex(),
        data_bytes=len(data),
    )
    return _result(key, signature, signed_at, seal_id=None, holder_id=actor.pk)


# --- verifying ----------------------------------------------------------------------------


def public_key(key_id: str) -> str:
    """The public key (``04 || x || y``, hex) of ``key_id``, retired or not; ``UnknownKey``."""
    known = keys.lookup(key_id)
    if known is None:
        raise UnknownKey(f"no seal or signing key has the key id {str(key_id)[:40]!r}")
    return known.public


def verify(
    key_id: str, data: bytes, signature: bytes | str, *, signed_at: dt.datetime | None = None
) -> bool:
    """Whether ``signature`` (DER bytes, or their base64) is ``key_id``'s signature of
    ``data``. Works for retired keys; False for anything unknown or malformed. With
    ``signed_at`` (when the record claims it was signed), also False when the key had been
    retired by then: a rotation ends what a key may sign, even with its private key at hand."""
    known = keys.lookup(key_id)
    if known is None or not isinstance(data, bytes | bytearray | memoryview):
        return False
    if signed_at is not None and known.retired_at is not None and known.retired_at < signed_at:
        return False
    if isinstance(signature, str):
        try:
            signature = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            return False
    data = bytes(data)
    # A signature that verified once verifies again: remembered by the exact key, data and
    # signature (any changed byte is a new question), so a licence checked a thousand times a
    # day costs its SM2 verification once per process.
    memo = (key_id, hashlib.sha256(data).digest(), bytes(signature))
    if memo in _verified:
        return True
    if not sm2.verify(known.public, data, signature, USER_ID):
        return False
    if len(_verified) >= _VERIFIED_MAX:
        _verified.clear()
    _verified.add(memo)
    return True


_verified: set[tuple[str, bytes, bytes]] = set()
_VERIFIED_MAX = 100_000
