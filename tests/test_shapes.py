"""The shapes: shipped data conforms, shapes are valid SHACL, each rule rejects its counter-example."""

from __future__ import annotations

import importlib.resources
from collections import Counter

import pytest
from conftest import SYNTHETIC
from counterexamples import COUNTER_EXAMPLES, PROLOGUE, CounterExample
from engines import validate_both
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from csi_graph.loader import graph_name, load
from csi_graph.namespaces import shorten
from csi_graph.validation import validate

# Information-level shapes that report gaps in what the sources say, or facts resting on weak
# sources: the only results the shipped data may have.
GAP_SHAPES = {
    "csish:Territory-communeCode",  # a commune whose official code is not in the reference data
    "csish:Party-commits",  # parties whose commitments no source details
    "csish:Party-signed",  # parties with no recorded signature
    "csish:ContractSignaturesShape",  # signed contracts whose signatories no source names
    "csish:Contract-commitmentsRecommended",
    "csish:Contract-parties",  # announced contracts whose parties no source names (Neufchâteau, Compiègne)
    "csish:Contract-territoryRecommended",  # Montpellier: no source says which territory
    "csish:Signature-signatoryRecommended",  # signatories not named (Dijon's and Bordeaux's prefects...)
    "csish:Signature-postRecommended",
    "csish:Signature-partyRecommended",
    "csish:Signature-dateRecommended",  # Essonne: signed "early July", year not given
    "csish:Contract-periodRecommended",  # durations no source gives
    "csish:Commitment-credibleSource",  # commitments known from C sources only
    "csish:Status-credibleSource",  # Chambéry's joint police post, Nantes's 2023 camera plan
}


@pytest.fixture(scope="module")
def shipped_report(shipped):
    """The default engine's report; test_both_engines_report_the_same_on_the_shipped_data
    checks that pySHACL, the reference, gives the same (in CI: 12 s of CPU)."""
    return validate(shipped, engine="sparql")


@pytest.mark.slow
def test_both_engines_report_the_same_on_the_shipped_data(shipped, shipped_report):
    assert validate_both(shipped).results == shipped_report.results


def test_shipped_data_conforms_with_gaps_reported_as_information(shipped_report):
    report = shipped_report
    assert report.valid, report.to_text()
    assert (report.counts["Violation"], report.counts["Warning"]) == (0, 0), report.to_text()
    by_shape = Counter(r.shape for r in report.results)
    assert set(by_shape) <= GAP_SHAPES, by_shape
    assert sum(by_shape.values()) == report.counts["Info"]
    chambery = [r for r in report.results if "chambery-2021" in r.focus]
    assert [(r.shape, r.focus) for r in chambery] == [
        ("csish:Status-credibleSource", "<status-record/chambery-2021/state-08-1>")
    ]


def test_parties_whose_commitments_are_not_known_are_not_reported_again(shipped, shipped_report):
    """``csi:commitmentsKnown false`` marks a known gap: csish:Party-commits stays silent on it."""
    flagged = {
        str(row.party)
        for row in shipped.data_graph.query(
            "SELECT ?party WHERE { ?party a <https://w3id.org/csi-graph/ontology#ContractParty> ; "
            "<https://w3id.org/csi-graph/ontology#commitmentsKnown> false }"
        )
    }
    assert flagged  # Nantes's and Avignon's Parquet and national education, among others
    reported = {r.focus for r in shipped_report.results if r.shape == "csish:Party-commits"}
    assert not reported & {shorten(f) for f in flagged}


def test_synthetic_fixture_is_valid_and_clean():
    report = validate(load([SYNTHETIC], contracts=False))
    assert report.results == [], report.to_text()


@pytest.mark.slow  # pySHACL with the SHACL-for-SHACL shapes (6.5 s)
def test_shapes_pass_shacl_for_shacl(shipped):
    import pyshacl

    shacl_shacl = Graph().parse(str(importlib.resources.files("pyshacl") / "assets" / "shacl-shacl.ttl"))
    conforms, _, text = pyshacl.validate(shipped.shapes_graph, shacl_graph=shacl_shacl)
    assert conforms, text


def _shapes_with_messages(shapes: Graph) -> set[str]:
    """Every named shape or SPARQL constraint that carries its own message."""
    named = set()
    for node in shapes.subjects(SH.message, None):
        if isinstance(node, URIRef):
            named.add(shorten(str(node)))
    return named


def test_every_shape_has_a_counter_example(shipped):
    covered = {example.shape for example in COUNTER_EXAMPLES}
    missing = _shapes_with_messages(shipped.shapes_graph) - covered
    assert not missing, f"shapes without a counter-example: {sorted(missing)}"


def test_every_shape_message_is_bilingual(shipped):
    shapes = shipped.shapes_graph
    for node in {s for s in shapes.subjects(SH.message, None) if isinstance(s, URIRef)}:
        languages = {m.language for m in shapes.objects(node, SH.message)}
        assert languages == {"fr", "en"}, shorten(str(node))


def test_severity_files_hold_one_severity_each(shipped):
    by_file = {info.display: shipped.graph(info.name) for info in shipped.graphs if info.role == "shapes"}
    expected = {
        "ontology/csi.shapes.shacl.ttl": set(),  # sh:Violation is the default
        "ontology/csi.warnings.shacl.ttl": {SH.Warning},
        "ontology/csi.info.shacl.ttl": {SH.Info},
    }
    assert set(by_file) == set(expected)
    for display, graph in by_file.items():
        assert set(graph.objects(None, SH.severity)) == expected[display], display


# Each counter-example is validated by the default engine; in CI (tests marked slow, see
# conftest.py) also by pySHACL, the reference, which must report exactly the same results
# (a second or so each, 114 times: too long for every local run).
ENGINES = ["sparql", pytest.param("both", marks=pytest.mark.slow)]


@pytest.mark.parametrize("engines", ENGINES)
@pytest.mark.parametrize("example", COUNTER_EXAMPLES, ids=lambda e: e.name)
def test_counter_example_is_rejected_by_its_shape(example: CounterExample, engines: str):
    dataset = load([SYNTHETIC], contracts=False)
    dataset.update(graph_name(SYNTHETIC), PROLOGUE + example.update)
    report = validate_both(dataset) if engines == "both" else validate(dataset, engine="sparql")
    matching = [r for r in report.results if r.shape == example.shape and r.path == example.path]
    assert matching, f"expected {example.shape} on {example.path}, got:\n{report.to_text()}"
    result = matching[0]
    assert result.severity == example.severity
    assert result.message("fr") and result.message("en") and result.message("fr") != result.message("en")
    if example.severity == "Violation":
        assert not report.valid
    else:
        assert report.counts["Violation"] == 0, report.to_text()


def test_named_node_shapes_only_target_declared_classes(shipped):
    """Guard against a typo in sh:targetClass, which would silently check nothing."""
    data = shipped.data_graph
    for target in shipped.shapes_graph.objects(None, SH.targetClass):
        declared = (target, RDF.type, None) in data or str(target).startswith(
            ("http://www.w3.org/", "http://xmlns.com/foaf/", "http://data.europa.eu/eli/")
        )
        assert declared, f"sh:targetClass {target} is not declared in the ontology"
