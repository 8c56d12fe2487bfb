"""SPARQL 1.1 servers: run the same queries remotely, and publish the dataset to one.

:class:`Endpoint` has the same ``query()`` as :class:`~csi_graph.dataset.Dataset`: a named
query or SPARQL text, prepared exactly as for the embedded store (the same prologue of
prefixes and ``BASE``, parameters bound through a ``VALUES`` block), the same safety policy,
and a :class:`~csi_graph.results.QueryResult` back, read by Oxigraph's parsers. It speaks the
SPARQL 1.1 Protocol itself (a form-encoded POST) and contacts no other host.

:func:`publish` loads a dataset into a server: every named graph (one per source file) and
the default graph, which receives the merge of all files so that the named queries — written
for a default graph holding everything — run unchanged on any server, whatever its "union
default graph" setting. Each graph is *replaced* (HTTP Graph Store Protocol ``PUT``, or
``DROP`` then ``INSERT DATA`` with SPARQL Update), so publishing twice leaves the same data.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from csi_graph.errors import CsiError
from csi_graph.namespaces import GRAPH_BASE
from csi_graph.results import QueryResult, read_results
from csi_graph.sparql import QueryError

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

    def execute(self, text: str, form: str, max_rows: int | None = None) -> QueryResult:
        """Send prepared, checked SPARQL text; the answer read by Oxigraph's parsers (at most ``max_rows``).

        The SPARQL 1.1 Protocol itself: a POST of the form-encoded query, asking for the
        results as JSON (SELECT, ASK) or the graph as N-Triples (CONSTRUCT, DESCRIBE).
        """
        import pyoxigraph as ox

        graph = form in ("CONSTRUCT", "DESCRIBE")
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/n-triples" if graph else "application/sparql-results+json",
                "User-Agent": USER_AGENT,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as error:
            said = _said(error.read().decode("utf-8", "replace"))
            raise QueryError(
                f"the endpoint {self.url} refused the query: {error.code} {error.reason}"
                + (f": {said}" if said else "")
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise CsiError(f"cannot reach the endpoint {self.url}: {_reason(error)}") from None
        try:
            if not graph:
                return read_results(data, ox.QueryResultsFormat.JSON, form, max_rows)
            triples = (quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
            return QueryResult.from_oxigraph(form, triples, max_rows)
        except SyntaxError as error:
            raise QueryError(f"the endpoint {self.url} sent an answer that cannot be read: {error}") from None


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
    store = dataset.store
    if graph is not None:
        targets = [(graph, store.merged_quads())]
    else:
        targets = [(info.name, store.quads(info.name)) for info in dataset.graphs]
        targets.append((None, store.merged_quads()))  # the default graph: the merge of every file
    sent: dict[str, int] = {}
    for name, quads in targets:
        label = name or "default graph"
        lines = _ntriples(quads)
        if protocol == "gsp":
            _put_graph(url, name, lines, timeout)
        else:
            _update_graph(url, name, lines, timeout)
        sent[label] = len(lines)
        if progress:
            progress(label, len(lines))
    return sent


def _ntriples(quads: Iterable[Any]) -> list[str]:
    """The triples of ``quads`` as N-Triples lines (Oxigraph's writer), each once."""
    import pyoxigraph as ox

    triples = {quad.triple for quad in quads}
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines()


def _put_graph(url: str, name: str | None, lines: list[str], timeout: float) -> None:
    query = "default" if name is None else "graph=" + urllib.parse.quote(name, safe="")
    body = "".join(line + "\n" for line in lines).encode("utf-8")
    target = f"{url}{'&' if '?' in url else '?'}{query}"
    _send(target, "PUT", body, "application/n-triples", timeout)


def _update_graph(url: str, name: str | None, lines: list[str], timeout: float) -> None:
    _send_update(url, f"DROP SILENT GRAPH <{name}>" if name else "CLEAR SILENT DEFAULT", timeout)
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


def _said(body: str) -> str:
    """The first line of a server's own message (Virtuoso: ``Virtuoso 37000 Error SP030: ...``)."""
    return next((line.strip() for line in body.splitlines() if line.strip()), "")[:300]
