"""Shared fixtures. Nothing here reaches the network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

try:
    from click.testing import CliRunner

    from csi_graph.loader import load
except ModuleNotFoundError as missing:  # pytest run by a Python in which csi-graph is not installed
    # One line and exit code 4 (pytest's usage error), not the import failure of a conftest.
    # Raised while pytest reads this file, before it parses its options (-n needs xdist too).
    print(
        f"Error: csi-graph's dependencies are not installed in this Python ({missing}): run, from "
        "the repository, python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest",
        file=sys.stderr,
    )
    raise SystemExit(4) from None

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
ROOT = TESTS.parent
SYNTHETIC = FIXTURES / "synthetic-contract.ttl"
# The source text the Chambéry data must match word for word: the City's announcement,
# kept in the repository (data/sources/README.md gives its origin and licence note).
SEED = ROOT / "data" / "sources" / "chambery-2021-press-release.txt"


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the tests marked slow (CI runs them: they run whenever CI=true)",
    )


def run_slow(config) -> bool:
    return config.getoption("--run-slow") or os.environ.get("CI", "").lower() in ("true", "1")


# Files whose tests take seconds each (servers, a browser, whole doc pages): they run first, so
# that the workers end on short tests, which the one that is done first takes over from the
# other (--dist worksteal), instead of one waiting for the other's last long test.
LONG_FIRST = (
    "test_serve_live.py",
    "test_browser.py",
    "test_docs_examples.py",
    "test_serve_limits.py",
    "test_shipped_package.py",
    "test_remote_hostile.py",
)


def pytest_collection_modifyitems(config, items):
    """Long files first (see above). Tests marked slow run in CI (CI=true, as every CI service
    sets) or with --run-slow: otherwise they are deselected, not skipped, and the summary says
    how many were left out.
    """
    first = {name: rank for rank, name in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))  # stable: the rest keep their order
    if run_slow(config):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not run_slow(config):  # said by the process that reports (with xdist, workers deselect)
        terminalreporter.write_line(
            "Tests marked slow were left out: CI runs them (CI=true); run them here with --run-slow"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """With $CSI_GRAPH_TEST_CPU set to a file, append each test's CPU time to it (seconds of
    this process and of the processes it waited for, then wall time, the xdist worker and the
    time it ended): where the suite's time goes on a shared machine, where wall time alone says
    little. Lines are appended as tests end, so a run stopped half-way still tells."""
    record = os.environ.get("CSI_GRAPH_TEST_CPU")
    if not record:
        yield
        return
    import resource
    import time

    def usage():
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime, time.perf_counter()

    before = usage()
    yield
    after = usage()
    own, children, wall = (b - a for a, b in zip(before, after, strict=True))
    with open(record, "a", encoding="utf-8") as handle:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "-")
        handle.write(f"{item.nodeid}\t{own:.3f}\t{children:.3f}\t{wall:.3f}\t{worker}\t{time.time():.3f}\n")


@pytest.fixture(scope="session")
def shipped():
    """The ontology and the shipped data, loaded once."""
    return load()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_outbound_network(monkeypatch):
    """Any connection to a host other than this machine fails the test that makes it."""
    import socket

    original = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in LOOPBACK and not host.startswith("/"):
            raise AssertionError(f"a test tried to reach the network: {address!r}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def normalised(result) -> list:
    """A query result as a sorted multiset of rows, compared as the engines' agreement check does
    (csi_graph.agreement: numbers by value, GROUP_CONCAT cells order-free, blank nodes alike)."""
    from csi_graph.agreement import answers

    return sorted(answers(result).items(), key=repr)


PACKAGE_DATE = "2026-11-30"


def contract_identifiers(dataset) -> list[str]:
    """The identifiers of the contracts in ``dataset``, sorted: what tests derive their figures from."""
    from rdflib import RDF, URIRef

    graph = dataset.merged("data")
    contract = URIRef("https://w3id.org/csi-graph/ontology#IntegratedSecurityContract")
    identifier = URIRef("http://purl.org/dc/terms/identifier")
    return sorted(str(i) for c in graph.subjects(RDF.type, contract) for i in graph.objects(c, identifier))


@pytest.fixture(scope="session")
def package_dataset():
    """What ``package_dir`` packages: the shipped data plus the synthetic contract (an added case)."""
    return load([SYNTHETIC])


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory, package_dataset):
    """The open-data package of the shipped data plus the synthetic contract, built once."""
    import datetime

    from csi_graph.catalog import PublishSettings
    from csi_graph.package import build_package

    dataset = package_dataset
    settings = PublishSettings(
        base_url="https://data.example.org/csi/",
        publisher_name="Testville open data team (synthetic)",
        contact_email="opendata@example.org",
        date=datetime.date.fromisoformat(PACKAGE_DATE),
    )
    return built_once(tmp_path_factory, "package", lambda folder: build_package(dataset, folder, settings))


@pytest.fixture(scope="session")
def shipped_package(tmp_path_factory):
    """``csi-graph package OUT`` on the data as it ships, run as a user runs it, once."""
    import shutil
    import subprocess
    import sys

    command = shutil.which("csi-graph") or str(Path(sys.executable).parent / "csi-graph")

    def build(folder: Path) -> None:
        run = subprocess.run(
            [command, "package", str(folder), "-q"], capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, run.stdout + run.stderr

    return built_once(tmp_path_factory, "shipped-package", build)


def built_once(tmp_path_factory, name: str, build) -> Path:
    """A folder ``build`` writes once for the whole run (a package: 5 to 8 s of CPU): the workers
    of pytest-xdist share the base folder's parent, and the first to take the lock builds it
    while the others wait. Tests only read it (a test that changes one changes a copy)."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / f"{name}-shared" / "out"
    folder.parent.mkdir(exist_ok=True)
    with open(shared / f"{name}-shared.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder.parent / "built").is_file():
            build(folder)
            (folder.parent / "built").write_text("")
    return folder


@pytest.fixture(scope="session")
def synthetic_10k(tmp_path_factory):
    """About 10,000 triples of synthetic contracts with one planted mistake of each kind."""
    from csi_graph.synthetic import PLANTS, generate

    return generate(
        tmp_path_factory.mktemp("synthetic") / "synthetic-10k.ttl", triples=10_000, violations=len(PLANTS)
    )
