"""SPARQL 1.1 servers: run the same queries remotely, and publish the dataset to one.

:class:`Endpoint` has the same ``query()`` as :class:`~csi_graph.dataset.Dataset`: a named
query or SPARQL text, parameters bound through a ``VALUES`` block, the same safety policy,
and a :class:`~csi_graph.results.QueryResult` back. It talks to the server with
SPARQLWrapper and contacts no other host.

:func:`publish` loads a dataset into a server: every named graph (one per source file) and
the default graph, which receives the merge of all files so that the named queries — written
for a default graph holding everything — run unchanged on any server, whatever its "union
default graph" setting. Each graph is *replaced* (HTTP Graph Store Protocol ``PUT``, or
``DROP`` then ``INSERT DATA`` with SPARQL Update), so publishing twice leaves the same data.
"""

from __future__ import annotations

import ast
import contextlib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from csi_graph.errors import CsiError
from csi_graph.namespaces import GRAPH_BASE
from csi_graph.results import QueryResult
from csi_graph.sparql import QueryError, query_form
from csi_graph.store import RawResult, Triple

USER_AGENT = "csi-graph (https://w3id.org/csi-graph)"


class _GraphsOfThisProject:
    """FROM may name graphs csi-graph published (under the project's graph base)."""

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and iri.startswith(GRAPH_BASE)

    def __iter__(self):
        return iter(())


class Endpoint:
    """A remote SPARQL 1.1 query endpoint, queried like a local dataset."""

    def __init__(self, url: str, *, timeout: float = 60.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise CsiError(f"not an http(s) endpoint URL: {url!r}")
        self.url = url
        self.timeout = timeout
        self.graph_names = _GraphsOfThisProject()

    def __repr__(self) -> str:
        return f"<Endpoint {self.url}>"

    def query(
        self, query: str, /, *, allow_remote: bool = False, max_rows: int | None = None, **params: Any
    ) -> QueryResult:
        """Run a named query or SPARQL text on the endpoint (see ``Dataset.query``)."""
        from csi_graph.queries import run

        return run(self, query, params, allow_remote=allow_remote, max_rows=max_rows)

    def execute(self, text: str, max_rows: int | None = None) -> RawResult:
        """Send checked SPARQL text and read the answer into rdflib terms (at most ``max_rows``)."""
        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        form = query_form(text)
        client = SPARQLWrapper(self.url, agent=USER_AGENT)
        client.setQuery(text)
        client.setMethod(POST)
        client.setTimeout(int(self.timeout))
        client.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        try:
            response = client.query()
            answer = response.convert()
        except SPARQLWrapperException as error:
            raise QueryError(f"the endpoint {self.url} refused the query: {_first_line(error)}") from None
        except (urllib.error.URLError, OSError) as error:
            raise CsiError(f"cannot reach the endpoint {self.url}: {_reason(error)}") from None
        if form == "SELECT":
            variables = answer["head"]["vars"]
            bindings = answer["results"]["bindings"]
            truncated = max_rows is not None and len(bindings) > max_rows
            rows = [tuple(_term(b.get(v)) for v in variables) for b in bindings[:max_rows]]
            return RawResult("SELECT", variables, rows, truncated=truncated)
        if form == "ASK":
            return RawResult("ASK", boolean=bool(answer["boolean"]))
        data = answer if isinstance(answer, bytes) else str(answer).encode()
        triples = _parse_turtle(data)
        truncated = max_rows is not None and len(triples) > max_rows
        return RawResult(form, triples=triples[:max_rows], truncated=truncated)


def _term(binding: dict[str, str] | None) -> Node | None:
    """A W3C SPARQL JSON binding as an rdflib term."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def _parse_turtle(data: bytes) -> list[Triple]:
    import pyoxigraph as ox

    from csi_graph.terms import ox_to_rdflib

    return [
        (ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object))
        for t in ox.parse(data, format=ox.RdfFormat.TURTLE)
    ]


# Publishing ----------------------------------------------------------------------------

MAX_TRIPLES_PER_UPDATE = 5000


def publish(
    dataset,
    url: str,
    *,
    graph: str | None = None,
    protocol: str = "gsp",
    timeout: float = 300.0,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Replace the dataset's graphs on a SPARQL server; return the triples sent per graph.

    ``url`` is the server's Graph Store Protocol endpoint (``protocol="gsp"``, e.g.
    ``http://127.0.0.1:7878/store`` for Oxigraph, ``http://host:3030/ds/data`` for Fuseki)
    or its SPARQL Update endpoint (``protocol="update"``). With ``graph``, everything goes
    into that one named graph instead of one graph per file plus the default graph.
    """
    if protocol not in ("gsp", "update"):
        raise CsiError(f"unknown protocol {protocol!r}; use gsp or update")
    if not url.startswith(("http://", "https://")):
        raise CsiError(f"not an http(s) URL: {url!r}")
    targets: list[tuple[str | None, Graph]]
    merged = dataset.merged("ontology", "shapes", "data")
    if graph is not None:
        targets = [(graph, merged)]
    else:
        targets = [(info.name, dataset.graph(info.name)) for info in dataset.graphs]
        targets.append((None, merged))  # the default graph: the merge of every file
    sent: dict[str, int] = {}
    for name, content in targets:
        label = name or "default graph"
        if protocol == "gsp":
            _put_graph(url, name, content, timeout)
        else:
            _update_graph(url, name, content, timeout)
        sent[label] = len(content)
        if progress:
            progress(label, len(content))
    return sent


def _put_graph(url: str, name: str | None, graph: Graph, timeout: float) -> None:
    query = "default" if name is None else "graph=" + urllib.parse.quote(name, safe="")
    body = graph.serialize(format="nt", encoding="utf-8")
    target = f"{url}{'&' if '?' in url else '?'}{query}"
    _send(target, "PUT", body, "application/n-triples", timeout)


def _update_graph(url: str, name: str | None, graph: Graph, timeout: float) -> None:
    _send_update(url, f"DROP SILENT GRAPH <{name}>" if name else "CLEAR SILENT DEFAULT", timeout)
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    has_blank_nodes = any("_:" in line for line in lines)
    size = len(lines) if has_blank_nodes else MAX_TRIPLES_PER_UPDATE  # a blank node must not span requests
    for start in range(0, len(lines), max(size, 1)):
        chunk = "\n".join(lines[start : start + size])
        body = (
            f"INSERT DATA {{ {chunk} }}"
            if name is None
            else f"INSERT DATA {{ GRAPH <{name}> {{ {chunk} }} }}"
        )
        _send_update(url, body, timeout)


def _send_update(url: str, update: str, timeout: float) -> None:
    _send(url, "POST", update.encode("utf-8"), "application/sparql-update", timeout)


def _send(url: str, method: str, body: bytes, content_type: str, timeout: float) -> None:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": content_type, "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace").strip().splitlines()
        raise CsiError(
            f"{url}: the server answered {error.code} {error.reason}: {' '.join(detail)[:300]}"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        raise CsiError(f"cannot reach {url}: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    return str(getattr(reason, "strerror", None) or reason)


def _first_line(error: BaseException) -> str:
    """The error's first line, and the first line of the server's own message if it sent one."""
    text = str(error).strip()
    if not text:
        return type(error).__name__
    first = text.splitlines()[0].strip()
    _, found, response = text.partition("Response:\n")
    if found:  # SPARQLWrapper appends the body as a bytes repr: b'Virtuoso 37000 Error ...\n...'
        body = response.strip()
        with contextlib.suppress(ValueError, SyntaxError, AttributeError):  # else the text as it came
            body = ast.literal_eval(body).decode("utf-8", "replace")
        said = next((line.strip() for line in body.splitlines() if line.strip()), "")
        if said:
            first = f"{first} {said[:300]}"
    return first
