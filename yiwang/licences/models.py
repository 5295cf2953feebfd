"""Licence types, issued licences and their signed lifecycle (C7, GB/T 36901–36906).

A ``Licence`` row is one version of a licence: renewal and change issue a new version (a new
identifier, ``previous`` pointing at the one it replaces). Its ``metadata`` are the signed
GB/T 36903 fields (``metadata.LicenceMetadata``), its ``signature`` the issuing department's
seal over their canonical bytes. The status lives beside them: every change of status is a
``LicenceEvent`` signed on its own, so the record of what happened is as verifiable as the
licence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.gmcrypto.fields import EncryptedTextField


class HolderKind(models.TextChoices):
    PERSON = "person", _("Natural person")
    ENTERPRISE = "enterprise", _("Legal entity")


class Status(models.TextChoices):
    """GB/T 36903 status codes."""

    VALID = "01", pgettext_lazy("licence status", "Valid")
    SUSPENDED = "02", pgettext_lazy("licence status", "Suspended")
    REVOKED = "03", pgettext_lazy("licence status", "Revoked")
    CANCELLED = "04", pgettext_lazy("licence status", "Cancelled")
    EXPIRED = "05", pgettext_lazy("licence status", "Expired")
    TRANSFERRED = "06", pgettext_lazy("licence status", "Transferred out")
    WITHDRAWN = "07", pgettext_lazy("licence status", "Withdrawn")
    OTHER = "99", pgettext_lazy("licence status", "Other")


class Operation(models.TextChoices):
    ISSUE = "issue", pgettext_lazy("licence operation", "issued")
    RENEW = "renew", pgettext_lazy("licence operation", "renewed")
    CHANGE = "change", pgettext_lazy("licence operation", "changed")
    SUSPEND = "suspend", pgettext_lazy("licence operation", "suspended")
    RESTORE = "restore", pgettext_lazy("licence operation", "restored")
    EXPIRE = "expire", pgettext_lazy("licence operation", "expired")
    CANCEL = "cancel", pgettext_lazy("licence operation", "cancelled")
    REVOKE = "revoke", pgettext_lazy("licence operation", "revoked")
    REPLACED = "replaced", pgettext_lazy("licence operation", "replaced by a new version")


class LicenceType(models.Model):
    """A kind of licence a county issues, configured as data."""

    code = models.CharField(
        _("licence type code"),
        max_length=21,
        unique=True,
        help_text=_("The defining authority's unified social credit code and three digits."),
    )
    name = models.CharField(_("name"), max_length=100)
    definer = models.CharField(_("defining authority"), max_length=100)
    holder_kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    #: Years from the first day of validity; None: valid without limit (长期有效).
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), null=True, blank=True)
    issuer = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="licence_types",
        verbose_name=_("issuing department"),
    )
    items = models.ManyToManyField(
        "catalog.ServiceItem",
        blank=True,
        related_name="licence_types",
        verbose_name=_("service items that issue it"),
    )
    #: [{"key": "经营场所", "label": "经营场所"}, ...]: the type's own fields (扩展业务信息),
    #: printed on the licence in this order.
    fields = models.JSONField(_("licence fields"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("licence type")
        verbose_name_plural = _("licence types")

    def __str__(self) -> str:
        return self.name


class SerialCounter(models.Model):
    """The last serial an issuer gave a licence type (locked while a licence is numbered)."""

    licence_type = models.OneToOneField(
        LicenceType, on_delete=models.CASCADE, related_name="serial_counter"
    )
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.licence_type_id}: {self.last}"


class Licence(models.Model):
    identifier = models.CharField(_("licence identifier"), max_length=100, unique=True)
    licence_type = models.ForeignKey(
        LicenceType,
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("licence type"),
    )
    serial = models.CharField(_("serial"), max_length=32)
    version = models.CharField(_("version"), max_length=3)
    number = models.CharField(_("licence number"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    issuer = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="licences",
        verbose_name=_("issuing department"),
    )
    holder_kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    holder_name = models.CharField(_("holder name"), max_length=200)
    #: The resident ID number or USCC: personal for a person, so encrypted at rest.
    holder_code = EncryptedTextField(_("holder code"))
    holder_index = models.CharField(max_length=64, db_index=True, editable=False)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("holder's account"),
    )
    holder_enterprise = models.ForeignKey(
        "accounts.Enterprise",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("holder enterprise"),
    )
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=2, choices=Status.choices, default=Status.VALID
    )
    status_changed_at = models.DateTimeField(_("status changed"))
    #: The signed GB/T 36903 fields (LicenceMetadata.as_dict()).
    metadata = models.JSONField(_("metadata"))
    signature = models.TextField(_("signature"))  # base64 DER, SM2 over metadata.canonical()
    key_id = models.CharField(_("signing key"), max_length=32)
    #: The rendered PDF (Chinese text, seal image, QR code; the licence file embedded) and the
    #: SM3 digest of its bytes: an uploaded copy is the issued one only if the digests match.
    document = models.FileField(_("licence document"), upload_to="licences/%Y/%m/", blank=True)
    document_sm3 = models.CharField(max_length=64, blank=True, editable=False)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("replaces"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("e-licence")
        verbose_name_plural = _("e-licences")
        indexes = [
            models.Index(fields=["status", "valid_until"], name="licence_expiry"),
            models.Index(fields=["licence_type", "status"], name="licence_type_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.identifier}"


class LicenceEvent(models.Model):
    """One signed change in a licence's life (issue, suspension, revocation …)."""

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="events", verbose_name=_("licence")
    )
    operation = models.CharField(_("operation"), max_length=10, choices=Operation.choices)
    status = models.CharField(_("status after"), max_length=2, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    #: The canonical JSON of (identifier, operation, status, reason, at) and its signature.
    statement = models.TextField(_("signed statement"))
    signature = models.TextField(_("signature"))
    key_id = models.CharField(_("signing key"), max_length=32)

    class Meta:
        ordering = ["id"]
        verbose_name = _("licence event")
        verbose_name_plural = _("licence events")

    def __str__(self) -> str:
        return f"{self.licence_id} {self.operation} {self.at:%Y-%m-%d}"


class UseGrant(models.Model):
    """A holder's consent (用证授权): a department may read the holder's licences of one type,
    for a stated purpose, until a day; the holder can take it back at any time. The scope is
    the type, not one version, so a renewed licence stays covered."""

    holder_kind = models.CharField(_("holder"), max_length=10, choices=HolderKind.choices)
    holder_index = models.CharField(max_length=64, db_index=True, editable=False)
    holder_name = models.CharField(_("holder name"), max_length=200)
    licence_type = models.ForeignKey(
        LicenceType, on_delete=models.PROTECT, related_name="grants", verbose_name=_("licence type")
    )
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="licence_grants",
        verbose_name=_("department"),
    )
    purpose = models.CharField(_("purpose of use"), max_length=200)
    expires_on = models.DateField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted on"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("licence use grant")
        verbose_name_plural = _("licence use grants")

    def __str__(self) -> str:
        return f"{self.licence_type_id} → {self.department_id} ({self.purpose})"


class UseBasis(models.TextChoices):
    GRANT = "grant", _("Holder's grant")
    CASE = "case", _("Case of the holder")


class LicenceUse(models.Model):
    """One reading of a licence by a department (用证记录), shown to the holder."""

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="uses", verbose_name=_("licence")
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    purpose = models.CharField(_("purpose of use"), max_length=200)
    basis = models.CharField(_("basis"), max_length=10, choices=UseBasis.choices)
    grant = models.ForeignKey(
        UseGrant, on_delete=models.PROTECT, null=True, blank=True, related_name="uses"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("licence use")
        verbose_name_plural = _("licence uses")

    def __str__(self) -> str:
        return f"{self.licence_id} {self.department_id} {self.purpose}"


class AnnotatedCopy(models.Model):
    """A time-limited copy of a licence the holder shares with a stated purpose (加注件): the
    copy says what it may be used for and until when, and stops opening after that."""

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="copies", verbose_name=_("licence")
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(_("purpose of use"), max_length=200)
    expires_at = models.DateTimeField(_("valid until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    created_at = models.DateTimeField(_("shared on"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("annotated copy")
        verbose_name_plural = _("annotated copies")

    def __str__(self) -> str:
        return f"{self.licence_id} {self.purpose}"
