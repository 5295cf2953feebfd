from django import template

register = template.Library()


@register.simple_tag
def field_label(schema: dict, key: str) -> str:
    """The form field's title from the item's JSON Schema, falling back to its key."""
    return ((schema or {}).get("properties", {}).get(key) or {}).get("title", key)
