"""The life of a resource: submit → publish (or return) → revise → submit … → withdraw.

| action | from | who | to |
|---|---|---|---|
| ``submit`` | draft, returned | provider's admin, authority | submitted |
| ``return_resource`` | submitted | authority (reasons) | returned |
| ``publish`` | submitted | authority | published: version + 1, a ``ResourceVersion`` |
| ``withdraw`` | published | authority, provider's admin (reasons) | withdrawn |
| ``revise`` | published, withdrawn | provider's admin, authority | draft (the published version stays in the catalogue) |
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiwang.audit.actions import record

from ..choices import ResourceStatus
from ..indexing import index_resource
from ..models import Resource, ResourceVersion
from ..snapshots import item_snapshot, snapshot
from . import _validation as v
from ._common import (
    EDITABLE,
    lock,
    require_authority,
    require_provider_admin,
    require_status,
    summary,
)

MAX_REASONS = 2000


def _reasons(reasons: str, what: str) -> str:
    text = (reasons or "").strip()
    if not text:
        raise ValidationError({"reasons": [what]})
    if len(text) > MAX_REASONS:
        raise ValidationError({"reasons": [_("At most %(n)d characters.") % {"n": MAX_REASONS}]})
    return text


def check_complete(resource: Resource) -> None:
    """What publication needs: at least one item, a key item, and items that still meet the
    grade policy in force (it may have changed since they were entered)."""
    errors: dict[str, list[str]] = {}
    items = list(resource.items.order_by("order", "id"))
    if not items:
        errors["items"] = [_("Add at least one data item before submitting.")]
    if resource.key_item_id is None:
        errors["key_item"] = [
            _("Choose the key item: the data item that identifies a row (e.g. the ID number).")
        ]
    metadata = {"sharing_type": resource.sharing_type, "open_type": resource.open_type}
    specs = [{**item_snapshot(i), "id": i.pk} for i in items]
    v.clean_items(specs, metadata=metadata, existing_ids={i.pk for i in items}, errors=errors)
    v.raise_if(errors)


@transaction.atomic
def submit(*, actor, resource: Resource) -> Resource:
    lock(resource)
    require_provider_admin(actor, resource)
    require_status(resource, EDITABLE, pgettext("resource action", "submitted"))
    check_complete(resource)
    before = summary(resource)
    resource.status = ResourceStatus.SUBMITTED
    resource.submitted_at = timezone.now()
    resource.save(update_fields=["status", "submitted_at", "updated_at"])
    record(
        actor=actor, action="datahub.submit", obj=resource, before=before, after=summary(resource)
    )
    return resource


@transaction.atomic
def return_resource(*, actor, resource: Resource, reasons: str) -> Resource:
    text = _reasons(reasons, _("Say what the provider must change before it can be published."))
    require_authority(actor)
    lock(resource)
    require_status(resource, (ResourceStatus.SUBMITTED,), pgettext("resource action", "returned"))
    before = summary(resource)
    resource.status = ResourceStatus.RETURNED
    resource.review_note = text
    resource.save(update_fields=["status", "review_note", "updated_at"])
    record(
        actor=actor,
        action="datahub.return",
        obj=resource,
        before=before,
        after=summary(resource),
        reasons=text,
    )
    return resource


@transaction.atomic
def publish(*, actor, resource: Resource) -> ResourceVersion:
    """Publish the submitted working copy as the next version (release date: today unless
    the provider set one)."""
    require_authority(actor)
    lock(resource)
    require_status(resource, (ResourceStatus.SUBMITTED,), pgettext("resource action", "published"))
    check_complete(resource)
    before = summary(resource)
    now = timezone.now()
    if resource.release_date is None:
        resource.release_date = timezone.localdate(now)
    resource.version += 1
    published = ResourceVersion.objects.create(
        resource=resource,
        version=resource.version,
        published_at=now,
        published_by=actor if getattr(actor, "pk", None) else None,
        name=resource.name,
        classification=resource.classification,
        provider=resource.provider,
        sharing_type=resource.sharing_type,
        open_type=resource.open_type,
        update_cycle=resource.update_cycle,
        release_date=resource.release_date,
        snapshot=snapshot(resource, resource.version),
    )
    resource.current_version = published
    resource.status = ResourceStatus.PUBLISHED
    resource.withdrawn_at = None
    resource.review_note = ""
    resource.save()
    record(
        actor=actor, action="datahub.publish", obj=resource, before=before, after=summary(resource)
    )
    resource_id = resource.pk
    transaction.on_commit(lambda: index_resource(resource_id))
    return published


@transaction.atomic
def withdraw(*, actor, resource: Resource, reasons: str) -> Resource:
    """Take a published resource out of the catalogue; its versions are kept."""
    text = _reasons(reasons, _("Say why the resource is withdrawn from the catalogue."))
    lock(resource)
    require_provider_admin(actor, resource)
    require_status(resource, (ResourceStatus.PUBLISHED,), pgettext("resource action", "withdrawn"))
    before = summary(resource)
    resource.status = ResourceStatus.WITHDRAWN
    resource.withdrawn_at = timezone.now()
    resource.review_note = text
    resource.save(update_fields=["status", "withdrawn_at", "review_note", "updated_at"])
    record(
        actor=actor,
        action="datahub.withdraw",
        obj=resource,
        before=before,
        after=summary(resource),
        reasons=text,
    )
    resource_id = resource.pk
    transaction.on_commit(lambda: index_resource(resource_id))
    return resource


@transaction.atomic
def revise(*, actor, resource: Resource) -> Resource:
    """Start the next version: the working copy becomes a draft again, while the catalogue
    keeps showing the latest published version to everyone else."""
    lock(resource)
    require_provider_admin(actor, resource)
    require_status(
        resource,
        (ResourceStatus.PUBLISHED, ResourceStatus.WITHDRAWN),
        pgettext("resource action", "revised"),
    )
    before = summary(resource)
    resource.status = ResourceStatus.DRAFT
    resource.review_note = ""
    resource.save(update_fields=["status", "review_note", "updated_at"])
    record(
        actor=actor, action="datahub.revise", obj=resource, before=before, after=summary(resource)
    )
    return resource
