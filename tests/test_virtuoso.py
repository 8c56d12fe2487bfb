"""Beyond one machine, on a real engine of another make: Virtuoso 7 (Debian's ``virtuoso-opensource``).

Runs ``benchmarks/virtuoso.py`` as CI would: it starts Virtuoso on free 127.0.0.1 ports with
a database in a temporary folder, publishes the shipped data with ``csi-graph publish`` and
runs ``benchmarks/same_answers.py``, which compares every named query of the library and
of the benchmark workload with the embedded store. Every one must give the same answers.
``.ci/run`` installs Virtuoso; without it this test fails, it is never skipped. It starts a
database server and runs every query twice, so it is marked slow: CI runs it (CI=true), a
local run leaves it out unless --run-slow.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT
from test_stores import named_queries


@pytest.mark.slow
def test_every_named_query_gives_the_same_answers_on_virtuoso():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "virtuoso.py")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    total = len(named_queries())
    assert lines[-1].startswith(f"{total} of {total} queries give the same answers on http://127.0.0.1:")
    assert sum(line.startswith("same ") for line in lines) == total
