"""Helpers shared by the catalogue actions: permission errors, locking, code allocation,
writing the items table and the published snapshot."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from ..choices import ResourceStatus
from ..models import SEQUENCE_DIGITS, Classification, DataItem, Resource
from ..permissions import can_manage_provider, is_authority
from ._validation import ITEM_FIELDS, CleanItem

MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1


def deny_provider(resource_or_department) -> PermissionDenied:
    department = getattr(resource_or_department, "provider", resource_or_department)
    return PermissionDenied(
        _("Only the data administrator of %(department)s or the data authority can do this.")
        % {"department": getattr(department, "name", "")}
    )


def deny_authority() -> PermissionDenied:
    return PermissionDenied(_("Only the data authority can do this."))


def require_provider_admin(actor, resource: Resource) -> None:
    if not can_manage_provider(actor, resource.provider):
        raise deny_provider(resource)


def require_authority(actor) -> None:
    if not is_authority(actor):
        raise deny_authority()


def lock(resource: Resource) -> Resource:
    """Re-read ``resource`` under a row lock and copy it back onto the caller's instance."""
    fresh = (
        Resource.objects.select_for_update(of=("self",))
        .select_related("provider", "provider__region", "classification")
        .get(pk=resource.pk)
    )
    for f in fresh._meta.concrete_fields:
        setattr(resource, f.attname, getattr(fresh, f.attname))
    resource.provider = fresh.provider
    resource.classification = fresh.classification
    return resource


def require_status(resource: Resource, allowed, verb: str) -> None:
    if resource.status not in allowed:
        raise ValidationError(
            _("Resource %(code)s is %(status)s: it cannot be %(verb)s now.")
            % {"code": resource.code, "status": resource.get_status_display(), "verb": verb},
            code="transition_not_allowed",
        )


def allocate(classification: Classification) -> tuple[int, str]:
    """The next sequence number (顺序码) of ``classification`` and the resource code."""
    Classification.objects.select_for_update().filter(pk=classification.pk).first()
    last = Resource.objects.filter(classification=classification).aggregate(n=Max("sequence"))["n"]
    sequence = (last or 0) + 1
    if sequence > MAX_SEQUENCE:
        raise ValidationError(
            {
                "classification": [
                    _("Classification %(code)s is full: choose a more specific one.")
                    % {"code": classification.code}
                ]
            },
            code="classification_full",
        )
    return sequence, f"{classification.code}{sequence:0{SEQUENCE_DIGITS}d}"


def write_items(resource: Resource, items: list[CleanItem]) -> dict[str, DataItem]:
    """Make the resource's items exactly ``items`` (in that order); returns them by column."""
    keep = {i.pk for i in items if i.pk}
    resource.items.exclude(pk__in=keep).delete()
    existing = {item.pk: item for item in resource.items.filter(pk__in=keep)}
    # Names and columns are unique per resource: park the rows being changed on names no
    # item can have first, so that two items may swap names or columns in one call.
    changing = [
        existing[i.pk]
        for i in items
        if i.pk
        and (existing[i.pk].name != i.values["name"] or existing[i.pk].column != i.values["column"])
    ]
    for row in changing:
        row.name, row.column = f"~{row.pk}", f"_{row.pk}"
    if changing:
        DataItem.objects.bulk_update(changing, ["name", "column"])
    updated: list[DataItem] = []
    created: list[DataItem] = []
    for clean in items:
        if clean.pk:
            row = existing[clean.pk]
            for name in (*ITEM_FIELDS, "order"):
                setattr(row, name, clean.values[name])
            updated.append(row)
        else:
            created.append(DataItem(resource=resource, **clean.values))
    if updated:
        DataItem.objects.bulk_update(updated, [*ITEM_FIELDS, "order"])
    for row in created:
        row.save()
    return {row.column: row for row in [*updated, *created]}


def summary(resource: Resource) -> dict:
    """What the audit log keeps of a resource's state."""
    return {
        "code": resource.code,
        "name": resource.name,
        "status": resource.status,
        "version": resource.version,
        "sharing_type": resource.sharing_type,
        "open_type": resource.open_type,
    }


EDITABLE = (ResourceStatus.DRAFT, ResourceStatus.RETURNED)
