"""Without chromium the browser tests are skipped with the reason shown, except under CI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import TESTS


def _browser_tests(ci: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CSI_GRAPH_CHROMIUM": "/nonexistent/chromium", "CI": ci}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q", "-rs", "test_browser.py"],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_skipped_with_the_reason_on_a_machine_without_chromium_failed_under_ci():
    local = _browser_tests("")
    assert local.returncode == 0, local.stdout
    assert "Debian's chromium is missing (/nonexistent/chromium)" in local.stdout
    assert " skipped" in local.stdout and " passed" not in local.stdout
    ci = _browser_tests("true")
    assert ci.returncode == 1, ci.stdout
    assert " error" in ci.stdout and " skipped" not in ci.stdout
    assert "Debian's chromium is missing (/nonexistent/chromium)" in ci.stdout
