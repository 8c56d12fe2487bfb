"""CSV tables: frictionless accepts each one against its Table Schema, and three read back into RDF."""

from __future__ import annotations

import csv
import json

import frictionless
import pytest
from conftest import ROOT, SYNTHETIC, contract_identifiers
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from csi_graph.loader import load
from csi_graph.namespaces import CSI
from csi_graph.tables import COMMITMENTS, PARTIES, SIGNATORIES, TABLES, build_tables, read_back

ISSUE_TABLES = {"contracts", "parties", "signatories", "commitments", "themes", "realisations", "sources"}
# Root keys schema.data.gouv.fr asks a Table Schema for (its validation page and template).
DATAGOUV_KEYS = {
    "$schema",
    "name",
    "title",
    "description",
    "keywords",
    "countryCode",
    "homepage",
    "path",
    "licenses",
    "resources",
    "sources",
    "created",
    "lastModified",
    "version",
    "contributors",
    "fields",
}


def _rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_issue_tables_are_there():
    assert {t.name for t in TABLES} >= ISSUE_TABLES


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_each_csv_passes_frictionless_against_its_schema(package_dir, table, monkeypatch):
    monkeypatch.chdir(package_dir)  # as the package README says: inside the package, relative paths
    report = frictionless.validate(table.file, schema=table.schema_file)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == len(_rows(package_dir / table.file)) > 0
    assert frictionless.validate(table.schema_file, type="schema").valid


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_schemas_follow_schema_data_gouv_fr(package_dir, table):
    schema = json.loads((package_dir / table.schema_file).read_text(encoding="utf-8"))
    assert set(schema) >= DATAGOUV_KEYS
    assert schema["path"] == "https://data.example.org/csi/" + table.schema_file
    assert schema["licenses"][0]["path"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    assert schema["countryCode"] == "FR" and schema["lastModified"] == "2026-11-30"
    for field in schema["fields"]:
        assert {"name", "title", "description", "example", "type"} <= set(field), field["name"]
    header = (package_dir / table.file).read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == [f["name"] for f in schema["fields"]]


def test_the_data_package_checks_the_links_between_tables(package_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(package_dir)
    report = frictionless.validate("datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # and it can fail: a commitment whose party is in no row of parties.csv
    copy = tmp_path / "copy"
    for path in package_dir.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(package_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    commitments = copy / "tables" / "commitments.csv"
    text = commitments.read_text(encoding="utf-8")
    commitments.write_text(text.replace("/party/chambery-2021/state,", "/party/chambery-2021/nobody,", 1))
    monkeypatch.chdir(copy)
    broken = frictionless.validate("datapackage.json")
    assert not broken.valid
    assert "foreign-key" in {error.type for task in broken.tasks for error in task.errors}


def test_frictionless_rejects_a_row_that_breaks_the_schema(package_dir, tmp_path, monkeypatch):
    rows = _rows(package_dir / COMMITMENTS.file)
    rows[0]["themes"] = ""  # required
    rows[1]["position"] = "first"  # integer
    rows[2]["deadline"] = "soon"  # a date of some precision
    (tmp_path / "tables").mkdir()
    with (tmp_path / COMMITMENTS.file).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / COMMITMENTS.schema_file).write_bytes((package_dir / COMMITMENTS.schema_file).read_bytes())
    monkeypatch.chdir(tmp_path)
    report = frictionless.validate(COMMITMENTS.file, schema=COMMITMENTS.schema_file)
    errors = {(e.type, e.field_name) for task in report.tasks for e in task.errors}
    assert errors == {
        ("constraint-error", "themes"),
        ("type-error", "position"),
        ("constraint-error", "deadline"),
    }


def test_rows_match_the_data(package_dir, package_dataset):
    data = package_dataset.merged("data")
    assert [r["contract"] for r in _rows(package_dir / "tables/contracts.csv")] == contract_identifiers(
        package_dataset
    )
    commitments = _rows(package_dir / COMMITMENTS.file)
    assert len(commitments) == len(set(data.subjects(RDF.type, URIRef(CSI + "Commitment"))))
    # the wording as written, or csi-graph's paraphrase when no source gives it: one of the two, never both
    assert all(bool(r["wording_fr"]) != bool(r["paraphrase_fr"]) for r in commitments)
    paraphrased = {str(s) for s in data.subjects(URIRef(CSI + "paraphrase"), None)}
    assert {r["iri"] for r in commitments if r["paraphrase_fr"]} == paraphrased
    state01 = next(r for r in commitments if r["iri"].endswith("/chambery-2021/state-01"))
    assert (
        state01["wording_fr"]
        == "Création de 10 postes de fonctionnaires de la police nationale supplémentaires"
    )
    assert state01["themes"] == "national-police-staffing" and state01["party_label_fr"] == "État"
    city06 = next(r for r in commitments if r["iri"].endswith("/chambery-2021/city-06"))
    assert (city06["latest_status"], city06["latest_status_date"]) == ("realised", "2021-11-23")
    quantities = _rows(package_dir / "tables/quantities.csv")
    assert {
        (q["commitment_identifier"], q["value"], q["unit"])
        for q in quantities
        if q["contract"] in ("chambery-2021", "testville-2030")
    } == {("state-01", "10", "post"), ("state-01", "5", "post")}
    # a target the source gives without a figure has an empty value, never a made-up one
    valued = {str(s) for s in data.subjects(URIRef("http://schema.org/value"), None)}
    assert {q["iri"] for q in quantities if q["value"]} == valued & {q["iri"] for q in quantities}
    themes = _rows(package_dir / "tables/themes.csv")
    assert len(themes) == sum(len(r["themes"].split()) for r in commitments)
    assert {t["volet"] for t in themes} <= {
        "",  # « Laïcité et vivre-ensemble »: attached to no volet
        "internal-security",
        "justice",
        "crime-prevention",
        "radicalisation-separatism",
        "transport",
        "urban-policy",
        "national-education",
    }


def test_same_tables_in_both_stores():
    paths = [ROOT / "data" / "contracts" / "chambery-2021.ttl", SYNTHETIC]
    rdflib_tables = build_tables(load(paths, contracts=False))
    oxigraph_tables = build_tables(load(paths, contracts=False, store="oxigraph"))
    for name, data in rdflib_tables.items():
        assert data.to_csv() == oxigraph_tables[name].to_csv(), name


def test_commitments_parties_and_signatories_read_back_without_loss(package_dir, package_dataset):
    """Every statement about a commitment, a party or a signature comes back from the CSV."""
    data = package_dataset.merged("data")
    classes = [URIRef(CSI + c) for c in ("Commitment", "ContractParty", "Signature")]
    source = Graph()
    for cls in classes:
        for subject in data.subjects(RDF.type, cls):
            for p, o in data.predicate_objects(subject):
                source.add((subject, p, o))
    back = read_back(package_dir, (COMMITMENTS, PARTIES, SIGNATORIES))
    assert len(source) > 250
    assert isomorphic(back, source), sorted(set(source) ^ set(back))[:5]


ADDED_PARTY = """
@prefix csi: <https://w3id.org/csi-graph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# Synthetic (tests only): two more parties of the synthetic contract, with no commitment given.
<https://w3id.org/csi-graph/id/party/testville-2030/none> a csi:ContractParty ;
    rdfs:label "Partie sans engagement (fictive)"@fr ;
    csi:inContract <https://w3id.org/csi-graph/id/contract/testville-2030> .
<https://w3id.org/csi-graph/id/party/testville-2030/unknown> a csi:ContractParty ;
    rdfs:label "Partie aux engagements inconnus (fictive)"@fr ; csi:commitmentsKnown false ;
    csi:inContract <https://w3id.org/csi-graph/id/contract/testville-2030> .
"""


def test_no_commitment_is_0_and_commitments_not_known_are_empty(tmp_path):
    added = tmp_path / "added.ttl"
    added.write_text(ADDED_PARTY, encoding="utf-8")
    parties = build_tables(load([SYNTHETIC, added], contracts=False))["parties"].rows
    counts = {
        row["iri"].rsplit("/", 1)[-1]: (row["commitments"], row["commitments_known"]) for row in parties
    }
    assert counts["none"] == ("0", "") and counts["unknown"] == ("", "false")
