"""``csi-graph serve`` as a real process on 127.0.0.1, under hostile requests.

A SERVICE call to a listener that must see no connection, a cross join that would run for
hours (cut off within the time limit, its worker killed and replaced), an oversized body,
and a port that is already taken.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from liveserver import Listener, descendants, running_server

TIME_LIMIT = 1.0
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server():
    with running_server(
        "--time-limit", str(TIME_LIMIT), "--max-body", "2048", "--query-workers", "2"
    ) as running:
        yield running


def test_service_to_a_local_listener_never_connects(server):
    _, url = server
    listener = Listener()
    try:
        queries = [
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
            f"select * where {{ service <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
            f"SELECT * FROM <http://127.0.0.1:{listener.port}/g.ttl> WHERE {{ ?s ?p ?o }}",
            f"LOAD <http://127.0.0.1:{listener.port}/g.ttl>",
        ]
        for query in queries:
            for response in (
                httpx.get(url + "/sparql", params={"query": query}),
                httpx.post(
                    url + "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
                ),
            ):
                assert response.status_code == 403, response.text
                assert response.json()["error"]["code"] == "refused"
        # The review's bypasses of the old lexer: a comment ended by CR, a U+00A0 in an IRI.
        url = f"http://127.0.0.1:{listener.port}/x"
        for query in (
            f"SELECT * WHERE {{ #\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s ?p <urn:a\u00a0'> . SERVICE <{url}> {{ ?s ?p ?o }} }} #'",
        ):
            response = httpx.get(url_of(server) + "/sparql", params={"query": query})
            assert response.status_code == 400, response.text
            assert response.json()["error"]["message"].startswith("line 1, column")
        time.sleep(0.5)
        assert listener.connections == 0
    finally:
        listener.close()
    # The listener works: a real connection is counted (so 0 above means none was made).
    check = Listener()
    socket.create_connection(("127.0.0.1", check.port)).close()
    time.sleep(0.5)
    check.close()
    assert check.connections == 1


def url_of(server) -> str:
    return server[1]


def test_a_cross_join_is_cut_off_within_the_limit(server):
    process, url = server
    before = descendants(process.pid)
    assert len(before) == 3  # the zygote and two query workers
    started = time.monotonic()
    response = httpx.post(url + "/sparql", data={"query": CROSS_JOIN}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "timeout"
    assert elapsed < TIME_LIMIT + 1.5, elapsed
    time.sleep(0.3)
    # The worker that ran it was killed and replaced: the pool is back to full strength.
    answer = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert answer.json()["boolean"] is True
    after = descendants(process.pid)
    assert len(after) == len(before)
    assert len(before - after) == 1


def test_a_burst_of_hostile_queries_does_not_stop_the_pages():
    # More slow queries than the web server has threads (anyio's default is 40): pages must
    # still come at once, not after the queries' time limit frees a thread.
    limit, burst = 2.0, 44
    with (
        running_server("--time-limit", str(limit), "--query-workers", "1") as (_, url),
        # Clients made beforehand: making one per thread would load the test's own process.
        httpx.Client(base_url=url, timeout=60, limits=httpx.Limits(max_connections=burst)) as attacker,
        httpx.Client(base_url=url, timeout=30, headers={"Accept": "text/html"}) as reader,
    ):
        pages = ("/id/contract/chambery-2021.en.html", "/theme/minors.fr.html", "/compare")
        for path in pages:  # rendered once before: what is measured below is waiting, not rendering
            reader.get(path)
        results: list[int] = []

        def hostile() -> None:
            results.append(attacker.get("/sparql", params={"query": CROSS_JOIN}).status_code)

        threads = [threading.Thread(target=hostile) for _ in range(burst)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        for path in pages:
            started = time.monotonic()
            page = reader.get(path)
            assert page.status_code == 200
            assert time.monotonic() - started < limit / 2, path
        assert len(results) < burst  # the burst was still going on
        for thread in threads:
            thread.join()
        assert results == [503] * burst  # each stopped at the limit, or told the workers are busy


def test_an_oversized_body_is_refused(server):
    _, url = server
    body = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 100_000
    response = httpx.post(url + "/sparql", content=body, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too-large"


def test_serve_says_when_the_port_is_taken(server):
    _, url = server
    port = url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "csi_graph", "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"Error: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_stopping_the_server_stops_its_query_processes():
    with running_server("--query-workers", "2") as (process, url):
        httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
        helpers = descendants(process.pid)
        assert len(helpers) == 3
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in helpers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in helpers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
