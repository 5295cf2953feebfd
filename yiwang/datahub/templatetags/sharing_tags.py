"""Badges of data sharing: a request's status and a grant's status."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..sharing.models import GrantStatus, RequestStatus

register = template.Library()

_REQUEST_TONES = {
    RequestStatus.REVIEW: "info",
    RequestStatus.PROVIDER: "info",
    RequestStatus.DISPUTED: "warning",
    RequestStatus.GRANTED: "success",
    RequestStatus.REFUSED: "danger",
    RequestStatus.WITHDRAWN: "muted",
}
_GRANT_TONES = {
    GrantStatus.ACTIVE: "success",
    GrantStatus.REVOKED: "danger",
    GrantStatus.EXPIRED: "muted",
}


@register.filter
def request_badge(value) -> SafeString:
    try:
        status = RequestStatus(value)
    except ValueError:
        return format_html('<span class="badge badge-muted">{}</span>', value)
    return format_html(
        '<span class="badge badge-{}" data-request-status="{}">{}</span>',
        _REQUEST_TONES[status],
        status.value,
        status.label,
    )


@register.filter
def grant_badge(value) -> SafeString:
    try:
        status = GrantStatus(value)
    except ValueError:
        return format_html('<span class="badge badge-muted">{}</span>', value)
    return format_html(
        '<span class="badge badge-{}" data-grant-status="{}">{}</span>',
        _GRANT_TONES[status],
        status.value,
        status.label,
    )
