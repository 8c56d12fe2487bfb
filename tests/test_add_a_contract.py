"""A first-time contributor adds a contract to a copy of the repository, as the docs say.

The repository's code, ontology, queries and data are copied to a temporary folder (the
shipped files are never touched); ``csi-graph new`` starts the authoring file, the
contributor's edit is the synthetic fixture ``tests/fixtures/synthetic-contract.yaml``
(fictional Testville, with its synthetic territory), ``csi-graph build`` writes the Turtle
into the copy's ``data/contracts/``. Then every command a user runs next works on the data
that now holds one more contract: validate, package (and frictionless on the package),
compare, query and site. Nothing here counts the shipped contracts, so adding real ones
changes nothing.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

NEW_ID = "testville-2030"
FRICTIONLESS = shutil.which("frictionless") or str(Path(sys.executable).parent / "frictionless")

pytestmark = pytest.mark.slow  # about a minute and a half on two cores: CI runs it (CI=true)


def _copy_repository(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "_bundled", "*.pyc")
    for folder in ("csi_graph", "ontology", "queries", "data"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    return target


def _csi_graph(repo: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``csi-graph ARGS`` running the copy's code, so that it reads the copy's data."""
    env = {**os.environ, "PYTHONPATH": str(repo), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "csi_graph", *args],
        cwd=cwd or repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = _copy_repository(tmp_path_factory.mktemp("clone") / "csi-graph")
    # the synthetic contract's territory (a fictional commune) goes with it, as reference data
    shutil.copy(FIXTURES / "synthetic-territories.ttl", repo / "data" / "reference")
    authoring = repo / "data" / "authoring"
    new = _csi_graph(repo, "new", "Testville", "--year", "2030", cwd=authoring)
    assert new.returncode == 0, new.stderr
    started = authoring / f"{NEW_ID}.yaml"
    assert "TODO" in started.read_text(encoding="utf-8")
    shutil.copy(FIXTURES / "synthetic-contract.yaml", started)  # the contributor's edit
    build = _csi_graph(repo, "build", str(started))
    assert build.returncode == 0, build.stdout + build.stderr
    assert (repo / "data" / "contracts" / f"{NEW_ID}.ttl").is_file()
    return repo


def _shipped_ids() -> list[str]:
    return sorted(p.stem for p in (ROOT / "data" / "contracts").glob("*.ttl"))


def test_validate(repo):
    run = _csi_graph(repo, "validate")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("Valid")


def test_package_and_frictionless(repo, tmp_path):
    out = tmp_path / "package"
    run = _csi_graph(repo, "package", str(out), "-q")
    assert run.returncode == 0, run.stdout + run.stderr
    check = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"], cwd=out, capture_output=True, text=True
    )
    report = json.loads(check.stdout)
    assert report["valid"], [(t["name"], e["note"]) for t in report["tasks"] for e in t["errors"]][:10]
    with (out / "tables" / "contracts.csv").open(encoding="utf-8", newline="") as handle:
        ids = [row["contract"] for row in csv.DictReader(handle)]
    assert ids == sorted([*_shipped_ids(), NEW_ID])


def test_compare(repo):
    run = _csi_graph(repo, "compare", "-f", "csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.reader(run.stdout.splitlines()))
    assert sorted(row[0] for row in rows[1:]) == sorted([*_shipped_ids(), NEW_ID])


def test_query(repo):
    run = _csi_graph(repo, "query", "contracts-overview", "-f", "csv")
    assert run.returncode == 0, run.stderr
    ids = [row["identifier"] for row in csv.DictReader(run.stdout.splitlines())]
    assert sorted(ids) == sorted([*_shipped_ids(), NEW_ID])


def test_site(repo, tmp_path):
    out = tmp_path / "site"
    run = _csi_graph(repo, "site", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    page = out / "id" / "contract" / f"{NEW_ID}.en.html"
    assert page.is_file() and "Testville" in page.read_text(encoding="utf-8")
    # written with the umask's mode (0644 under 022), like every file csi-graph writes
    umask = os.umask(0o022)
    os.umask(umask)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()}
    assert modes == {0o666 & ~umask}
