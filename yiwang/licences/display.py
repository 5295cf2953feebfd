"""A licence's fields as pages show them: read from the signed metadata (what the licence
says), labelled, with the holder's ID number or USCC masked. The holder's detail page, the
shared copy and the department's use page draw the same list."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from yiwang.gmcrypto.masking import mask_id_number, mask_uscc

from .metadata import HOLDER_RESIDENT_ID
from .models import Licence


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    mono: bool = False  # codes and numbers, drawn in the monospace face


def masked_holder_code(licence: Licence) -> str:
    code = licence.metadata.get("holder_code", "")
    if licence.metadata.get("holder_code_type") == HOLDER_RESIDENT_ID:
        return mask_id_number(code)
    return mask_uscc(code)


def licence_fields(licence: Licence) -> list[Field]:
    meta = licence.metadata
    resident = meta.get("holder_code_type") == HOLDER_RESIDENT_ID
    fields = [
        Field(_("Licence"), meta.get("name", licence.name)),
        Field(_("Licence number"), meta.get("number", licence.number), mono=True),
        Field(_("Holder"), meta.get("holder_name", "")),
        Field(
            _("Resident ID number") if resident else _("Unified social credit code"),
            masked_holder_code(licence),
            mono=True,
        ),
        Field(_("Issued by"), meta.get("issuer_name", "")),
        Field(_("Issued on"), meta.get("issued_on", "")),
        Field(_("Valid from"), meta.get("valid_from", "")),
        Field(_("Valid until"), meta.get("valid_until") or _("Without limit")),
    ]
    # The type's own fields (扩展业务信息), in the order the type prints them.
    extension = meta.get("extension") or {}
    labels = {f["key"]: f.get("label") or f["key"] for f in licence.licence_type.fields}
    for key in [*labels, *(k for k in extension if k not in labels)]:
        if extension.get(key):
            fields.append(Field(labels.get(key, key), str(extension[key])))
    fields.append(Field(_("Licence identifier"), licence.identifier, mono=True))
    return fields
