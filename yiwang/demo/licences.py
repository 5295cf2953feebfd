"""Demo e-licences (``data/licences.json``): the licence types a county issues, linked to the
service items that issue them, and the licences the demo citizens and enterprises hold,
issued through ``licences.actions`` (numbered, signed with the issuer's demo seal). Runs after
the seals. Idempotent: an existing type or a holder's licence of that type is left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yiwang.accounts.models import Enterprise, User
from yiwang.audit.actors import SYSTEM
from yiwang.catalog.models import ServiceItem
from yiwang.licences import actions
from yiwang.licences.actions import Holder, holder_index
from yiwang.licences.models import HolderKind, Licence, LicenceType

from .datafiles import read
from .orgs import departments_by_key

DATA: dict[str, Any] = read("licences")


def _types(departments) -> dict[str, LicenceType]:
    found: dict[str, LicenceType] = {}
    for spec in DATA["types"]:
        issuer = departments.get(spec["issuer"])
        if issuer is None:
            continue
        licence_type, _created = LicenceType.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "definer": spec["definer"],
                "holder_kind": HolderKind(spec["holder"]),
                "validity_years": spec["years"],
                "issuer": issuer,
                "fields": [{"key": name, "label": name} for name in spec["fields"]],
            },
        )
        items = ServiceItem.objects.filter(name__in=spec["items"])
        licence_type.items.add(*items)
        found[spec["code"]] = licence_type
    return found


def _holder(code: str) -> Holder | None:
    if len(code) == 18 and not code.startswith("citizen"):
        enterprise = Enterprise.objects.filter(uscc=code).first()
        return Holder.of_enterprise(enterprise) if enterprise else None
    user = User.objects.filter(username=code).first()
    return Holder.person(user) if user and user.id_number else None


def load_licences(actor) -> int:
    """Issue the demo licences. The types are configured by ``actor`` (the demo admin); the
    licences are issued by the platform itself, as when a case is approved."""
    types = _types(departments_by_key())
    issued = 0
    for spec in DATA["licences"]:
        licence_type = types.get(spec["type"])
        holder = _holder(spec["holder"])
        if licence_type is None or holder is None:
            continue
        held = Licence.objects.filter(
            licence_type=licence_type, holder_index=holder_index(holder.code)
        )
        if held.exists():
            continue
        actions.issue(
            actor=SYSTEM,
            licence_type=licence_type,
            holder=holder,
            valid_from=dt.date.fromisoformat(spec["valid_from"]) if spec["valid_from"] else None,
            fields=spec["fields"],
            number=spec.get("number", ""),
        )
        issued += 1
    return issued
