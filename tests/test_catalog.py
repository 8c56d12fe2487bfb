"""The DCAT-AP 3.0.1 catalogue record: conforms to the official shapes, describes every file truly."""

from __future__ import annotations

import csv
import datetime
import hashlib

import pyoxigraph as ox
import pytest
from conftest import contract_identifiers
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from csi_graph.catalog import DCAT_AP_SHAPES, LICENCE, CatalogCheck, check_catalog, load_settings
from csi_graph.errors import CsiError, InputError
from csi_graph.tables import TABLES, temporal_literal
from csi_graph.terms import ox_to_rdflib

# Plain namespaces: pytest's collection trips over rdflib's closed DefinedNamespace objects.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
BASE_URL = "https://data.example.org/csi/"
SHAPES_SHA256 = "990d3e42721de6a4be8cc338a7171559f195e62dea89c0b56531356b78cc026f"


def _parse(path, fmt) -> Graph:
    graph = Graph()
    for quad in ox.parse(path=str(path), format=fmt):
        graph.add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    return graph


@pytest.fixture(scope="module")
def catalog(package_dir) -> Graph:
    return _parse(package_dir / "catalog.ttl", ox.RdfFormat.TURTLE)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(DCAT_AP_SHAPES, format="turtle")


def _conforms(graph: Graph, shapes: Graph) -> tuple[bool, int]:
    conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none", do_owl_imports=False)
    return conforms, len(
        set(report.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#ValidationResult")))
    )


def test_vendored_shapes_are_the_official_file_unchanged():
    assert hashlib.sha256(DCAT_AP_SHAPES.read_bytes()).hexdigest() == SHAPES_SHA256
    readme = (DCAT_AP_SHAPES.parent / "README.md").read_text(encoding="utf-8")
    assert SHAPES_SHA256 in readme and "CC-BY 4.0" in readme
    assert "owl:imports" not in DCAT_AP_SHAPES.read_text(encoding="utf-8")


@pytest.mark.slow  # pySHACL twice on the whole catalogue (10 s): CI; every package build checks it locally too
def test_catalogue_conforms_to_the_official_dcat_ap_shapes(catalog, shapes):
    assert len(catalog) > 400
    assert _conforms(catalog, shapes) == (True, 0)
    assert check_catalog(catalog) == check_catalog(catalog, "pyshacl") == CatalogCheck(True, 0, "")


# Each breakage runs pySHACL with the DCAT-AP shapes (1 s of CPU): a local run takes the
# first, CI all (tests marked slow).
@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(b, marks=[pytest.mark.slow] if i else [])
        for i, b in enumerate(
            [
                "no catalogue title",
                "no publisher name",
                "byte size as integer",
                "no access URL",
                "untyped licence",
            ]
        )
    ],
)
def test_the_shapes_do_reject_a_broken_record(catalog, shapes, breakage):
    """The conformance test above can fail: each breakage is a DCAT-AP violation."""
    broken = Graph()
    broken += catalog
    catalog_node = next(broken.subjects(RDF.type, DCAT.Catalog))
    distribution = next(broken.subjects(RDF.type, DCAT.Distribution))
    if breakage == "no catalogue title":
        broken.remove((catalog_node, DCTERMS["title"], None))
    elif breakage == "no publisher name":
        broken.remove((None, FOAF.name, None))
    elif breakage == "byte size as integer":
        size = broken.value(distribution, DCAT.byteSize)
        broken.set((distribution, DCAT.byteSize, Literal(int(size), datatype=XSD.integer)))
    elif breakage == "no access URL":
        broken.remove((distribution, DCAT.accessURL, None))
    else:
        broken.remove((LICENCE, RDF.type, None))
    conforms, results = _conforms(broken, shapes)  # pySHACL, the reference
    assert not conforms and results >= 1
    check = check_catalog(broken)  # what a package build runs: the SPARQL engine
    assert not check.conforms and check.results == results, check.text


def test_jsonld_record_is_the_same_graph(package_dir, catalog):
    assert isomorphic(_parse(package_dir / "catalog.jsonld", ox.RdfFormat.JSON_LD), catalog)


def test_one_dataset_for_the_whole_and_one_per_contract(catalog, package_dataset):
    datasets = set(catalog.subjects(RDF.type, DCAT.Dataset))
    assert {str(d) for d in datasets} == {BASE_URL + "catalog#dataset"} | {
        BASE_URL + f"catalog#dataset-{identifier}" for identifier in contract_identifiers(package_dataset)
    }
    catalog_node = next(catalog.subjects(RDF.type, DCAT.Catalog))
    assert set(catalog.objects(catalog_node, DCAT.dataset)) == datasets
    for dataset in datasets:
        titles = {t.language for t in catalog.objects(dataset, DCTERMS["title"])}
        keywords = {k.language for k in catalog.objects(dataset, DCAT.keyword)}
        assert titles == keywords == {"fr", "en"}
        assert catalog.value(dataset, DCTERMS.license) == LICENCE
        assert catalog.value(dataset, DCTERMS.modified) == Literal("2026-11-30", datatype=XSD.date)
        assert catalog.value(dataset, DCTERMS.issued) is not None
        assert catalog.value(dataset, DCAT.contactPoint) is not None
        assert URIRef("http://publications.europa.eu/resource/authority/data-theme/JUST") in set(
            catalog.objects(dataset, DCAT.theme)
        )


def test_every_file_is_described_truly(package_dir, catalog, package_dataset):
    distributions = list(catalog.subjects(RDF.type, DCAT.Distribution))
    # the whole graph in 3 formats, the ontology, each table, each contract in 3 formats
    assert len(distributions) == 3 + 1 + len(TABLES) + 3 * len(contract_identifiers(package_dataset))
    for distribution in distributions:
        url = str(catalog.value(distribution, DCAT.downloadURL))
        assert url.startswith(BASE_URL) and str(catalog.value(distribution, DCAT.accessURL)) == url
        content = (package_dir / url[len(BASE_URL) :]).read_bytes()
        size = catalog.value(distribution, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == len(content)
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = catalog.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and str(value) == hashlib.sha256(content).hexdigest()
        assert catalog.value(distribution, DCTERMS.license) == LICENCE
        media = str(catalog.value(distribution, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/")
        assert str(catalog.value(distribution, DCTERMS["format"])).startswith(
            "http://publications.europa.eu/resource/authority/file-type/"
        )
        if url.endswith(".csv"):
            assert media.endswith("/text/csv")
            schema = str(catalog.value(distribution, DCTERMS.conformsTo))
            assert schema == url.replace(".csv", ".schema.json")
            assert (package_dir / schema[len(BASE_URL) :]).is_file()


def test_spatial_coverage_is_the_insee_code_without_invented_geometry(catalog):
    chambery = URIRef(BASE_URL + "catalog#dataset-chambery-2021")
    places = set(catalog.objects(chambery, DCTERMS.spatial))
    assert {str(p) for p in places} == {
        "https://w3id.org/csi-graph/id/territory/commune/73065",
        "http://publications.europa.eu/resource/authority/country/FRA",
    }
    place = URIRef("https://w3id.org/csi-graph/id/territory/commune/73065")
    assert (place, RDF.type, DCTERMS.Location) in catalog
    assert str(catalog.value(place, IGEO.codeINSEE)) == "73065"
    assert not list(catalog.triples((None, LOCN.geometry, None)))
    assert not list(catalog.triples((None, DCAT.bbox, None)))


def test_temporal_coverage_is_the_contract_period(catalog, package_dir):
    chambery = URIRef(BASE_URL + "catalog#dataset-chambery-2021")
    period = catalog.value(chambery, DCTERMS.temporal)
    assert catalog.value(period, DCAT.startDate) == Literal("2021-09-22", datatype=XSD.date)
    assert catalog.value(period, DCAT.endDate) == Literal("2026", datatype=XSD.gYear)
    whole = catalog.value(URIRef(BASE_URL + "catalog#dataset"), DCTERMS.temporal)
    # the whole: from the earliest start to the latest end of the contracts, as written
    with (package_dir / "tables/contracts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    start = min(r["start_date"] for r in rows if r["start_date"])
    end = max(r["end_date"] for r in rows if r["end_date"])
    assert catalog.value(whole, DCAT.startDate) == temporal_literal(start)
    assert catalog.value(whole, DCAT.endDate) == temporal_literal(end)


def test_publisher_and_contact_come_from_the_settings(catalog):
    assert Literal("Testville open data team (synthetic)") in set(catalog.objects(None, FOAF.name))
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    assert URIRef("mailto:opendata@example.org") in set(catalog.objects(None, vcard.hasEmail))


def test_settings_from_a_config_file_then_options(tmp_path):
    config = tmp_path / "publish.toml"
    config.write_text(
        'base_url = "https://opendata.example.fr/csi"\ndate = 2026-12-01\n'
        '[publisher]\nname = "Ville de Testville"\nurl = "https://testville.example.fr"\n'
        '[contact]\nemail = "donnees@testville.example.fr"\n',
        encoding="utf-8",
    )
    settings = load_settings(config, {"publisher_name": "Préfecture de Testdépartement", "contact_url": None})
    assert settings.base_url == "https://opendata.example.fr/csi/"  # the trailing slash is added
    assert settings.date == datetime.date(2026, 12, 1)
    assert settings.publisher_name == "Préfecture de Testdépartement"  # the option wins
    assert settings.publisher_url == "https://testville.example.fr"
    assert settings.contact_email == "donnees@testville.example.fr"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('base_url = "ftp://example.org/"', "the base URL must be an http(s) address"),
        (
            "[publisher]\nnam = 'x'",
            "unknown setting 'publisher.nam'; known settings: base_url, contact.email",
        ),
        ("date = 'tomorrow'", "date must be a date written YYYY-MM-DD"),
        ("[contact]\nemail = 'nobody'", "the contact e-mail 'nobody' is not an e-mail address"),
        ("base_url = ", "not a valid TOML file"),
    ],
)
def test_bad_settings_are_named(tmp_path, text, message):
    config = tmp_path / "publish.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises((CsiError, InputError), match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(config)
