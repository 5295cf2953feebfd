"""Natural persons, legal persons with their agents (经办人), and staff."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.fields import EncryptedTextField
from yiwang.gmcrypto.masking import mask_id_number, mask_phone
from yiwang.orgs.models import validate_uscc


def validate_resident_id(value: str) -> None:
    try:
        ric.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid resident ID number (check digit, birth date or length is wrong)."),
            code="invalid_resident_id", params={"value": value},
        ) from exc


def validate_mobile(value: str) -> None:
    if not (len(value) == 11 and value.isdigit() and value.startswith("1")):
        raise ValidationError(_("Enter an 11-digit mobile number starting with 1."), code="invalid_phone")


class Kind(models.TextChoices):
    CITIZEN = "citizen", _("Natural person")
    ENTERPRISE = "enterprise", _("Enterprise agent")
    STAFF = "staff", _("Staff")


class RealNameLevel(models.IntegerChoices):
    NONE = 0, _("Not verified")
    BASIC = 1, _("Basic (ID number checked)")
    VERIFIED = 2, _("Verified (phone and ID)")
    IN_PERSON = 3, _("Verified in person")


class User(AbstractUser):
    kind = models.CharField(_("account type"), max_length=12, choices=Kind.choices, default=Kind.CITIZEN)
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("resident ID number"), blank=True, default="")
    id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    phone = EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    realname_level = models.PositiveSmallIntegerField(
        _("real-name level"), choices=RealNameLevel.choices, default=RealNameLevel.NONE
    )
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    elder_mode = models.BooleanField(_("elder-friendly mode"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.username

    def save(self, *args, **kwargs):
        self.id_number_index = blind_index(self.id_number, "id") if self.id_number else ""
        self.phone_index = blind_index(self.phone, "phone") if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_staff_member(self) -> bool:
        return self.kind == Kind.STAFF


class Enterprise(models.Model):
    name = models.CharField(_("name"), max_length=100)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True,
                            validators=[validate_uscc])
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True,
                               verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    agents = models.ManyToManyField(User, through="EnterpriseAgent", related_name="enterprises")

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class EnterpriseAgent(models.Model):
    """A person authorised to act for an enterprise (经办人)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    is_legal_representative = models.BooleanField(_("legal representative"), default=False)
    valid_until = models.DateField(_("authorised until"), null=True, blank=True)

    class Meta:
        unique_together = [("enterprise", "user")]
        verbose_name = _("enterprise agent")
        verbose_name_plural = _("enterprise agents")


class SmsCode(models.Model):
    """A one-time login code; only its hash is stored."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)
