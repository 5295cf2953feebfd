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
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from yiwang.audit import signed_lines
from yiwang.gmcrypto.core import audit_key

from .models import EvidenceHead


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


def _from_fields(fields: dict, number: int) -> Checkpoint:
    return Checkpoint(
        credential=int(fields["credential"]),
        day=dt.date.fromisoformat(str(fields["day"])),
        seq=int(fields["seq"]),
        hash=str(fields["hash"]),
        at=str(fields["at"]),
        line=number,
    )


FORMAT = signed_lines.LineFormat(
    version=1,
    domain="yiwang-exchange-checkpoint:",
    signed_fields=("v", "credential", "day", "seq", "hash", "at"),
    parse=_from_fields,
)


def checkpoint_path() -> Path:
    return Path(
        getattr(
            settings,
            "YIWANG_EXCHANGE_CHECKPOINT_FILE",
            Path(settings.VAR_DIR) / "exchange-checkpoints.jsonl",
        )
    )


def to_line(point: Checkpoint, key: bytes) -> str:
    fields = {
        "credential": point.credential,
        "day": point.day.isoformat(),
        "seq": point.seq,
        "hash": point.hash,
        "at": point.at,
    }
    return FORMAT.line(fields, key)


def read(path: Path, key: bytes) -> tuple[list[Checkpoint], list[tuple[int, str]]]:
    """The file's valid checkpoints, and (line number, reason) for every refused line."""
    return FORMAT.read(path, key)


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
    signed_lines.append(path or checkpoint_path(), lines)
    for pk, _c, _d, seq, _h in heads:
        EvidenceHead.objects.filter(pk=pk, checkpointed_seq__lt=seq).update(checkpointed_seq=seq)
    return len(heads)
