"""``csi-graph serve`` held up on its own (issue 11, findings 5 and 9): idle and slow
connections, a huge header, too many connections, and nothing a visitor does writes a
traceback in the server's log. A real server process on 127.0.0.1, real sockets."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
from liveserver import running_server

HEADER_TIMEOUT = 1.0
MAX_CONNECTIONS = 40
MAX_HEADER = 8192


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    log = tmp_path_factory.mktemp("serve") / "server.log"
    options = ["--client-timeout", str(HEADER_TIMEOUT), "--max-connections", str(MAX_CONNECTIONS)]
    with running_server(*options, "--max-header", str(MAX_HEADER), "--time-limit", "2", log_path=log) as (
        process,
        url,
    ):
        yield process, url, log


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def answer_of(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_startup_says_the_query_workers_have_no_network(served):
    process, _, _ = served
    line = process.stdout.readline()
    assert line.startswith("Query workers: no network access (own network namespace)"), line


def test_an_idle_connection_is_closed_after_the_header_timeout(served):
    _, url, _ = served
    with connect(url) as idle:
        started = time.monotonic()
        answer = answer_of(idle)
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout")
    assert HEADER_TIMEOUT - 0.2 < time.monotonic() - started < HEADER_TIMEOUT + 1.5


def test_slow_headers_are_cut_off(served):
    _, url, _ = served
    with connect(url) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        with pytest.raises(OSError):  # the server closes while we still drip bytes
            for _ in range(40):
                slow.sendall(b"X")
                time.sleep(0.1)
        assert time.monotonic() - started < HEADER_TIMEOUT + 1.5


def test_a_huge_header_is_refused_at_once_and_others_are_served(served):
    _, url, _ = served
    outcome: dict[str, object] = {}

    def flood() -> None:
        with connect(url) as sock:
            sent = 0
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
            try:
                while sent < 150_000_000:
                    sock.sendall(b"a" * 65536)
                    sent += 65536
            except OSError:
                pass
            outcome["sent"] = sent
            outcome["answer"] = answer_of(sock)

    thread = threading.Thread(target=flood)
    thread.start()
    started = time.monotonic()
    assert httpx.get(url + "/", timeout=10).status_code == 200
    assert time.monotonic() - started < 2
    thread.join(timeout=30)
    assert outcome["sent"] < 10_000_000  # stopped long before 150 MB
    assert bytes(outcome["answer"]).startswith(b"HTTP/1.1 431")


def test_connections_past_the_limit_get_503_and_idle_ones_make_room(served):
    _, url, _ = served
    idle = [connect(url) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.2)
        with connect(url) as extra:
            assert answer_of(extra).startswith(b"HTTP/1.1 503 Service Unavailable")
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(url + "/", timeout=10).status_code == 200


def test_a_slow_body_is_cut_off(served):
    _, url, _ = served
    with connect(url) as slow:
        slow.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nSELECT"
        )
        started = time.monotonic()
        answer = answer_of(slow)
    assert answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < HEADER_TIMEOUT + 1.5


def test_no_request_writes_a_traceback_in_the_log(served):
    _, url, log = served
    hostile = [
        ("GET", "/dataset.exe"),
        ("GET", "/dataset.x%00y"),
        ("GET", "/id/%ff%fe"),
        ("GET", "/static/../../etc/passwd"),
        ("GET", "/sparql?query=%ff"),
        ("GET", "/query?query=SELECT%20*%20WHERE%20%7B%20SERVICE%20%3Fx%20%7B%7D%20%7D"),
        ("POST", "/sparql"),
        ("GET", "/id/contract/chambery-2021.xyz"),
    ]
    for method, path in hostile:
        response = httpx.request(method, url + path, timeout=10)
        assert response.status_code < 500, (path, response.status_code, response.text)
    assert httpx.get(url + "/dataset.exe").status_code == 404
    time.sleep(0.3)
    text = log.read_text()
    assert "Traceback" not in text, text[-3000:]


def test_connections_per_client_address_are_limited():
    with running_server("--max-connections-per-client", "3", "--client-timeout", "5") as (_, url):
        held = [connect(url) for _ in range(3)]
        try:
            time.sleep(0.2)
            with connect(url) as fourth:
                answer = answer_of(fourth)
            assert answer.startswith(b"HTTP/1.1 503") and b"too many connections from your address" in answer
            host, port = url.removeprefix("http://").split(":")
            other = socket.create_connection((host, int(port)), timeout=10, source_address=("127.0.0.2", 0))
            with other:  # another address is served meanwhile
                other.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert answer_of(other).startswith(b"HTTP/1.1 200")
        finally:
            for sock in held:
                sock.close()
