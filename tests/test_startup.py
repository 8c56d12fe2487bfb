"""Start-up stays fast: importing the command line loads no RDF library.

``csi-graph --help`` must answer in a fraction of a second, so ``csi_graph.cli`` imports
click and little else; rdflib, pySHACL and pyoxigraph are imported inside the commands that
need them. This checks the behaviour (which modules get imported), not a duration: the
benchmark (``python benchmarks/run.py``) times it.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("rdflib", "pyshacl", "pyoxigraph", "owlrl", "SPARQLWrapper", "pandas")


def imported_modules(statement: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True, check=True
    )
    # Lines look like: "import time:       123 |        456 |   package.module"
    return {
        line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")
    }


def test_importing_the_command_line_loads_no_rdf_library():
    modules = imported_modules("import csi_graph.cli")
    assert "csi_graph.cli" in modules and "click" in modules  # the probe sees imports at all
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"imported at start-up: {heavy}"


def test_the_probe_does_see_heavy_imports():
    assert "pyoxigraph" in imported_modules("import csi_graph.loader")


def test_loading_querying_and_summarising_need_no_rdflib():
    """One engine: rdflib comes in only for pySHACL and users who ask for an rdflib Graph."""
    modules = imported_modules(
        "from csi_graph import load; from csi_graph.info import summarise; ds = load(); "
        "summarise(ds); ds.query('commitments-by-party').serialize('json'); ds.query('commitment-graph').serialize()"
    )
    assert "pyoxigraph" in modules
    assert sorted(m for m in modules if m.split(".")[0] == "rdflib") == []


def test_help_runs_as_a_process():
    done = subprocess.run(
        [sys.executable, "-m", "csi_graph", "--help"], capture_output=True, text=True, check=True
    )
    assert "--cache / --no-cache" in done.stdout and "--store" not in done.stdout


def test_pytest_without_the_dependencies_says_what_to_run():
    """pytest from a Python in which csi-graph's dependencies are missing (here pyoxigraph, hidden
    by an import hook) stops on one line that names the command to run, with exit code 4."""
    from conftest import ROOT

    hide = (
        "import sys, pytest\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pyoxigraph':\n"
        "            raise ModuleNotFoundError(\"No module named 'pyoxigraph'\", name='pyoxigraph')\n"
        "sys.meta_path.insert(0, Hide())\n"
        "sys.exit(pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider', '-n', '0', 'tests/test_seed.py']))\n"
    )
    done = subprocess.run([sys.executable, "-c", hide], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr
    assert done.stderr == (
        "Error: csi-graph's dependencies are not installed in this Python (No module named 'pyoxigraph'): "
        "run, from the repository, python3 -m venv .venv && . .venv/bin/activate && "
        "pip install -e '.[test]' && pytest\n"
    )
    assert "Traceback" not in done.stdout
