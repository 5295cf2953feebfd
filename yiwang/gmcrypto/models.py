"""Progress of re-encrypting personal data under a new SM4 key (``yiwang rotate_keys sm4``, run by
``yiwang.privacy.key_rotation``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reencryption(models.Model):
    """How far one model's encrypted columns are re-encrypted under one key.

    One row per (target key, model). ``last_pk`` moves forward in the same
    transaction as the batch it covers, so a killed run continues where it stopped.
    """

    key_fingerprint = models.CharField(_("key fingerprint"), max_length=16)
    model = models.CharField(_("model"), max_length=100)
    last_pk = models.JSONField(_("last primary key done"), null=True, blank=True)
    rows = models.PositiveBigIntegerField(_("rows read"), default=0)
    rewritten = models.PositiveBigIntegerField(_("values re-encrypted"), default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("re-encryption")
        verbose_name_plural = _("re-encryptions")
        constraints = [
            models.UniqueConstraint(
                fields=["key_fingerprint", "model"], name="gmcrypto_reencryption_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} → {self.key_fingerprint}"
