"""Writing to and verifying the audit chain.

``record`` is called by every action inside its own transaction, so the audit
row commits or rolls back with the change it describes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.gmcrypto.core import sm3_hex

from .context import current_ip
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> str:
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
    entry.hash = sm3_hex(_canonical(entry))
    _append(entry, head)
    return entry


@dataclass
class Verification:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""  # "", "missing", "prev_hash", "altered", "truncated" or "head"
    head_seq: int | None = None  # the head's sequence number, for "truncated"

    @property
    def message(self) -> str:
        """A translated, human-readable outcome for the CLI and the auditor page."""
        if self.ok:
            return _("Audit chain intact: %(count)d entries checked.") % {"count": self.checked}
        params = {"seq": self.broken_seq, "checked": self.checked, "head": self.head_seq}
        if self.reason == "missing":
            text = _(
                "Entry #%(seq)d is missing: it was deleted, or entries were inserted out of order."
            )
        elif self.reason == "prev_hash":
            text = _(
                "Entry #%(seq)d does not link to the entry before it: the chain was reordered or rewritten."
            )
        elif self.reason == "altered":
            text = _(
                "Entry #%(seq)d was altered after it was written: its content no longer matches its hash."
            )
        elif self.reason == "truncated":
            text = _(
                "The newest entries from #%(seq)d on were deleted: the chain head records %(head)d entries."
            )
        elif self.reason == "head":
            text = _(
                "Entries exist after #%(head)d, where the chain head says the chain ends: the head was tampered with."
            )
        else:
            text = _("Entry #%(seq)d failed verification.")
        # Translators: a headline sentence followed by a detail sentence (no space in Chinese).
        return _("%(headline)s %(detail)s") % {
            "headline": _("Audit chain BROKEN at entry #%(seq)d.") % params,
            "detail": text % params,
        }


def verify(batch: int = 5000) -> Verification:
    """Walk the chain in order; report the first altered, deleted or reordered row."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    qs = AuditEntry.objects.order_by("seq")
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return Verification(False, checked, expected_seq, "missing")
            if entry.prev_hash != expected_prev:
                return Verification(False, checked, entry.seq, "prev_hash")
            if sm3_hex(_canonical(entry)) != entry.hash:
                return Verification(False, checked, entry.seq, "altered")
            expected_prev, expected_seq = entry.hash, entry.seq + 1
            checked += 1
        last_seq = rows[-1].seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq > expected_seq - 1:
        return Verification(False, checked, expected_seq, "truncated", head_seq=head.seq)
    if head is not None and head.seq < expected_seq - 1:
        # Rows beyond the recorded head: the head row itself was tampered with.
        return Verification(False, checked, head.seq + 1, "head", head_seq=head.seq)
    return Verification(True, checked)


def in_transaction_record(**kwargs) -> AuditEntry:
    """Convenience for callers with no transaction of their own (e.g. a login)."""
    with transaction.atomic():
        return record(**kwargs)
