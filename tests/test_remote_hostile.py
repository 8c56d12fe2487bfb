"""Remote endpoints that misbehave (issue 11, finding 8): a server that trickles a byte at a
time is cut off at ``--timeout`` (fractions of a second included), an HTML page or garbage is
a clear error, and ``publish`` does not report success to a web page that answers 2xx to
anything. The servers are small real HTTP servers on 127.0.0.1, started by the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from csi_graph.cli import cli


@contextmanager
def serving(answer: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 whose every request is answered by ``answer``."""

    class Handler(BaseHTTPRequestHandler):
        def handle_one(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            with suppress(BrokenPipeError, ConnectionResetError):
                answer(self)

        do_GET = do_POST = do_PUT = handle_one

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # shutdown() waits for serve_forever's next poll: 0.5 s by default, in each test
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


def reply(status: int, media: str, body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", media)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """Valid headers, then a JSON body one byte every 0.2 s, for a minute."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.end_headers()
    for byte in b'{"head": {}, "boolean": true}' + b" " * 300:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.2)


def silent(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(60)


@pytest.mark.parametrize(("behaviour", "timeout"), [(trickle, "2"), (silent, "0.5")])
def test_the_timeout_bounds_the_whole_answer(runner, behaviour, timeout):
    with serving(behaviour) as url:
        started = time.monotonic()
        result = runner.invoke(
            cli, ["query", "--endpoint", url, "--timeout", timeout, "-e", "ASK { ?s ?p ?o }"]
        )
        elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert (
        result.stderr == f"Error: the endpoint {url} sent no complete answer within {timeout} s (--timeout)\n"
    )
    assert elapsed < float(timeout) + 1.5


@pytest.mark.parametrize(
    ("status", "media", "body", "message"),
    [
        (
            200,
            "text/html",
            b"<!DOCTYPE html><html><body>Welcome</body></html>",
            "(text/html: <!DOCTYPE html>",
        ),
        (
            200,
            "application/sparql-results+json",
            b"\x00\xffnot json",
            "(application/sparql-results+json: SyntaxError: Parser error at line 1 column 1",
        ),
        (
            200,
            "application/sparql-results+json",
            b'{"head": 3}',
            "(application/sparql-results+json: SyntaxError: SPARQL JSON results head must be an object",
        ),
        (200, "", b"", "(no media type: empty)"),
    ],
)
def test_an_answer_that_is_not_sparql_results_is_a_clear_error(runner, status, media, body, message):
    with serving(reply(status, media, body)) as url:
        result = runner.invoke(cli, ["query", "--endpoint", url, "-e", "SELECT * WHERE { ?s ?p ?o }"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: the endpoint {url} did not answer with SPARQL results {message}")
    assert result.stderr.rstrip().endswith("is it the address of a SPARQL endpoint?")


def test_a_refusal_is_reported_with_the_servers_words(runner):
    with serving(reply(400, "text/plain", b"Parse error: unexpected '}' at line 1\n")) as url:
        result = runner.invoke(cli, ["query", "--endpoint", url, "-e", "SELECT * WHERE { ?s ?p ?o }"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: the endpoint {url} refused the query: 400 Bad Request: Parse error: unexpected '}}' at line 1\n"
    )


def test_an_answer_past_the_size_limit_is_refused(runner, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_REMOTE_MAX_RESPONSE_BYTES", "100000")
    body = (
        b'{"head": {"vars": ["x"]}, "results": {"bindings": ['
        + b'{"x": {"type": "literal", "value": "v"}},' * 5000
    )
    with serving(reply(200, "application/sparql-results+json", body)) as url:
        result = runner.invoke(cli, ["query", "--endpoint", url, "-e", "SELECT ?x WHERE { ?s ?p ?x }"])
    assert result.exit_code == 2
    assert (
        "sent more than 100000 bytes (limit CSI_GRAPH_REMOTE_MAX_RESPONSE_BYTES=100000 bytes)"
        in result.stderr
    )


@pytest.mark.parametrize(
    "url", ["http://[::1/sparql", "http://127.0.0.1:99999/sparql", "http://exa mple.org/"]
)
def test_a_malformed_address_is_a_clear_error(runner, url):
    result = runner.invoke(cli, ["query", "--endpoint", url, "-e", "ASK { ?s ?p ?o }"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: not a valid URL: {url!r}"), result.stderr


@pytest.mark.parametrize("protocol", [[], ["--update"]])
def test_publish_refuses_a_page_that_accepts_anything(runner, protocol):
    with serving(reply(200, "text/html", b"<html><body>OK</body></html>")) as url:
        result = runner.invoke(cli, ["publish", "--endpoint", url, *protocol])
    assert result.exit_code == 2, result.output
    kind = "SPARQL Update" if protocol else "Graph Store Protocol"
    assert f"accepted a request that no {kind} endpoint accepts (it answered 200 OK" in result.stderr
    assert "Published" not in result.stdout
