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

The file may also be a licence PDF (``rendering.render_pdf``): the licence file it embeds as
``<identifier>.json`` is verified. That proves the embedded file, not the printed page: a
page edited around an intact attachment still passes, so compare the page with the signed
fields :func:`report` prints, or upload the PDF to the verify page, which compares the SM3
digest of the whole file with the issued one.

Runs without a database or a configured site: when Django's settings are not configured it
configures the minimum (no translation), so messages are in English. From a shell::

    python -m yiwang.licences.offline FILE --public-key HEX_OR_PATH   # exit 0 when genuine
"""

from __future__ import annotations

import argparse
import base64
import binascii
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ALGORITHM = "SM2-with-SM3"
NOT_EMBEDDED = "no licence file embedded in the PDF"


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


class LicenceFileError(ValueError):
    """The file cannot be read as a licence file (the message says why, in English)."""


def load_file(path: str | Path) -> Any:
    """The licence file at ``path`` read as JSON: the file itself, or the one a licence PDF
    embeds. ``LicenceFileError`` when there is none to read."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise LicenceFileError(f"cannot read the licence file: {error}") from error
    if b"%PDF-" in data[:1024]:  # where the PDF standard allows the header
        return _embedded(data)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LicenceFileError(f"cannot read the licence file: {error}") from error


def _embedded(pdf: bytes) -> Any:
    """The licence file among a PDF's attachments (exactly one, or it is refused)."""
    from pypdf import PdfReader

    from .metadata import FORMAT

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        contents = [
            (name, data)
            for name, versions in attachments.items()
            if name.lower().endswith(".json")
            for data in versions
        ]
    except Exception as error:  # pypdf raises many kinds on a damaged file; all mean "unreadable"
        raise LicenceFileError(f"cannot read the PDF: {error}") from error
    found, broken = [], []
    for name, data in contents:
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            broken.append(f"the embedded file {name} is not JSON (altered?): {error}")
            continue
        if isinstance(document, dict) and document.get("format") == FORMAT:
            found.append(document)
    if len(found) > 1:
        # Which one would a reader take for "the" licence? Refuse rather than guess.
        raise LicenceFileError("more than one licence file embedded in the PDF")
    if found:
        return found[0]
    raise LicenceFileError(broken[0] if broken else NOT_EMBEDDED)


def verify_file(path: str | Path, issuer_public_key: str) -> OfflineResult:
    """Verify the licence file at ``path`` (JSON, or a licence PDF embedding it) under the
    issuer's public key (hex)."""
    try:
        document = load_file(path)
    except LicenceFileError as error:
        return OfflineResult(False, str(error))
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


# --- from the command line ------------------------------------------------------------------


def public_key_argument(value: str) -> str:
    """``--public-key``: the key in hex, or the path of a file holding it."""
    path = Path(value)
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return value.strip()


def report(path: str | Path, issuer_public_key: str) -> tuple[OfflineResult, list[str]]:
    """The result of verifying ``path`` and the lines that tell a person what it means: for
    a genuine file, the signed fields to compare with the printed page."""
    _standalone()
    from django.utils.translation import gettext as _

    try:
        document = load_file(path)
    except LicenceFileError as error:
        result = OfflineResult(False, str(error))
    else:
        result = verify_document(document, issuer_public_key)
    if not result.valid:
        return result, [_("Not genuine: %(reason)s") % {"reason": result.reason}]
    meta = document["metadata"]
    return result, [
        _(
            "Genuine: signed with the issuer's key and not altered since. Whether the licence "
            "is still valid (not suspended or revoked) only the online check can tell."
        ),
        f"  {_('Licence identifier')}: {meta['identifier']}",
        f"  {_('Licence')}: {meta['name']}",
        f"  {_('Licence number')}: {meta['number']}",
        f"  {_('Holder')}: {meta['holder_name']}",
        f"  {_('Issued by')}: {meta['issuer_name']}",
        f"  {_('Valid from')}: {meta['valid_from']}",
        f"  {_('Valid until')}: {meta.get('valid_until') or _('Without limit')}",
    ]


def main(argv: list[str] | None = None) -> int:
    """``python -m yiwang.licences.offline FILE --public-key KEY``: 0 when genuine, else 1."""
    parser = argparse.ArgumentParser(
        prog="python -m yiwang.licences.offline",
        description="Verify a licence file (JSON) or licence PDF with the issuer's public key.",
    )
    parser.add_argument("file", help="the licence file (.json) or the licence PDF")
    parser.add_argument(
        "--public-key",
        required=True,
        help="the issuer's SM2 public key (hex, 04…), or a file holding it",
    )
    args = parser.parse_args(argv)
    result, lines = report(args.file, public_key_argument(args.public_key))
    print("\n".join(lines), file=sys.stdout if result.valid else sys.stderr)
    return 0 if result.valid else 1


if __name__ == "__main__":
    sys.exit(main())
