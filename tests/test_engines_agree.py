"""Differential test: random corruptions of the shipped data, validated by both engines.

Each corruption drops, duplicates, retypes or re-languages one triple of a shipped
contract, literals as written (the data reaches both engines exactly as parsed). The SPARQL
engine and pySHACL must report the same results, result for result (focus node, path,
value, source shape, component, severity, SPARQL constraint), on every corrupted graph.

pySHACL takes seconds per validation, so the corruptions come in batches: each batch
corrupts one triple in each of several contracts (contracts do not share resources, so a
corruption in one never hides another), then validates those contracts, with the ontology
and the reference data, once. The other contracts are left out of the batch: they would add
focus nodes, not cases (pySHACL on all 51 contracts takes 17 s, on 10 about 3.7 s; the whole
shipped data is validated by both engines in test_shapes.py). A local run validates the
first LOCAL_BATCHES batches (every kind of corruption in each); the others are marked slow:
CI runs all 35 (CI=true, or --run-slow).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT

from csi_graph.literals import exact_quads
from csi_graph.loader import rdf_files, read_quads
from csi_graph.validation import graph_from_quads, pyshacl_results, sparql_results

XSD = "http://www.w3.org/2001/XMLSchema#"
BATCHES = 35  # batches of CONTRACTS_PER_BATCH corruptions: 35 x 10 = 350 corruptions
CONTRACTS_PER_BATCH = 10
LOCAL_BATCHES = 1  # about 3 s of CPU each (pySHACL on 10 contracts): the rest run in CI
KINDS = ("drop", "duplicate", "retype", "re-language")
RETYPES = [
    XSD + t for t in ("string", "integer", "int", "nonNegativeInteger", "decimal", "date", "gYear", "anyURI")
]
LANGUAGES = ("fr", "en", "de", "fr-FR", None)


@dataclass(frozen=True)
class Corruption:
    kind: str
    file: str
    before: ox.Triple | None
    after: ox.Triple | None

    def __str__(self) -> str:
        return f"{self.kind} in {self.file}: {self.before} -> {self.after}"


def _triples(path: Path) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in read_quads(path, str(path))]


@pytest.fixture(scope="module")
def shipped_files():
    ontology = rdf_files(ROOT / "ontology")
    shapes = [p for p in ontology if ".shacl." in p.name]
    fixed = [p for p in ontology if p not in shapes] + rdf_files(ROOT / "data" / "reference")
    contracts = {p.name: _triples(p) for p in rdf_files(ROOT / "data" / "contracts")}
    shapes_graph = graph_from_quads(t for p in shapes for t in _triples(p))
    return [t for p in fixed for t in _triples(p)], contracts, shapes_graph


def corrupt(rng: random.Random, kind: str, name: str, triples: list[ox.Triple]) -> tuple[list, Corruption]:
    """``triples`` with one corruption of ``kind``."""
    triples = list(triples)
    if kind == "drop":
        index = rng.randrange(len(triples))
        return triples[:index] + triples[index + 1 :], Corruption(kind, name, triples[index], None)
    if kind == "duplicate":  # a second value for a property: another triple's object
        index = rng.randrange(len(triples))
        s, p, _ = triples[index]
        same_property = [t.object for t in triples if t.predicate == p and t.object != triples[index].object]
        if not same_property:
            return corrupt(rng, "drop", name, triples)
        extra = ox.Triple(s, p, rng.choice(same_property))
        return [*triples, extra], Corruption(kind, name, None, extra)
    literals = [
        i
        for i, t in enumerate(triples)
        if isinstance(t.object, ox.Literal) and (kind == "retype") == (t.object.language is None)
    ]
    index = rng.choice(literals)
    s, p, o = triples[index]
    if kind == "retype":
        datatype = rng.choice([d for d in RETYPES if d != o.datatype.value])
        changed = ox.Literal(o.value, datatype=ox.NamedNode(datatype))
    else:
        language = rng.choice([tag for tag in LANGUAGES if tag != o.language])
        changed = ox.Literal(o.value, language=language) if language else ox.Literal(o.value)
    after = ox.Triple(s, p, changed)
    return [*triples[:index], after, *triples[index + 1 :]], Corruption(kind, name, triples[index], after)


def _sparql(triples: list[ox.Triple], shapes) -> set:
    store = ox.Store()
    store.extend(exact_quads(ox.Quad(t.subject, t.predicate, t.object) for t in triples))
    return set(sparql_results(store, shapes))


def _validate_both(triples: list[ox.Triple], shapes) -> tuple[set, set]:
    return _sparql(triples, shapes), set(pyshacl_results(graph_from_quads(triples), shapes))


@pytest.mark.parametrize(
    "batch",
    [pytest.param(b, marks=[pytest.mark.slow] if b >= LOCAL_BATCHES else []) for b in range(BATCHES)],
)
def test_engines_agree_on_random_corruptions(batch, shipped_files):
    fixed, contracts, shapes = shipped_files
    rng = random.Random(batch)
    names = rng.sample(sorted(contracts), min(CONTRACTS_PER_BATCH, len(contracts)))
    triples = list(fixed)
    done = []
    for number, name in enumerate(names):
        corrupted, corruption = corrupt(rng, KINDS[(batch + number) % len(KINDS)], name, contracts[name])
        triples += corrupted
        done.append(corruption)
    fast, reference = _validate_both(triples, shapes)
    assert fast == reference, (
        "the engines disagree after:\n"
        + "".join(f"  {c}\n" for c in done)
        + "".join(f"  pySHACL only: {r}\n" for r in reference - fast)
        + "".join(f"  SPARQL only:  {r}\n" for r in fast - reference)
    )


def test_corruptions_are_caught_and_counted(shipped_files):
    """The corruptions are not idle: many of them change the report (checked on a sample)."""
    fixed, contracts, shapes = shipped_files
    baseline = _sparql(fixed + [t for ts in contracts.values() for t in ts], shapes)
    rng = random.Random(1000)
    changed = 0
    name = "chambery-2021.ttl"
    for kind in KINDS * 3:
        corrupted, _ = corrupt(rng, kind, name, contracts[name])
        others = [t for n, ts in contracts.items() if n != name for t in ts]
        changed += _sparql(fixed + others + corrupted, shapes) != baseline
    assert changed >= 4
    assert BATCHES * CONTRACTS_PER_BATCH >= 300
