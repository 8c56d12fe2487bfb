"""The package of the shipped data, made as a user makes it, passes frictionless and DCAT-AP 3.0.1.

``csi-graph package OUT`` on the data as it ships (conftest.py's ``shipped_package``: the
command as a user runs it, once per test run), then the checks a portal
runs: ``frictionless validate datapackage.json`` (every table the package lists, its Table
Schema and the foreign keys between tables) and the official DCAT-AP 3.0.1 SHACL shapes
on the catalogue record. Nothing here names a table or counts contracts: a table or a
contract added later is checked the same way.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

from pyshacl import validate
from rdflib import Graph

from csi_graph.catalog import DCAT_AP_SHAPES

FRICTIONLESS = shutil.which("frictionless") or str(Path(sys.executable).parent / "frictionless")


def test_frictionless_accepts_every_table_of_the_package(shipped_package):
    run = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"],
        cwd=shipped_package,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(run.stdout)
    package = json.loads((shipped_package / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"] for r in package["resources"] if r["path"].endswith(".csv")}
    assert tables and {task["name"] for task in report["tasks"]} >= tables
    errors = [
        (t["name"], e.get("rowNumber"), e.get("fieldName"), e["note"])
        for t in report["tasks"]
        for e in t["errors"]
    ]
    assert report["valid"] and run.returncode == 0, errors[:20]
    for task in report["tasks"]:
        with (shipped_package / task["place"]).open(encoding="utf-8", newline="") as handle:
            rows = sum(1 for _ in csv.DictReader(handle))
        assert task["stats"]["rows"] == rows > 0, task["name"]
    # the links between tables are declared, so frictionless did check them
    assert any(r["schema"].get("foreignKeys") for r in package["resources"] if "schema" in r)


def test_the_catalogue_conforms_to_the_official_dcat_ap_shapes(shipped_package):
    catalog = Graph().parse(shipped_package / "catalog.ttl", format="turtle")
    shapes = Graph().parse(DCAT_AP_SHAPES, format="turtle")
    conforms, _, text = validate(catalog, shacl_graph=shapes, inference="none", do_owl_imports=False)
    assert conforms, text
