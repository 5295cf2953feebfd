"""Demo data resource catalogue of 大埔县 (``data/datahub.json``), loaded through
``datahub.actions``: the base registries (人口, 法人单位, 电子证照, 社会信用) and department
resources, published; one resource waiting for review and one draft.

Idempotent: a resource is identified by its name and provider; one that exists is left as it
is. The platform acts as ``actor`` (the demo's ``SystemActor``), which passes as the data
authority.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from yiwang.datahub import actions
from yiwang.datahub.models import Resource

from .datafiles import read
from .orgs import departments_by_key

_DATA = read("datahub")

#: The resources in load order (related resources name earlier ones).
RESOURCES: list[dict[str, Any]] = _DATA["resources"]


def _fields(spec: dict[str, Any], provider) -> dict[str, Any]:
    fields = {name: spec[name] for name in actions.METADATA_FIELDS if name in spec}
    fields["provider"] = provider
    return fields


def load_datahub(actor) -> dict[str, int]:
    """Create what is missing; returns how many resources were created and published."""
    actions.ensure_reference_data(actor=actor)  # a flushed test database has none
    departments = departments_by_key()
    existing = {(r.name, r.provider_id): r for r in Resource.objects.all()}
    codes = {name: r.code for (name, _provider), r in existing.items()}
    created = published = 0
    for spec in RESOURCES:
        provider = departments[spec["provider"]]
        if (spec["name"], provider.pk) in existing:
            continue
        with transaction.atomic():
            resource = actions.create_resource(
                actor=actor,
                items=spec["items"],
                key_item=spec["key_item"],
                related=[codes[name] for name in spec.get("related", [])],
                **_fields(spec, provider),
            )
            if spec["status"] in ("submitted", "published"):
                actions.submit(actor=actor, resource=resource)
            if spec["status"] == "published":
                actions.publish(actor=actor, resource=resource)
                published += 1
        codes[spec["name"]] = resource.code
        created += 1
    return {"resources": created, "published": published}
