"""Append-only audit log chained with HMAC-SM3 under the audit key (see ``chain``).

Rows are only ever inserted by :func:`yiwang.audit.actions.record`. The ORM
refuses to update or delete them (``save()`` on an existing row, ``delete()``,
queryset ``update()`` / ``delete()`` / bulk writes all raise
:class:`AppendOnlyError`); anything that bypasses the ORM is caught by
:func:`yiwang.audit.actions.verify`.
"""

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries are append-only: they cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit entries are append-only: they cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit entries are append-only: they cannot be updated")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("audit entries are appended one at a time by audit.actions.record()")

    def _raw_delete(self, using):
        # The deletion collector's fast path: never for audit rows either.
        raise AppendOnlyError("audit entries are append-only: they cannot be deleted")


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    # DO_NOTHING (and no DB constraint): deleting a user must not rewrite
    # actor_id, which is part of the hashed content.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"audit entry #{self.seq} is append-only: it cannot be changed")
        if kwargs.get("update_fields") is not None or kwargs.get("force_update"):
            raise AppendOnlyError("audit entries are append-only: they cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"audit entry #{self.seq} is append-only: it cannot be deleted")

    @property
    def summary_text(self) -> str:
        """The summary as compact JSON with Chinese kept readable."""
        if not self.summary:
            return ""
        return json.dumps(self.summary, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


class AuditHead(models.Model):
    """Single row holding the chain's tip; locking it serialises appends."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
