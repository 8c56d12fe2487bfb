"""A real SPARQL server: `oxigraph serve` on 127.0.0.1, publish, and the same answers remotely."""

from __future__ import annotations

import pytest
from conftest import normalised
from liveserver import free_port, running_oxigraph

from csi_graph.cli import cli
from csi_graph.errors import CsiError
from csi_graph.queries import checks, library
from csi_graph.remote import Endpoint, publish


@pytest.fixture(scope="module")
def server():
    """An Oxigraph server holding its store in memory (half the CPU time of an on-disk store,
    whose writes each sync; test_sparql_server.py serves one from disk)."""
    with running_oxigraph("serve") as base:
        yield base


@pytest.fixture(scope="module")
def published(server, shipped):
    publish(shipped, f"{server}/store")
    return Endpoint(f"{server}/query")


@pytest.mark.parametrize("name", sorted(library()))
def test_named_query_gives_the_same_answers_remotely(shipped, published, name):
    assert normalised(published.query(name)) == normalised(shipped.query(name))


@pytest.mark.parametrize("name", sorted(checks()))
def test_checks_pass_remotely(published, name):
    assert len(published.query(f"checks/{name}")) == 0


def test_parameters_are_bound_remotely(shipped, published):
    for params in ({"contract": "chambery-2021", "lang": "fr"}, {"text": '" } UNION { ?s ?p ?o } #'}):
        name = "signatories" if "contract" in params else "search"
        assert normalised(published.query(name, **params)) == normalised(shipped.query(name, **params))


def _count(endpoint: Endpoint, graph: str | None = None) -> int:
    text = "SELECT (COUNT(*) AS ?n) WHERE { %s }" % (
        f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    )
    return endpoint.query(text).to_dicts()[0]["n"]


def test_publishing_twice_leaves_the_same_data(server, shipped, published):
    before = {info.name: _count(published, info.name) for info in shipped.graphs}
    total = _count(published)
    publish(shipped, f"{server}/store")
    assert {info.name: _count(published, info.name) for info in shipped.graphs} == before
    assert _count(published) == total
    assert before == {info.name: info.triples for info in shipped.graphs}


def test_publish_with_sparql_update_replaces_graphs(server, shipped, published):
    publish(shipped, f"{server}/update", protocol="update")
    publish(shipped, f"{server}/update", protocol="update")
    assert {info.name: _count(published, info.name) for info in shipped.graphs} == {
        info.name: info.triples for info in shipped.graphs
    }
    assert normalised(published.query("commitment-counts")) == normalised(shipped.query("commitment-counts"))


def test_publish_into_one_graph(server, shipped, published):
    graph = "https://example.org/one-graph"
    publish(shipped, f"{server}/store", graph=graph)
    assert _count(published, graph) == len(shipped.merged("ontology", "shapes", "data"))


def test_cli_publish_and_query_endpoint(runner, server, shipped):
    published = runner.invoke(cli, ["publish", "--endpoint", f"{server}/store"])
    assert published.exit_code == 0, published.output
    graphs = len(shipped.graphs) + 1  # one per file, and the default graph
    assert published.stdout.splitlines()[-1] == f"Published {graphs} graphs to {server}/store"
    result = runner.invoke(cli, ["query", "commitment-counts", "--endpoint", f"{server}/query", "-f", "csv"])
    assert result.exit_code == 0
    assert "chambery-2021,State,State,8" in result.stdout
    ask = runner.invoke(cli, ["query", "has-realisation", "--endpoint", f"{server}/query"])
    assert (ask.exit_code, ask.stdout) == (0, "true\n")


def test_remote_safety_policy_applies(runner, server):
    refused = runner.invoke(
        cli,
        [
            "query",
            "--endpoint",
            f"{server}/query",
            "-e",
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        ],
    )
    assert refused.exit_code == 2 and "SERVICE is refused" in refused.stderr


def test_unreachable_endpoint_is_a_clear_error(runner):
    port = free_port()
    result = runner.invoke(
        cli, ["query", "commitment-counts", "--endpoint", f"http://127.0.0.1:{port}/query"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: cannot reach the endpoint http://127.0.0.1:{port}/query:")
    with pytest.raises(CsiError, match="not an http"):
        Endpoint("file:///etc/passwd")


def test_malformed_query_reported_by_server(published):
    """Text that passes no local check reaches the server, whose own message is passed on."""
    with pytest.raises(
        CsiError, match=r"the endpoint http://127\.0\.0\.1:\d+/query refused the query: 400 Bad Request: .+"
    ):
        published.execute("SELECT * WHERE { ?s ?p }", "SELECT")
