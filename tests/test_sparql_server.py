"""Beyond one machine: the named queries run unchanged on a real SPARQL 1.1 server.

The test dumps the loaded dataset (shipped data and 10k synthetic triples, one named
graph per file, and their merge as the default graph) as N-Quads, loads it with ``oxigraph
load`` into a store folder, starts ``oxigraph serve-read-only`` on 127.0.0.1 and sends every named query of the
library and of the benchmark workload over the SPARQL 1.1 protocol. The answers must be
the multisets the embedded store gives.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from liveserver import free_port, oxigraph_command
from rdflib import BNode, Literal, URIRef
from test_stores import named_queries

from csi_graph.agreement import bound_query, differences
from csi_graph.loader import load
from csi_graph.sparql import query_form
from csi_graph.store import RawResult


@pytest.fixture(scope="module")
def local(synthetic_10k):
    return load([synthetic_10k.path], store="oxigraph")


@pytest.fixture(scope="module")
def endpoint(local, tmp_path_factory):
    folder = tmp_path_factory.mktemp("oxigraph-server")
    dump = folder / "dataset.nq"
    local.write_nquads(dump)
    command = oxigraph_command()
    subprocess.run(
        [command, "load", "--location", str(folder / "db"), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            command,
            "serve-read-only",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                remote_query(url, "ASK {}")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph serve did not start: {server.stderr.read()}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def remote_query(url: str, text: str) -> RawResult:
    """Run a query over the SPARQL 1.1 protocol; the answer in the stores' RawResult form."""
    form = query_form(text)
    accept = (
        "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
    )
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    if form in ("CONSTRUCT", "DESCRIBE"):
        triples = [
            (_term(q.subject), _term(q.predicate), _term(q.object))
            for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        ]
        return RawResult(form, triples=triples)
    document = json.loads(body)
    if "boolean" in document:
        return RawResult("ASK", boolean=document["boolean"])
    variables = document["head"]["vars"]
    rows = [tuple(_json_term(b.get(v)) for v in variables) for b in document["results"]["bindings"]]
    return RawResult("SELECT", variables, rows)


def _json_term(value: dict | None):
    if value is None:
        return None
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype in (None, "http://www.w3.org/2001/XMLSchema#string"):
        return Literal(value["value"])
    return Literal(value["value"], datatype=URIRef(datatype))


def _term(term):
    from csi_graph.terms import ox_to_rdflib

    return ox_to_rdflib(term)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_query_gives_the_same_answers_on_a_sparql_server(local, endpoint, name):
    text = bound_query(named_queries()[name], local.graph_names)
    embedded = local.execute(text)
    served = remote_query(endpoint, text)
    found = differences(embedded, served)
    assert not found, "\n".join(found)
    assert served.rows or served.triples or served.boolean is not None, "an empty answer proves little"


def test_server_holds_every_graph(local, endpoint):
    served = remote_query(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {str(g): int(n) for g, n in served.rows}
    assert counts == {info.name: info.triples for info in local.graphs}


def test_server_default_graph_is_the_merge(local, endpoint):
    """Triples stated in several files (the synthetic file repeats shipped ones) count once."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    merged = int(local.execute(count).rows[0][0])
    assert int(remote_query(endpoint, count).rows[0][0]) == merged
    assert merged < sum(info.triples for info in local.graphs)
