"""Local queries can be bounded and stopped (issue 11, finding 7): ``--timeout`` ends a query that
runs too long, Ctrl-C ends it at once (even inside the engine's native code), and a regular
expression that backtracks catastrophically cannot hang the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from liveserver import cpu_seconds, descendants

from csi_graph.cli import cli

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BACKTRACKING = 'SELECT ?m WHERE { BIND(REGEX("' + "a" * 40 + '!", "^(a+)+$") AS ?m) }'


def test_the_timeout_stops_a_local_query(runner):
    started = time.monotonic()
    result = runner.invoke(cli, ["query", "--timeout", "1.5", "-e", CROSS_JOIN])
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert result.stderr == "Error: the query (--timeout 1.5) ran longer than 1.5 s and was stopped\n"


def test_the_default_timeout_can_be_set_for_a_session(runner, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_QUERY_TIMEOUT", "1")
    result = runner.invoke(cli, ["query", "-e", CROSS_JOIN])
    assert result.exit_code == 2 and "ran longer than 1 s" in result.stderr


def test_ctrl_c_stops_a_query_inside_the_engine():
    process = subprocess.Popen(
        [sys.executable, "-m", "csi_graph", "query", "--timeout", "600", "-e", CROSS_JOIN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # A terminal's job starts with Ctrl-C's default action, even when this test runs in a
        # background job (whose shell has it ignored, which the command rightly keeps).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait until the query's own process (a fork of the command) has spent a second of CPU
    # time: the data is loaded and the engine deep in the cross join.
    deadline = time.monotonic() + 120
    while not any(cpu_seconds(pid) > 1 for pid in descendants(process.pid)):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    started = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 3
    assert process.returncode == 130
    assert stderr == "Interrupted\n"


def test_a_backtracking_regex_cannot_hang_a_query(runner):
    """Oxigraph's regular expressions run in linear time: the review's pattern answers at once."""
    fast = runner.invoke(cli, ["query", "-e", BACKTRACKING, "-f", "csv"])
    assert (fast.exit_code, fast.stdout.split()) == (0, ["m", "false"])
