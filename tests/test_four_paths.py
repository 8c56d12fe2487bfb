"""The same query, the same answer: the command line, the Python API, ``csi-graph serve`` and
``--endpoint`` against a real ``oxigraph serve``.

The queries are the patterns a researcher wrote from the documentation (issue 13): names
with the documented prefixes left undeclared, IRIs pasted back from a printed table,
``YEAR()`` on a year-only date and its portable form, aggregates and ``GROUP_CONCAT`` over
values that are not there. Each runs on the four paths over the shipped data; the answers
must be the same (compared as multisets, as :mod:`csi_graph.agreement` compares engines).
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from liveserver import running_oxigraph, running_server

from csi_graph.agreement import differences
from csi_graph.cli import cli
from csi_graph.remote import publish
from csi_graph.results import read_results
from csi_graph.sparql import query_form

PATTERNS = {
    "undeclared-prefixes": """
        SELECT ?contract ?identifier ?title WHERE {
          ?contract a csi:IntegratedSecurityContract ; dct:identifier ?identifier ; dct:title ?title .
          FILTER(lang(?title) = "fr") }""",
    "relative-iri": "SELECT ?p ?o WHERE { <contract/chambery-2021> ?p ?o }",
    "year-of-a-year": """
        SELECT ?identifier ?end (YEAR(?end) AS ?year) WHERE {
          ?c dct:identifier ?identifier ; dct:temporal/dcat:endDate ?end }""",
    "portable-year": """
        SELECT ?identifier ?end (xsd:integer(SUBSTR(STR(?end), 1, 4)) AS ?year) WHERE {
          ?c dct:identifier ?identifier ; dct:temporal/dcat:endDate ?end }""",
    "aggregates-over-missing-values": """
        SELECT ?identifier (COUNT(?value) AS ?n) (SUM(?value) AS ?total) (MAX(?value) AS ?largest) WHERE {
          ?c a csi:IntegratedSecurityContract ; dct:identifier ?identifier .
          OPTIONAL { ?commitment csi:inContract ?c ; csi:targetQuantity/schema:value ?value } }
        GROUP BY ?identifier""",
    "group-concat-of-missing-values": """
        SELECT ?identifier (GROUP_CONCAT(STR(?deadline); separator="; ") AS ?deadlines) WHERE {
          ?c a csi:IntegratedSecurityContract ; dct:identifier ?identifier .
          OPTIONAL { ?commitment csi:inContract ?c ; csi:deadline ?deadline } }
        GROUP BY ?identifier""",
    "construct-with-prefixes": """
        CONSTRUCT { ?c dct:title ?title } WHERE { ?c a csi:IntegratedSecurityContract ; dct:title ?title }""",
    "ask": "ASK { <contract/chambery-2021> csi:territory ?t }",
}


@pytest.fixture(scope="module")
def endpoint(shipped):
    """``oxigraph serve`` holding the shipped data in memory, published by csi-graph."""
    with running_oxigraph("serve") as base:
        publish(shipped, f"{base}/store")
        yield f"{base}/query"


@pytest.fixture(scope="module")
def served():
    """A real ``csi-graph serve`` process."""
    with running_server() as (_, url):
        yield f"{url}/sparql"


def _read(data: bytes, text: str):
    form = query_form(text)
    if form in ("CONSTRUCT", "DESCRIBE"):
        from csi_graph.results import QueryResult

        triples = [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.TURTLE)]
        return QueryResult.from_oxigraph(form, triples)
    return read_results(data, ox.QueryResultsFormat.JSON, form)


def _cli(runner, text: str, *options: str):
    form = query_form(text)
    fmt = "turtle" if form in ("CONSTRUCT", "DESCRIBE") else "json"
    result = runner.invoke(cli, ["query", "-e", text, "-f", fmt, *options])
    assert result.exit_code in (0, 1), result.output  # an ASK answering false exits 1
    return _read(result.stdout_bytes, text)


def _protocol(url: str, text: str):
    """What any SPARQL client sends: the raw text, with no prologue of csi-graph's."""
    graph = query_form(text) in ("CONSTRUCT", "DESCRIBE")
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Accept": "text/turtle" if graph else "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return _read(response.read(), text)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_the_same_answer_on_the_four_paths(runner, shipped, endpoint, served, name):
    text = PATTERNS[name]
    api = shipped.query(text)
    assert len(api) > 0 or api.boolean is not None, "an empty answer proves little"
    paths = {
        "command line": _cli(runner, text),
        "csi-graph serve": _protocol(served, text),
        "--endpoint oxigraph serve": _cli(runner, text, "--endpoint", endpoint),
    }
    for path, answer in paths.items():
        assert differences(api, answer) == [], path


def test_missing_values_give_no_error_text(shipped):
    """rdflib once wrote "Non-literal passes as string: NotBoundError(None)" into a result."""
    rows = shipped.query(PATTERNS["group-concat-of-missing-values"]).to_dicts()
    without = [r for r in rows if r["deadlines"] in (None, "")]
    assert without, "some contract has no commitment with a deadline"
    assert not any("Error" in (r["deadlines"] or "") for r in rows)
    counts = {r["identifier"]: r for r in shipped.query(PATTERNS["aggregates-over-missing-values"])}
    assert any(r["n"] == 0 and r["total"] is None for r in counts.values())


def test_year_of_a_year_only_date_and_its_portable_form_agree(shipped):
    engine = {(r["identifier"], r["year"]) for r in shipped.query(PATTERNS["year-of-a-year"])}
    portable = {(r["identifier"], r["year"]) for r in shipped.query(PATTERNS["portable-year"])}
    assert engine == portable and all(isinstance(year, int) for _, year in portable)


def test_printed_iris_paste_back_into_a_query(runner):
    """A table prints data IRIs relative to the BASE and terms as prefixed names: both read back."""
    table = runner.invoke(
        cli, ["query", "-e", "SELECT ?c ?type WHERE { ?c a ?type ; csi:inContract ?k } LIMIT 1"]
    ).stdout
    iri, kind = re.search(r"^(<\S+>)\s+(\S+:\S+)$", table, re.M).groups()
    assert not iri.startswith("<http")
    pasted = runner.invoke(cli, ["query", "-e", f"ASK {{ {iri} a {kind} }}"])
    assert (pasted.exit_code, pasted.stdout) == (0, "true\n")
