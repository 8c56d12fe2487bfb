"""The model of what sources say: stated axes, dated contract states, figures and their
relations, the register and per-capita figures, checked on the shipped data against an
independent recount in Python over the rdflib graph (no figure typed in)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib import RDF, URIRef

CSI = "https://w3id.org/csi-graph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"


def C(name: str) -> URIRef:
    return URIRef(CSI + name)


@pytest.fixture(scope="module")
def graph(shipped):
    return shipped.data_graph


def identifier(graph, contract) -> str:
    return str(graph.value(contract, URIRef(DCT + "identifier")))


def volet_of(graph):
    broader = dict(graph.subject_objects(URIRef(SKOS + "broader")))
    themes = URIRef("https://w3id.org/csi-graph/scheme/themes")
    tops = set(graph.subjects(URIRef(SKOS + "topConceptOf"), themes))

    def volet(theme):
        while theme in broader:
            theme = broader[theme]
        return theme if theme in tops else None

    return tops, volet


# ---------------------------------------------------------------------- stated axes


def test_volet_coverage_tells_commitments_axes_zero_and_unknown_apart(shipped, graph):
    tops, volet = volet_of(graph)
    on_volet: dict[str, dict] = defaultdict(lambda: defaultdict(set))
    known: dict[str, int] = defaultdict(int)
    for commitment in graph.subjects(RDF.type, C("Commitment")):
        contract = identifier(graph, graph.value(commitment, C("inContract")))
        known[contract] += 1
        for theme in graph.objects(commitment, C("theme")):
            if volet(theme) is not None:
                on_volet[contract][volet(theme)].add(commitment)
    stated: dict[str, set] = defaultdict(set)
    for axis in graph.subjects(RDF.type, C("Axis")):
        contract = identifier(graph, graph.value(axis, C("inContract")))
        stated[contract] |= {volet(t) for t in graph.objects(axis, C("theme"))} - {None}
    rows = shipped.query("volet-coverage", lang="en").to_dicts()
    contracts = {identifier(graph, k) for k in graph.subjects(RDF.type, C("IntegratedSecurityContract"))}
    assert len(rows) == len(contracts) * len(tops)
    by_label = {}
    for top in tops:
        for label in graph.objects(top, URIRef(SKOS + "prefLabel")):
            if label.language == "en":
                by_label[str(label)] = top
    for row in rows:
        contract, top = row["identifier"], by_label[row["volet"]]
        count = len(on_volet[contract][top])
        axis = top in stated[contract]
        expected = (
            "commitments" if count else "axis-stated" if axis else "zero" if known[contract] else "unknown"
        )
        assert (int(row["commitments"]), row["axisStated"] in (True, "true"), row["state"]) == (
            count,
            axis,
            expected,
        ), row
    # The shipped data shows each case at least once: the distinction is made on real contracts.
    assert {row["state"] for row in rows} == {"commitments", "axis-stated", "zero", "unknown"}
