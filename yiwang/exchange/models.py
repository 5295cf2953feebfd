"""Machine credentials per grant and the evidence log of every exchange call.

``Credential``: what a consumer system signs its requests with (one live credential per
grant; issuing a new one revokes the old). The secret is SM4-encrypted at rest and shown to
the data administrator once.

``EvidenceEntry``: one row per call, chained with HMAC-SM3 under the audit key (see
``chain``). The chain is not one global list: each **partition** (credential, day) has its
own chain and its own ``EvidenceHead``, so calls of different clients (or of one client on
different days) never wait on the same locked row. ``EvidenceSubject`` names, by the blind
index of their ID number, the persons whose rows a call returned (never the number itself),
so a citizen can see which departments read their data.

Evidence rows are only ever inserted by :func:`yiwang.exchange.evidence.append`. Like the
audit log, the ORM refuses to update or delete them; whatever bypasses the ORM is caught by
``yiwang verify_evidence``. Their foreign keys carry no database constraint and are never
cascaded: the ids are part of the hashed content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.gmcrypto.fields import EncryptedTextField


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove evidence through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("evidence is append-only: it cannot be updated")

    def delete(self):
        raise AppendOnlyError("evidence is append-only: it cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("evidence is append-only: it cannot be updated")

    def _raw_delete(self, using):
        raise AppendOnlyError("evidence is append-only: it cannot be deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("update_fields") is not None:
            raise AppendOnlyError("evidence is append-only: it cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("evidence is append-only: it cannot be deleted")


class Credential(models.Model):
    grant = models.ForeignKey(
        "datahub.Grant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grant"),
    )
    #: Public: sent in ``X-Yiwang-Client``.
    client_id = models.CharField(_("client id"), max_length=40, unique=True)
    #: The HMAC-SM3 key; SM4-encrypted at rest, shown once when issued.
    secret = EncryptedTextField(_("secret"))
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    #: Written at most once a minute by the API (not a hot row).
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exchange credential")
        verbose_name_plural = _("exchange credentials")
        indexes = [models.Index(fields=["grant", "revoked_at"])]

    def __str__(self) -> str:
        return self.client_id

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _loose(model: str, verbose_name, related_name: str = "+") -> models.ForeignKey:
    """A reference kept as evidence: no database constraint, never cascaded."""
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class Kind(models.TextChoices):
    LOOKUP = "lookup", _("Lookup by key")
    PAGE = "page", _("Query with filters")


class EvidenceEntry(AppendOnlyModel):
    # --- the partition and its chain ---
    credential = _loose("exchange.Credential", _("credential"))
    day = models.DateField(_("day"))
    seq = models.PositiveBigIntegerField(_("sequence"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # --- the call ---
    at = models.DateTimeField(_("time"))
    grant = _loose("datahub.Grant", _("grant"))
    consumer = _loose("orgs.Department", _("consumer department"))
    provider = _loose("orgs.Department", _("provider"))
    resource = _loose("datahub.Resource", _("resource"))
    resource_code = models.CharField(_("resource code"), max_length=12)
    resource_name = models.CharField(_("resource name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    kind = models.CharField(
        pgettext_lazy("exchange call", "kind"), max_length=10, choices=Kind.choices
    )
    #: The columns delivered (or asked for, when refused), comma-separated in item order.
    fields = models.CharField(_("fields"), max_length=2000, blank=True)
    #: Their item names at the time of the call, for pages (``、``-separated).
    field_names = models.CharField(_("field names"), max_length=4000, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    #: ``ok`` or the problem code of the refusal (``quota_exceeded``, ``bad_signature``, …).
    outcome = models.CharField(_("outcome"), max_length=40)
    #: SM3 of the string-to-sign (covers method, path and query, time, nonce and body).
    request_hash = models.CharField(_("request hash"), max_length=64)
    #: SM3 of the body sent back.
    response_hash = models.CharField(_("response hash"), max_length=64)

    class Meta:
        ordering = ["credential_id", "day", "seq"]
        verbose_name = _("exchange evidence entry")
        verbose_name_plural = _("exchange evidence entries")
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "day", "seq"], name="exchange_evidence_partition_seq"
            )
        ]
        indexes = [
            models.Index(fields=["provider", "day"]),
            models.Index(fields=["consumer", "day"]),
            models.Index(fields=["grant", "day"]),
            models.Index(fields=["resource", "day"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.credential_id}/{self.day}#{self.seq} {self.outcome}"

    @property
    def field_list(self) -> list[str]:
        return [f for f in self.fields.split(",") if f]


class EvidenceHead(models.Model):
    """The tip of one partition's chain; locked only while one call of that client appends."""

    credential = _loose("exchange.Credential", _("credential"))
    day = models.DateField(_("day"))
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    #: The head's ``seq`` when it was last written to the checkpoint file.
    checkpointed_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("exchange evidence head")
        verbose_name_plural = _("exchange evidence heads")
        constraints = [
            models.UniqueConstraint(fields=["credential", "day"], name="exchange_head_partition")
        ]

    def __str__(self) -> str:
        return f"{self.credential_id}/{self.day} head #{self.seq}"


class EvidenceSubject(AppendOnlyModel):
    """A person whose row a call returned, by the blind index of their ID number."""

    entry = _loose("exchange.EvidenceEntry", _("evidence entry"), related_name="subjects")
    subject_index = models.CharField(max_length=64)
    #: The call's time again, so a person's list is read from one index.
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("person whose data was read")
        verbose_name_plural = _("persons whose data was read")
        constraints = [
            models.UniqueConstraint(fields=["entry", "subject_index"], name="exchange_subject_once")
        ]
        indexes = [models.Index(fields=["subject_index", "at"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.subject_index[:8]}…"
