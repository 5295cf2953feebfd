"""State changes of the service catalogue. Every change goes through here.

Publication rule (documented in docs/dev/catalog.md):

- A new item is a **draft** (``status=draft``, ``version=0``) and is not public.
- ``publish_item`` makes it public: ``version += 1`` and an ``ItemRevision`` snapshot
  (fields, codes, materials and process version) is stored; cases started afterwards
  refer to that version.
- Editing a **published** item (``update_item``, ``set_materials``, ``set_process``) is a
  correction that takes effect at once: the item stays published, keeps its version and its
  last snapshot as the record of what was formally published, and is flagged
  ``changed_since_publish`` until ``publish_item`` is called again (which records the next
  version). The fields that make up the item's codes (type, numbers, level, department,
  region, handling kind, node level) cannot change on a published item: withdraw it first.
- ``withdraw_item`` (with a reason) removes the item from the public pages, the API and
  search; it can be edited and published again.
- ``publish_items`` / ``withdraw_items`` do the same to many items at once, all or nothing:
  every item goes through the single action (each audited), and when any item cannot be
  published nothing changes and every item's problem is reported (``ItemErrors``). Search
  is updated once for all of them after the commit (``deferred_indexing``).

Permissions: superusers and the ``authority`` role manage every item; a ``dept_admin``
manages the items of their department within their region (see ``catalog.permissions``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ForeignKey, Max, Prefetch, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext

from yiwang.audit.actions import record

from . import indexing
from .alias_actions import add_alias
from .bulk_actions import publish_new_items
from .models import ItemRevision, ItemStatus, ItemType, Material, ProcessDefinition, ServiceItem
from .permissions import can_manage, is_catalog_authority
from .process import default_process, validate_steps
from .snapshot import field_value, item_snapshot, material_dict
from .theme_actions import (
    PlacementResult,
    create_theme,
    ensure_standard_themes,
    place_item,
    place_unthemed_items,
    set_item_display,
    update_theme,
)
from .validation import (
    IDENTITY_FIELDS,
    ITEM_FIELDS,
    clean_item_fields,
    material_errors,
    raise_if,
)

__all__ = [
    "ItemErrors",
    "PlacementResult",
    "add_alias",
    "create_item",
    "create_theme",
    "default_process",
    "deferred_indexing",
    "ensure_item_type",
    "ensure_standard_themes",
    "place_item",
    "place_unthemed_items",
    "publish_item",
    "publish_items",
    "publish_new_items",
    "set_item_display",
    "set_materials",
    "set_process",
    "update_item",
    "update_theme",
    "withdraw_item",
    "withdraw_items",
]


def _require(actor, department, region) -> None:
    if not can_manage(actor, department=department, region=region):
        name = getattr(department, "name", department)
        raise PermissionDenied(
            gettext(
                "You may not manage the service items of “%(department)s”: only that department's "
                "administrator or the data authority can."
            )
            % {"department": name}
        )


def _require_item(actor, item: ServiceItem) -> None:
    _require(actor, item.department, item.region)


def _lockable():
    return ServiceItem.objects.select_for_update(of=("self",)).select_related(
        "item_type", "department", "region", "competent_department"
    )


# Items a bulk action has already locked (in one statement), by id: its single actions use
# them instead of locking each item again.
_LOCKED: ContextVar[dict[int, ServiceItem] | None] = ContextVar("catalog_locked", default=None)


# What publishing reads of each item, fetched for all the items of a bulk publish at once.
_PUBLISH_PREFETCH = (
    "materials",
    Prefetch(
        "processes",
        queryset=ProcessDefinition.objects.filter(active=True).order_by("-version"),
        to_attr="active_processes",
    ),
)


def _active_process(item: ServiceItem) -> ProcessDefinition | None:
    prefetched = getattr(item, "active_processes", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return item.active_process()


def _locked(item: ServiceItem) -> ServiceItem:
    prelocked = _LOCKED.get()
    if prelocked is not None and item.pk in prelocked:
        return prelocked.pop(item.pk)
    return _lockable().get(pk=item.pk)


# Ids of the items changed inside ``deferred_indexing``, indexed together after the commit.
_DEFERRED: ContextVar[set[int] | None] = ContextVar("catalog_deferred_index", default=None)


def _index_all(ids: Iterable[int]) -> None:
    ids = sorted(ids)
    index_items = getattr(indexing, "index_items", None)
    if index_items is not None:
        index_items(ids)
        return
    for item_id in ids:
        indexing.index_item(item_id)


@contextmanager
def deferred_indexing() -> Iterator[None]:
    """Inside, the actions do not index each changed item on commit: the items are indexed
    (or removed from the index) together once the work commits, in one bulk call. Nested
    uses join the outermost one; nothing is indexed when the block raises."""
    if _DEFERRED.get() is not None:
        yield
        return
    ids: set[int] = set()
    token = _DEFERRED.set(ids)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    if ids:
        transaction.on_commit(lambda: _index_all(ids))


def _reindex_on_commit(item_id: int) -> None:
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.add(item_id)
        return
    transaction.on_commit(lambda: indexing.index_item(item_id))


def _sync(target: ServiceItem, source: ServiceItem) -> None:
    """Copy the fresh state onto the caller's instance."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for name in ("item_type", "department", "region", "competent_department", "parent"):
        relation = source._meta.get_field(name)
        if isinstance(relation, ForeignKey) and relation.is_cached(source):
            setattr(target, name, getattr(source, name))


@transaction.atomic
def ensure_item_type(*, actor, code: str, name: str) -> ItemType:
    """The item type with ``code``, created if missing (authority only)."""
    code = (code or "").strip().upper()
    if not code.isalpha() or not 1 <= len(code) <= 4 or not (name or "").strip():
        raise ValidationError(gettext("An item type needs a code of 1–4 latin letters and a name."))
    existing = ItemType.objects.filter(code=code).first()
    if existing is not None:
        return existing
    if not is_catalog_authority(actor):
        raise PermissionDenied(gettext("Only the data authority can add item types."))
    item_type = ItemType.objects.create(code=code, name=name.strip())
    record(
        actor=actor,
        action="catalog.create_item_type",
        obj=item_type,
        after={"code": code, "name": item_type.name},
    )
    return item_type


@transaction.atomic
def create_item(*, actor, **fields) -> ServiceItem:
    """Create a draft item. Foreign keys may be instances or codes (type code, USCC, division)."""
    data, errors = clean_item_fields(fields)
    raise_if(errors)
    _require(actor, data["department"], data["region"])
    item = ServiceItem(status=ItemStatus.DRAFT, version=0, **data)
    item.save()
    record(
        actor=actor,
        action="catalog.create_item",
        obj=item,
        after={f: field_value(item, f) for f in data},
    )
    return item


@transaction.atomic
def update_item(*, actor, item: ServiceItem, **fields) -> ServiceItem:
    """Change fields of an item (see the publication rule in the module docstring)."""
    current = _locked(item)
    data, errors = clean_item_fields(fields, instance=current)
    if current.status == ItemStatus.PUBLISHED:
        for field in IDENTITY_FIELDS:
            if field in data and data[field] != getattr(current, field):
                errors.setdefault(field, []).append(
                    gettext(
                        "This field is part of the item's code and cannot change while the item is "
                        "published; withdraw the item first."
                    )
                )
    raise_if(errors)
    _require_item(actor, current)
    changed = [f for f in ITEM_FIELDS if f in data and data[f] != getattr(current, f)]
    if not changed:
        _sync(item, current)
        return item
    if "department" in changed or "region" in changed:
        _require(
            actor, data.get("department", current.department), data.get("region", current.region)
        )
    before = {f: field_value(current, f) for f in changed}
    for field in changed:
        setattr(current, field, data[field])
    if current.status == ItemStatus.PUBLISHED:
        current.changed_since_publish = True
    current.save()
    record(
        actor=actor,
        action="catalog.update_item",
        obj=current,
        before=before,
        after={f: field_value(current, f) for f in changed},
    )
    if current.status == ItemStatus.PUBLISHED:
        _reindex_on_commit(current.pk)
    _sync(item, current)
    return item


@transaction.atomic
def set_materials(*, actor, item: ServiceItem, materials: list[dict]) -> list[Material]:
    """Replace the item's materials by ``materials`` (in order).

    Existing materials are matched by ``id`` or name and updated in place; materials no
    longer listed are deleted, or retired (hidden) when cases still refer to them.
    """
    cleaned, problems = material_errors(materials)
    if problems:
        raise ValidationError({"materials": [message for _, _, message in problems]})
    current = _locked(item)
    _require_item(actor, current)
    existing = list(Material.all_objects.filter(item=current).order_by("position", "id"))
    before = [material_dict(m) for m in existing if not m.retired]
    by_id = {m.pk: m for m in existing}
    by_name: dict[str, Material] = {}
    for m in existing:  # prefer a current material over a retired one of the same name
        if m.name not in by_name or by_name[m.name].retired:
            by_name[m.name] = m
    used: set[int] = set()
    result: list[Material] = []
    for position, entry in enumerate(cleaned):
        material = None
        if entry["id"] is not None:
            material = by_id.get(int(entry["id"])) if str(entry["id"]).isdigit() else None
            if material is None:
                raise ValidationError(
                    {
                        "materials": [
                            gettext(
                                "Material %(n)d refers to a material that does not belong to this item."
                            )
                            % {"n": position + 1}
                        ]
                    }
                )
        if material is None:
            candidate = by_name.get(entry["name"])
            if candidate is not None and candidate.pk not in used:
                material = candidate
        if material is None:
            material = Material(item=current)
        for key, value in entry.items():
            if key != "id":
                setattr(material, key, value)
        material.position = position
        material.retired = False
        material.save()
        used.add(material.pk)
        result.append(material)
    for material in existing:
        if material.pk in used or material.retired:
            continue
        try:
            material.delete()
        except ProtectedError:
            material.retired = True
            material.save(update_fields=["retired"])
    after = [material_dict(m) for m in result]
    if after != before:
        if current.status == ItemStatus.PUBLISHED:
            current.changed_since_publish = True
            current.save(update_fields=["changed_since_publish", "updated_at"])
            _reindex_on_commit(current.pk)
        record(
            actor=actor,
            action="catalog.set_materials",
            obj=current,
            before={"materials": before},
            after={"materials": after},
        )
    _sync(item, current)
    return result


@transaction.atomic
def set_process(*, actor, item: ServiceItem, steps: list[dict]) -> ProcessDefinition:
    """Make ``steps`` the item's active process (a new version; the previous one is deactivated).

    Identical steps leave the active version as it is. Old versions stay for cases that use them.
    """
    clean = validate_steps(steps)
    current = _locked(item)
    _require_item(actor, current)
    active = current.active_process()
    if active is not None and active.steps == clean:
        return active
    last = current.processes.aggregate(v=Max("version"))["v"] or 0
    current.processes.filter(active=True).update(active=False)
    process = ProcessDefinition.objects.create(
        item=current, version=last + 1, steps=clean, active=True
    )
    if current.status == ItemStatus.PUBLISHED:
        current.changed_since_publish = True
        current.save(update_fields=["changed_since_publish", "updated_at"])
    record(
        actor=actor,
        action="catalog.set_process",
        obj=current,
        before={"version": active.version, "steps": active.steps} if active else None,
        after={"version": process.version, "steps": clean},
    )
    _sync(item, current)
    return process


def publication_problems(item: ServiceItem, process: ProcessDefinition | None) -> list[str]:
    """What is missing before ``item`` can be published (empty list: ready)."""
    problems = []
    required = {
        "conditions": gettext("the acceptance conditions (受理条件)"),
        "consult_phone": gettext("the consultation phone (咨询方式)"),
        "complaint_phone": gettext("the complaint phone (监督投诉电话)"),
        "location": gettext("the place and hours (办理地点和时间)"),
    }
    missing = [label for field, label in required.items() if not getattr(item, field)]
    if not item.channels:
        missing.append(gettext("at least one channel (办理渠道)"))
    if missing:
        problems.append(
            gettext("Fill in %(missing)s before publishing.")
            % {"missing": "、".join(str(m) for m in missing)}
        )
    if process is None:
        problems.append(gettext("Set the item's approval process (办理流程) before publishing."))
    return problems


@transaction.atomic
def publish_item(*, actor, item: ServiceItem) -> ItemRevision:
    """Publish the item: version + 1, snapshot, public pages and search."""
    current = _locked(item)
    if current.status == ItemStatus.PUBLISHED and not current.changed_since_publish:
        raise ValidationError(
            gettext(
                "“%(name)s” is already published (version %(version)d) and has not changed since."
            )
            % {"name": current.name, "version": current.version}
        )
    process = _active_process(current)
    problems = publication_problems(current, process)
    if problems:
        raise ValidationError(problems)
    assert process is not None  # an item without an active process has problems above
    _require_item(actor, current)
    before = {"status": current.status, "version": current.version}
    current.version += 1
    current.status = ItemStatus.PUBLISHED
    current.published_at = timezone.now()
    current.changed_since_publish = False
    current.withdrawn_at = None
    current.withdrawn_reason = ""
    current.save(update_fields=_PUBLICATION_FIELDS)
    revision = ItemRevision.objects.create(
        item=current,
        version=current.version,
        snapshot=item_snapshot(current, process=process),
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        actor=actor,
        action="catalog.publish_item",
        obj=current,
        before=before,
        after={
            "status": current.status,
            "version": current.version,
            "process_version": process.version,
        },
    )
    _reindex_on_commit(current.pk)
    _sync(item, current)
    return revision


# What publishing and withdrawing change: only these columns are written (a bulk action of
# 50 items would otherwise write every column of every item, its JSON guide included).
_PUBLICATION_FIELDS = [
    "version",
    "status",
    "published_at",
    "changed_since_publish",
    "withdrawn_at",
    "withdrawn_reason",
    "updated_at",
]


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": [
                    gettext(
                        "Give the reason for withdrawing the item (it is "
                        "recorded and shown to staff)."
                    )
                ]
            }
        )
    if len(reason) > 300:
        raise ValidationError({"reason": [gettext("The reason may have at most 300 characters.")]})
    return reason


@transaction.atomic
def withdraw_item(*, actor, item: ServiceItem, reason: str) -> ServiceItem:
    """Withdraw a published item from the public pages, the API and search."""
    reason = _clean_reason(reason)
    current = _locked(item)
    if current.status != ItemStatus.PUBLISHED:
        raise ValidationError(
            gettext("Only a published item can be withdrawn; “%(name)s” is %(status)s.")
            % {"name": current.name, "status": current.get_status_display()}
        )
    _require_item(actor, current)
    current.status = ItemStatus.WITHDRAWN
    current.withdrawn_at = timezone.now()
    current.withdrawn_reason = reason
    current.save(update_fields=_PUBLICATION_FIELDS)
    record(
        actor=actor,
        action="catalog.withdraw_item",
        obj=current,
        before={"status": ItemStatus.PUBLISHED},
        after={"status": current.status},
        reason=reason,
    )
    item_id = current.pk
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.add(item_id)  # the bulk indexing removes what is no longer published
    else:
        transaction.on_commit(lambda: indexing.remove_item(item_id))
    _sync(item, current)
    return item


# --- many items at once -------------------------------------------------------------------

BULK_LIMIT = 2000


class ItemErrors(ValidationError):
    """Some items of a bulk action could not be changed (so none was): ``by_item`` maps each
    such item's id to its name and messages, in the order the items were given."""

    def __init__(self, by_item: dict[int, tuple[str, list[str]]]):
        self.by_item = by_item
        super().__init__(
            [f"“{name}”: {message}" for name, messages in by_item.values() for message in messages],
            code="items_invalid",
        )


def _apply_to_each(actor, items: Iterable[ServiceItem], change, prefetch=()) -> list:
    """Apply ``change`` (a single action) to every item, or to none.

    The items are checked first: at least one, at most ``BULK_LIMIT``, each one manageable by
    ``actor`` (else the whole action is refused). They are locked in one statement, in id
    order (as every bulk action locks them: no deadlock), and the single actions use those
    rows instead of locking each again. A single action is atomic itself, so a failing item
    is rolled back to its savepoint and the next one is tried; ``ItemErrors`` lists every
    failure and rolls the caller's transaction back. ``prefetch`` names what ``change``
    reads of every item, so it is read once for all of them."""
    targets = list(items)
    if not targets:
        raise ValidationError(gettext("Select at least one item."), code="no_items")
    if len(targets) > BULK_LIMIT:
        raise ValidationError(
            gettext("At most %(n)d items can be changed at once; narrow the filter.")
            % {"n": BULK_LIMIT},
            code="too_many_items",
        )
    locked = {
        item.pk: item
        for item in _lockable()
        .filter(pk__in=[t.pk for t in targets])
        .order_by("pk")
        .prefetch_related(*prefetch)
    }
    for item in locked.values():
        _require_item(actor, item)
    token = _LOCKED.set(locked)
    errors: dict[int, tuple[str, list[str]]] = {}
    done = []
    try:
        for item in targets:
            try:
                done.append(change(item))
            except ValidationError as exc:
                errors[item.pk] = (item.name, exc.messages)
    finally:
        _LOCKED.reset(token)
    if errors:
        raise ItemErrors(errors)
    return done


def publish_items(*, actor, items: Iterable[ServiceItem]) -> list[ItemRevision]:
    """Publish every item of ``items`` (see ``publish_item``), or none of them."""
    with deferred_indexing(), transaction.atomic():
        return _apply_to_each(
            actor, items, lambda item: publish_item(actor=actor, item=item), _PUBLISH_PREFETCH
        )


def withdraw_items(*, actor, items: Iterable[ServiceItem], reason: str) -> list[ServiceItem]:
    """Withdraw every item of ``items`` with one reason (see ``withdraw_item``), or none."""
    reason = _clean_reason(reason)
    with deferred_indexing(), transaction.atomic():
        return _apply_to_each(
            actor, items, lambda item: withdraw_item(actor=actor, item=item, reason=reason)
        )
