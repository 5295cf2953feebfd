"""E-licence identifiers (电子证照标识, GB/T 36904): building, parsing, the check character.

    1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>

* type code (证照类型代码): the defining authority's unified social credit code (18
  characters) and three digits it assigns, e.g. ``11100000000013338W032``;
* issuer code: the issuing authority's unified social credit code, e.g.
  ``11220000013544541J``;
* serial: the issuer's sequence number, e.g. ``2430599``. The standard leaves its shape to
  the issuer; here it is 1 to 32 digits or capital letters, the check's alphabet;
* version: three digits, ``001`` for the first issue, one more for each renewal or change;
* check: ISO 7064 MOD 37,36 (the hybrid system, ``stdnum.iso7064.mod_37_36``) over the
  concatenation type code + issuer code + serial + version, with the alphabet ``0-9A-Z``
  (capital letters, values 10 to 35). Neither the root ``1.2.156.3005.2`` nor the dots
  enter the computation. This straightforward reading reproduces the check character ``F``
  of the example in the e-licence identifier row of STANDARDS.md,
  ``1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F``; other readings
  do not (the root's digits in front give ``W``; the dots kept, as a 37th character, ``G``).

Both codes in that example pass the GB 32100 check of ``stdnum.cn.uscc``, so the USCC parts
are validated in full (length, alphabet without I O S V Z, check character).

The canonical text is in capitals. :func:`parse` also takes small ASCII letters (a
hand-typed verification address) and surrounding spaces, and normalises them; nothing else.

Error messages go through gettext at the time they are raised, so parsing needs Django's
settings configured (as any ``yiwang`` command has them).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.iso7064 import mod_37_36

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # mod_37_36's default, spelled out
MAX_SERIAL = 32
MAX_VERSION = 999

_ROOT_PARTS = ROOT.split(".")
_PARTS = len(_ROOT_PARTS) + 5
_USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")
_TYPE_SHAPE = re.compile(r"[0-9A-Z]{18}[0-9]{3}")
_SERIAL_SHAPE = re.compile(rf"[0-9A-Z]{{1,{MAX_SERIAL}}}")
_VERSION_SHAPE = re.compile(r"[0-9]{3}")
# ASCII only: str.upper() would turn "ß" into "SS" and make a foreign character valid.
_CAPITALS = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


class IdentifierError(ValueError):
    """A licence identifier, or a part of one, is malformed. The message says which part."""


class PrefixError(IdentifierError):
    pass


class PartCountError(IdentifierError):
    pass


class TypeCodeError(IdentifierError):
    pass


class IssuerCodeError(IdentifierError):
    pass


class SerialError(IdentifierError):
    pass


class VersionError(IdentifierError):
    pass


class CheckCharacterError(IdentifierError):
    pass


def check_character(payload: str) -> str:
    """The MOD 37,36 check character of type code + issuer code + serial + version."""
    if not payload or payload.strip(ALPHABET):
        raise ValueError("a check character is computed over digits and capital letters only")
    return mod_37_36.calc_check_digit(payload, alphabet=ALPHABET)


def _check_type_code(value: str) -> None:
    if not _TYPE_SHAPE.fullmatch(value):
        raise TypeCodeError(
            _(
                "The licence type code must be 21 characters: the defining authority's "
                "unified social credit code (18) followed by 3 digits."
            )
        )
    if not uscc.is_valid(value[:18]):
        raise TypeCodeError(
            _(
                "The licence type code does not start with a valid unified social credit "
                "code of the defining authority."
            )
        )


def _check_issuer_code(value: str) -> None:
    if not _USCC_SHAPE.fullmatch(value) or not uscc.is_valid(value):
        raise IssuerCodeError(
            _("The issuer code must be the issuing authority's unified social credit code.")
        )


def _check_serial(value: str) -> None:
    if not _SERIAL_SHAPE.fullmatch(value):
        raise SerialError(_("The serial number must be 1 to 32 digits or capital letters."))


def _check_version(value: str) -> None:
    if not _VERSION_SHAPE.fullmatch(value) or value == "000":
        raise VersionError(_("The version must be three digits, from 001 to 999."))


@dataclass(frozen=True)
class LicenceIdentifier:
    """A valid identifier's parts; the check character is computed, never stored."""

    type_code: str
    issuer_code: str
    serial: str
    version: str = "001"

    def __post_init__(self) -> None:
        # Every instance is valid, however it was made: the parts are checked here.
        _check_type_code(self.type_code)
        _check_issuer_code(self.issuer_code)
        _check_serial(self.serial)
        _check_version(self.version)

    @classmethod
    def build(
        cls, type_code: str, issuer_code: str, serial: str | int, version: str | int = 1
    ) -> LicenceIdentifier:
        """An identifier from its parts: capitals, a numeric version padded to three digits."""
        if isinstance(version, int):
            version = f"{version:03d}" if 0 < version <= MAX_VERSION else str(version)
        return cls(
            type_code.translate(_CAPITALS),
            issuer_code.translate(_CAPITALS),
            str(serial).translate(_CAPITALS),
            version,
        )

    @property
    def payload(self) -> str:
        return self.type_code + self.issuer_code + self.serial + self.version

    @property
    def check(self) -> str:
        return check_character(self.payload)

    def __str__(self) -> str:
        parts = (ROOT, self.type_code, self.issuer_code, self.serial, self.version, self.check)
        return ".".join(parts)

    def next_version(self) -> LicenceIdentifier:
        """The identifier of the licence that renews or changes this one."""
        number = int(self.version) + 1
        if number > MAX_VERSION:
            raise VersionError(_("There is no version after 999."))
        return LicenceIdentifier(self.type_code, self.issuer_code, self.serial, f"{number:03d}")


def parse(text: str) -> LicenceIdentifier:
    """The identifier in ``text``; an IdentifierError subclass saying what is wrong.

    A wrong check character is reported as not matching; the expected one is not told.
    """
    parts = text.strip().translate(_CAPITALS).split(".")
    if parts[: len(_ROOT_PARTS)] != _ROOT_PARTS:
        raise PrefixError(_("A licence identifier starts with %(root)s.") % {"root": ROOT})
    if len(parts) != _PARTS:
        raise PartCountError(
            _(
                "A licence identifier has five parts after %(root)s: the licence type code, "
                "the issuer code, the serial number, the version and the check character."
            )
            % {"root": ROOT}
        )
    type_code, issuer_code, serial, version, check = parts[len(_ROOT_PARTS) :]
    identifier = LicenceIdentifier(type_code, issuer_code, serial, version)
    if len(check) != 1 or check not in ALPHABET:
        raise CheckCharacterError(_("The check character must be one digit or capital letter."))
    if check != identifier.check:
        raise CheckCharacterError(
            _("The check character does not match: the identifier is mistyped or altered.")
        )
    return identifier
