"""Re-encrypting personal data under the current SM4 key (key rotation).

Rotation, in short (docs/dev/operations.md#keys): the new key becomes
``YIWANG_SM4_KEY`` and the old one moves to ``YIWANG_SM4_OLD_KEYS``, so every process
writes with the new key and still reads the old ciphertexts; then
``yiwang rotate_keys sm4`` rewrites every value still under an old key.

Every ``EncryptedTextField`` of every installed model is found through the app
registry. Rows are read in primary-key order in batches; each batch's rewrites
and the model's progress (:class:`~yiwang.gmcrypto.models.Reencryption`) commit
together, so a killed run continues after the last committed batch. A value is
replaced only if it is still the ciphertext that was read (compare-and-set), so
a concurrent edit, already written under the new key, is never overwritten.
Plaintext never leaves this process; the audit log records starts, ends and counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from yiwang.audit.actions import record
from yiwang.gmcrypto import core
from yiwang.gmcrypto.fields import EncryptedTextField
from yiwang.gmcrypto.models import Reencryption


class RotationError(RuntimeError):
    """A value cannot be decrypted with any configured key: nothing of its batch is written."""


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    fields: tuple[models.Field, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def encrypted_models() -> list[EncryptedModel]:
    """Every concrete model with encrypted columns in its own table, in a stable order."""
    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        fields = tuple(f for f in opts.local_concrete_fields if isinstance(f, EncryptedTextField))
        if fields:
            found.append(EncryptedModel(model, fields))
    return sorted(found, key=lambda m: m.label)


def key_fingerprint() -> str:
    """Names the current SM4 key in progress rows (not the one-byte id: ids may repeat)."""
    return core.hmac_sm3_hex(core.sm4_keys()[0].enc, "yiwang-sm4-fingerprint")[:16]


def _column(field: models.Field) -> str:
    """The quoted column of a concrete field (Django leaves ``column`` unset only on others)."""
    if field.column is None:
        raise RotationError(f"{field} has no database column.")
    return connection.ops.quote_name(field.column)


def _select_sql(target: EncryptedModel, after: bool) -> str:
    quote = connection.ops.quote_name
    opts = target.model._meta
    columns = ", ".join(_column(f) for f in target.fields)
    pk = _column(opts.pk)
    where = f" WHERE {pk} > %s" if after else ""
    return f"SELECT {pk}, {columns} FROM {quote(opts.db_table)}{where} ORDER BY {pk} LIMIT %s"  # noqa: S608


def _update_sql(target: EncryptedModel, field: models.Field) -> str:
    quote = connection.ops.quote_name
    opts = target.model._meta
    column, pk = _column(field), _column(opts.pk)
    return f"UPDATE {quote(opts.db_table)} SET {column} = %s WHERE {pk} = %s AND {column} = %s"  # noqa: S608


def _stale(target: EncryptedModel, field: models.Field, pk, token: str) -> bool:
    try:
        return core.needs_reencryption(token)
    except core.DecryptionError as exc:
        raise RotationError(
            f"{target.label} #{pk} {field.name}: not a ciphertext ({exc})."
        ) from exc


def _reencrypt(target: EncryptedModel, field: models.Field, pk, token: str) -> str:
    try:
        return core.encrypt(core.decrypt(token))
    except core.DecryptionError as exc:
        raise RotationError(
            f"{target.label} #{pk} {field.name}: no configured SM4 key decrypts this value. "
            "Put the key it was written with into YIWANG_SM4_OLD_KEYS and run again."
        ) from exc


def _batch(target: EncryptedModel, progress: Reencryption, size: int) -> int:
    """Re-encrypt the next batch of one model; returns the number of rows read."""
    with transaction.atomic():
        progress = Reencryption.objects.select_for_update().get(pk=progress.pk)
        params = [size] if progress.last_pk is None else [progress.last_pk, size]
        with connection.cursor() as cur:
            cur.execute(_select_sql(target, progress.last_pk is not None), params)
            rows = cur.fetchall()
        if not rows:
            return 0
        rewritten = 0
        with connection.cursor() as cur:
            for pk, *values in rows:
                for field, token in zip(target.fields, values, strict=True):
                    if not token or not _stale(target, field, pk, token):
                        continue
                    cur.execute(
                        _update_sql(target, field),
                        [_reencrypt(target, field, pk, token), pk, token],
                    )
                    rewritten += cur.rowcount
        pk = rows[-1][0]
        progress.last_pk = pk if isinstance(pk, int | str) else str(pk)
        progress.rows += len(rows)
        progress.rewritten += rewritten
        progress.save(update_fields=["last_pk", "rows", "rewritten"])
        return len(rows)


@transaction.atomic
def _start(target: EncryptedModel, fingerprint: str, actor) -> Reencryption:
    progress, created = Reencryption.objects.get_or_create(
        key_fingerprint=fingerprint, model=target.label
    )
    if created:
        record(
            actor=actor,
            action="gmcrypto.reencryption_started",
            obj=progress,
            after={"model": target.label, "fields": [f.name for f in target.fields]},
        )
    return progress


@transaction.atomic
def _finish(progress: Reencryption, actor) -> None:
    progress.finished_at = timezone.now()
    progress.save(update_fields=["finished_at"])
    record(
        actor=actor,
        action="gmcrypto.reencryption_finished",
        obj=progress,
        after={"model": progress.model, "rows": progress.rows, "rewritten": progress.rewritten},
    )


def rotate_sm4(
    *,
    actor,
    batch: int = 500,
    restart: bool = False,
    progress: Callable[[Reencryption], None] | None = None,
) -> list[Reencryption]:
    """Re-encrypt every encrypted value not under the current key; resumable.

    ``restart`` forgets the recorded progress for the current key and scans again from the
    start (e.g. when a process kept writing with an old key during the run). ``progress``
    is called after every batch.
    """
    fingerprint = key_fingerprint()
    if restart:
        with transaction.atomic():
            Reencryption.objects.filter(key_fingerprint=fingerprint).delete()
            record(actor=actor, action="gmcrypto.reencryption_restarted", after={})
    done = []
    for target in encrypted_models():
        state = _start(target, fingerprint, actor)
        if state.finished_at is None:
            while _batch(target, state, batch):
                state.refresh_from_db()
                if progress:
                    progress(state)
            state.refresh_from_db()
            _finish(state, actor)
        done.append(state)
    return done


def remaining_old_values(batch: int = 2000) -> Iterator[tuple[str, int]]:
    """(model label, values not under the current key) for every model that still has some."""
    for target in encrypted_models():
        remaining, last = 0, None
        while True:
            params = [batch] if last is None else [last, batch]
            with connection.cursor() as cur:
                cur.execute(_select_sql(target, last is not None), params)
                rows = cur.fetchall()
            if not rows:
                break
            for _pk, *values in rows:
                for field, value in zip(target.fields, values, strict=True):
                    remaining += bool(value) and _stale(target, field, _pk, value)
            last = rows[-1][0]
        if remaining:
            yield target.label, remaining
