"""Template helpers for the purpose-bound reveal form."""

from django import template

from ..models import PURPOSES

register = template.Library()


@register.simple_tag
def purpose_options(codes: str = "") -> list[tuple[str, str]]:
    """(code, label) of the purposes a form offers: ``codes`` is a comma-separated subset
    (e.g. ``"callback,contact"``), empty for all of them."""
    wanted = [c.strip() for c in (codes or "").split(",") if c.strip()]
    if not wanted:
        return [(code, str(label)) for code, label in PURPOSES.items()]
    return [(code, str(PURPOSES[code])) for code in wanted if code in PURPOSES]
