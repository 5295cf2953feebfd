"""Verifying the audit chain: every break, not only the first.

The walk reads the chain in ``seq`` order in batches and checks, for each entry,
that no sequence number is missing, that it links to the entry before it and
that its HMAC-SM3 under the audit key matches its content; then that the head
row agrees with the last entry, and that every signed checkpoint matches the
entry it names. After a break the walk continues from the stored hash, so
independent breaks are reported independently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from yiwang.gmcrypto.core import audit_key

from . import checkpoints
from .chain import GENESIS, link_hash, unkeyed_hash
from .models import AuditEntry, AuditHead

# Problems kept in memory and shown; the count goes on beyond it.
MAX_PROBLEMS = 1000

REASONS = (
    "missing",
    "prev_hash",
    "altered",
    "unkeyed",
    "truncated",
    "head",
    "checkpoint",
    "checkpoint_truncated",
    "checkpoint_signature",
    "checkpoint_format",
)


@dataclass(frozen=True)
class Problem:
    seq: int | None
    reason: str  # one of REASONS
    head_seq: int | None = (
        None  # "truncated"/"head": the head's seq; "checkpoint_*": the checkpoint's
    )
    line: int | None = None  # "checkpoint*": line number in the checkpoint file

    @property
    def message(self) -> str:
        params = {"seq": self.seq or 0, "head": self.head_seq or 0, "line": self.line or 0}
        texts = {
            "missing": _(
                "Entry #%(seq)d is missing: it was deleted, or entries were inserted out of order."
            ),
            "prev_hash": _(
                "Entry #%(seq)d does not link to the entry before it: the chain was reordered or rewritten."
            ),
            "altered": _(
                "Entry #%(seq)d was altered after it was written: its content no longer matches its hash."
            ),
            "unkeyed": _(
                "Entry #%(seq)d carries a plain SM3 hash instead of an HMAC under the audit key: "
                "it was recomputed without the key, or it predates the keyed chain and was "
                "never resealed."
            ),
            "truncated": _(
                "The newest entries from #%(seq)d on were deleted: the chain head records %(head)d entries."
            ),
            "head": _(
                "Entries exist after #%(head)d, where the chain head says the chain ends: the head was tampered with."
            ),
            "checkpoint": _(
                "Entry #%(seq)d does not match the signed checkpoint on line %(line)d: "
                "the chain was rewritten after the checkpoint."
            ),
            "checkpoint_truncated": _(
                "The newest entries from #%(seq)d on were deleted: the signed checkpoint on "
                "line %(line)d records %(head)d entries."
            ),
            "checkpoint_signature": _(
                "The checkpoint on line %(line)d has an invalid signature: the checkpoint file "
                "was edited, or it was signed with another audit key."
            ),
            "checkpoint_format": _("Line %(line)d of the checkpoint file is not a checkpoint."),
        }
        return texts.get(self.reason, _("Entry #%(seq)d failed verification.")) % params


@dataclass
class Verification:
    checked: int
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    checkpoints: int = 0  # valid checkpoints compared with the chain

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    # The first problem, for callers that show one headline.
    @property
    def broken_seq(self) -> int | None:
        return self.problems[0].seq if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""

    @property
    def head_seq(self) -> int | None:
        return self.problems[0].head_seq if self.problems else None

    @property
    def reasons(self) -> list[str]:
        return [p.reason for p in self.problems]

    @property
    def message(self) -> str:
        """A translated headline for the CLI and the auditor page; details in ``problems``."""
        if self.ok:
            return _("Audit chain intact: %(count)d entries checked.") % {"count": self.checked}
        return _(
            "Audit chain BROKEN: %(problems)d problem(s) found in %(count)d entries checked."
        ) % {"problems": self.problem_count, "count": self.checked}


class _Walk:
    """State of one pass over the chain."""

    def __init__(self, key: bytes, result: Verification, points: list[checkpoints.Checkpoint]):
        self.key = key
        self.result = result
        self.expected_prev: str | None = GENESIS
        self.expected_seq = 1
        self.by_seq: dict[int, list[checkpoints.Checkpoint]] = defaultdict(list)
        for point in points:
            self.by_seq[point.seq].append(point)

    def entry(self, entry: AuditEntry) -> None:
        add = self.result.add
        if entry.seq != self.expected_seq:
            add(Problem(self.expected_seq, "missing"))
        elif self.expected_prev is not None and entry.prev_hash != self.expected_prev:
            add(Problem(entry.seq, "prev_hash"))
        if link_hash(entry, self.key) != entry.hash:
            add(Problem(entry.seq, "unkeyed" if unkeyed_hash(entry) == entry.hash else "altered"))
        self.result.checked += 1
        for point in self.by_seq.pop(entry.seq, ()):
            if point.hash != entry.hash or point.count != self.result.checked:
                add(Problem(entry.seq, "checkpoint", head_seq=point.seq, line=point.line))
        self.expected_prev, self.expected_seq = entry.hash, entry.seq + 1

    def finish(self) -> None:
        last = self.expected_seq - 1
        head = AuditHead.objects.filter(pk=1).first()
        if head is not None and head.seq > last:
            self.result.add(Problem(last + 1, "truncated", head_seq=head.seq))
        elif head is not None and head.seq < last:
            # Rows beyond the recorded head: the head row itself was tampered with.
            self.result.add(Problem(head.seq + 1, "head", head_seq=head.seq))
        for seq in sorted(self.by_seq):
            for point in self.by_seq[seq]:
                if seq == 0 and point.hash == GENESIS:
                    continue  # a checkpoint of the empty chain
                if seq > last:
                    self.result.add(
                        Problem(last + 1, "checkpoint_truncated", head_seq=seq, line=point.line)
                    )
                else:  # the entry it names is missing
                    self.result.add(Problem(seq, "checkpoint", head_seq=seq, line=point.line))


def verify(
    batch: int = 5000, *, checkpoint_file: Path | None = None, key: bytes | None = None
) -> Verification:
    """Walk the chain and the checkpoints; report every altered, deleted or reordered row.

    ``key`` defaults to the configured audit key; raises
    :class:`yiwang.gmcrypto.core.MissingKeyError` when that is not set.
    """
    key = key if key is not None else audit_key()
    path = checkpoint_file if checkpoint_file is not None else checkpoints.checkpoint_path()
    points, refused = checkpoints.read(path, key)
    result = Verification(checked=0, checkpoints=len(points))
    for line, reason in refused:
        result.add(Problem(None, reason, line=line))
    walk = _Walk(key, result, points)
    last_seq = 0
    qs = AuditEntry.objects.order_by("seq")
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch])
        if not rows:
            break
        for entry in rows:
            walk.entry(entry)
        last_seq = rows[-1].seq
    walk.finish()
    return result
