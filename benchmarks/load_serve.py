"""Load benchmark of ``csi-graph serve`` on 127.0.0.1 (a benchmark, not a test).

Starts the server as a separate process, sends a warm-up round (each distinct request
once), then N requests (default 10,000) from C concurrent clients (default 50): HTML pages,
RDF documents, 303 redirects of IRIs and SPARQL queries (JSON, CSV, XML, ASK). Meanwhile
an attacker holds I idle connections open (default 1,000; half send nothing, half a request
line and no more, as "slowloris" does), opening a new one each time the server closes one.
Prints the throughput, the latency percentiles, the server's CPU time per request (which,
unlike the others, does not depend on what else the machine is doing) and what became of the
idle connections, and exits 1 if any well-behaved request got an unexpected answer.

    python benchmarks/load_serve.py [--requests 10000] [--clients 50] [--idle 1000] [-- SERVE OPTIONS...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from liveserver import descendants, running_server

COMMITMENTS = """PREFIX csi: <https://w3id.org/csi-graph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?label WHERE { ?c a csi:Commitment ; rdfs:label ?label FILTER(lang(?label) = "en") } ORDER BY ?c"""
PER_THEME = """PREFIX csi: <https://w3id.org/csi-graph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?theme (COUNT(?c) AS ?n) WHERE { ?c csi:theme ?t . ?t skos:broader* ?theme } GROUP BY ?theme"""

# (method, path, headers, params or form, expected status), repeated in this proportion.
MIX: list[tuple[str, str, dict[str, str], dict[str, str] | None, int]] = [
    ("GET", "/", {"Accept": "text/html"}, None, 200),
    ("GET", "/id/contract/chambery-2021.en.html", {}, None, 200),
    ("GET", "/id/contract/chambery-2021.fr.html", {}, None, 200),
    ("GET", "/id/commitment/chambery-2021/state-01.en.html", {}, None, 200),
    ("GET", "/theme/internal-security.en.html", {}, None, 200),
    ("GET", "/compare", {"Accept": "text/html"}, None, 200),
    ("GET", "/id/contract/chambery-2021.ttl", {}, None, 200),
    ("GET", "/id/party/chambery-2021/state.jsonld", {}, None, 200),
    ("GET", "/id/contract/chambery-2021", {"Accept": "text/turtle"}, None, 303),
    ("GET", "/id/commitment/chambery-2021/city-01", {"Accept": "text/html"}, None, 303),
    ("GET", "/sparql", {"Accept": "application/sparql-results+json"}, {"query": COMMITMENTS}, 200),
    ("GET", "/sparql", {"Accept": "text/csv"}, {"query": COMMITMENTS}, 200),
    ("POST", "/sparql", {"Accept": "application/sparql-results+xml"}, {"query": PER_THEME}, 200),
    ("GET", "/sparql", {}, {"query": "ASK { ?s ?p ?o }"}, 200),
]


async def send(client: httpx.AsyncClient, request) -> tuple[float, bool]:
    method, path, headers, params, expected = request
    started = time.perf_counter()
    try:
        if method == "POST":
            response = await client.post(path, headers=headers, data=params)
        else:
            response = await client.get(path, headers=headers, params=params)
        ok = response.status_code == expected
    except httpx.HTTPError:
        ok = False
    return time.perf_counter() - started, ok


class Idle:
    """An attacker's idle connections: each reopened as soon as the server closes it."""

    def __init__(self, url: str, count: int) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port, self.count = host.strip("[]"), int(port), count
        self.open = self.peak = 0
        self.answers: dict[str, int] = {}
        self.failed_connects = 0
        self.stop = asyncio.Event()

    async def hold(self, index: int) -> None:
        while not self.stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.failed_connects += 1
                await asyncio.sleep(0.5)
                continue
            self.open += 1
            self.peak = max(self.peak, self.open)
            if index % 2:  # slowloris: a request line, then nothing
                writer.write(b"GET / HTTP/1.1\r\n")
            try:
                answer = await _until(reader.read(), self.stop)
            except OSError:
                answer = b""
            self.open -= 1
            writer.close()
            if self.stop.is_set():  # the benchmark is over: not the server's doing
                break
            status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "closed"
            self.answers[status] = self.answers.get(status, 0) + 1

    def summary(self) -> str:
        answers = ", ".join(f"{n} x {status}" for status, n in sorted(self.answers.items()))
        return (
            f"  idle connections: {self.count} kept open by the attacker, at most {self.peak} at once; "
            f"closed by the server: {answers or 'none'}; failed connects: {self.failed_connects}"
        )


async def _until(work, stop: asyncio.Event) -> bytes:
    task, stopped = asyncio.ensure_future(work), asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stopped.cancel()
        return task.result()
    task.cancel()
    return b""


async def load(url: str, total: int, clients: int, idle: Idle) -> tuple[list[float], int, float]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60, follow_redirects=False) as client:
        for request in MIX:  # warm-up: each distinct request once
            _, ok = await send(client, request)
            if not ok:
                raise SystemExit(f"warm-up failed on {request[1]}")
        attackers = [asyncio.ensure_future(idle.hold(index)) for index in range(idle.count)]
        while idle.open < idle.count * 0.9 and idle.count:  # let the attacker settle in
            await asyncio.sleep(0.1)
        queue: asyncio.Queue = asyncio.Queue()
        for index in range(total):
            queue.put_nowait(MIX[index % len(MIX)])
        latencies: list[float] = []
        errors = 0

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                request = queue.get_nowait()
                latency, ok = await send(client, request)
                latencies.append(latency)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        idle.stop.set()
        await asyncio.gather(*attackers)
        return latencies, errors, elapsed


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and the processes below it, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in (pid, *descendants(pid)):
        try:
            with open(f"/proc/{each}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--idle", type=int, default=1000, help="idle connections an attacker keeps open")
    parser.add_argument("serve_options", nargs="*", help="options passed to csi-graph serve (after --)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with running_server(*args.serve_options) as (process, url):
        cpu_before = cpu_seconds(process.pid)
        idle = Idle(url, args.idle)
        latencies, errors, elapsed = asyncio.run(load(url, args.requests, args.clients, idle))
        cpu = cpu_seconds(process.pid) - cpu_before
    ms = [latency * 1000 for latency in latencies]
    print(
        f"csi-graph serve on {url}: {args.requests} requests, {args.clients} concurrent clients, "
        f"{args.idle} idle connections"
    )
    print(
        f"  mix: {len(MIX)} kinds of request (pages, RDF documents, 303 redirects, SPARQL JSON/CSV/XML/ASK)"
    )
    print(f"  throughput: {len(ms) / elapsed:.0f} requests/s ({elapsed:.2f} s)")
    print(
        f"  latency ms: p50 {percentile(ms, 0.50):.1f}  p90 {percentile(ms, 0.90):.1f}  "
        f"p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}  mean {statistics.mean(ms):.1f}"
    )
    print(f"  server CPU: {cpu * 1000 / len(ms):.2f} ms per request (server and query workers, all cores)")
    print(f"  errors: {errors} (well-behaved clients)")
    print(idle.summary())
    print(
        f"  machine: {os.cpu_count()} cores, load average {load_before:.2f} before the run (other work shares them)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
