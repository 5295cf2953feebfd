"""Re-sealing every SM2 private key under a new key-encryption key (KEK rotation).

Each ``SealKey``'s private key is opened under the previous KEK, checked against the stored
public key, sealed under the configured ``YIWANG_SIGNING_KEK``, opened again and made to sign
and verify a test message: only a key proven usable replaces the old token. Everything runs
in one transaction with the key rows locked, so signatures wait and a single failure leaves
every key as it was. A key that already opens under the new KEK (one made after the
processes switched to it) is left alone. Audited as ``seals.reseal_keys``, with counts and
the KEKs' one-byte ids, never key material.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from yiwang.audit.actions import record
from yiwang.gmcrypto import core, sm2

from .models import SealKey

_PROBE = b"yiwang reseal_signing_keys"


class ResealError(Exception):
    """Re-sealing is refused or failed; nothing was changed."""


@dataclass(frozen=True)
class ResealReport:
    resealed: int
    already: int  # already under the new KEK


def old_kek_from_env(variable: str) -> core.Sm4Key:
    """The previous KEK from the environment variable named ``variable``."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise ResealError(f"The environment variable {variable} is not set or empty.")
    try:
        return core.kek_from_hex(variable, value)
    except ValueError as exc:
        raise ResealError(str(exc)) from exc


def _open(key: SealKey, kek: core.Sm4Key) -> str | None:
    try:
        private = sm2.open_private_key(key.sealed_private_key, kek)
    except sm2.SealedKeyError:
        return None
    if sm2.public_key_of(private) != key.public_key:
        raise ResealError(f"The private key of {key.key_id} is not its public key's.")
    return private


def _proven(private: str, public: str) -> bool:
    return sm2.verify(public, _PROBE, sm2.sign(private, _PROBE))


def reseal_all(old: core.Sm4Key, *, actor) -> ResealReport:
    """Re-seal every key sealed under ``old`` under the configured KEK, or none."""
    new = core.signing_kek()
    if (old.enc, old.mac) == (new.enc, new.mac):
        raise ResealError("The old KEK is the configured YIWANG_SIGNING_KEK: nothing to re-seal.")
    resealed = already = 0
    with transaction.atomic():
        for key in SealKey.objects.select_for_update().order_by("pk"):
            private = _open(key, old)
            if private is None:
                if _open(key, new) is not None:
                    already += 1
                    continue
                raise ResealError(
                    f"The private key of {key.key_id} opens neither under the old KEK nor under "
                    "YIWANG_SIGNING_KEK: is the old KEK the right one?"
                )
            token = sm2.seal_private_key(private)
            reopened = sm2.open_private_key(token)
            if reopened != private or not _proven(reopened, key.public_key):
                raise ResealError(f"The re-sealed private key of {key.key_id} does not sign.")
            key.sealed_private_key = token
            key.save(update_fields=["sealed_private_key"])
            resealed += 1
        record(
            actor=actor,
            action="seals.reseal_keys",
            after={
                "resealed": resealed,
                "already": already,
                "old_kek_id": old.id,
                "new_kek_id": new.id,
            },
        )
    return ResealReport(resealed=resealed, already=already)
