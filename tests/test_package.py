"""csi-graph package: the files, round trips, nothing lost or half-written, progress."""

from __future__ import annotations

import csv
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT, SYNTHETIC, contract_identifiers
from rdflib import Graph
from rdflib.compare import isomorphic
from terminal import bars, run_on_a_terminal

from csi_graph.cli import cli
from csi_graph.export import Selection
from csi_graph.terms import ox_to_rdflib

CHAMBERY = ROOT / "data" / "contracts" / "chambery-2021.ttl"
CSI_GRAPH = shutil.which("csi-graph") or str(Path(sys.executable).parent / "csi-graph")


def _parse(path: Path) -> Graph:
    formats = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}
    graph = Graph()
    for quad in ox.parse(path=str(path), format=formats[path.suffix]):
        graph.add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    return graph


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _package(runner, outdir, *args, paths=(str(SYNTHETIC),), validate=False):
    """Package the synthetic contract only (fast), with a fixed date; validation is tested apart."""
    options = ["--date", "2026-11-30", *([] if validate else ["--no-validate"])]
    return runner.invoke(cli, ["package", str(outdir), *paths, *options, *args])


# The package's content ------------------------------------------------------------------


def test_layout(package_dir):
    files = set(_snapshot(package_dir))
    expected = {
        "README.md", "SHA256SUMS", "manifest.json", "catalog.ttl", "catalog.jsonld", "context.jsonld",
        "datapackage.json", "csi-graph.ttl", "csi-graph.nt", "csi-graph.jsonld", "ontology.ttl",
        "contracts/chambery-2021.ttl", "contracts/chambery-2021.nt", "contracts/chambery-2021.jsonld",
        "contracts/testville-2030.ttl", "contracts/testville-2030.nt", "contracts/testville-2030.jsonld",
    }  # fmt: skip
    assert expected <= files
    assert {f for f in files if f.startswith("tables/")} == {
        f"tables/{t}{ext}"
        for t in (
            "contracts",
            "parties",
            "signatories",
            "commitments",
            "themes",
            "realisations",
            "quantities",
            "sources",
            "register",
        )
        for ext in (".csv", ".schema.json")
    }


def test_manifest_and_checksums_are_true(package_dir, package_dataset):
    manifest = json.loads((package_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == "csi-graph"
    assert manifest["contracts"] == contract_identifiers(package_dataset)
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(_snapshot(package_dir)) - {"manifest.json", "SHA256SUMS"}
    for entry in manifest["files"]:
        content = (package_dir / entry["path"]).read_bytes()
        assert entry["bytes"] == len(content)
    # the real sha256sum tool agrees with every line of SHA256SUMS
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=package_dir, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(listed) + 1  # with manifest.json


def test_jsonld_reads_back_to_the_source_data(package_dir, package_dataset):
    source = Graph()
    for quad in Selection(package_dataset).quads:
        source.add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    assert isomorphic(_parse(package_dir / "csi-graph.jsonld"), source)
    assert isomorphic(_parse(package_dir / "csi-graph.ttl"), source)
    assert isomorphic(_parse(package_dir / "csi-graph.nt"), source)
    for contract in ("chambery-2021", "testville-2030"):
        turtle = _parse(package_dir / f"contracts/{contract}.ttl")
        assert isomorphic(_parse(package_dir / f"contracts/{contract}.jsonld"), turtle)
        assert len(turtle) < len(source)


def test_the_published_context_is_the_one_inside_the_data(package_dir):
    context = json.loads((package_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    data = json.loads((package_dir / "csi-graph.jsonld").read_text(encoding="utf-8"))
    assert data["@context"] == context


def test_readme_is_bilingual_and_documents_every_column(package_dir):
    from csi_graph.tables import TABLES

    readme = (package_dir / "README.md").read_text(encoding="utf-8")
    assert "## En français" in readme and "## In English" in readme
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence" in readme
    for table in TABLES:
        assert f"### `{table.file}`" in readme
        for column in table.columns:
            assert f"| `{column.name}` |" in readme
    sources = _rows(package_dir / "tables/sources.csv")
    assert f"{len(sources)} sources publiques" in readme and f"{len(sources)} public sources" in readme
    lines = readme.splitlines()
    for row in _rows(package_dir / "tables/contracts.csv"):  # every contract, with its count or "not known"
        line = next(
            line for line in lines if line.startswith(f"- `{row['contract']}` — {row['title_fr']} — ")
        )
        count = f"{row['commitments']} engagements" if row["commitments"] else "engagements inconnus"
        assert line.endswith(count), line


def test_readme_query_example_runs(package_dir):
    readme = (package_dir / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", readme, re.S)[1]
    run = subprocess.run([sys.executable, "-c", code], cwd=package_dir, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    commitments = _rows(package_dir / "tables/commitments.csv")  # each has its wording or a paraphrase
    assert sorted(run.stdout.splitlines()) == sorted(
        f"{r['contract']} {r['identifier']} {r['wording_fr'] or r['paraphrase_fr']}" for r in commitments
    )


# Nothing lost, nothing half-written --------------------------------------------------------


def test_same_data_same_package_and_issue_date_kept(runner, tmp_path):
    first = tmp_path / "first"
    assert _package(runner, first).exit_code == 0
    again = tmp_path / "again"
    assert _package(runner, again).exit_code == 0
    assert _snapshot(first) == _snapshot(again)
    # a new version over a previous package keeps its first issue date
    result = runner.invoke(
        cli,
        [
            "package",
            str(first),
            str(SYNTHETIC),
            "--date",
            "2026-12-05",
            "--no-validate",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    catalog = (first / "catalog.ttl").read_text(encoding="utf-8")
    assert 'dct:issued "2026-11-30"^^xsd:date' in catalog and 'dct:modified "2026-12-05"^^xsd:date' in catalog


def test_refuses_a_folder_that_is_not_a_package(runner, tmp_path):
    outdir = tmp_path / "documents"
    outdir.mkdir()
    (outdir / "notes.txt").write_text("mine")
    result = _package(runner, outdir)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {outdir} is not empty and is not a csi-graph package (no manifest.json); "
        "choose a new or empty folder, or add --force to replace its contents\n"
    )
    assert _snapshot(outdir) == {"notes.txt": b"mine"}
    forced = _package(runner, outdir, "--force", "-q")
    assert forced.exit_code == 0 and (outdir / "manifest.json").is_file()
    assert not (outdir / "notes.txt").exists()


def test_refuses_a_file_the_input_and_the_current_folder(runner, tmp_path, monkeypatch):
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    result = _package(runner, afile)
    assert result.exit_code == 2 and f"Directory '{afile}' is a file." in result.stderr
    result = _package(runner, SYNTHETIC.parent, "--force")
    assert result.exit_code == 2
    assert f"contains the input file {SYNTHETIC}; write the package elsewhere" in result.stderr
    monkeypatch.chdir(tmp_path)
    result = _package(runner, ".", "--force")
    assert result.exit_code == 2 and "is the current folder or contains it" in result.stderr


def test_a_failure_leaves_the_previous_package_intact(runner, tmp_path, monkeypatch):
    outdir = tmp_path / "out"
    assert _package(runner, outdir, "-q").exit_code == 0
    before = _snapshot(outdir)

    from csi_graph import package as package_module
    from csi_graph.catalog import CatalogCheck

    monkeypatch.setattr(
        package_module, "check_catalog", lambda graph: CatalogCheck(False, 1, "a made-up failure")
    )
    result = _package(runner, outdir, "-q", paths=(str(CHAMBERY),))
    assert result.exit_code == 1
    assert "the catalogue record does not conform to DCAT-AP 3.0.1; nothing was written" in result.stderr
    assert _snapshot(outdir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


@pytest.mark.slow  # builds the whole package twice in a child process: 8 s of CPU
def test_a_kill_leaves_the_previous_package_intact(tmp_path):
    outdir = tmp_path / "out"
    command = [CSI_GRAPH, "package", str(outdir), "--no-validate", "-q"]
    subprocess.run([*command, str(SYNTHETIC)], check=True)
    before = _snapshot(outdir)
    process = subprocess.Popen(command)  # the shipped data this time: a different package
    deadline = time.monotonic() + 60
    while not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]:
        assert process.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert _snapshot(outdir) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "out"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".out.tmp-")
    # the next run cleans up what the killed one left, and replaces the package
    subprocess.run(command, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert "chambery-2021" in json.loads((outdir / "manifest.json").read_text())["contracts"]


def test_a_package_moved_aside_by_a_killed_build_is_put_back(runner, tmp_path):
    """Killed between moving the old package aside and moving the new one in: nothing is lost."""
    assert _package(runner, tmp_path / "out", "-q", "--date", "2026-11-01").exit_code == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    aside = tmp_path / f".out.old-{dead.pid}-0123abcd"
    (tmp_path / "out").rename(aside)
    assert _package(runner, tmp_path / "out", "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["issued"], manifest["date"]) == ("2026-11-01", "2026-11-30")  # the old one was read


def test_invalid_data_is_not_packaged(runner, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text(SYNTHETIC.read_text(encoding="utf-8").replace("schema:value 5 ;", "schema:value -5 ;"))
    outdir = tmp_path / "out"
    result = _package(runner, outdir, paths=(str(broken),), validate=True)
    assert result.exit_code == 1
    assert (
        "Error: the data does not conform; nothing was written (fix it, or pass --no-validate):"
        in result.stderr
    )
    assert "Violation: <quantity/testville-2030/state-01-1> schema:value:" in result.stderr
    assert not outdir.exists()
    assert _package(runner, outdir, "--no-validate", "-q", paths=(str(broken),)).exit_code == 0


# Progress -----------------------------------------------------------------------------------


def test_progress_is_plain_lines_when_not_a_terminal(runner, tmp_path):
    result = _package(runner, tmp_path / "out", "--base-url", "https://data.example.org/csi", validate=True)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    total = len(lines)
    assert lines[0] == f"[1/{total}] validating the data (SHACL)"
    assert lines[-1] == f"[{total}/{total}] writing manifest.json and SHA256SUMS"
    assert re.fullmatch(
        r"Wrote .*out: 32 files, [\d,]+ bytes, 1 contract \(testville-2030\); catalogue conforms to "
        r"DCAT-AP 3\.0\.1 \(\d+ triples\); [\d.]+ s\n",
        result.stdout,
    )
    assert "https://data.example.org/csi/tables/commitments.csv" in (tmp_path / "out/catalog.ttl").read_text()


def test_quiet_says_nothing_and_default_base_url_is_pointed_out(runner, tmp_path):
    quiet = _package(runner, tmp_path / "quiet", "-q")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    loud = _package(runner, tmp_path / "loud")
    assert (
        "Note: download addresses use the default base URL https://w3id.org/csi-graph/package/" in loud.stderr
    )


def test_progress_bar_on_a_terminal(tmp_path):
    code, text = run_on_a_terminal([CSI_GRAPH, "package", str(tmp_path / "out"), str(SYNTHETIC)])
    assert code == 0
    drawn = bars(text)
    assert drawn[0][0] == "Packaging" and drawn[1][0] == "validating the data (SHACL)"
    total = drawn[-1][3]
    assert drawn[-1][2] == total and set(drawn[-1][1]) == {"#"}  # a full bar at the end
    assert "[1/" not in text  # no plain lines on a terminal
    assert "\r\nWrote " in text
