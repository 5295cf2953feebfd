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

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from . import signed_lines


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    count: int
    at: str
    line: int = 0  # 1-based line number in the file, 0 when not read from one


def _from_fields(fields: dict, number: int) -> Checkpoint:
    return Checkpoint(
        seq=int(fields["seq"]),
        hash=str(fields["hash"]),
        count=int(fields["count"]),
        at=str(fields["at"]),
        line=number,
    )


FORMAT = signed_lines.LineFormat(
    version=1,
    domain="yiwang-audit-checkpoint:",
    signed_fields=("v", "seq", "hash", "count", "at"),
    parse=_from_fields,
)


def checkpoint_path() -> Path:
    return Path(settings.YIWANG_AUDIT_CHECKPOINT_FILE)


def to_line(checkpoint: Checkpoint, key: bytes) -> str:
    fields = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "count": checkpoint.count,
        "at": checkpoint.at,
    }
    return FORMAT.line(fields, key)


def append(path: Path, line: str) -> None:
    """Append one line; the file is created private (0600) and only ever appended to."""
    signed_lines.append(path, [line])


def read(path: Path, key: bytes) -> tuple[list[Checkpoint], list[tuple[int, str]]]:
    """The file's valid checkpoints, and (line number, reason) for every refused line."""
    return FORMAT.read(path, key)
