from django import template

from yiwang.cases import deadlines

register = template.Library()


@register.simple_tag
def field_label(schema: dict, key: str) -> str:
    """The form field's title from the item's JSON Schema, falling back to its key."""
    return ((schema or {}).get("properties", {}).get(key) or {}).get("title", key)


@register.simple_tag
def case_deadlines(case, as_staff=False) -> list:
    """The case's deadlines named by their meaning (cases.deadlines.shown_deadlines)."""
    return deadlines.shown_deadlines(case, as_staff=bool(as_staff))


@register.inclusion_tag("cases/_next_deadline.html")
def next_deadline(case) -> dict:
    """For lists: the deadline the case must meet next, with what it is (受理期限/承诺办结)."""
    return {"d": deadlines.next_deadline(case)}
