"""Password policy beyond Django's validators, as 等保 2.0 level 3 asks.

* Staff (and superusers) choose at least 10 characters of at least three of the four
  classes upper case, lower case, digits and symbols; everyone else at least 8 characters
  with letters and digits. Django's common-password list stays in front of both.
* A new password may not repeat any of the last five. The history is written by the
  ``password_changed`` hook Django calls after every saved ``set_password``, so every
  path that sets a password (actions, admin, ``createsuperuser``) keeps it.
* Staff passwords expire after ``YIWANG_STAFF_PASSWORD_MAX_AGE_DAYS`` (``is_expired``);
  ``middleware.PasswordExpiryMiddleware`` then allows nothing but changing it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import PasswordHistory


def is_staff_account(user) -> bool:
    """Whether the staff rules apply: staff accounts, superusers and Django admin users."""
    if user is None:
        return False
    return bool(
        getattr(user, "kind", "") == "staff"
        or getattr(user, "is_superuser", False)
        or getattr(user, "is_staff", False)
    )


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols ``password`` uses."""
    upper = any(c.isupper() for c in password)
    lower = any(c.islower() for c in password)
    digit = any(c.isdigit() for c in password)
    symbol = any(not (c.isupper() or c.islower() or c.isdigit()) for c in password)
    return upper + lower + digit + symbol


class PasswordPolicyValidator:
    """Length and character classes: stricter for staff than for citizens."""

    def __init__(
        self, staff_min_length: int = 10, staff_min_classes: int = 3, citizen_min_length: int = 8
    ):
        self.staff_min_length = staff_min_length
        self.staff_min_classes = staff_min_classes
        self.citizen_min_length = citizen_min_length

    def validate(self, password: str, user=None) -> None:
        if is_staff_account(user):
            self._validate_staff(password)
        else:
            self._validate_citizen(password)

    def _validate_staff(self, password: str) -> None:
        if len(password) < self.staff_min_length:
            raise ValidationError(
                ngettext(
                    "Staff passwords need at least %(min)d character; this one has %(length)d.",
                    "Staff passwords need at least %(min)d characters; this one has %(length)d.",
                    self.staff_min_length,
                ),
                code="password_too_short",
                params={"min": self.staff_min_length, "length": len(password)},
            )
        if character_classes(password) < self.staff_min_classes:
            raise ValidationError(
                _(
                    "Staff passwords must mix at least %(min)d of these four: capital letters, "
                    "small letters, digits and symbols (such as @ # . !)."
                ),
                code="password_classes",
                params={"min": self.staff_min_classes},
            )

    def _validate_citizen(self, password: str) -> None:
        if len(password) < self.citizen_min_length:
            raise ValidationError(
                ngettext(
                    "The password needs at least %(min)d character; this one has %(length)d.",
                    "The password needs at least %(min)d characters; this one has %(length)d.",
                    self.citizen_min_length,
                ),
                code="password_too_short",
                params={"min": self.citizen_min_length, "length": len(password)},
            )
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(
                _("The password must contain both letters and digits."), code="password_classes"
            )

    def get_help_text(self) -> str:
        return _(
            "At least %(citizen)d characters with letters and digits; staff accounts at least "
            "%(staff)d characters mixing %(classes)d of capital letters, small letters, digits "
            "and symbols."
        ) % {
            "citizen": self.citizen_min_length,
            "staff": self.staff_min_length,
            "classes": self.staff_min_classes,
        }


class PasswordHistoryValidator:
    """Refuse the last ``count`` passwords; remember each new one when it is saved."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent(self, user):
        return PasswordHistory.objects.filter(user_id=user.pk).order_by("-id")[: self.count]

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.count <= 0:
            return
        encoded = [row.password for row in self._recent(user)]
        if not encoded and user.has_usable_password():
            encoded = [user.password]  # a password set before the history existed
        if any(check_password(password, value) for value in encoded):
            raise ValidationError(
                ngettext(
                    "You used this password before. Choose one that differs from your last "
                    "%(count)d password.",
                    "You used this password before. Choose one that differs from your last "
                    "%(count)d passwords.",
                    self.count,
                ),
                code="password_reused",
                params={"count": self.count},
            )

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.count <= 0 or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        keep = list(self._recent(user).values_list("id", flat=True))
        PasswordHistory.objects.filter(user_id=user.pk).exclude(id__in=keep).delete()

    def get_help_text(self) -> str:
        return ngettext(
            "It may not be the same as your last password.",
            "It may not be the same as any of your last %(count)d passwords.",
            self.count,
        ) % {"count": self.count}


def max_age() -> datetime.timedelta | None:
    days = getattr(settings, "YIWANG_STAFF_PASSWORD_MAX_AGE_DAYS", 0)
    return datetime.timedelta(days=days) if days and days > 0 else None


def is_expired(user) -> bool:
    """Whether a staff member's password is older than the configured maximum age.

    An unknown change date (accounts without a usable password, rows older than the
    field) does not count as expired; the migration that added it set it to its own date.
    """
    limit = max_age()
    if limit is None or not is_staff_account(user):
        return False
    changed = getattr(user, "password_changed_at", None)
    return changed is not None and changed + limit <= timezone.now()
