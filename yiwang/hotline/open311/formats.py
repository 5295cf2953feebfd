"""Rendering GeoReport v2 responses in JSON and XML (element names from the specification)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.http import HttpResponse, JsonResponse

from yiwang.web.params import strip_control

#: Element name of the items of a list-valued field in XML.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

JSON_TYPE = "application/json"
XML_TYPE = "text/xml; charset=utf-8"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    # XML 1.0 cannot carry control characters: one in a stored text would break the whole list.
    return strip_control(str(value))


def _append(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        child_name = LIST_ITEMS.get(name, "item")
        for item in value:
            _append(element, child_name, item)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, data) -> bytes:
    """``data``: a list of dicts (each an ``item`` element under ``root``) or one dict (``root``'s children)."""
    element = ET.Element(root)
    if isinstance(data, dict):
        for key, value in data.items():
            _append(element, key, value)
    else:
        for row in data:
            _append(element, item or "item", row)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(
    fmt: str, data, *, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, item, data), content_type=XML_TYPE, status=status)
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def errors(fmt: str, code: int, descriptions: Iterable[str]) -> HttpResponse:
    """The specification's error format: ``[{"code": 400, "description": "..."}]``."""
    rows = [{"code": code, "description": str(d)} for d in descriptions]
    return respond(fmt, rows, root="errors", item="error", status=code)
