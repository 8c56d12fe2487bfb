"""csi-graph export: every format round-trips, and the same data gives the same bytes."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from conftest import ROOT, SYNTHETIC
from rdflib import Graph
from rdflib.compare import isomorphic

from csi_graph import loader
from csi_graph.cli import EXPORT_FORMATS, cli
from csi_graph.errors import CsiError
from csi_graph.export import FORMATS, Selection, export
from csi_graph.loader import graph_name, load
from csi_graph.namespaces import PREFIXES
from csi_graph.terms import ox_to_rdflib

CHAMBERY = ROOT / "data" / "contracts" / "chambery-2021.ttl"
PARSERS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

# The same small graph twice, with blank nodes written in a different order and with
# different labels: canonical labels must make the two exports identical.
BNODES_A = """@prefix ex: <https://example.org/> . @prefix dct: <http://purl.org/dc/terms/> .
ex:report dct:temporal [ ex:start "2030" ; ex:end "2031" ] ; ex:part _:x , _:y .
_:x ex:label "first" ; ex:next _:y . _:y ex:label "second" .
"""
BNODES_B = """@prefix ex: <https://example.org/> . @prefix dct: <http://purl.org/dc/terms/> .
_:second ex:label "second" . _:first ex:next _:second ; ex:label "first" .
ex:report ex:part _:second , _:first ; dct:temporal _:period .
_:period ex:end "2031" ; ex:start "2030" .
"""


@pytest.fixture(scope="module")
def both():
    """Chambéry's contract and the synthetic one, copied into the default graph or kept as the anchor graph."""
    paths = [CHAMBERY, SYNTHETIC]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "ANCHOR_BYTES", 0)  # the largest file becomes the anchor
        anchored = load(paths, contracts=False)
    assert anchored.store.anchor is not None
    return {"copied": load(paths, contracts=False), "anchored": anchored}


def _graph(quads) -> Graph:
    graph = Graph()
    for quad in quads:
        graph.add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    return graph


def _parsed(content: bytes, fmt: str) -> Graph:
    return _graph(ox.parse(content, format=PARSERS[fmt]))


def test_cli_formats_are_the_library_formats():
    assert tuple(FORMATS) == EXPORT_FORMATS


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_format_reads_back_to_the_same_graph(both, fmt):
    dataset = both["copied"]
    source = _graph(Selection(dataset).quads)
    assert len(source) > 600
    assert isomorphic(_parsed(export(dataset, fmt), fmt), source)


def _canonical(quads) -> list[str]:
    """The triples with their blank nodes labelled by RDFC-1.0 (Oxigraph's), sorted: two graphs
    are the same up to blank-node labels when these are equal."""
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


# Compared by RDFC-1.0 (0.1 s) and, in CI, by rdflib's isomorphism too (5 s), an oracle that
# shares no code with the export.
@pytest.mark.parametrize(
    ("fmt", "oracle"),
    [
        ("turtle", "rdfc"),
        pytest.param("turtle", "rdflib", marks=pytest.mark.slow),
        ("jsonld", "rdfc"),
    ],
)
def test_ontology_and_shapes_with_their_blank_nodes_read_back(both, fmt, oracle):
    dataset = both["anchored"]
    source = Selection(dataset, ontology=True, shapes=True).quads
    content = export(dataset, fmt, ontology=True, shapes=True)
    assert b"_:c14n" in content or fmt == "jsonld"
    read = ox.parse(content, format=PARSERS[fmt])
    if oracle == "rdfc":
        assert _canonical(read) == _canonical(source)
    else:
        assert isomorphic(_graph(read), _graph(source))


def test_quad_formats_keep_one_graph_per_file(both):
    content = export(both["copied"], "nq").decode()
    graphs = {line.rsplit(" ", 2)[-2] for line in content.splitlines()}
    assert graphs == {
        "<https://w3id.org/csi-graph/graph/data/contracts/chambery-2021.ttl>",
        "<https://w3id.org/csi-graph/graph/data/reference/national.ttl>",
        "<https://w3id.org/csi-graph/graph/data/reference/territories.ttl>",
        f"<{graph_name(SYNTHETIC)}>",
    }


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_same_bytes_twice_and_in_both_layouts(both, fmt):
    first = export(both["copied"], fmt)
    assert export(both["copied"], fmt) == first
    assert export(both["anchored"], fmt) == first


def test_same_bytes_whatever_the_blank_node_labels_and_order(tmp_path):
    (tmp_path / "a.ttl").write_text(BNODES_A)
    (tmp_path / "b.ttl").write_text(BNODES_B)
    for fmt in EXPORT_FORMATS:
        if FORMATS[fmt].quads:
            continue  # the graph names are the files' names, which differ
        a = export(load([tmp_path / "a.ttl"], contracts=False), fmt)
        b = export(load([tmp_path / "b.ttl"], contracts=False), fmt)
        assert a == b, fmt
    assert b"_:c14n0" in export(load([tmp_path / "a.ttl"], contracts=False), "turtle")


def test_same_bytes_in_another_process_with_another_hash_seed(both, tmp_path):
    """Python's hash seed changes set and dict orders between runs; the output must not change."""
    script = (
        "import sys; from csi_graph.loader import load; from csi_graph.export import export\n"
        f"ds = load([{str(CHAMBERY)!r}, {str(SYNTHETIC)!r}], contracts=False)\n"
        "sys.stdout.buffer.write(export(ds, 'turtle') + export(ds, 'jsonld') + export(ds, 'rdfxml'))\n"
    )
    outputs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, check=True)
        outputs.append(run.stdout)
    here = b"".join(export(both["copied"], f) for f in ("turtle", "jsonld", "rdfxml"))
    assert outputs[0] == outputs[1] == here


def test_turtle_looks_like_the_project_files(both):
    text = export(both["copied"], "turtle").decode()
    lines = text.splitlines()
    assert lines[0] == "@base <https://w3id.org/csi-graph/id/> ."
    prefixes = [line.split()[1][:-1] for line in lines if line.startswith("@prefix")]
    assert prefixes == [p for p in PREFIXES if p in prefixes]  # in the order of the data files
    assert "@prefix sh:" not in text  # only the prefixes in use
    assert "<contract/chambery-2021>\n    a csi:IntegratedSecurityContract ;" in text
    assert "    schema:position 1 ;" in text
    # data resources come before the sources' web addresses
    assert text.index("\n<contract/chambery-2021>\n") < text.index("\n<https://www.chambery.fr/")


def test_jsonld_is_readable_without_rdf(both):
    import json

    document = json.loads(export(both["copied"], "jsonld"))
    nodes = {node["id"]: node for node in document["@graph"]}
    commitment = nodes["commitment/chambery-2021/state-06"]
    assert commitment["type"] == "Commitment"
    assert commitment["inContract"] == "contract/chambery-2021"
    assert commitment["committedBy"] == "party/chambery-2021/state"
    assert sorted(commitment["theme"]) == ["mediation-outreach", "urban-policy"]
    assert commitment["position"] == 6
    assert commitment["label"]["en"].startswith("Support for outreach")
    assert nodes["status-record/chambery-2021/city-06-1"]["status"] == "realised"
    full = [i if "://" in i else "https://w3id.org/csi-graph/id/" + i for i in nodes]
    assert full == sorted(full)
    assert not [key for node in nodes.values() for key in node if ":" in key]  # every key has a name


def test_context_names_every_term_of_the_ontology():
    from csi_graph.jsonld import context

    ctx = context()
    iris = {(v if isinstance(v, str) else v["@id"]) for v in ctx.values() if isinstance(v, (str, dict))}
    expanded = {iri.replace("csi:", "https://w3id.org/csi-graph/ontology#") for iri in iris}
    ontology = Graph().parse(ROOT / "ontology" / "csi.owl.ttl")
    terms = {str(s) for s in ontology.subjects() if str(s).startswith("https://w3id.org/csi-graph/ontology#")}
    assert terms and terms <= expanded, sorted(terms - expanded)


def test_one_contract_and_what_it_refers_to(both):
    dataset = both["copied"]
    text = export(dataset, "nt", contract="chambery-2021").decode()
    assert "<https://w3id.org/csi-graph/id/contract/chambery-2021>" in text
    assert "<https://w3id.org/csi-graph/id/person/pascal-bolot>" in text  # a signatory
    assert "<https://w3id.org/csi-graph/id/fund/fipd>" in text  # reference data it uses
    assert "<https://w3id.org/csi-graph/id/status-record/chambery-2021/city-06-1>" in text
    assert "testville" not in text
    assert "faceaurisque" not in text  # a reference source no Chambéry fact cites
    by_iri = export(dataset, "nt", contract="https://w3id.org/csi-graph/id/contract/testville-2030").decode()
    assert "testville-2030" in by_iri and "chambery-2021" not in by_iri


def test_unknown_contract_is_an_error(both):
    with pytest.raises(
        CsiError,
        match=r"no contract 'lyon-2021' is loaded; the loaded contracts are: chambery-2021, testville-2030",
    ):
        export(both["copied"], "turtle", contract="lyon-2021")


def test_cli_export_to_stdout_and_file(runner, tmp_path):
    result = runner.invoke(cli, ["export", str(SYNTHETIC), "-f", "nt"])
    assert result.exit_code == 0, result.output
    assert "<https://w3id.org/csi-graph/id/contract/testville-2030>" in result.stdout
    assert "chambery-2021" not in result.stdout  # given PATHS, only those files
    out = tmp_path / "out.ttl"
    result = runner.invoke(cli, ["export", "--contract", "chambery-2021", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_bytes() == export(load(), "turtle", contract="chambery-2021")


def test_cli_export_errors(runner):
    result = runner.invoke(cli, ["export", "--contract", "nowhere"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no contract 'nowhere' is loaded; the loaded contracts are: ")
    assert "chambery-2021" in result.stderr
    result = runner.invoke(cli, ["export", "-f", "csv"])
    assert result.exit_code == 2 and "Invalid value for '-f' / '--format'" in result.stderr


def test_jsonld_from_the_store_is_what_pyld_makes_of_n_quads():
    """csi-graph hands PyLD its statements directly; PyLD's own N-Quads reading is the oracle.

    Chambéry's contract and the synthetic one, whose literals hold languages, datatypes,
    escapes and blank nodes: the two ways must give the same document, byte for byte.
    """
    from pyld import jsonld as pyld

    from csi_graph.catalog import catalog_context
    from csi_graph.export import canonical
    from csi_graph.jsonld import _no_remote_documents, compact, compact_document, context, dumps

    dataset = load([CHAMBERY, SYNTHETIC], contracts=False)
    nt = export(dataset, "nt")
    quads = canonical(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    options = {
        "documentLoader": _no_remote_documents,
        "format": "application/n-quads",
        "useNativeTypes": True,
    }
    oracle = pyld.compact(pyld.from_rdf(text, options), context(), {**options, "graph": True})
    oracle["@context"] = context()
    assert compact_document(quads) == dumps(oracle)
    # Again, from the compacted nodes kept (csi_graph.jsonld._NODES): the same bytes.
    assert compact_document(quads) == dumps(oracle)
    # Nodes kept for one context are never used for another: the catalogue's, given inline.
    other = catalog_context()
    oracle = pyld.compact(pyld.from_rdf(text, options), other, {**options, "graph": True})
    assert dumps(compact(quads, other)) == dumps(oracle)
    assert compact_document([]) == dumps(compact([]))  # the context written once per process: same text
