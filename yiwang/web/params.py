"""Typed parsing of request parameters (query strings and form fields).

A parameter the page itself writes (a hidden ``version``, an id in a ``<select>``) can still
arrive malformed from a tampered form, a stale bookmark or a scanner. ``int("abc")`` in a view
then becomes a server error; these helpers turn it into the client's error instead: they raise
:class:`BadParameter`, a ``BadRequest`` that the 400 handler shows with its specific message
(in the error format of the API or Open311 under their prefixes).

Only ``BadParameter`` messages are shown to the client: they are written here and name the
parameter, never echo more than a short prefix of the value.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext as _

#: The largest id a database integer primary key holds (PostgreSQL bigint, SQLite integer).
MAX_ID = 2**63 - 1
#: How much of a bad value a message repeats.
SHOWN_CHARS = 40


class BadParameter(BadRequest):
    """A request parameter that cannot be parsed; answered with 400 and ``message``."""

    def __init__(self, name: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message)
        self.name = name
        self.message = message
        self.code = code


def shown(value: str) -> str:
    """The start of a bad value, printable, for an error message."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in str(value)[:SHOWN_CHARS])
    return text + ("…" if len(str(value)) > SHOWN_CHARS else "")


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """``value`` as an int written in ASCII digits (optional sign) within the bounds; else None."""
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        return None
    return number


def integer(
    data,
    name: str,
    *,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = MAX_ID,
    required: bool = False,
) -> int | None:
    """The integer parameter ``name`` of ``data`` (a QueryDict or dict).

    Missing or empty gives ``default`` (or a 400 when ``required``); anything else that is not
    a whole number within [minimum, maximum] gives a 400 naming the parameter.
    """
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        if required:
            raise BadParameter(
                name, _("The parameter “%(name)s” is required.") % {"name": name}, "missing"
            )
        return default
    number = parse_int(raw, minimum=minimum, maximum=maximum)
    if number is None:
        raise BadParameter(name, _int_message(name, raw, minimum, maximum))
    return number


def object_id(data, name: str, *, required: bool = True) -> int | None:
    """A database id (1 … 2**63-1) in parameter ``name``."""
    return integer(data, name, minimum=1, required=required)


def _int_message(name: str, raw, minimum: int | None, maximum: int | None) -> str:
    values = {"name": name, "value": shown(raw), "min": minimum, "max": maximum}
    if minimum is not None and maximum is not None and maximum < MAX_ID:
        return (
            _("“%(value)s” is not valid for %(name)s: give a whole number from %(min)s to %(max)s.")
            % values
        )
    if minimum is not None:
        return (
            _("“%(value)s” is not valid for %(name)s: give a whole number of at least %(min)s.")
            % values
        )
    return _("“%(value)s” is not valid for %(name)s: give a whole number.") % values


def finite_decimal(value) -> Decimal | None:
    """``value`` as a finite Decimal (NaN and infinities refused); None when it is not one."""
    text = str(value).strip()
    if not text or len(text) > 100 or not text.isascii():
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


#: Control characters removed from free text (tab, line feed and carriage return are kept).
_CONTROL = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0), 0xFFFE, 0xFFFF]
)


def strip_control(text: str, *, newlines: bool = True) -> str:
    """``text`` without control characters (which XML 1.0 cannot carry and no person types);
    with ``newlines`` False, line breaks and tabs become spaces."""
    text = str(text or "").translate(_CONTROL)
    if not newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return text


def ids(values, *, limit: int = 1000) -> list[int]:
    """The well-formed database ids among ``values`` (a ``getlist``); the others are dropped.

    ``filter(pk__in=…)`` with an id beyond the database's integer range fails on both
    databases, so lists of ids from a request go through here first."""
    out = []
    for value in list(values)[:limit]:
        number = parse_int(value, minimum=1, maximum=MAX_ID)
        if number is not None:
            out.append(number)
    return out


class ModelMultipleIdField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose ids are checked to be database integers before they
    reach ``pk__in`` (an id of 2**70 would otherwise end in a database error)."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            for pk in value if isinstance(value, list | tuple | set | frozenset) else [value]:
                if parse_int(pk, minimum=1, maximum=MAX_ID) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": shown(pk)},
                    )
        # A private hook of ModelMultipleChoiceField (after the required and list checks) that
        # django-stubs does not declare.
        return super()._check_values(value)  # type: ignore[misc]
