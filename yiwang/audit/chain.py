"""The audit chain's link: HMAC-SM3 under the audit key over the canonical entry.

The canonical entry includes ``prev_hash``, so every link commits to the whole
history before it. The key (``YIWANG_AUDIT_KEY``) is held by the application's
environment, not by the database: someone who can write to the database can
change a row, but cannot recompute a chain that verifies.
"""

from __future__ import annotations

import json

from yiwang.gmcrypto.core import hmac_sm3_hex, sm3_hex

from .models import AuditEntry

GENESIS = "0" * 64


def canonical(entry: AuditEntry) -> str:
    return json.dumps(
        [
            entry.seq,
            entry.created_at.isoformat(),
            entry.actor_id,
            entry.actor_label,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.summary,
            entry.ip,
            entry.prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def link_hash(entry: AuditEntry, key: bytes) -> str:
    """The entry's hash as written by :func:`yiwang.audit.actions.record`."""
    return hmac_sm3_hex(key, canonical(entry))


def unkeyed_hash(entry: AuditEntry) -> str:
    """The plain SM3 hash of the first chain format (no key): recognised, never accepted."""
    return sm3_hex(canonical(entry))
