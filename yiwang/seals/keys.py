"""Making SM2 key pairs for seals and staff, and opening one for a signature.

The private key leaves ``gmcrypto.sm2`` only sealed (``seal_private_key``) and is opened only
for the moment of a signature (``open_key``), which also checks that it still belongs to the
stored public key: a row whose sealed key was swapped for another key's cannot sign in the
seal's name.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass

from django.utils import timezone

from yiwang.gmcrypto import core, sm2

from .models import KEY_ID_LENGTH, Seal, SealKey


def key_id_of(public_hex: str) -> str:
    """The first 16 hex digits of SM3 over the public key's bytes (``04 || x || y``)."""
    return core.sm3_digest(bytes.fromhex(public_hex)).hex()[:KEY_ID_LENGTH]


def create_key(*, seal: Seal | None = None, holder=None) -> SealKey:
    """A new current key for ``seal`` or ``holder`` (the caller retired the previous one)."""
    pair = sm2.generate_keypair()
    return SealKey.objects.create(
        seal=seal,
        holder=holder,
        key_id=key_id_of(pair.public_key),
        public_key=pair.public_key,
        sealed_private_key=sm2.seal_private_key(pair.private_key),
    )


def retire(key: SealKey) -> None:
    key.retired_at = timezone.now()
    key.save(update_fields=["retired_at"])
    _known.pop(key.key_id, None)


_KEY_ID = re.compile(f"[0-9a-f]{{{KEY_ID_LENGTH}}}")


@dataclass(frozen=True)
class Known:
    public: str
    retired_at: dt.datetime | None
    fetched: float  # time.monotonic() when read


# Public keys never change and key rows are never deleted, so a key found once is kept for
# the life of the process (verification pages must not query for it every time). Only its
# retirement can still happen: a current key is read again after ``_RECHECK`` seconds.
_known: dict[str, Known] = {}
_known_lock = threading.Lock()
_KNOWN_MAX = 4096
_RECHECK = 60.0


def lookup(key_id: object) -> Known | None:
    """A key's public half and retirement, from the process's memory when it may."""
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        return None
    known = _known.get(key_id)
    now = time.monotonic()
    if known is None or (known.retired_at is None and now - known.fetched > _RECHECK):
        row = SealKey.objects.filter(key_id=key_id).values_list("public_key", "retired_at").first()
        if row is None:
            return None
        known = Known(row[0], row[1], now)
        with _known_lock:
            if len(_known) >= _KNOWN_MAX:
                _known.clear()
            _known[key_id] = known
    return known


class KeyMismatchError(sm2.SealedKeyError):
    """The sealed private key opens but is not the private key of the stored public key."""


def open_key(key: SealKey) -> str:
    """The private key of ``key`` (hex); ``sm2.SealedKeyError`` when it does not open under the
    configured KEK or does not match the public key."""
    private = sm2.open_private_key(key.sealed_private_key)
    if sm2.public_key_of(private) != key.public_key:
        raise KeyMismatchError(f"the sealed private key of {key.key_id} is not its public key's")
    return private
