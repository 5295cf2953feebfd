"""Natural persons, legal persons with their agents (经办人), and staff."""

import unicodedata

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

from yiwang.gmcrypto.core import blind_index
from yiwang.gmcrypto.fields import EncryptedTextField
from yiwang.gmcrypto.masking import mask_id_number, mask_phone
from yiwang.orgs.models import validate_uscc


def normalise_resident_id(value: str) -> str:
    """Full-width digits to ASCII, no spaces, upper-case X."""
    value = unicodedata.normalize("NFKC", value or "")
    return ric.compact("".join(c for c in value if not c.isspace() and c != "-"))


def normalise_phone(value: str) -> str:
    """Full-width digits to ASCII; drop spaces, hyphens and a +86 / 0086 prefix."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(c for c in value if not c.isspace() and c not in "-()")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix) and len(value) == 11 + len(prefix):
            value = value[len(prefix) :]
    return value


def validate_resident_id(value: str) -> None:
    """Validate an 18-character resident ID number with ``stdnum.cn.ric``, saying what is wrong."""
    number = normalise_resident_id(value)
    params = {"value": number, "length": len(number)}
    if len(number) != 18:
        raise ValidationError(
            _(
                "A resident ID number has 18 characters, but %(value)s has %(length)d. "
                "Check that no digit is missing or repeated."
            ),
            code="invalid_resident_id_length",
            params=params,
        )
    if not isdigits(number[:-1]) or number[-1] not in "0123456789X":
        raise ValidationError(
            _(
                "%(value)s is not a valid resident ID number: the first 17 characters must be digits "
                "and the last one a digit or X."
            ),
            code="invalid_resident_id_format",
            params=params,
        )
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(
            _(
                "%(value)s is not a valid resident ID number: the check digit (the last character) "
                "does not match the other digits. Compare each digit with the ID card."
            ),
            code="invalid_resident_id_checksum",
            params=params,
        )
    try:
        birth = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "%(value)s is not a valid resident ID number: the birth date in it (characters 7 to 14) "
                "is not a real date."
            ),
            code="invalid_resident_id_birth_date",
            params=params,
        ) from exc
    if birth > timezone.localdate():
        raise ValidationError(
            _(
                "%(value)s is not a valid resident ID number: the birth date in it (characters 7 to 14) "
                "is in the future."
            ),
            code="invalid_resident_id_birth_date",
            params=params,
        )
    if not _known_division(number[:6]):
        raise ValidationError(
            _(
                "%(value)s is not a valid resident ID number: the region code in it (the first 6 digits) "
                "is not a county-level administrative division."
            ),
            code="invalid_resident_id_region",
            params=params,
        )


def _known_division(code: str) -> bool:
    """Whether stdnum's division table has ever listed ``code`` as a county.

    Deliberately ignores the years: ``ric.validate`` requires the code to have existed
    in the birth year, but a number carries the code of the place where it was issued.
    大埔县 has been 441422 only since 1988, so every resident born earlier would be refused.
    """
    info = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return bool(info.get("county"))


def validate_mobile(value: str) -> None:
    if not (len(value) == 11 and isdigits(value) and value.startswith("1")):
        raise ValidationError(
            _(
                "%(value)s is not a mobile number: enter the 11 digits of a mainland mobile number, "
                "starting with 1."
            ),
            code="invalid_phone",
            params={"value": value},
        )


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalise_uscc(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "")
    return uscc.compact("".join(c for c in value if not c.isspace() and c != "-"))


def validate_enterprise_uscc(value: str) -> None:
    """Validate a unified social credit code with ``stdnum.cn.uscc``, saying what is wrong."""
    number = normalise_uscc(value)
    params = {"value": number, "length": len(number)}
    if len(number) != 18:
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters, but %(value)s has %(length)d. "
                "Copy it again from the business licence."
            ),
            code="invalid_uscc_length",
            params=params,
        )
    bad = [c for c in number[8:] if c not in USCC_ALPHABET]
    if bad:
        params["char"] = bad[0]
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code: the character “%(char)s” never "
                "occurs in one (codes use digits and capital letters except I, O, S, V and Z). "
                "Copy the code again from the business licence."
            ),
            code="invalid_uscc_character",
            params=params,
        )
    try:
        uscc.validate(number)
    except InvalidChecksum as exc:
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code: the check character (the last "
                "one) does not match the others. Copy the code again from the business licence."
            ),
            code="invalid_uscc_checksum",
            params=params,
        ) from exc
    except StdnumError as exc:
        raise ValidationError(
            _(
                "%(value)s is not a valid unified social credit code: the first 8 characters (registration "
                "authority, organisation type and region code) must be digits."
            ),
            code="invalid_uscc_format",
            params=params,
        ) from exc


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
    kind = models.CharField(
        _("account type"), max_length=12, choices=Kind.choices, default=Kind.CITIZEN
    )
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    id_number = EncryptedTextField(_("resident ID number"), blank=True, default="")
    id_number_index = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    phone = EncryptedTextField(_("mobile phone"), blank=True, default="")
    phone_index = models.CharField(
        max_length=64, blank=True, default="", db_index=True, editable=False
    )
    realname_level = models.PositiveSmallIntegerField(
        _("real-name level"), choices=RealNameLevel.choices, default=RealNameLevel.NONE
    )
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    elder_mode = models.BooleanField(_("elder-friendly mode"), default=False)
    password_changed_at = models.DateTimeField(
        _("password changed at"), null=True, blank=True, editable=False
    )
    # AbstractBaseUser keeps the raw password from set_password() here until the next save;
    # django-stubs does not declare it. An annotation only: nothing changes at run time.
    _password: str | None

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # One account per person and per mobile number (blank = not given).
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index=""),
                name="accounts_user_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["phone_index"],
                condition=~models.Q(phone_index=""),
                name="accounts_user_unique_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    def save(self, *args, **kwargs):
        if self.is_superuser:
            self.kind = Kind.STAFF  # `createsuperuser` knows nothing of account kinds
        self.id_number_index = blind_index(self.id_number, "id") if self.id_number else ""
        self.phone_index = blind_index(self.phone, "phone") if self.phone else ""
        if self._password is not None:  # set_password() since the last save
            self.password_changed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at"}
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
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_uscc]
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
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

    def __str__(self) -> str:
        return f"{self.user} → {self.enterprise}"


class SmsCode(models.Model):
    """A one-time login code; only its hash is stored."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"SmsCode #{self.pk}"


class TotpDevice(models.Model):
    """A staff member's authenticator (RFC 6238 TOTP). Unconfirmed while ``confirmed_at`` is empty.

    A user has at most one confirmed device and one being enrolled; confirming a new one
    replaces the old. ``last_step`` is the last time step accepted, so a code is never
    accepted twice (replay).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_devices")
    secret = EncryptedTextField(_("secret"))
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"TotpDevice #{self.pk} ({self.user_id})"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use recovery code for the second factor; only a keyed hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"])]

    def __str__(self) -> str:
        return f"RecoveryCode #{self.pk}"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords, so a new one cannot repeat them (等保)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"])]

    def __str__(self) -> str:
        return f"PasswordHistory #{self.pk}"
