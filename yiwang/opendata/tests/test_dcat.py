"""DCAT-AP 3: the catalogue and every dataset of the demo catalogue, in Turtle and JSON-LD,
conform to the official DCAT-AP 3.0.0 SHACL shapes (tests/data/dcat-ap-3.0.0/), and carry
the properties the portal promises."""

from __future__ import annotations

import json

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from yiwang.demo import loader
from yiwang.demo.datahub import load_datahub

from .conftest import SHAPES, name

pytestmark = pytest.mark.django_db

# (rdflib's DefinedNamespaces as module attributes make pytest's collection warn: use ns.X)
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
BASE = "https://data.dabu.example"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def violations(data: Graph, shapes: Graph) -> list[str]:
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, advanced=False)
    bad = list(report.subjects(ns.SH.resultSeverity, ns.SH.Violation))
    assert conforms or bad == [] or text is None
    return [text] if bad else []


def parse(response, fmt: str) -> Graph:
    assert response.status_code == 200
    return Graph().parse(data=response.content.decode(), format=fmt)


@pytest.fixture
def demo_catalogue(django_capture_on_commit_callbacks):
    admin, _ = loader.ensure_admin()
    loader.load_regions(admin)
    loader.load_orgs(admin)
    with django_capture_on_commit_callbacks(execute=True):
        load_datahub(admin)


@pytest.mark.parametrize(("fmt", "rdf"), [("ttl", "turtle"), ("jsonld", "json-ld")])
def test_demo_catalogue_and_every_dataset_conform(client, demo_catalogue, shapes, fmt, rdf):
    catalogue = parse(client.get(f"/catalog.{fmt}"), rdf)
    datasets = sorted(catalogue.objects(URIRef(f"{BASE}/open/"), ns.DCAT.dataset))
    assert len(datasets) >= 6  # the demo opens at least six
    assert violations(catalogue, shapes) == []
    for iri in datasets:
        graph = parse(client.get(f"{iri}.{fmt}".replace(BASE, "")), rdf)
        assert (iri, ns.RDF.type, ns.DCAT.Dataset) in graph
        assert violations(graph, shapes) == [], iri


def test_content_types_and_cors(client, demo_catalogue):
    ttl = client.get("/catalog.ttl")
    assert ttl["Content-Type"].startswith("text/turtle")
    jsonld = client.get("/catalog.jsonld")
    assert jsonld["Content-Type"].startswith("application/ld+json")
    assert jsonld["Access-Control-Allow-Origin"] == "*"
    json.loads(jsonld.content)


def test_dataset_properties(client, open_set):
    resource = open_set["licence"]
    g = parse(client.get(f"/dataset/{name(resource)}.ttl"), "turtle")
    ds = URIRef(f"{BASE}/dataset/{name(resource)}")
    assert g.value(ds, ns.DCTERMS.title) == Literal("食品经营许可信息", lang="zh")
    assert g.value(ds, ns.DCTERMS.description).language == "zh"
    assert g.value(ds, ns.DCTERMS.identifier) == Literal(resource.code)
    publisher = g.value(ds, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Agent) in g
    assert g.value(publisher, ns.FOAF.name) == Literal("大埔县市场监督管理局", lang="zh")
    contact = g.value(ds, ns.DCAT.contactPoint)
    assert (contact, ns.RDF.type, VCARD.Kind) in g
    assert g.value(ds, ns.DCTERMS.accrualPeriodicity) == FREQ.MONTHLY
    assert g.value(ds, ns.DCTERMS.issued).datatype == ns.XSD.date
    assert g.value(ds, ns.DCTERMS.modified).datatype == ns.XSD.dateTime
    assert g.value(g.value(ds, ns.DCTERMS.spatial), ns.DCTERMS.identifier) == Literal("441422")
    assert g.value(ds, ns.DCAT.theme) is not None
    keywords = {str(k) for k in g.objects(ds, ns.DCAT.keyword)}
    assert "许可证编号" in keywords and "法定代表人身份证号码" not in keywords
    distributions = list(g.objects(ds, ns.DCAT.distribution))
    assert len(distributions) == 6  # three data files, then three metadata endpoints
    for d in distributions:
        assert g.value(d, ns.DCAT.accessURL) is not None
        assert g.value(d, ns.DCTERMS.format) is not None
        assert g.value(d, ns.DCTERMS.license) is not None
    iana = "http://www.iana.org/assignments/media-types/"
    files = {
        str(d).rsplit("#", 1)[1]: (
            str(g.value(d, ns.DCAT.downloadURL)),
            str(g.value(d, ns.DCAT.mediaType)),
        )
        for d in distributions
        if g.value(d, ns.DCAT.downloadURL) is not None
    }
    page = f"{BASE}/open/{name(resource)}"
    assert files == {
        "csv": (f"{page}/data.csv", iana + "text/csv"),
        "json": (f"{page}/data.json", iana + "application/json"),
        "xlsx": (
            f"{page}/data.xlsx",
            iana + "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    }
    eu = "http://publications.europa.eu/resource/authority/file-type/"
    formats = {str(g.value(URIRef(f"{ds}#{k}"), ns.DCTERMS.format)) for k in files}
    assert formats == {eu + "CSV", eu + "JSON", eu + "XLSX"}
    assert "legal_rep_id" not in client.get(f"/dataset/{name(resource)}.jsonld").content.decode()


def test_catalogue_lists_only_open_datasets(client, open_set):
    g = parse(client.get("/catalog.ttl"), "turtle")
    catalogue = URIRef(f"{BASE}/open/")
    listed = {str(d).rsplit("/", 1)[-1] for d in g.objects(catalogue, ns.DCAT.dataset)}
    assert listed == {name(open_set[k]) for k in ("licence", "hotline", "welfare")}
    assert g.value(catalogue, ns.DCTERMS.title) is not None
    assert g.value(catalogue, ns.DCTERMS.publisher) is not None


def test_a_conditionally_open_dataset_has_no_data_files(client, open_set):
    resource = open_set["welfare"]
    g = parse(client.get(f"/dataset/{name(resource)}.ttl"), "turtle")
    ds = URIRef(f"{BASE}/dataset/{name(resource)}")
    distributions = list(g.objects(ds, ns.DCAT.distribution))
    assert len(distributions) == 3
    assert all(g.value(d, ns.DCAT.downloadURL) is None for d in distributions)


def test_empty_catalogue_conforms(client, places, shapes):
    g = parse(client.get("/catalog.ttl"), "turtle")
    assert violations(g, shapes) == []
