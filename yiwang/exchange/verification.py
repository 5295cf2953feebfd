"""Verifying the evidence log: every partition's chain, its head and the checkpoints.

The walk reads entries in (credential, day, seq) order in batches, with the persons each
entry names, and checks per partition that no sequence number is missing, that each entry
links to the one before it and that its HMAC-SM3 under the audit key matches its content;
then that the partition's head agrees with its last entry, and that every signed checkpoint
matches the entry it names. After a break the walk goes on from the stored hash, so
independent breaks are reported independently.

What each kind of tampering looks like:

- an entry (or the persons it names) **edited**: ``altered``;
- an entry **deleted** inside a chain: ``missing`` at its number;
- the newest entries deleted: ``truncated`` (the head says more), or, when the head was
  moved back too, ``checkpoint_truncated`` (a signed checkpoint says more);
- an entry **inserted**: ``altered`` (its hash cannot be made without the key), and
  ``head`` (beyond the head) or ``no_head`` (a partition nobody wrote).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext as _

from yiwang.gmcrypto.core import audit_key

from . import checkpoints
from .chain import GENESIS, link_hash
from .models import EvidenceEntry, EvidenceHead, EvidenceSubject

MAX_PROBLEMS = 1000
Partition = tuple[int, dt.date]


@dataclass(frozen=True)
class Problem:
    partition: Partition | None
    seq: int | None
    reason: str
    head_seq: int | None = None
    line: int | None = None

    @property
    def message(self) -> str:
        credential, day = self.partition or (0, None)
        params = {
            "credential": credential,
            "day": day.isoformat() if day else "",
            "seq": self.seq or 0,
            "head": self.head_seq or 0,
            "line": self.line or 0,
        }
        texts = {
            "missing": _(
                "Credential %(credential)s, %(day)s: entry #%(seq)d is missing (deleted, or "
                "entries were renumbered)."
            ),
            "prev_hash": _(
                "Credential %(credential)s, %(day)s: entry #%(seq)d does not link to the entry "
                "before it."
            ),
            "altered": _(
                "Credential %(credential)s, %(day)s: entry #%(seq)d was altered or inserted: its "
                "content no longer matches its hash."
            ),
            "truncated": _(
                "Credential %(credential)s, %(day)s: the newest entries from #%(seq)d on were "
                "deleted; the head records %(head)d entries."
            ),
            "head": _(
                "Credential %(credential)s, %(day)s: entries exist after #%(head)d, where the "
                "head says the chain ends (inserted entries, or the head was moved back)."
            ),
            "no_head": _(
                "Credential %(credential)s, %(day)s: entries exist in a partition without a "
                "head (inserted entries, or the head was deleted)."
            ),
            "checkpoint": _(
                "Credential %(credential)s, %(day)s: entry #%(seq)d does not match the signed "
                "checkpoint on line %(line)d."
            ),
            "checkpoint_truncated": _(
                "Credential %(credential)s, %(day)s: entries from #%(seq)d on were deleted; the "
                "signed checkpoint on line %(line)d records %(head)d entries."
            ),
            "checkpoint_signature": _(
                "The checkpoint on line %(line)d has an invalid signature: the file was edited, "
                "or it was signed with another audit key."
            ),
            "checkpoint_format": _("Line %(line)d of the checkpoint file is not a checkpoint."),
        }
        return texts[self.reason] % params


@dataclass
class Verification:
    checked: int = 0
    partitions: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def reasons(self) -> list[str]:
        return [p.reason for p in self.problems]

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def message(self) -> str:
        if self.ok:
            return _(
                "Evidence log intact: %(count)d entries in %(partitions)d partitions checked."
            ) % {"count": self.checked, "partitions": self.partitions}
        return _("Evidence log BROKEN: %(problems)d problem(s) in %(count)d entries checked.") % {
            "problems": self.problem_count,
            "count": self.checked,
        }


class _Walk:
    def __init__(self, key: bytes, result: Verification, points: list[checkpoints.Checkpoint]):
        self.key, self.result = key, result
        self.heads: dict[Partition, tuple[int, str]] = {
            (c, d): (s, h)
            for c, d, s, h in EvidenceHead.objects.values_list(
                "credential_id", "day", "seq", "hash"
            )
        }
        self.points: dict[Partition, dict[int, list[checkpoints.Checkpoint]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for point in points:
            self.points[point.partition][point.seq].append(point)
        self.partition: Partition | None = None
        self.expected_seq = 1
        self.expected_prev = GENESIS

    def entry(self, entry: EvidenceEntry, subjects: list[str]) -> None:
        partition = (entry.credential_id, entry.day)
        if partition != self.partition:
            self.finish_partition()
            self.partition, self.expected_seq, self.expected_prev = partition, 1, GENESIS
            self.result.partitions += 1
        add = self.result.add
        if entry.seq != self.expected_seq:
            add(Problem(partition, self.expected_seq, "missing"))
        elif entry.prev_hash != self.expected_prev:
            add(Problem(partition, entry.seq, "prev_hash"))
        if link_hash(entry, subjects, self.key) != entry.hash:
            add(Problem(partition, entry.seq, "altered"))
        self.result.checked += 1
        for point in self.points.get(partition, {}).pop(entry.seq, []):
            if point.hash != entry.hash:
                add(
                    Problem(partition, entry.seq, "checkpoint", head_seq=point.seq, line=point.line)
                )
        self.expected_seq, self.expected_prev = entry.seq + 1, entry.hash

    def finish_partition(self) -> None:
        partition = self.partition
        if partition is None:
            return
        last = self.expected_seq - 1
        head = self.heads.pop(partition, None)
        if head is None:
            self.result.add(Problem(partition, None, "no_head"))
        elif head[0] > last:
            self.result.add(Problem(partition, last + 1, "truncated", head_seq=head[0]))
        elif head[0] < last:
            self.result.add(Problem(partition, head[0] + 1, "head", head_seq=head[0]))
        self._leftover_points(partition, last)
        self.partition = None

    def _leftover_points(self, partition: Partition, last: int) -> None:
        for seq, points in sorted(self.points.pop(partition, {}).items()):
            for point in points:
                reason = "checkpoint_truncated" if seq > last else "checkpoint"
                self.result.add(
                    Problem(
                        partition,
                        last + 1 if seq > last else seq,
                        reason,
                        head_seq=seq,
                        line=point.line,
                    )
                )

    def finish(self) -> None:
        self.finish_partition()
        # Partitions whose every entry is gone: the head or a checkpoint still remembers them.
        for partition, (seq, _hash) in sorted(self.heads.items()):
            if seq > 0:
                self.result.add(Problem(partition, 1, "truncated", head_seq=seq))
        for partition in sorted(self.points):
            self._leftover_points(partition, 0)


def _after(entry: EvidenceEntry) -> Q:
    c, d, s = entry.credential_id, entry.day, entry.seq
    return (
        Q(credential_id__gt=c)
        | Q(credential_id=c, day__gt=d)
        | Q(credential_id=c, day=d, seq__gt=s)
    )


def verify(
    batch: int = 5000, *, checkpoint_file: Path | None = None, key: bytes | None = None
) -> Verification:
    """Walk every partition and the checkpoints; report every edited, deleted or inserted
    entry and every truncated tail. Raises ``MissingKeyError`` when the audit key is unset."""
    key = key if key is not None else audit_key()
    path = checkpoint_file if checkpoint_file is not None else checkpoints.checkpoint_path()
    points, refused = checkpoints.read(path, key)
    result = Verification(checkpoints=len(points))
    for line, reason in refused:
        result.add(Problem(None, None, reason, line=line))
    walk = _Walk(key, result, points)
    qs = EvidenceEntry.objects.order_by("credential_id", "day", "seq")
    last: EvidenceEntry | None = None
    while True:
        rows = list((qs.filter(_after(last)) if last else qs)[:batch])
        if not rows:
            break
        people: dict[int, list[str]] = defaultdict(list)
        for entry_id, index in EvidenceSubject.objects.filter(
            entry_id__in=[r.pk for r in rows]
        ).values_list("entry_id", "subject_index"):
            people[entry_id].append(index)
        for entry in rows:
            walk.entry(entry, people.get(entry.pk, []))
        last = rows[-1]
    walk.finish()
    return result
