"""The synthetic generator: deterministic, labelled, conforming, with known planted mistakes.

The planted mistakes are the reference for both validators: pySHACL and the SPARQL engine
must each report exactly the results the generator says it planted, nothing more (so the
rest of the generated data conforms to every shape, warnings and information included).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from csi_graph.loader import graph_name, load
from csi_graph.synthetic import PLANTS, generate
from csi_graph.validation import validate


def _key(result) -> tuple:
    return (result.severity, result.focus, result.path, result.shape)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = generate(tmp_path / "a.ttl", triples=3_000, seed=7, violations=3)
    b = generate(tmp_path / "b.ttl", triples=3_000, seed=7, violations=3)
    c = generate(tmp_path / "c.ttl", triples=3_000, seed=8, violations=3)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.path.read_bytes() != c.path.read_bytes()
    assert a.planted == b.planted


def test_reported_size_is_what_loads(synthetic_10k):
    dataset = load([synthetic_10k.path], contracts=False)
    graph = next(info for info in dataset.graphs if info.path == synthetic_10k.path)
    assert graph.triples == synthetic_10k.triples
    assert 10_000 <= synthetic_10k.triples < 11_000
    assert synthetic_10k.contracts >= 10 and synthetic_10k.commitments > 20 * synthetic_10k.contracts


def test_every_kind_of_mistake_is_planted(synthetic_10k):
    assert [plant.kind for plant in synthetic_10k.planted] == list(PLANTS)
    assert all(plant.results for plant in synthetic_10k.planted)


def test_data_says_it_is_synthetic(synthetic_10k):
    text = synthetic_10k.path.read_text(encoding="utf-8")
    assert text.startswith("# SYNTHETIC DATA")
    dataset = load([synthetic_10k.path], contracts=False)
    rows = dataset.query(
        """PREFIX csi: <https://w3id.org/csi-graph/ontology#>
        PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?contract ?description WHERE {
            ?contract a csi:IntegratedSecurityContract .
            OPTIONAL { ?contract dct:description ?description FILTER (lang(?description) = "en") }
        }"""
    )
    descriptions = [row["description"] for row in rows]
    assert len(descriptions) == synthetic_10k.contracts
    assert all(d and d.startswith("SYNTHETIC") for d in descriptions)
    graph = graph_name(synthetic_10k.path)
    sources = dataset.query(
        f"PREFIX csi: <https://w3id.org/csi-graph/ontology#> SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s a csi:Source }} }}"
    )
    assert {row["s"].split("/")[2] for row in sources} == {"example.org"}


class Reports(dict):
    """Each validator's report on the same 10k-triple data, made when first asked for."""

    def __init__(self, path):
        super().__init__()
        self.dataset = load([path], contracts=False)

    def __missing__(self, engine: str):
        self[engine] = validate(self.dataset, engine=engine)
        return self[engine]


@pytest.fixture(scope="module")
def reports(synthetic_10k):
    """Both validators' reports on the same data; pySHACL takes 10-25 s of CPU here, so the
    tests that need it are marked slow (CI runs them)."""
    return Reports(synthetic_10k.path)


@pytest.mark.parametrize("engine", [pytest.param("pyshacl", marks=pytest.mark.slow), "sparql"])
def test_validators_report_exactly_the_planted_mistakes(synthetic_10k, reports, engine):
    expected = sorted((r.severity, r.focus, r.path, r.shape) for r in synthetic_10k.expected())
    assert sorted(map(_key, reports[engine].results)) == expected
    assert reports[engine].engine == engine


@pytest.mark.slow
def test_both_validators_give_the_same_report(reports):
    """Same results, field by field (value, component, location, messages), at 10k triples."""
    reference, fast = reports["pyshacl"], reports["sparql"]
    assert fast.results == reference.results
    assert [r.messages for r in fast.results] == [r.messages for r in reference.results]
    assert fast.to_text() == reference.to_text()
    assert fast.triples == reference.triples


def test_command_line_writes_the_planted_list(tmp_path):
    out, planted = tmp_path / "s.ttl", tmp_path / "planted.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "csi_graph.synthetic",
            str(out),
            "--triples",
            "2k",
            "--violations",
            "2",
            "--planted",
            str(planted),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    document = json.loads(planted.read_text(encoding="utf-8"))
    assert [p["kind"] for p in document["planted"]] == list(PLANTS[:2])
    assert f"{document['triples']} triples" in done.stderr
    assert out.read_text(encoding="utf-8").startswith("# SYNTHETIC DATA")
