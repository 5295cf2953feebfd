"""E-seals (C8): a department's seals and the SM2 keys they sign with.

``Seal``: one seal of a department (公章, 行政审批专用章, …) with its picture. A seal is never
deleted; it is deactivated, and then signs nothing.

``SealKey``: an SM2 key pair. The private key is stored only sealed under
``YIWANG_SIGNING_KEK`` (``gmcrypto.sm2.seal_private_key``); ``key_id`` is the first 16 hex
digits of SM3 over the public key's bytes, the name a signature carries. A key belongs to a
seal or, as a staff member's personal signing key, to a ``holder`` (exactly one of the two).
At most one key per seal (and per holder) is current (``retired_at`` empty); rotation retires
it and makes another. Retired keys are kept for good, so that every signature ever made can
still be verified: the ORM refuses to delete key rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Length of a key id: 64 bits of SM3(public key), in hex.
KEY_ID_LENGTH = 16


class SealKind(models.TextChoices):
    """What a seal is for (the picture prints ``PURPOSE_WORDS``, not these labels)."""

    OFFICIAL = "official", pgettext_lazy("seal kind", "Official seal")
    APPROVAL = "approval", pgettext_lazy("seal kind", "Administrative approval seal")
    LICENCE = "licence", pgettext_lazy("seal kind", "E-licence seal")
    BUSINESS = "business", pgettext_lazy("seal kind", "Business seal")


#: The words a seal of each kind carries below its star, as printed (data, not UI text: the
#: picture reads the same whatever the reader's language). An official seal carries none.
PURPOSE_WORDS: dict[str, str] = {
    SealKind.OFFICIAL: "",
    SealKind.APPROVAL: "行政审批专用章",
    SealKind.LICENCE: "电子证照专用章",
    SealKind.BUSINESS: "业务专用章",
}


class ImageSource(models.TextChoices):
    GENERATED = "generated", pgettext_lazy("seal image", "Generated")
    UPLOADED = "uploaded", pgettext_lazy("seal image", "Uploaded")


class Seal(models.Model):
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="seals",
        verbose_name=_("department"),
    )
    #: The seal's full name, e.g. 大埔县市场监督管理局 or 大埔县市场监督管理局行政审批专用章.
    name = models.CharField(_("seal name"), max_length=60)
    kind = models.CharField(_("seal kind"), max_length=20, choices=SealKind.choices)
    image = models.FileField(_("seal image"), upload_to="seals/", max_length=200)
    image_source = models.CharField(
        _("image source"), max_length=20, choices=ImageSource.choices, default=ImageSource.GENERATED
    )
    image_sha256 = models.CharField(_("image SHA-256"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["department", "id"]
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        constraints = [
            # Two live seals of one department with the same name and kind could not be told
            # apart on a document; a deactivated one may be replaced by a new one.
            models.UniqueConstraint(
                fields=["department", "name", "kind"],
                condition=Q(active=True),
                name="seals_seal_unique_active",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SealKeyQuerySet(models.QuerySet):
    def delete(self):
        raise models.ProtectedError(
            "seal keys are kept for good: old signatures must stay verifiable", set()
        )

    def _raw_delete(self, using):
        raise models.ProtectedError("seal keys are kept for good", set())


class SealKey(models.Model):
    seal = models.ForeignKey(
        Seal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="keys",
        verbose_name=_("seal"),
    )
    #: The staff member whose personal signing key this is (a seal's key has none).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_keys",
        verbose_name=_("holder"),
    )
    key_id = models.CharField(_("key id"), max_length=KEY_ID_LENGTH, unique=True)
    public_key = models.CharField(_("public key"), max_length=130)
    #: ``gmcrypto.sm2.seal_private_key`` of the private key; never the key itself.
    sealed_private_key = models.TextField(_("sealed private key"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = SealKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("seal key")
        verbose_name_plural = _("seal keys")
        constraints = [
            models.CheckConstraint(
                condition=(Q(seal__isnull=False) & Q(holder__isnull=True))
                | (Q(seal__isnull=True) & Q(holder__isnull=False)),
                name="seals_key_one_owner",
            ),
            models.UniqueConstraint(
                fields=["seal"],
                condition=Q(retired_at__isnull=True, seal__isnull=False),
                name="seals_key_one_current_per_seal",
            ),
            models.UniqueConstraint(
                fields=["holder"],
                condition=Q(retired_at__isnull=True, holder__isnull=False),
                name="seals_key_one_current_per_holder",
            ),
        ]

    def __str__(self) -> str:
        return self.key_id

    @property
    def current(self) -> bool:
        return self.retired_at is None

    def delete(self, *args, **kwargs):
        raise models.ProtectedError(
            "seal keys are kept for good: old signatures must stay verifiable", {self}
        )
