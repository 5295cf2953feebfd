"""Verifying a licence file without the server: the file and the issuer's public key suffice.

A licence file is the JSON the platform hands out with every licence (and embeds in its
PDF)::

    {"format": "yiwang-licence/1",
     "metadata": {...},                       # LicenceMetadata.as_dict()
     "signature": {"algorithm": "SM2-with-SM3", "key_id": "…",
                   "public_key": "04…", "value": "<base64 DER>"}}

:func:`verify_file` checks that the metadata are well formed (the identifier and its check
character included) and that the signature over their canonical bytes verifies under the
public key the *verifier* trusts for the issuer — never the key the file carries, which a
forger would simply replace; that key only tells which of the issuer's keys signed. Whether
the licence is still valid (not revoked since) needs the issuer's status: the online check
answers that.

Runs without a database or a configured site: when Django's settings are not configured it
configures the minimum (no translation), so error messages are in English.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ALGORITHM = "SM2-with-SM3"


@dataclass(frozen=True)
class OfflineResult:
    valid: bool
    reason: str  # "ok", or what failed
    identifier: str = ""


def _standalone() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def verify_document(document: Any, issuer_public_key: str) -> OfflineResult:
    """Verify a licence file already read as JSON."""
    _standalone()
    from yiwang.gmcrypto import sm2

    from .metadata import FORMAT, LicenceMetadata, MetadataError

    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return OfflineResult(False, f"not a licence file (format {FORMAT} expected)")
    signature = document.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return OfflineResult(False, f"no {ALGORITHM} signature")
    try:
        metadata = LicenceMetadata.from_dict(document.get("metadata") or {})
    except MetadataError as error:
        return OfflineResult(False, f"malformed metadata: {error}")
    identifier = metadata.identifier
    try:
        value = base64.b64decode(str(signature.get("value", "")), validate=True)
    except (binascii.Error, ValueError):
        return OfflineResult(False, "the signature is not base64", identifier)
    trusted = issuer_public_key.strip().lower()
    carried = str(signature.get("public_key", "")).strip().lower()
    if carried and carried != trusted:
        return OfflineResult(
            False, "signed with another key than the issuer's public key given", identifier
        )
    if not sm2.verify(trusted, metadata.canonical(), value):
        return OfflineResult(
            False, "the signature does not verify: the metadata were altered", identifier
        )
    return OfflineResult(True, "ok", identifier)


def verify_file(path: str | Path, issuer_public_key: str) -> OfflineResult:
    """Verify the licence file at ``path`` (JSON) under the issuer's public key (hex)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return OfflineResult(False, f"cannot read the licence file: {error}")
    return verify_document(document, issuer_public_key)


def licence_file(metadata: Any, *, key_id: str, public_key: str, signature: bytes) -> dict:
    """The licence file for signed metadata (``metadata``: a LicenceMetadata)."""
    from .metadata import FORMAT

    return {
        "format": FORMAT,
        "metadata": metadata.as_dict(),
        "signature": {
            "algorithm": ALGORITHM,
            "key_id": key_id,
            "public_key": public_key,
            "value": base64.b64encode(signature).decode("ascii"),
        },
    }
