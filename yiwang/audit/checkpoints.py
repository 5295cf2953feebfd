"""Signed checkpoints of the audit chain, appended to a file outside the database.

A keyed chain stops someone with database access from rewriting history, but not
from deleting its newest entries and moving the head back. Checkpoints close that
gap: every hour (``YIWANG_PERIODIC_TASKS``) and on ``yiwang audit checkpoint`` a
line with the head's sequence number and hash, the entry count and the time,
signed with HMAC-SM3 under the audit key, is appended to
``YIWANG_AUDIT_CHECKPOINT_FILE``. ``yiwang audit verify`` checks every line against
the chain. Ship the file to write-once storage or syslog so that it outlives the
database host (docs/dev/operations.md).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from yiwang.gmcrypto.core import hmac_sm3_hex

VERSION = 1
_DOMAIN = "yiwang-audit-checkpoint:"
_SIGNED_FIELDS = ("v", "seq", "hash", "count", "at")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    count: int
    at: str
    line: int = 0  # 1-based line number in the file, 0 when not read from one


def checkpoint_path() -> Path:
    return Path(settings.YIWANG_AUDIT_CHECKPOINT_FILE)


def _signature(fields: dict, key: bytes) -> str:
    payload = json.dumps(
        {name: fields[name] for name in _SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    )
    return hmac_sm3_hex(key, _DOMAIN + payload)


def to_line(checkpoint: Checkpoint, key: bytes) -> str:
    fields = {
        "v": VERSION,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "count": checkpoint.count,
        "at": checkpoint.at,
    }
    fields["sig"] = _signature(fields, key)
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def append(path: Path, line: str) -> None:
    """Append one line; the file is created private (0600) and only ever appended to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


def _parse(text: str, number: int, key: bytes) -> Checkpoint | str:
    """A checkpoint, or the reason the line is refused ("checkpoint_format"/"_signature")."""
    try:
        fields = json.loads(text)
        if fields.get("v") != VERSION:
            return "checkpoint_format"
        checkpoint = Checkpoint(
            seq=int(fields["seq"]),
            hash=str(fields["hash"]),
            count=int(fields["count"]),
            at=str(fields["at"]),
            line=number,
        )
        signature = str(fields["sig"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return "checkpoint_format"
    if _signature(fields, key) != signature:
        return "checkpoint_signature"
    return checkpoint


def read(path: Path, key: bytes) -> tuple[list[Checkpoint], list[tuple[int, str]]]:
    """The file's valid checkpoints, and (line number, reason) for every refused line."""
    checkpoints: list[Checkpoint] = []
    refused: list[tuple[int, str]] = []
    if not path.exists():
        return checkpoints, refused
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            parsed = _parse(text, number, key)
            if isinstance(parsed, Checkpoint):
                checkpoints.append(parsed)
            else:
                refused.append((number, parsed))
    return checkpoints, refused
