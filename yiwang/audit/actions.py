"""Writing to the audit chain, checkpointing it and resealing a legacy chain.

``record`` is called by every action inside its own transaction, so the audit
row commits or rolls back with the change it describes. Each entry's hash is an
HMAC-SM3 under the audit key (:mod:`yiwang.audit.chain`); verification lives in
:mod:`yiwang.audit.verification` and is re-exported here.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from yiwang.gmcrypto.core import audit_key

from . import checkpoints
from .chain import GENESIS, link_hash, unkeyed_hash
from .context import current_ip
from .models import AuditEntry, AuditHead
from .verification import Problem, Verification, verify

__all__ = [
    "GENESIS",
    "Problem",
    "ResealRefused",
    "Verification",
    "in_transaction_record",
    "record",
    "reseal_chain",
    "unkeyed_chain",
    "verify",
    "write_checkpoint",
]


def _label(obj) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk)
    return type(obj).__name__, str(obj)


def _locked_head() -> AuditHead:
    """The chain's tip, locked until the caller's transaction ends.

    The first append creates the head row; if two first appends race, the loser
    gets an IntegrityError inside a savepoint and then locks the winner's row.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_PG_LOCK_HEAD)
            row = cur.fetchone()
        if row:
            return AuditHead(pk=1, seq=row[0], hash=row[1])
    else:
        head = AuditHead.objects.select_for_update().filter(pk=1)[:1]
        if head:
            return head[0]
    try:
        with transaction.atomic():
            return AuditHead.objects.create(pk=1, seq=0, hash=GENESIS)
    except IntegrityError:
        return AuditHead.objects.select_for_update().get(pk=1)


# Every action of the platform appends here, one at a time: the head stays locked from the
# SELECT until COMMIT, so on PostgreSQL the two statements inside are plain SQL prepared once
# (no ORM compiling while others wait) and the entry and the new head go in one round trip.
_PG_LOCK_HEAD = "SELECT seq, hash FROM audit_audithead WHERE id = 1 FOR UPDATE"
_PG_APPEND = (
    "WITH entry AS ("
    " INSERT INTO audit_auditentry (seq, created_at, actor_id, actor_label, action,"
    " object_type, object_id, summary, ip, prev_hash, hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, seq, hash)"
    " UPDATE audit_audithead SET seq = entry.seq, hash = entry.hash FROM entry"
    " WHERE audit_audithead.id = 1 RETURNING entry.id"
)


def _append(entry: AuditEntry, head: AuditHead) -> None:
    if connection.vendor != "postgresql":
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
        return
    summary = AuditEntry._meta.get_field("summary").get_db_prep_save(entry.summary, connection)
    with connection.cursor() as cur:
        cur.execute(
            _PG_APPEND,
            [
                entry.seq,
                entry.created_at,
                entry.actor_id,
                entry.actor_label,
                entry.action,
                entry.object_type,
                entry.object_id,
                summary,
                entry.ip,
                entry.prev_hash,
                entry.hash,
            ],
        )
        entry.pk = cur.fetchone()[0]
    entry._state.adding, entry._state.db = False, connection.alias


def record(
    *,
    actor,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    **extra,
) -> AuditEntry:
    """Append one entry. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic")
    # Everything that does not depend on the chain's tip is prepared before locking it.
    key = audit_key()
    object_type, object_id = _label(obj)
    summary = {}
    if before is not None:
        summary["before"] = before
    if after is not None:
        summary["after"] = after
    summary.update(extra)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    entry = AuditEntry(
        created_at=timezone.now(),
        actor_id=actor.pk if is_user else None,
        actor_label=(str(actor) if is_user else (actor or "system"))[:100],
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=json.loads(json.dumps(summary, ensure_ascii=False, default=str)),
        ip=ip if ip is not None else current_ip.get(),
    )
    head = _locked_head()
    entry.seq, entry.prev_hash = head.seq + 1, head.hash
    entry.hash = link_hash(entry, key)
    _append(entry, head)
    return entry


def in_transaction_record(**kwargs) -> AuditEntry:
    """Convenience for callers with no transaction of their own (e.g. a login)."""
    with transaction.atomic():
        return record(**kwargs)


def write_checkpoint(*, path=None) -> checkpoints.Checkpoint:
    """Append a signed checkpoint of the chain's current head to the checkpoint file."""
    key = audit_key()
    with transaction.atomic():
        head = AuditHead.objects.filter(pk=1).first()
        seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
        count = AuditEntry.objects.filter(seq__lte=seq).count()
    point = checkpoints.Checkpoint(
        seq=seq, hash=head_hash, count=count, at=timezone.now().isoformat()
    )
    checkpoints.append(path or checkpoints.checkpoint_path(), checkpoints.to_line(point, key))
    return point


class ResealRefused(RuntimeError):
    """The chain cannot be resealed: it is not a clean chain of the unkeyed format."""


def unkeyed_chain() -> bool:
    """True when the chain's first entry is of the unkeyed (plain SM3) format."""
    first = AuditEntry.objects.order_by("seq").first()
    return first is not None and first.hash == unkeyed_hash(first)


_RESEAL = "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s"


@transaction.atomic
def reseal_chain(*, actor, old_key: bytes | None = None, batch: int = 5000) -> int:
    """Re-link the whole chain under the configured audit key; returns the entries relinked.

    Two uses, both with web and worker stopped:

    * ``old_key`` None, once at the upgrade: the chain is of the unkeyed format (plain SM3).
      Refused once a checkpoint exists, so that a chain recomputed without the key later
      cannot be laundered.
    * ``old_key`` given, to replace the audit key (e.g. after a leak): the chain must verify
      completely under the old key, its checkpoints included. The checkpoint file, signed
      with the old key, is then moved aside as evidence and a new one starts.

    Every entry must carry a valid link of the old kind, so nothing tampered with is
    blessed. The head stays locked throughout; an ``audit.resealed`` entry names the
    previous head hash.
    """
    key = audit_key()
    path = checkpoints.checkpoint_path()
    head = _locked_head()
    if old_key is None:
        if path.exists():
            raise ResealRefused("checkpoints exist: the chain is already keyed")
        old_link = unkeyed_hash
    else:
        if old_key == key:
            raise ResealRefused("the old and the new audit key are the same")
        result = verify(batch, key=old_key)
        if not result.ok:
            raise ResealRefused(
                f"the chain does not verify under the old key ({result.problem_count} problem(s))"
            )

        def old_link(entry: AuditEntry) -> str:
            return link_hash(entry, old_key)

    previous_head = head.hash
    old_prev = new_prev = GENESIS
    expected_seq, last_seq = 1, 0
    entries = AuditEntry.objects.order_by("seq")
    while rows := list(entries.filter(seq__gt=last_seq)[:batch]):
        for entry in rows:
            if entry.seq != expected_seq or entry.prev_hash != old_prev:
                raise ResealRefused(f"entry #{expected_seq} is missing or out of order")
            if old_link(entry) != entry.hash:
                raise ResealRefused(f"entry #{entry.seq} does not carry a valid link")
            old_prev = entry.hash
            entry.prev_hash = new_prev
            entry.hash = new_prev = link_hash(entry, key)
            with connection.cursor() as cur:
                cur.execute(_RESEAL, [entry.prev_hash, entry.hash, entry.pk])
            expected_seq = entry.seq + 1
        last_seq = rows[-1].seq
    if last_seq != head.seq or old_prev != previous_head:
        raise ResealRefused("the chain head does not match the last entry")
    AuditHead.objects.filter(pk=1).update(hash=new_prev)
    record(
        actor=actor,
        action="audit.resealed",
        after={
            "entries": last_seq,
            "previous_head": previous_head,
            "from": "unkeyed" if old_key is None else "previous audit key",
        },
    )
    if old_key is not None and path.exists():
        aside = path.with_name(f"{path.name}.{timezone.now():%Y%m%dT%H%M%S}.previous-key")
        transaction.on_commit(lambda: path.rename(aside))
    return last_seq
