"""Reading the catalogue: what a user may see, filters, search and the shape pages show.

A resource has two faces: the provider's working copy (the ``Resource`` row and its items)
and the published definition (``current_version``). Who sees which:

- the data authority: every resource in every status, as the working copy;
- staff: every resource in the catalogue (published, not withdrawn) as published, and
  the working copies (drafts included) of their own departments' resources
  (``permissions.working_copy_q``);
- citizens and anonymous visitors: nothing here; the open-data portal (``yiwang.opendata``)
  reads ``open_catalogue()``: the published versions that open the resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from yiwang.search import api as search_api

from .choices import OpenType, ResourceStatus, SharingType, UpdateCycle
from .indexing import KIND
from .models import Classification, DataItem, Resource, ResourceVersion
from .permissions import (
    is_authority,
    is_staff_reader,
    sees_working_copy,
    sees_working_copy_of,
    working_copy_q,
)
from .snapshots import snapshot

#: What the catalogue lists: published and not withdrawn.
IN_CATALOGUE = Q(current_version__isnull=False, withdrawn_at__isnull=True)


def _base() -> QuerySet[Resource]:
    return Resource.objects.select_related(
        "provider",
        "classification",
        "current_version",
        "current_version__provider",
        "current_version__classification",
    )


def catalogue_for(user) -> QuerySet[Resource]:
    """The resources ``user`` may see (see the module docstring)."""
    if is_authority(user):
        return _base()
    if not is_staff_reader(user):
        return Resource.objects.none()
    return _base().filter(IN_CATALOGUE | working_copy_q(user))


@dataclass(frozen=True)
class Filters:
    q: str = ""
    kind: str = ""  # top class code: 1 基础, 2 主题, 3 部门
    classification: str = ""  # a classification code (its subtree)
    provider: int | None = None
    sharing_type: str = ""
    open_type: str = ""


def _face_q(user, **lookups) -> Q:
    """Rows whose face as ``user`` sees it matches ``lookups`` (field names of the working
    copy; the published face has the same names under ``current_version``)."""
    working = Q(**lookups)
    if is_authority(user):
        return working
    published = Q(**{f"current_version__{k}": v for k, v in lookups.items()})
    mine = working_copy_q(user)
    return (mine & working) | (~mine & published)


def filtered(user, qs: QuerySet[Resource], filters: Filters) -> QuerySet[Resource]:
    if filters.kind:
        qs = qs.filter(_face_q(user, classification__code__startswith=filters.kind))
    if filters.classification:
        qs = qs.filter(_face_q(user, classification__code__startswith=filters.classification))
    if filters.provider:
        qs = qs.filter(_face_q(user, provider_id=filters.provider))
    if filters.sharing_type in SharingType.values:
        qs = qs.filter(_face_q(user, sharing_type=filters.sharing_type))
    if filters.open_type in OpenType.values:
        qs = qs.filter(_face_q(user, open_type=filters.open_type))
    return qs


def search_codes(q: str) -> list[str]:
    """Codes of the published resources matching ``q``, best first (the shared search)."""
    found = search_api.find(q, kind=KIND, public_only=False, limit=None)
    return [hit.key for hit in found.hits]


def search(user, q: str, qs: QuerySet[Resource]) -> list[Resource]:
    """``qs`` narrowed to ``q``: the shared search over the published catalogue (names, item
    names, provider, classification, code), then working copies the user sees whose name or
    code contains ``q``; best first."""
    codes = search_codes(q)
    rank = {code: i for i, code in enumerate(codes)}
    text = Q(name__icontains=q) | Q(code__startswith=q)
    if not is_authority(user):
        text &= working_copy_q(user)
    rows = list(qs.filter(Q(code__in=codes) | text))
    rows.sort(key=lambda r: (rank.get(r.code, len(rank)), r.code))
    return rows


@dataclass(frozen=True)
class Row:
    """One line of the catalogue list, from the face the user sees."""

    code: str
    name: str
    provider: str
    sharing_type: str
    sharing_label: str
    update_cycle: str
    version: int
    status: str
    status_label: str
    working: bool


def row(user, resource: Resource) -> Row:
    working = sees_working_copy(user, resource)
    face = resource if working or resource.current_version is None else resource.current_version
    return Row(
        code=resource.code,
        name=face.name,
        provider=face.provider.short_name or face.provider.name,
        sharing_type=face.sharing_type,
        sharing_label=str(SharingType(face.sharing_type).label),
        update_cycle=str(UpdateCycle(face.update_cycle).label),
        version=resource.version,
        status=resource.status if working else ResourceStatus.PUBLISHED,
        status_label=str(
            ResourceStatus(resource.status if working else ResourceStatus.PUBLISHED).label
        ),
        working=working,
    )


def kind_counts(user) -> dict[str, int]:
    """How many resources of each top class (1/2/3) ``user`` sees, by the face they see
    (one query)."""
    counts: dict[str, int] = {}
    for provider_id, working_code, published_code in catalogue_for(user).values_list(
        "provider_id", "classification__code", "current_version__classification__code"
    ):
        working = published_code is None or sees_working_copy_of(user, provider_id)
        code = working_code if working else published_code
        counts[code[:1]] = counts.get(code[:1], 0) + 1
    return counts


def top_classes() -> list[Classification]:
    return list(Classification.objects.filter(level=1).order_by("code"))


def classification_choices() -> list[Classification]:
    return list(Classification.objects.filter(level__gte=2).select_related("parent"))


def find_resource(user, code: str) -> Resource | None:
    """The resource with ``code`` if ``user`` may see it (else None: pages answer 404)."""
    return (
        catalogue_for(user)
        .prefetch_related(
            Prefetch("items", queryset=DataItem.objects.order_by("order", "id")), "related"
        )
        .filter(code=code)
        .first()
    )


def face(user, resource: Resource) -> dict:
    """The resource as ``user`` sees it, in the snapshot shape (working copy or published)."""
    if sees_working_copy(user, resource) or resource.current_version is None:
        return snapshot(resource, resource.version)
    return resource.current_version.snapshot


def related_names(user, codes: list[str]) -> list[tuple[str, str]]:
    """``(code, name)`` of the related resources ``user`` may see."""
    found = {r.code: r for r in catalogue_for(user).filter(code__in=codes)}
    return [(c, row(user, found[c]).name) for c in codes if c in found]


def review_queue(user) -> QuerySet[Resource]:
    """Submitted resources, oldest first (the authority's queue)."""
    if not is_authority(user):
        return Resource.objects.none()
    return (
        _base()
        .filter(status=ResourceStatus.SUBMITTED)
        .annotate(item_count=Count("items"))
        .order_by("submitted_at", "id")
    )


# --- the open-data portal (C17) ----------------------------------------------------------

#: The published open types the open-data portal publishes (无条件开放, 有条件开放).
OPEN_TYPES = (OpenType.OPEN, OpenType.CONDITIONAL)
#: In the catalogue, and its published version opens it.
IN_OPEN_CATALOGUE = IN_CATALOGUE & Q(current_version__open_type__in=OPEN_TYPES)


def open_catalogue() -> QuerySet[Resource]:
    """The open catalogue, for everyone: each resource with its published version, that
    version's provider (and its region) and classification joined, and
    ``first_published_at`` (when version 1 was published) annotated — one query, however
    many rows. Read only ``current_version`` (its ``snapshot``), never the working copy."""
    first = (
        ResourceVersion.objects.filter(resource=OuterRef("pk"))
        .order_by("version")
        .values("published_at")[:1]
    )
    return (
        Resource.objects.filter(IN_OPEN_CATALOGUE)
        .select_related(
            "current_version",
            "current_version__provider",
            "current_version__provider__region",
            "current_version__classification",
        )
        .annotate(first_published_at=Subquery(first))
    )
