"""SPARQL 1.1 servers: run the same queries remotely, and publish the dataset to one.

:class:`Endpoint` has the same ``query()`` as :class:`~csi_graph.dataset.Dataset`: a named
query or SPARQL text, prepared exactly as for the embedded store (the same prologue of
prefixes and ``BASE``, parameters bound through a ``VALUES`` block), the same safety policy,
and a :class:`~csi_graph.results.QueryResult` back, read by Oxigraph's parsers. It speaks the
SPARQL 1.1 Protocol itself (a form-encoded POST) and contacts no other host.

Every exchange goes through :func:`http_request`, which bounds the *whole* answer by the
timeout (a server that sends a byte a second is cut off at the deadline, not after each
byte) and its size by ``REMOTE_MAX_RESPONSE_BYTES``, and turns what a server may send — an
HTML page, garbage, a refusal — into a clear error.

:func:`publish` loads a dataset into a server: every named graph (one per source file) and
the default graph, which receives the merge of all files so that the named queries — written
for a default graph holding everything — run unchanged on any server, whatever its "union
default graph" setting. Each graph is *replaced* (HTTP Graph Store Protocol ``PUT``, or
``DROP`` then ``INSERT DATA`` with SPARQL Update), so publishing twice leaves the same data.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
        check_url(url)
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
        results as JSON (SELECT, ASK) or the graph as N-Triples or Turtle (CONSTRUCT,
        DESCRIBE). What is not such an answer (an HTML page, garbage) is a clear error.
        """
        import pyoxigraph as ox

        graph = form in ("CONSTRUCT", "DESCRIBE")
        answer = http_request(
            self.url,
            "POST",
            urllib.parse.urlencode({"query": text}).encode("utf-8"),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": GRAPH_MEDIA if graph else RESULTS_MEDIA,
            },
            self.timeout,
            what="the endpoint",
        )
        if answer.status >= 400:
            raise QueryError(f"the endpoint {self.url} refused the query: {answer.summary()}")
        formats = _GRAPH_FORMATS if graph else _RESULTS_FORMATS
        if answer.media_type not in formats:
            raise _not_results(self.url, answer, answer.first_line() or "empty")
        try:
            if not graph:
                return read_results(answer.body, formats[answer.media_type], form, max_rows)
            triples = [quad.triple for quad in ox.parse(answer.body, format=formats[answer.media_type])]
            return QueryResult.from_oxigraph(form, triples, max_rows)
        except (SyntaxError, ValueError) as error:
            raise _not_results(self.url, answer, f"{type(error).__name__}: {str(error)[:200]}") from None


RESULTS_MEDIA = "application/sparql-results+json, application/json;q=0.8"
GRAPH_MEDIA = "application/n-triples, text/turtle;q=0.9"


def _formats() -> tuple[dict, dict]:
    import pyoxigraph as ox

    results = {
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
        "application/json": ox.QueryResultsFormat.JSON,
    }
    graphs = {
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/plain": ox.RdfFormat.N_TRIPLES,
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/x-turtle": ox.RdfFormat.TURTLE,
    }
    return results, graphs


_RESULTS_FORMATS, _GRAPH_FORMATS = _formats()


def _not_results(url: str, answer: Answer, detail: str) -> CsiError:
    return CsiError(
        f"the endpoint {url} did not answer with SPARQL results ({answer.media_type or 'no media type'}: {detail}); "
        "is it the address of a SPARQL endpoint?"
    )


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
    check_url(url)
    _check_endpoint(url, protocol, timeout)
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
    answer = http_request(url, method, body, {"Content-Type": content_type}, timeout)
    if answer.status >= 300:
        raise CsiError(f"{url}: the server answered {answer.summary()}")


PROBE_GRAPH = GRAPH_BASE + "csi-graph-probe"


def _check_endpoint(url: str, protocol: str, timeout: float) -> None:
    """Send a request every SPARQL server refuses: a web page that answers 2xx to anything
    (a wrong address, a proxy's welcome page) would otherwise make publishing "succeed"."""
    if protocol == "gsp":
        target = f"{url}{'&' if '?' in url else '?'}graph={urllib.parse.quote(PROBE_GRAPH, safe='')}"
        answer = http_request(
            target,
            "PUT",
            b"csi-graph: this line is not N-Triples\n",
            {"Content-Type": "application/n-triples"},
            timeout,
        )
        kind = "Graph Store Protocol"
    else:
        answer = http_request(
            url,
            "POST",
            b"csi-graph: this is not SPARQL",
            {"Content-Type": "application/sparql-update"},
            timeout,
        )
        kind = "SPARQL Update"
    if answer.status < 300:
        raise CsiError(
            f"{url} accepted a request that no {kind} endpoint accepts (it answered {answer.summary()}): "
            "it is not one; check the address"
        )


# HTTP ----------------------------------------------------------------------------------------


@dataclass
class Answer:
    """An HTTP answer: status, reason, media type and body (bounded in size)."""

    status: int
    reason: str
    media_type: str
    body: bytes

    def first_line(self) -> str:
        text = self.body[:2000].decode("utf-8", "replace")
        return next((line.strip() for line in text.splitlines() if line.strip()), "")[:300]

    def summary(self) -> str:
        said = self.first_line()
        return f"{self.status} {self.reason}" + (f": {said}" if said else "")


def http_request(
    url: str,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    timeout: float,
    what: str | None = None,
) -> Answer:
    """One HTTP exchange whose whole answer must arrive within ``timeout`` seconds.

    A watchdog shuts the connection down at the deadline, so a server that trickles bytes
    cannot hold the command (a socket timeout alone restarts with each byte). The body is
    read up to ``REMOTE_MAX_RESPONSE_BYTES``. Errors of the network or of the address become
    :class:`CsiError` naming ``what`` (default: the URL).
    """
    from csi_graph.limits import described, limit

    name = f"{what} {url}" if what else url
    check_url(url)
    request = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers}
    )
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(_HttpHandler(deadline), _HttpsHandler(deadline))
    biggest = int(limit("REMOTE_MAX_RESPONSE_BYTES"))
    deadline.start()
    try:
        try:
            response = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:  # 4xx or 5xx: an answer too
            response = error
        with response:
            chunks, size = [], 0
            while chunk := response.read(1 << 16):
                size += len(chunk)
                if size > biggest:
                    raise CsiError(
                        f"{name} sent more than {biggest} bytes{described('REMOTE_MAX_RESPONSE_BYTES')}"
                    )
                chunks.append(chunk)
            if deadline.expired:  # the watchdog's shutdown reads as the end of the answer: it is not
                raise OSError("the deadline passed")
            media = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            return Answer(response.status, str(response.reason or ""), media, b"".join(chunks))
    except CsiError:
        raise
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        if deadline.expired or isinstance(getattr(error, "reason", error), TimeoutError):
            raise CsiError(f"{name} sent no complete answer within {timeout:g} s (--timeout)") from None
        prefix = f"cannot reach {what} {url}" if what else f"cannot reach {url}"
        raise CsiError(f"{prefix}: {_reason(error)}") from None
    except ValueError as error:  # a malformed address (http.client.InvalidURL, a bad port...)
        raise CsiError(f"not a valid URL: {url!r} ({error})") from None
    finally:
        deadline.cancel()


def check_url(url: str) -> None:
    """Refuse, with a clear error, an address that is not a well-formed http(s) URL."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise CsiError(f"not a valid URL: {url!r} ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise CsiError(f"not an http(s) URL: {url!r}")
    if not parts.hostname or any(ord(c) <= 0x20 or c in '<>"\\^`{|}' for c in url):
        raise CsiError(f"not a valid URL: {url!r} (no host, or a space or a character URLs cannot hold)")


class _Deadline:
    """The sockets opened for one request, shut down when its time is up."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self.sockets: list[socket.socket] = []
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def start(self) -> None:
        self.timer.start()

    def cancel(self) -> None:
        self.timer.cancel()

    def connection(self, kind: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        """``kind`` that records its socket (urllib drops the connection's own reference to it once
        the headers are in, while the answer is still being read through it)."""
        sockets = self.sockets

        class Watched(kind):  # type: ignore[valid-type, misc]
            def connect(self) -> None:
                super().connect()
                sockets.append(self.sock)

        return Watched

    def _expire(self) -> None:
        self.expired = True
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(self.deadline.connection(http.client.HTTPConnection), req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(self.deadline.connection(http.client.HTTPSConnection), req, context=self._context)


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    return str(getattr(reason, "strerror", None) or reason)
