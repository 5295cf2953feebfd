"""Labels and badges for the catalogue's coded values (snapshots store the codes)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..choices import (
    DataType,
    Grade,
    Mask,
    OpenType,
    ResourceFormat,
    ResourceStatus,
    SharingMethod,
    SharingType,
    UpdateCycle,
)

register = template.Library()

_VOCABULARIES = {
    "data_type": DataType,
    "grade": Grade,
    "mask": Mask,
    "open_type": OpenType,
    "format": ResourceFormat,
    "status": ResourceStatus,
    "sharing_method": SharingMethod,
    "sharing_type": SharingType,
    "update_cycle": UpdateCycle,
}
_SHARING_TONES = {"unconditional": "success", "conditional": "warning", "none": "muted"}
_GRADE_TONES = {
    "g1": "success",
    "g2": "info",
    "g3": "warning",
    "g4": "danger",
    "important": "danger",
    "core": "danger",
}
_STATUS_TONES = {
    "draft": "muted",
    "submitted": "info",
    "returned": "warning",
    "published": "success",
    "withdrawn": "muted",
}


@register.filter
def label(value, vocabulary: str) -> str:
    """``"conditional"|label:"sharing_type"`` → 有条件共享; unknown codes as they are."""
    choices = _VOCABULARIES.get(vocabulary)
    if choices is None or value in (None, ""):
        return "" if value is None else str(value)
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _badge(value, vocabulary: str, tones: dict[str, str], attr: str) -> SafeString:
    if value in (None, ""):
        return SafeString("")
    return format_html(
        '<span class="badge badge-{}" data-{}="{}">{}</span>',
        tones.get(str(value), "info"),
        attr,
        value,
        label(value, vocabulary),
    )


@register.filter
def sharing_badge(value) -> SafeString:
    return _badge(value, "sharing_type", _SHARING_TONES, "sharing")


@register.filter
def grade_badge(value) -> SafeString:
    return _badge(value, "grade", _GRADE_TONES, "grade")


@register.filter
def status_badge(value) -> SafeString:
    return _badge(value, "status", _STATUS_TONES, "status")
