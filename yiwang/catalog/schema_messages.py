"""The specific messages of application forms: one per field, chosen by the failing keyword.

``jsonschema`` says which keyword a value breaks; these functions say it the way the
platform always has, e.g. 「经营场所」为必填项, 「从业人员数」须为不小于 1 的整数,
「联系电话」格式不正确（…description…）. Form fields and the API use the same functions.
"""

from __future__ import annotations

from django.utils.translation import gettext


def fmt(value) -> str:
    """Numbers as people write them: 1 not 1.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def choices_of(prop: dict) -> list:
    """The values a choice field offers: its ``enum``, or its items' for multiple choice."""
    if prop.get("type") == "array":
        return list((prop.get("items") or {}).get("enum") or [])
    return list(prop.get("enum") or [])


def label(key: str, prop: dict) -> str:
    return str(prop.get("title") or key)


def number_message(prop: dict, title: str) -> str:
    """“「从业人员数」须为不小于 1 的整数” and friends."""
    integer = prop.get("type") == "integer"
    lo, hi = prop.get("minimum"), prop.get("maximum")
    params = {"title": title, "min": fmt(lo), "max": fmt(hi)}
    if lo is not None and hi is not None:
        msg = (
            gettext("“%(title)s” must be a whole number from %(min)s to %(max)s.")
            if integer
            else gettext("“%(title)s” must be a number from %(min)s to %(max)s.")
        )
    elif lo is not None:
        msg = (
            gettext("“%(title)s” must be a whole number not less than %(min)s.")
            if integer
            else gettext("“%(title)s” must be a number not less than %(min)s.")
        )
    elif hi is not None:
        msg = (
            gettext("“%(title)s” must be a whole number not greater than %(max)s.")
            if integer
            else gettext("“%(title)s” must be a number not greater than %(max)s.")
        )
    else:
        msg = (
            gettext("“%(title)s” must be a whole number.")
            if integer
            else gettext("“%(title)s” must be a number.")
        )
    return msg % params


def required_message(title: str) -> str:
    return gettext("“%(title)s” is required.") % {"title": title}


def tick_message(title: str) -> str:
    return gettext("Please tick “%(title)s”.") % {"title": title}


def enum_message(prop: dict, title: str) -> str:
    return gettext("“%(title)s” must be one of: %(choices)s.") % {
        "title": title,
        "choices": "、".join(fmt(v) for v in choices_of(prop)),
    }


def pattern_message(prop: dict, title: str) -> str:
    if prop.get("description"):
        return gettext("“%(title)s” is not in the right format (%(hint)s).") % {
            "title": title,
            "hint": prop["description"],
        }
    return gettext("“%(title)s” is not in the right format.") % {"title": title}


def date_message(title: str) -> str:
    return gettext("“%(title)s” must be a valid date such as 2026-01-31.") % {"title": title}


def type_message(prop: dict, title: str) -> str:
    kind = prop.get("type")
    if kind in ("integer", "number"):
        return number_message(prop, title)
    if kind == "boolean":
        return gettext("“%(title)s” must be yes or no.") % {"title": title}
    if kind == "array":
        return enum_message(prop, title)
    if prop.get("format") == "date":
        return date_message(title)
    return gettext("“%(title)s” must be text.") % {"title": title}


def keyword_message(keyword: str, prop: dict, title: str, error) -> str:
    """The message for one ``jsonschema`` error on a field, by the failing keyword."""
    if keyword == "required":
        return required_message(title)
    if keyword == "type":
        return type_message(prop, title)
    if keyword == "enum":
        return enum_message(prop, title)
    if keyword in ("minimum", "maximum"):
        return number_message(prop, title)
    if keyword == "maxLength":
        return gettext("“%(title)s” may be at most %(n)d characters long (it has %(len)d).") % {
            "title": title,
            "n": prop["maxLength"],
            "len": len(error.instance),
        }
    if keyword == "minLength":
        return gettext("“%(title)s” must be at least %(n)d characters long.") % {
            "title": title,
            "n": prop["minLength"],
        }
    if keyword == "pattern":
        return pattern_message(prop, title)
    if keyword == "format":
        if prop.get("format") == "date":
            return date_message(title)
        problem = " ".join(getattr(error.cause, "messages", [])) or str(error.cause or "")
        return gettext("“%(title)s”: %(error)s") % {"title": title, "error": problem}
    if keyword == "const":
        return tick_message(title)
    return gettext("“%(title)s” is not valid.") % {"title": title}


# When a value breaks several rules, the first in this order is the one shown.
PRIORITY: tuple[str, ...] = ("required", "type", "enum", "minimum", "maximum", "maxLength")
PRIORITY += ("minLength", "pattern", "format", "const")


def rank(keyword: str) -> int:
    return PRIORITY.index(keyword) if keyword in PRIORITY else len(PRIORITY)


def value_text(value) -> str:
    """A stored form value as text for pages and documents (lists joined with 、)."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return "、".join(fmt(v) for v in value)
    return fmt(value)
