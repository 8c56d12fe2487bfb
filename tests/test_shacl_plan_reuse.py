"""The SPARQL engine reuses a compiled plan only when a new compile would give the same one.

A plan depends on the shapes (up to blank-node labels, which every parse renews), on
``stand_ins`` and on the data's ``rdfs:subClassOf`` answers: each test changes one of them
and checks that the change is seen, or keeps them and checks that the reused plan reports
exactly what a fresh compile reports. Compiles are counted by wrapping the real
``compile_shapes``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import ROOT, SYNTHETIC
from counterexamples import COUNTER_EXAMPLES, PROLOGUE
from engines import validate_both
from rdflib import BNode, Graph, URIRef

from csi_graph import shacl_sparql
from csi_graph.canonical import canonical
from csi_graph.loader import graph_name, load
from csi_graph.validation import (
    forget_shapes,
    graph_from_quads,
    pyshacl_results,
    shared_shapes,
    sparql_results,
    validate,
)

SHAPES_FILE = ROOT / "ontology" / "csi.shapes.shacl.ttl"


@pytest.fixture
def compiles(monkeypatch) -> list:
    """The shapes graphs compiled during the test (the memo starts empty)."""
    calls = []
    original = shacl_sparql.compile_shapes

    def counting(shapes, *args, **kwargs):
        calls.append(shapes)
        return original(shapes, *args, **kwargs)

    monkeypatch.setattr(shacl_sparql, "compile_shapes", counting)
    forget_shapes()
    yield calls
    forget_shapes()


def _fresh(dataset):
    """The report of a validation that compiles afresh."""
    forget_shapes()
    return validate(dataset, engine="sparql")


def _same(reused, fresh) -> None:
    """The same report, and the same results in RDF terms (the shapes' own blank nodes included;
    blank nodes of the data are labelled anew by each validation's copy of the data)."""
    assert reused.to_json() == fresh.to_json()
    assert _raw(reused) == _raw(fresh)


def _raw(report) -> list:
    def data(term):
        return "[]" if isinstance(term, BNode) else term

    return sorted(
        (
            str(data(r.focus)),
            r.component,
            r.severity,
            str(r.shape),
            str(r.path),
            str(data(r.value)),
            str(r.constraint),
            *sorted(r.messages),
        )
        for r in (result.raw for result in report.results)
    )


def _blank_nodes(graph: Graph) -> set:
    return {term for triple in graph for term in triple if isinstance(term, BNode)}


def test_the_shipped_shapes_are_compiled_once_for_datasets_loaded_apart(shipped, compiles):
    first = validate(shipped, engine="sparql")
    again = load()  # the same files parsed again: new blank-node labels
    assert not _blank_nodes(shipped.shapes_graph) & _blank_nodes(again.shapes_graph)
    reused = validate(again, engine="sparql")
    assert len(compiles) == 1
    assert reused.results == first.results
    _same(reused, _fresh(again))
    assert len(compiles) == 2


# Every 12th counter-example; a local run takes the first two, CI all (slow: 1-2 s each).
@pytest.mark.parametrize(
    "example",
    [
        pytest.param(e, marks=[pytest.mark.slow] if i >= 2 else [], id=e.name)
        for i, e in enumerate(COUNTER_EXAMPLES[::12])
    ],
)
def test_a_reused_plan_reports_what_a_fresh_compile_reports(example, compiles):
    validate(load([SYNTHETIC], contracts=False), engine="sparql")  # compiles the shapes
    dataset = load([SYNTHETIC], contracts=False)
    dataset.update(graph_name(SYNTHETIC), PROLOGUE + example.update)
    reused = validate(dataset, engine="sparql")
    assert len(compiles) == 1
    assert any(r.shape == example.shape and r.path == example.path for r in reused.results)
    _same(reused, _fresh(dataset))


def test_a_changed_shape_is_compiled_again(compiles):
    dataset = load([SYNTHETIC], contracts=False)
    assert validate(dataset, engine="sparql").results == []
    dataset.update(
        graph_name(SHAPES_FILE),
        PROLOGUE
        + "PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX csish: <https://w3id.org/csi-graph/shapes#> "
        "INSERT DATA { csish:ContractShape sh:property [ sh:path dct:identifier ; sh:minLength 40 ; "
        'sh:message "identifiant trop court"@fr, "identifier too short"@en ] }',
    )
    report = validate(dataset, engine="sparql")
    assert len(compiles) == 2
    assert [(r.focus, r.component) for r in report.results] == [
        ("<contract/testville-2030>", "MinLengthConstraintComponent")
    ]
    _same(report, validate_both(dataset))


def test_the_kept_rdflib_shapes_are_shared_and_never_changed(compiles):
    """validate() converts the same shapes to rdflib once; no engine changes the kept graph."""
    kept, _ = shared_shapes(list(load([SYNTHETIC], contracts=False).oxigraph_view("shapes")))
    before = set(kept)
    dataset = load([SYNTHETIC], contracts=False)
    dataset.update(graph_name(SYNTHETIC), PROLOGUE + COUNTER_EXAMPLES[0].update)
    assert not validate_both(dataset).valid
    assert shared_shapes(list(dataset.oxigraph_view("shapes")))[0] is kept
    assert set(kept) == before


def test_pyshacl_leaves_the_shapes_graph_as_it_was():
    shapes = _shapes(
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
    )
    before = set(shapes)
    assert (
        len(
            pyshacl_results(
                Graph().parse(data="<urn:example:a> <urn:example:q> 1 .", format="turtle"), shapes
            )
        )
        == 1
    )
    assert set(shapes) == before


def test_a_plan_is_carried_over_to_the_blank_nodes_of_the_shapes_it_is_given(compiles):
    """The same shapes parsed twice: the second run reports the second graph's nameless shape
    and resolves its nameless path there (the engine's callers may compare with pySHACL's
    results on the same graph, as tests/test_engines_agree.py does)."""
    turtle = (
        "ex:S a sh:NodeShape ; sh:targetNode ex:b ; "
        "sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 2 ] ."
    )
    data = "<urn:example:a> <urn:example:p> <urn:example:b> ."
    for shapes in (_shapes(turtle), _shapes(turtle)):
        [result] = sparql_results(_store(data), shapes)
        assert result.shape in _blank_nodes(shapes)
        assert result.path == ("inversePath", URIRef("urn:example:p"))
        assert {result} == set(pyshacl_results(Graph().parse(data=data, format="turtle"), shapes))
    assert len(compiles) == 1


def test_the_shipped_shapes_parsed_twice_give_what_a_fresh_compile_gives(compiles):
    """The whole shipped plan carried over to the blank nodes of a second parse (as the
    engines-agree test gives the engine graphs of its own)."""
    files = sorted((ROOT / "ontology").glob("*.shacl.ttl"))

    def parsed() -> Graph:
        return graph_from_quads(
            q for path in files for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        )

    dataset = load([SYNTHETIC], contracts=False)
    dataset.update(graph_name(SYNTHETIC), PROLOGUE + COUNTER_EXAMPLES[0].update)
    data = list(dataset.oxigraph_view("ontology", "data"))  # one set of blank-node labels

    def results(shapes: Graph) -> set:
        store = ox.Store()
        store.extend(data)
        return set(sparql_results(store, shapes))

    first, second = parsed(), parsed()
    assert not _blank_nodes(first) & _blank_nodes(second)
    assert results(first)
    reused = results(second)
    assert len(compiles) == 1
    forget_shapes()
    assert reused == results(second)
    assert len(compiles) == 2


def test_a_new_subclass_in_the_data_is_seen(compiles):
    """sh:targetClass reaches the subclasses the data declares: the compiler asked, so ask again."""
    validate(load([SYNTHETIC], contracts=False), engine="sparql")
    dataset = load([SYNTHETIC], contracts=False)
    dataset.update(
        graph_name(SYNTHETIC),
        PROLOGUE + "INSERT DATA { <urn:example:Special> rdfs:subClassOf csi:IntegratedSecurityContract . "
        "<contract/special-2031> a <urn:example:Special> }",
    )
    report = validate(dataset, engine="sparql")
    assert len(compiles) == 2
    special = {r.shape for r in report.results if r.focus == "<contract/special-2031>"}
    assert "csish:Contract-identifier" in special
    _same(report, validate_both(dataset))
    validate(dataset, engine="sparql")  # the same answers again: the plan is reused
    assert len(compiles) == 2


def _shapes(turtle: str) -> Graph:
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:example:> .\n"
    return Graph().parse(data=prefixes + turtle, format="turtle")


def _store(turtle: str) -> ox.Store:
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    return store


def test_the_memo_keeps_a_few_plans_the_most_recently_used(compiles):
    size = shacl_sparql.PLANS.kept.size
    data = "<urn:example:a> <urn:example:p> 1, 2, 3 ."

    def results(n: int) -> int:  # one plan for each n: at most n values of ex:p
        shapes = _shapes(
            f"ex:S{n} a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:maxCount {n} ] ."
        )
        return len(sparql_results(_store(data), shapes))

    assert [results(n) for n in range(size + 2)] == [1, 1, 1] + [0] * (size - 1)
    assert len(compiles) == size + 2 and len(shacl_sparql.PLANS.kept) == size
    results(size + 1)  # the most recent: kept
    assert len(compiles) == size + 2
    results(0)  # the oldest: dropped
    assert len(compiles) == size + 3
    assert len(shacl_sparql.PLANS.kept) == size


def test_stand_ins_are_part_of_the_key(compiles):
    shapes = _shapes(
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype <http://www.w3.org/2001/XMLSchema#int> ] ."
    )
    data = '<urn:example:a> <urn:example:p> "x"^^<http://www.w3.org/2001/XMLSchema#int> .'
    for stand_ins in (True, False, True, False):
        assert len(sparql_results(_store(data), shapes, stand_ins=stand_ins)) == 1
    assert len(compiles) == 2


def test_shapes_without_a_canonical_form_are_compiled_each_time(compiles):
    """Two nameless property shapes alike: no labelling tells them apart, so no memo."""
    shapes = _shapes(
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] , [ sh:path ex:p ; sh:minCount 1 ] ."
    )
    assert canonical(shapes) is None
    for _ in range(2):
        assert len(sparql_results(_store("<urn:example:a> <urn:example:q> 1 ."), shapes)) == 2
    assert len(compiles) == 2 and len(shacl_sparql.PLANS.kept) == 0


def test_the_canonical_form_ignores_blank_node_labels_only():
    turtle = "ex:S sh:property [ sh:path ex:p ; sh:minCount 1 ] , [ sh:path ex:q ; sh:in ( 1 2 ) ] ."
    first, second = canonical(_shapes(turtle)), canonical(_shapes(turtle))
    assert first.digest == second.digest and set(first.colours) != set(second.colours)
    moved = canonical(_shapes(turtle.replace("sh:minCount 1", "sh:minCount 2")))
    swapped = canonical(
        _shapes(
            turtle.replace("ex:p ; sh:minCount", "ex:q ; sh:minCount").replace("ex:q ; sh:in", "ex:p ; sh:in")
        )
    )
    assert len({first.digest, moved.digest, swapped.digest}) == 3
    # Oxigraph's terms and rdflib's give the same structure, each its own digest space.
    assert (
        canonical(ox.parse(SHAPES_FILE.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri="urn:x"))
        is not None
    )
