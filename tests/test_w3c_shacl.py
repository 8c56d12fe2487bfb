"""The W3C SHACL test suite (tests/w3c-shacl), with both validation engines.

Every test of the suite runs with the SPARQL engine and with pySHACL, and each report is
compared with the expected one result for result (see :mod:`csi_graph.conformance`). Each
engine must pass every test but its known failures (``KNOWN_FAILURES``, with their reasons;
the SPARQL engine has none); the list is checked both ways, so it cannot go stale: a listed test that starts to
pass, or an unlisted one that fails, fails here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT
from rdflib import Graph, Namespace

from csi_graph import conformance
from csi_graph.conformance import KNOWN_FAILURES, REPORT, cases, default_suite, markdown, run, unlisted_cases

SUITE = ROOT / "tests" / "w3c-shacl"
CASES = cases(SUITE)
UNLISTED = unlisted_cases(SUITE)  # in the suite's files, in no manifest (status "proposed")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")


def test_the_suite_is_read_whole():
    """Every sht:Validate test of every file of the suite is run, none twice."""
    declared = set()
    for path in SUITE.rglob("*.ttl"):
        graph = Graph().parse(path, format="turtle")
        declared |= {
            str(s).removeprefix(SUITE.resolve().as_uri() + "/") for s in graph.subjects(None, SHT.Validate)
        }
    assert sorted(c.name for c in [*CASES, *UNLISTED]) == sorted(declared)
    assert len({c.name for c in CASES}) == len(CASES)
    assert default_suite().resolve() == SUITE.resolve()


@pytest.mark.parametrize("case", CASES + UNLISTED, ids=[c.name for c in CASES + UNLISTED])
def test_sparql_engine(case):
    outcome = run(case, "sparql")
    expected = KNOWN_FAILURES["sparql"].get(case.name, ("pass", ""))[0]
    assert outcome.status == expected, outcome.detail


@pytest.mark.parametrize("case", CASES + UNLISTED, ids=[c.name for c in CASES + UNLISTED])
def test_pyshacl(case):
    outcome = run(case, "pyshacl")
    expected = KNOWN_FAILURES["pyshacl"].get(case.name, ("pass", ""))[0]
    assert outcome.status == expected, outcome.detail


def test_known_failures_name_real_tests():
    names = {c.name for c in CASES}
    for known in KNOWN_FAILURES.values():
        assert set(known) <= names


@pytest.mark.slow  # runs the whole W3C suite on both engines again (4.5 s)
def test_implementation_report_is_current():
    """docs/shacl-conformance.md is what `python -m csi_graph.conformance` writes today."""
    outcomes, unlisted = whole_suite(SUITE)
    written = (ROOT / REPORT).read_text(encoding="utf-8")
    assert written == markdown(outcomes, unlisted), (
        "docs/shacl-conformance.md is out of date: run python -m csi_graph.conformance -o docs/shacl-conformance.md"
    )


@cache
def whole_suite(suite: Path):
    """The whole suite on both engines (``conformance.run_all``), run once per process: the
    report tests below need it four times, and each run takes seconds."""
    return _RUN_ALL(suite)


_RUN_ALL = conformance.run_all  # the real one: a test below puts whole_suite in its place


def test_report_command_checks_and_writes(tmp_path: Path, monkeypatch):
    from csi_graph.conformance import main

    monkeypatch.setattr(conformance, "run_all", whole_suite)  # the same outcomes, computed once
    target = tmp_path / "report.md"
    assert main([str(SUITE), "-o", str(target), "--check"]) == 1  # missing: out of date
    assert main([str(SUITE), "-o", str(target)]) == 0
    assert main([str(SUITE), "-o", str(target), "--check"]) == 0
    assert "| `core/node/class-001`" in target.read_text(encoding="utf-8")
