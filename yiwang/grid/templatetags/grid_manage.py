"""``{% load grid_manage %}``: whether to show links to the grid registry back office."""

from django import template

from yiwang.grid import actions

register = template.Library()


@register.filter
def may_manage_grid_registry(user) -> bool:
    """The rule of ``grid.actions`` (superusers, the data authority, dispatchers)."""
    return actions.may_manage_registry(user)
