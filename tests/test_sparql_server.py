"""Beyond one machine: the named queries run unchanged on a real SPARQL 1.1 server.

The test dumps the loaded dataset (shipped data and 10k synthetic triples, one named
graph per file, and their merge as the default graph) as N-Quads, loads it with ``oxigraph
load`` into a store folder, starts ``oxigraph serve-read-only`` on 127.0.0.1 and sends every named query of the
library and of the benchmark workload over the SPARQL 1.1 protocol, as ``csi-graph query
--endpoint`` does. The answers must be the multisets the embedded store gives.
"""

from __future__ import annotations

import subprocess

import pytest
from liveserver import oxigraph_command, running_oxigraph
from test_stores import named_queries

from csi_graph.agreement import bound_query, differences
from csi_graph.loader import load
from csi_graph.remote import Endpoint


@pytest.fixture(scope="module")
def local(synthetic_10k):
    return load([synthetic_10k.path])


@pytest.fixture(scope="module")
def endpoint(local, tmp_path_factory):
    folder = tmp_path_factory.mktemp("oxigraph-server")
    dump = folder / "dataset.nq"
    local.write_nquads(dump)
    subprocess.run(
        [oxigraph_command(), "load", "--location", str(folder / "db"), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    with running_oxigraph("serve-read-only", folder / "db") as base:
        yield f"{base}/query"


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_gives_the_same_answers_on_a_sparql_server(local, endpoint, name):
    named = named_queries()[name]
    text = bound_query(named, local.graph_names)
    embedded = local.execute(text, named.form)
    served = Endpoint(endpoint).execute(text, named.form)
    found = differences(embedded, served)
    assert not found, "\n".join(found)
    assert served.rows or served.triples or served.boolean is not None, "an empty answer proves little"


def test_server_holds_every_graph(local, endpoint):
    served = Endpoint(endpoint).query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    counts = {row["g"]: row["n"] for row in served}
    assert counts == {info.name: info.triples for info in local.graphs}


def test_server_default_graph_is_the_merge(local, endpoint):
    """Triples stated in several files (the synthetic file repeats shipped ones) count once."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    merged = local.query(count).to_dicts()[0]["n"]
    assert Endpoint(endpoint).query(count).to_dicts()[0]["n"] == merged
    assert merged < sum(info.triples for info in local.graphs)
