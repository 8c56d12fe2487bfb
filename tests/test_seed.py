"""Every commitment line of the seed is in the graph, word for word, with the right party."""

from __future__ import annotations

import re

import pytest
from conftest import SEED
from rdflib import Literal, URIRef

CSI = "https://w3id.org/csi-graph/ontology#"
ACTOR = "https://w3id.org/csi-graph/actor-kind/"
HEADINGS = {
    "Parmi les engagements pris par l’Etat": ACTOR + "state",
    "Parmi les engagements pris par la Ville de Chambéry": ACTOR + "commune",
    "Parmi les engagements pris par le Parquet": ACTOR + "prosecution",
}


def seed_commitments() -> list[tuple[str, str]]:
    """(party kind, wording) for each "- " line of the seed, under its party's heading."""
    if not SEED.is_file():
        pytest.fail(f"the seed {SEED} is missing from the checkout", pytrace=False)
    kind, found = None, []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        heading = line.strip().rstrip(":").strip()
        if heading in HEADINGS:
            kind = HEADINGS[heading]
        elif line.startswith("- ") and kind:
            found.append((kind, line[2:].strip()))
    return found


def test_seed_lists_sixteen_commitments():
    lines = seed_commitments()
    assert len(lines) == 16
    assert [k for k, _ in lines].count(ACTOR + "state") == 8
    assert [k for k, _ in lines].count(ACTOR + "commune") == 6
    assert [k for k, _ in lines].count(ACTOR + "prosecution") == 2


@pytest.mark.parametrize(
    "kind,wording", seed_commitments(), ids=lambda v: v[:40] if isinstance(v, str) else v
)
def test_seed_line_is_a_commitment_of_the_right_party(shipped, kind, wording):
    rows = list(
        shipped.data_graph.query(
            f"""
            PREFIX csi: <{CSI}>
            SELECT ?commitment ?kind WHERE {{
                ?commitment a csi:Commitment ; csi:wording ?wording ;
                            csi:committedBy/csi:partyKind ?kind ;
                            csi:inContract <https://w3id.org/csi-graph/id/contract/chambery-2021> .
            }}""",
            initBindings={"wording": Literal(wording, lang="fr")},
        )
    )
    assert len(rows) == 1, f"{wording!r} not found exactly once"
    assert str(rows[0].kind) == kind


def test_no_commitment_outside_the_seed(shipped):
    wordings = {w for _, w in seed_commitments()}
    graph = shipped.data_graph
    in_graph = {
        str(o) for s, o in graph.subject_objects(URIRef(CSI + "wording")) if "chambery-2021" in str(s)
    }
    assert in_graph == wordings


def test_parenthesised_details_are_items(shipped):
    graph = shipped.data_graph
    rows = graph.query(
        f"""PREFIX csi: <{CSI}> PREFIX schema: <http://schema.org/>
        SELECT ?label WHERE {{
            ?item csi:itemOf <https://w3id.org/csi-graph/id/commitment/chambery-2021/parquet-01> ;
                  schema:position ?n ; rdfs:label ?label . FILTER(lang(?label) = "fr")
        }} ORDER BY ?n"""
    )
    wording = next(w for _, w in seed_commitments() if w.startswith("Mise en œuvre de la justice"))
    inside = re.search(r"\((.*)\)", wording).group(1)
    assert [str(r.label) for r in rows] == [part.strip() for part in inside.split(",")]
