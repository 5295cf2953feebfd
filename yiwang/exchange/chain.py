"""The evidence chain's link: HMAC-SM3 under the audit key over the canonical entry.

As in the audit chain (``yiwang.audit.chain``) the canonical form includes ``prev_hash``, so
every link commits to its partition's whole history, and the key lives in the application's
environment, not in the database. The persons a call returned (blind indexes, sorted) are
part of the content, so ``EvidenceSubject`` rows cannot be added or removed unnoticed. A
domain prefix keeps these links apart from the audit chain's, which uses the same key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from yiwang.gmcrypto.core import hmac_sm3_hex

from .models import EvidenceEntry

GENESIS = "0" * 64
_DOMAIN = "yiwang-exchange-evidence:"


def canonical(entry: EvidenceEntry, subjects: Iterable[str]) -> str:
    return json.dumps(
        [
            entry.credential_id,
            entry.day.isoformat(),
            entry.seq,
            entry.at.isoformat(),
            entry.grant_id,
            entry.consumer_id,
            entry.provider_id,
            entry.resource_id,
            entry.resource_code,
            entry.resource_name,
            entry.purpose,
            entry.kind,
            entry.fields,
            entry.field_names,
            entry.row_count,
            entry.status,
            entry.outcome,
            entry.request_hash,
            entry.response_hash,
            sorted(set(subjects)),
            entry.prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def link_hash(entry: EvidenceEntry, subjects: Iterable[str], key: bytes) -> str:
    return hmac_sm3_hex(key, _DOMAIN + canonical(entry, subjects))
