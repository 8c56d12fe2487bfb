"""The one loader: named graph per file, roles, and clear errors with file, line and column."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SYNTHETIC

from csi_graph.errors import InputError
from csi_graph.loader import graph_name, load


def test_one_named_graph_per_shipped_file(shipped):
    files = {info.display: info for info in shipped.graphs}
    assert {
        "ontology/csi.owl.ttl",
        "ontology/csi-schemes.skos.ttl",
        "ontology/csi.shapes.shacl.ttl",
        "ontology/csi.warnings.shacl.ttl",
        "ontology/csi.info.shacl.ttl",
        "data/reference/national.ttl",
        "data/contracts/chambery-2021.ttl",
    } <= set(files)
    assert files["ontology/csi.shapes.shacl.ttl"].role == "shapes"
    assert files["ontology/csi.owl.ttl"].role == "ontology"
    assert files["data/contracts/chambery-2021.ttl"].role == "data"
    chambery = files["data/contracts/chambery-2021.ttl"]
    assert chambery.name == "https://w3id.org/csi-graph/graph/data/contracts/chambery-2021.ttl"
    assert len(shipped.graph(chambery.name)) == chambery.triples > 400


def test_user_files_are_added_to_shipped_data():
    dataset = load([SYNTHETIC])
    names = {info.name for info in dataset.graphs}
    assert graph_name(SYNTHETIC) in names
    assert graph_name(SYNTHETIC).endswith("/synthetic-contract.ttl")
    assert not any(str(SYNTHETIC.parent) in name for name in names)  # no folder revealed
    assert "https://w3id.org/csi-graph/graph/data/contracts/chambery-2021.ttl" in names


def test_contracts_false_keeps_ontology_and_reference_only():
    dataset = load([SYNTHETIC], contracts=False)
    displays = {info.display for info in dataset.graphs}
    assert "data/reference/national.ttl" in displays
    assert not any(d.startswith("data/contracts/") for d in displays)


def test_folder_is_read_recursively(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.nt").write_text("<http://ex/a> <http://ex/p> <http://ex/b> .\n")
    (tmp_path / "notes.txt").write_text("ignored")
    dataset = load([tmp_path], contracts=False)
    assert graph_name(tmp_path / "sub" / "a.nt") in {info.name for info in dataset.graphs}


def test_trig_keeps_its_graph_names(tmp_path):
    path = tmp_path / "g.trig"
    path.write_text("<http://ex/g1> { <http://ex/a> <http://ex/p> 1 . }\n<http://ex/b> <http://ex/p> 2 .\n")
    dataset = load([path], contracts=False)
    names = {info.name: info.triples for info in dataset.graphs if info.path == path}
    assert names == {"http://ex/g1": 1, graph_name(path): 1}


def test_blank_nodes_of_two_files_stay_apart(tmp_path):
    for name in ("one.ttl", "two.ttl"):
        (tmp_path / name).write_text("[] <http://ex/p> 1 .\n")
    dataset = load([tmp_path], contracts=False)
    rows = dataset.query("SELECT DISTINCT ?s WHERE { ?s <http://ex/p> 1 }")
    assert len(rows) == 2


@pytest.mark.parametrize(
    "content,line,column,message",
    [
        (
            "@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e ex:f ex:g .\n",
            3,
            16,
            "A dot is expected at the end of statements (fix the syntax there)",
        ),
        (
            '@prefix ex: <http://ex/> .\nex:a ex:b "open\n',
            2,
            11,
            "Unexpected end of file (fix the syntax there)",
        ),
        ("ex:a ex:b ex:c .\n", 1, 1, "The prefix ex: has not been declared (fix the syntax there)"),
    ],
)
def test_malformed_turtle_names_file_line_and_column(tmp_path, content, line, column, message):
    path = tmp_path / "bad.ttl"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        load([path], contracts=False)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(caught.value) == f"{path}:{line}:{column}: {message}"


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(InputError, match="no such file or directory"):
        load([tmp_path / "absent.ttl"])
    (tmp_path / "table.csv").write_text("a,b\n")
    with pytest.raises(InputError, match=r"unknown RDF file extension '\.csv'"):
        load([tmp_path / "table.csv"])


def test_json_ld_never_fetches_remote_context(tmp_path):
    path = tmp_path / "remote.jsonld"
    path.write_text('{"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": "http://ex/a", "http://ex/p": "x"}')
    with pytest.raises(InputError, match="never fetched"):
        load([path], contracts=False)


def test_ill_typed_literal_loads_and_is_left_to_shacl(tmp_path, caplog):
    path = tmp_path / "typed.ttl"
    path.write_text('<http://ex/a> <http://ex/p> "ten"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    dataset = load([path], contracts=False)
    assert any(info.path == path and info.triples == 1 for info in dataset.graphs)
    assert "Failed to convert" not in caplog.text


def test_locate_points_at_the_subject_line(shipped):
    location = shipped.locate("https://w3id.org/csi-graph/id/commitment/chambery-2021/state-01")
    lines = (ROOT / location.path).read_text(encoding="utf-8").splitlines()
    assert lines[location.line - 1] == "<commitment/chambery-2021/state-01>"


def test_installed_command_finds_bundled_files_from_any_directory(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-m", "csi_graph", "info"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "chambery-2021" in done.stdout


def test_wheel_carries_ontology_data_and_queries(tmp_path):
    """The built wheel holds the top-level folders inside the package."""
    import zipfile

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 and "No module named 'hatchling'" in done.stderr:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    (wheel,) = Path(tmp_path).glob("csi_graph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "csi_graph/_bundled/ontology/csi.owl.ttl" in names
    assert "csi_graph/_bundled/data/contracts/chambery-2021.ttl" in names
