"""Signed checkpoints of the evidence partitions, appended to a file outside the database.

The keyed chain stops someone with database access from rewriting a partition, not from
deleting its newest entries and moving its head back (or deleting a whole partition).
Checkpoints close that gap as they do for the audit chain (``yiwang.audit.checkpoints``):
every hour (``YIWANG_PERIODIC_TASKS``) each partition whose head moved since the last
checkpoint gets one line ``{credential, day, seq, hash, at}`` signed with HMAC-SM3 under the
audit key, in ``YIWANG_EXCHANGE_CHECKPOINT_FILE``. ``yiwang verify_evidence`` checks every
line against the chains. Ship the file to write-once storage with the audit checkpoints.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from yiwang.gmcrypto.core import audit_key, hmac_sm3_hex

from .models import EvidenceHead

VERSION = 1
_DOMAIN = "yiwang-exchange-checkpoint:"
_SIGNED_FIELDS = ("v", "credential", "day", "seq", "hash", "at")


@dataclass(frozen=True)
class Checkpoint:
    credential: int
    day: dt.date
    seq: int
    hash: str
    at: str
    line: int = 0  # 1-based line number in the file, 0 when not read from one

    @property
    def partition(self) -> tuple[int, dt.date]:
        return self.credential, self.day


def checkpoint_path() -> Path:
    return Path(
        getattr(
            settings,
            "YIWANG_EXCHANGE_CHECKPOINT_FILE",
            Path(settings.VAR_DIR) / "exchange-checkpoints.jsonl",
        )
    )


def _signature(fields: dict, key: bytes) -> str:
    payload = json.dumps(
        {name: fields[name] for name in _SIGNED_FIELDS}, sort_keys=True, separators=(",", ":")
    )
    return hmac_sm3_hex(key, _DOMAIN + payload)


def to_line(point: Checkpoint, key: bytes) -> str:
    fields: dict = {
        "v": VERSION,
        "credential": point.credential,
        "day": point.day.isoformat(),
        "seq": point.seq,
        "hash": point.hash,
        "at": point.at,
    }
    fields["sig"] = _signature(fields, key)
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def append_lines(path: Path, lines: list[str]) -> None:
    """Append ``lines`` at once; the file is created private (0600) and only appended to."""
    if not lines:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write("".join(line + "\n" for line in lines))
        out.flush()
        os.fsync(out.fileno())


def _parse(text: str, number: int, key: bytes) -> Checkpoint | str:
    """A checkpoint, or why the line is refused (``checkpoint_format``/``_signature``)."""
    try:
        fields = json.loads(text)
        if fields.get("v") != VERSION:
            return "checkpoint_format"
        point = Checkpoint(
            credential=int(fields["credential"]),
            day=dt.date.fromisoformat(str(fields["day"])),
            seq=int(fields["seq"]),
            hash=str(fields["hash"]),
            at=str(fields["at"]),
            line=number,
        )
        signature = str(fields["sig"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return "checkpoint_format"
    if _signature(fields, key) != signature:
        return "checkpoint_signature"
    return point


def read(path: Path, key: bytes) -> tuple[list[Checkpoint], list[tuple[int, str]]]:
    """The file's valid checkpoints, and (line number, reason) for every refused line."""
    points: list[Checkpoint] = []
    refused: list[tuple[int, str]] = []
    if not path.exists():
        return points, refused
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            parsed = _parse(text, number, key)
            if isinstance(parsed, Checkpoint):
                points.append(parsed)
            else:
                refused.append((number, parsed))
    return points, refused


def write_checkpoint(*, path: Path | None = None) -> int:
    """Append a signed line for every partition whose head moved since its last checkpoint;
    returns how many were written. Heads are read as committed (each head moves with its
    entry in one transaction), without locking them."""
    key = audit_key()
    at = timezone.now().isoformat()
    heads = list(
        EvidenceHead.objects.filter(seq__gt=F("checkpointed_seq"))
        .order_by("credential_id", "day")
        .values_list("pk", "credential_id", "day", "seq", "hash")
    )
    lines = [
        to_line(Checkpoint(credential=c, day=d, seq=s, hash=h, at=at), key)
        for _pk, c, d, s, h in heads
    ]
    append_lines(path or checkpoint_path(), lines)
    for pk, _c, _d, seq, _h in heads:
        EvidenceHead.objects.filter(pk=pk, checkpointed_seq__lt=seq).update(checkpointed_seq=seq)
    return len(heads)
