"""DCAT-AP 3 metadata of the open catalogue, built with rdflib: the catalogue
(``/catalog.ttl``, ``/catalog.jsonld``) and each dataset (``/dataset/<name>.ttl``, ``.jsonld``).

IRIs rest on ``YIWANG_PUBLIC_URL``: the catalogue is ``<base>/open/``, a dataset
``<base>/dataset/<name>`` (which redirects to its page), its distributions
``<base>/dataset/<name>#<key>`` (the data files ``#csv``, ``#json``, ``#xlsx`` with a
``dcat:downloadURL``, then ``#api``, ``#jsonld``, ``#ttl``), a provider
``<base>/open/org/<org name>``. Controlled vocabularies: the EU frequency, file-type,
access-right and language authority tables and IANA media types; themes are the 信息资源分类
(a SKOS scheme at ``<base>/open/themes``).
Every output conforms to the official DCAT-AP 3.0.0 SHACL shapes (the tests validate it).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from . import catalogue
from .catalogue import Dataset, Organization

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
ACCESS_RIGHT = Namespace(EU + "access-right/")
LANGUAGE = Namespace(EU + "language/")
LICENCE = Namespace(EU + "licence/")
IANA = "http://www.iana.org/assignments/media-types/"

#: update_cycle → EU frequency vocabulary.
FREQUENCIES = {
    "realtime": FREQUENCY.CONT,
    "daily": FREQUENCY.DAILY,
    "weekly": FREQUENCY.WEEKLY,
    "monthly": FREQUENCY.MONTHLY,
    "quarterly": FREQUENCY.QUARTERLY,
    "half_yearly": FREQUENCY.ANNUAL_2,
    "yearly": FREQUENCY.ANNUAL,
}
ZH = "zh"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3 (rdflib's DCAT namespace is DCAT 2)

CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}
FORMATS = {"ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json")}


def _zh(text: str) -> Literal:
    return Literal(text, lang=ZH)


class Builder:
    def __init__(self) -> None:
        self.base = catalogue.public_url()
        self.g = Graph()
        for prefix, ns in CONTEXT.items():
            self.g.bind(prefix, ns)
        self._done: set[URIRef] = set()

    # nodes shared by many datasets are described once
    def _once(self, node: URIRef) -> bool:
        if node in self._done:
            return False
        self._done.add(node)
        return True

    def catalogue_iri(self) -> URIRef:
        return URIRef(f"{self.base}/open/")

    def dataset_iri(self, ds: Dataset) -> URIRef:
        return URIRef(f"{self.base}/dataset/{ds.name}")

    def agent(self, name: str, iri: URIRef) -> URIRef:
        if self._once(iri):
            self.g.add((iri, RDF.type, FOAF.Agent))
            self.g.add((iri, FOAF.name, _zh(name)))
        return iri

    def organization(self, org: Organization) -> URIRef:
        return self.agent(org.title, URIRef(f"{self.base}/open/org/{org.name}"))

    def contact(self, org: Organization) -> URIRef:
        node = URIRef(f"{self.base}/open/org/{org.name}#contact")
        if self._once(node):
            g = self.g
            g.add((node, RDF.type, VCARD.Kind))
            g.add((node, RDF.type, VCARD.Organization))
            g.add((node, VCARD.fn, _zh(org.title)))
            if org.phone:
                g.add((node, VCARD.hasTelephone, URIRef("tel:" + org.phone.replace(" ", ""))))
            if org.address:
                address = BNode()
                g.add((node, VCARD.hasAddress, address))
                g.add((address, RDF.type, VCARD.Address))
                g.add((address, VCARD["street-address"], _zh(org.address)))
                g.add((address, VCARD.locality, _zh(org.region_name)))
                g.add((address, VCARD["country-name"], _zh("中国")))
        return node

    def location(self, org: Organization) -> URIRef:
        node = URIRef(f"{self.base}/open/region/{org.region_code}")
        if self._once(node):
            self.g.add((node, RDF.type, DCTERMS.Location))
            self.g.add((node, SKOS.prefLabel, _zh(org.region_name)))
            self.g.add((node, DCTERMS.identifier, Literal(org.region_code)))
        return node

    def theme(self, code: str, name: str) -> URIRef:
        scheme = URIRef(f"{self.base}/open/themes")
        node = URIRef(f"{self.base}/open/themes/{code}")
        if self._once(scheme):
            self.g.add((scheme, RDF.type, SKOS.ConceptScheme))
            self.g.add((scheme, DCTERMS.title, _zh("政务信息资源分类")))
        if self._once(node):
            self.g.add((node, RDF.type, SKOS.Concept))
            self.g.add((node, SKOS.prefLabel, _zh(name)))
            self.g.add((node, SKOS.notation, Literal(code)))
            self.g.add((node, SKOS.inScheme, scheme))
        return node

    def typed(self, iri: URIRef, cls: URIRef) -> URIRef:
        if self._once(iri):
            self.g.add((iri, RDF.type, cls))
        return iri

    def licence(self, ds: Dataset) -> URIRef:
        _licence_id, title, url = ds.licence
        if ds.open_type == "open":
            node = LICENCE.CC_BY_4_0
        else:
            node = URIRef(f"{self.base}/open/api/#licence-conditional")
        if self._once(node):
            self.g.add((node, RDF.type, DCTERMS.LicenseDocument))
            self.g.add((node, DCTERMS.title, Literal(title)))
            if url:
                self.g.add((node, FOAF.page, URIRef(url)))
        return node

    def dataset(self, ds: Dataset) -> URIRef:
        g = self.g
        node = self.dataset_iri(ds)
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.title, _zh(ds.title)))
        g.add((node, DCTERMS.description, _zh(ds.notes or ds.title)))
        g.add((node, DCTERMS.identifier, Literal(ds.code)))
        g.add((node, DCTERMS.publisher, self.organization(ds.organization)))
        g.add((node, DCAT.contactPoint, self.contact(ds.organization)))
        for tag in ds.tags:
            g.add((node, DCAT.keyword, _zh(tag)))
        for item in ds.items:
            g.add((node, DCAT.keyword, _zh(item.name)))
        g.add((node, DCAT.theme, self.theme(ds.classification_code, ds.classification_name)))
        if ds.release_date:
            g.add((node, DCTERMS.issued, Literal(ds.release_date.isoformat(), datatype=XSD.date)))
        g.add(
            (
                node,
                DCTERMS.modified,
                Literal(ds.published_at.isoformat(timespec="seconds"), datatype=XSD.dateTime),
            )
        )
        g.add(
            (
                node,
                DCTERMS.accrualPeriodicity,
                self.typed(FREQUENCIES[ds.update_cycle], DCTERMS.Frequency),
            )
        )
        g.add((node, DCTERMS.spatial, self.location(ds.organization)))
        g.add((node, DCTERMS.language, self.typed(LANGUAGE.ZHO, DCTERMS.LinguisticSystem)))
        access = ACCESS_RIGHT.PUBLIC if ds.open_type == "open" else ACCESS_RIGHT.RESTRICTED
        g.add((node, DCTERMS.accessRights, self.typed(access, DCTERMS.RightsStatement)))
        g.add((node, DCAT.landingPage, self.typed(URIRef(self.base + ds.page_path), FOAF.Document)))
        g.add((node, DCAT_VERSION, Literal(str(ds.version))))
        licence = self.licence(ds)
        for dist in ds.distributions:
            d = URIRef(f"{node}#{dist.key}")
            g.add((node, DCAT.distribution, d))
            g.add((d, RDF.type, DCAT.Distribution))
            g.add((d, DCTERMS.title, _zh(dist.title)))
            g.add((d, DCTERMS.description, _zh(dist.description)))
            g.add((d, DCAT.accessURL, self.typed(URIRef(dist.url), RDFS.Resource)))
            if dist.download:
                g.add((d, DCAT.downloadURL, self.typed(URIRef(dist.url), RDFS.Resource)))
            g.add(
                (
                    d,
                    DCTERMS.format,
                    self.typed(FILE_TYPE[dist.file_type], DCTERMS.MediaTypeOrExtent),
                )
            )
            g.add(
                (d, DCAT.mediaType, self.typed(URIRef(IANA + dist.media_type), DCTERMS.MediaType))
            )
            g.add((d, DCTERMS.license, licence))
            g.add(
                (
                    d,
                    DCTERMS.modified,
                    Literal(ds.published_at.isoformat(timespec="seconds"), datatype=XSD.dateTime),
                )
            )
        return node

    def catalogue(self, datasets: list[Dataset]) -> URIRef:
        g = self.g
        node = self.catalogue_iri()
        g.add((node, RDF.type, DCAT.Catalog))
        g.add((node, DCTERMS.title, _zh(catalogue.CATALOGUE_TITLE)))
        g.add((node, DCTERMS.title, Literal(catalogue.CATALOGUE_TITLE_EN, lang="en")))
        g.add((node, DCTERMS.description, _zh(catalogue.CATALOGUE_DESCRIPTION)))
        g.add((node, DCTERMS.description, Literal(catalogue.CATALOGUE_DESCRIPTION_EN, lang="en")))
        g.add(
            (
                node,
                DCTERMS.publisher,
                self.agent(catalogue.PUBLISHER_NAME, URIRef(f"{self.base}/open/publisher")),
            )
        )
        g.add((node, FOAF.homepage, self.typed(URIRef(f"{self.base}/open/"), FOAF.Document)))
        g.add((node, DCTERMS.language, self.typed(LANGUAGE.ZHO, DCTERMS.LinguisticSystem)))
        g.add((node, DCAT.themeTaxonomy, URIRef(f"{self.base}/open/themes")))
        if datasets:
            latest = max(ds.published_at for ds in datasets)
            g.add(
                (
                    node,
                    DCTERMS.modified,
                    Literal(latest.isoformat(timespec="seconds"), datatype=XSD.dateTime),
                )
            )
        for ds in datasets:
            g.add((node, DCAT.dataset, self.dataset(ds)))
        # the scheme node is described by the first theme; make sure it exists when empty
        scheme = URIRef(f"{self.base}/open/themes")
        if self._once(scheme):
            g.add((scheme, RDF.type, SKOS.ConceptScheme))
            g.add((scheme, DCTERMS.title, _zh("政务信息资源分类")))
        return node


def catalogue_graph(datasets: list[Dataset]) -> Graph:
    builder = Builder()
    builder.catalogue(datasets)
    return builder.g


def dataset_graph(ds: Dataset) -> Graph:
    builder = Builder()
    builder.dataset(ds)
    return builder.g


def serialize(graph: Graph, fmt: str) -> str:
    rdf_format, _media = FORMATS[fmt]
    if rdf_format == "json-ld":
        return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
    return graph.serialize(format=rdf_format)
