"""``{% load hotline_config %}``: whether the user may open the hotline configuration pages
(used for links on other hotline pages without changing their views)."""

from django import template

from yiwang.hotline import config

register = template.Library()


@register.filter
def can_configure_hotline(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and config.can_configure(user)
