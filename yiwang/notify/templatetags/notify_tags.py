"""``{% load notify_tags %}{% unread_count user as n %}`` for the site header."""

from django import template

from ..models import Message

register = template.Library()


@register.simple_tag
def unread_count(user) -> int:
    """Unread notices of ``user`` (0 for anonymous users). One indexed COUNT query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
