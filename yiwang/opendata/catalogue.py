"""The open catalogue as the portal, the CKAN API and DCAT-AP show it.

A dataset is a resource of ``datahub.queries.open_catalogue()`` (in the catalogue, its
published version open or conditionally open). Every field comes from the published
version's snapshot; the provider's contact details (phone, address, region) from its
department row, joined in the same query. Items whose mask is ``hidden`` are left out
everywhere (docs/dev/datahub.md, rule 4), and so is a hidden key item. An unconditionally
open dataset (``has_data``) also publishes its rows: its distributions start with its data
files (``DOWNLOADS``: CSV, JSON, Excel; which items they hold is ``data.table``'s).

Names: a dataset is ``dataset-<resource code>`` (CKAN-valid: lower-case a-z, 0-9, ``-``,
``_``, 2–100 characters), an organization (a provider department) ``org-<uscc lower>``
(``org-<id>`` when the department has no USCC). CKAN ids are UUIDs derived from them, so
they never change.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from yiwang.datahub import queries as datahub
from yiwang.datahub.choices import DataType, Mask, OpenType, ResourceFormat, UpdateCycle
from yiwang.datahub.models import Classification, Resource
from yiwang.orgs.models import Department

DATASET_PREFIX = "dataset-"
ORG_PREFIX = "org-"
NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
_NAMESPACE = uuid.UUID("6f1c1a52-3c55-4a8e-9d0e-0d9b8a7f7a11")  # this platform's ids

#: The catalogue as data (Chinese, not translated: it names the publisher, like item names).
CATALOGUE_TITLE = "大埔县公共数据开放目录"
CATALOGUE_TITLE_EN = "Dabu County open data catalogue"
CATALOGUE_DESCRIPTION = (
    "大埔县各政务部门依法向社会开放的公共数据资源目录，由县政务服务数据管理局统一发布。"
    "提供数据集的元数据、CKAN 兼容接口和 DCAT-AP 3 元数据（Turtle、JSON-LD）。"
)
CATALOGUE_DESCRIPTION_EN = (
    "The public data resources that the departments of Dabu County open to everyone, "
    "published by the county government services data authority: metadata, a "
    "CKAN-compatible API and DCAT-AP 3 metadata (Turtle, JSON-LD)."
)
PUBLISHER_NAME = "大埔县政务服务数据管理局"

#: Licences by open type: (CKAN license_id, title, URL).
LICENCES = {
    OpenType.OPEN: (
        "cc-by-4.0",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    OpenType.CONDITIONAL: ("other-closed", "有条件开放数据使用协议", ""),
}


def public_url() -> str:
    """The site's public address (``YIWANG_PUBLIC_URL``): the base of every IRI and link in
    the API and the metadata, so they do not change with the host a request came through."""
    return settings.YIWANG_PUBLIC_URL.rstrip("/")


def dataset_name(code: str) -> str:
    return f"{DATASET_PREFIX}{code}"


def code_of(name: str) -> str | None:
    """The resource code of a dataset name (None if it is not one)."""
    if not name.startswith(DATASET_PREFIX):
        return None
    code = name[len(DATASET_PREFIX) :]
    return code if code.isdigit() and len(code) <= 12 else None


def dataset_id(code: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"dataset:{code}"))


def org_name(department_id: int, uscc: str) -> str:
    return f"{ORG_PREFIX}{uscc.lower()}" if uscc else f"{ORG_PREFIX}{department_id}"


def org_id(department_id: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"organization:{department_id}"))


@dataclass(frozen=True)
class Item:
    name: str
    column: str
    data_type: str
    max_length: int | None
    description: str
    grade: str = ""
    mask: str = Mask.NONE

    @property
    def type_label(self) -> str:
        return str(DataType(self.data_type).label) if self.data_type in DataType.values else ""


@dataclass(frozen=True)
class Organization:
    pk: int
    name: str  # the CKAN name
    title: str
    short_name: str
    uscc: str
    phone: str
    address: str
    region_code: str
    region_name: str

    @property
    def id(self) -> str:
        return org_id(self.pk)


@dataclass(frozen=True)
class Distribution:
    key: str
    title: str
    path: str  # on this site
    format: str  # CKAN format
    media_type: str
    file_type: str  # EU file-type vocabulary code
    description: str
    #: A data file (``/open/<name>/data.<format>``), not a metadata endpoint.
    download: bool = False

    @property
    def url(self) -> str:
        return public_url() + self.path


#: The data files of an unconditionally open dataset: format → (CKAN format, media type,
#: EU file type, title, description).
DOWNLOADS = {
    "csv": (
        "CSV",
        "text/csv",
        "CSV",
        "数据文件（CSV）",
        "全部数据行，UTF-8 编码（带 BOM，Excel 可直接打开），首行为信息项名称。",
    ),
    "json": (
        "JSON",
        "application/json",
        "JSON",
        "数据文件（JSON）",
        "全部数据行：fields 为信息项，records 为数据行（以字段名为键）。",
    ),
    "xlsx": (
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
        "数据文件（Excel）",
        "全部数据行的 Excel 工作簿（.xlsx），最多 1,048,575 行。",
    ),
}


@dataclass(frozen=True)
class Dataset:
    code: str
    title: str
    notes: str
    version: int
    open_type: str
    update_cycle: str
    release_date: date | None
    published_at: datetime
    first_published_at: datetime
    classification_code: str
    classification_name: str
    kind_code: str
    kind_name: str
    format: str
    sharing_type: str
    sharing_method: str
    key_item: str | None
    organization: Organization
    items: list[Item] = field(default_factory=list)
    #: The datahub ``Resource`` row's id (download counts are kept by it).
    resource_pk: int = 0

    @property
    def has_data(self) -> bool:
        """Whether its rows are public: unconditionally open (conditionally open data is
        provided to applicants by the provider, not from this portal)."""
        return self.open_type == OpenType.OPEN

    @property
    def name(self) -> str:
        return dataset_name(self.code)

    @property
    def id(self) -> str:
        return dataset_id(self.code)

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys(t for t in (self.classification_name, self.kind_name) if t))

    @property
    def open_label(self) -> str:
        return str(OpenType(self.open_type).label)

    @property
    def cycle_label(self) -> str:
        return str(UpdateCycle(self.update_cycle).label)

    @property
    def format_label(self) -> str:
        return (
            str(ResourceFormat(self.format).label) if self.format in ResourceFormat.values else ""
        )

    @property
    def licence(self) -> tuple[str, str, str]:
        return LICENCES[OpenType(self.open_type)]

    @property
    def page_path(self) -> str:
        return reverse("opendata:dataset", args=[self.name])

    @cached_property
    def distributions(self) -> list[Distribution]:
        """The data files (unconditionally open datasets only), then the metadata through
        the API and DCAT-AP."""
        files = [
            Distribution(
                key=fmt,
                title=title,
                path=reverse("opendata:download", args=[self.name, fmt]),
                format=ckan_format,
                media_type=media_type,
                file_type=file_type,
                description=description,
                download=True,
            )
            for fmt, (ckan_format, media_type, file_type, title, description) in DOWNLOADS.items()
            if self.has_data
        ]
        return [
            *files,
            Distribution(
                key="api",
                title="CKAN API（package_show）",
                path=f"{reverse('opendata:ckan', args=['package_show'])}?id={self.name}",
                format="JSON",
                media_type="application/json",
                file_type="JSON",
                description="数据集元数据，CKAN 兼容接口（JSON）。",
            ),
            Distribution(
                key="jsonld",
                title="DCAT-AP 3（JSON-LD）",
                path=reverse("opendata:dataset_rdf", args=[self.name, "jsonld"]),
                format="JSON-LD",
                media_type="application/ld+json",
                file_type="JSON_LD",
                description="数据集元数据，DCAT-AP 3，JSON-LD 格式。",
            ),
            Distribution(
                key="ttl",
                title="DCAT-AP 3（Turtle）",
                path=reverse("opendata:dataset_rdf", args=[self.name, "ttl"]),
                format="Turtle",
                media_type="text/turtle",
                file_type="RDF_TURTLE",
                description="数据集元数据，DCAT-AP 3，Turtle 格式。",
            ),
        ]

    def resource_id(self, key: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"distribution:{self.code}:{key}"))


def _kind_names() -> dict[str, str]:
    return {c.code: c.name for c in Classification.objects.filter(level=1)}


def dataset(resource: Resource, kinds: dict[str, str] | None = None) -> Dataset:
    """The dataset of a row of ``open_catalogue()`` (no query; ``kinds`` fills a snapshot
    without its kind)."""
    version = resource.current_version
    assert version is not None
    snap = version.snapshot
    provider = version.provider
    region = provider.region
    kind = snap.get("kind") or {}
    classification = snap.get("classification") or {}
    items = [
        Item(
            name=i["name"],
            column=i["column"],
            data_type=i.get("data_type", ""),
            max_length=i.get("max_length"),
            description=i.get("description", ""),
            grade=i.get("grade", ""),
            mask=i.get("mask") or Mask.NONE,
        )
        for i in snap.get("items", [])
        if i.get("mask") != Mask.HIDDEN
    ]
    columns = {i.column for i in items}
    kind_code = kind.get("code") or classification.get("code", "")[:1]
    first = getattr(resource, "first_published_at", None) or version.published_at
    release = snap.get("release_date")
    return Dataset(
        code=snap["code"],
        title=snap["name"],
        notes=snap.get("summary", ""),
        version=version.version,
        open_type=snap.get("open_type", version.open_type),
        update_cycle=snap.get("update_cycle", version.update_cycle),
        release_date=date.fromisoformat(release) if release else version.release_date,
        published_at=version.published_at,
        first_published_at=first,
        classification_code=classification.get("code", ""),
        classification_name=classification.get("name", ""),
        kind_code=kind_code,
        kind_name=kind.get("name") or (kinds or {}).get(kind_code, ""),
        format=snap.get("format", ""),
        sharing_type=snap.get("sharing_type", ""),
        sharing_method=snap.get("sharing_method", ""),
        key_item=snap.get("key_item") if snap.get("key_item") in columns else None,
        organization=organization(provider, region),
        items=items,
        resource_pk=resource.pk,
    )


def organization(provider: Department, region=None) -> Organization:
    region = region if region is not None else provider.region
    return Organization(
        pk=provider.pk,
        name=org_name(provider.pk, provider.uscc),
        title=provider.name,
        short_name=provider.short_name,
        uscc=provider.uscc,
        phone=provider.phone,
        address=provider.address,
        region_code=region.code,
        region_name=region.name,
    )


# --- reading -----------------------------------------------------------------------------


def open_resources() -> QuerySet[Resource]:
    return datahub.open_catalogue()


def datasets(qs: QuerySet[Resource] | None = None) -> list[Dataset]:
    """The datasets of ``qs`` (default: the whole open catalogue), in its order."""
    rows = list(open_resources().order_by("code") if qs is None else qs)
    return [dataset(r) for r in rows]


def find_resource(name: str) -> Resource | None:
    """The resource of the open dataset called ``name`` (None: unknown, closed, withdrawn)."""
    code = code_of(name)
    if code is None:
        return None
    return open_resources().filter(code=code).first()


def find(name: str) -> Dataset | None:
    """The open dataset called ``name`` (None: unknown, closed, withdrawn — pages 404)."""
    resource = find_resource(name)
    return dataset(resource) if resource is not None else None


def providers() -> list[Department]:
    """The departments with at least one open dataset, by name."""
    ids = open_resources().values("current_version__provider_id")
    return list(Department.objects.filter(pk__in=ids).select_related("region").order_by("name"))


def find_organization(ident: str) -> Department | None:
    """A provider department by its CKAN name or id (None if it has no open dataset)."""
    for department in providers():
        if ident in (org_name(department.pk, department.uscc), org_id(department.pk)):
            return department
    return None


def classifications() -> list[tuple[str, str]]:
    """``(code, name)`` of the classifications that hold an open dataset, by code."""
    rows = (
        open_resources()
        .order_by()
        .values_list(
            "current_version__classification__code", "current_version__classification__name"
        )
        .distinct()
    )
    return sorted(set(rows))


def tag_filter(tag: str) -> Q:
    """Datasets carrying ``tag`` (a classification's or a top class's name)."""
    kinds = {name: code for code, name in _kind_names().items()}
    q = Q(current_version__classification__name=tag)
    if tag in kinds:
        q |= Q(current_version__classification__code__startswith=kinds[tag])
    return q


def tags() -> list[str]:
    """Every tag of the open catalogue, sorted."""
    names = _kind_names()
    found: set[str] = set()
    for code, name in classifications():
        found.add(name)
        if names.get(code[:1]):
            found.add(names[code[:1]])
    return sorted(found)


def resource_code(resource_id: int) -> str | None:
    """The code of any resource (to remove one that left the open catalogue)."""
    return Resource.objects.filter(pk=resource_id).values_list("code", flat=True).first()
