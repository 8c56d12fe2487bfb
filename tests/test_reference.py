"""The generated ontology reference is complete and never stale."""

from __future__ import annotations

import re

from conftest import ROOT
from rdflib import OWL, RDF, SKOS, URIRef

from csi_graph import reference
from csi_graph.cli import cli
from csi_graph.namespaces import CSI, shorten


def test_committed_reference_is_up_to_date(shipped):
    assert reference.stale(shipped, ROOT / "docs") == [], "run: csi-graph docs"


def test_reference_lists_every_term_and_concept(shipped):
    english = reference.render(shipped, "en")
    graph = shipped.merged("ontology")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept):
        for term in graph.subjects(RDF.type, kind):
            assert f"`{shorten(str(term))}`" in english, term
    assert re.search(r"- Example: `<commitment/[\w/-]+> csi:committedBy <party/[\w/-]+> \.`", english)


def test_reference_is_bilingual(shipped):
    french = reference.render(shipped, "fr")
    graph = shipped.merged("ontology")
    definitions = {d.language: str(d) for d in graph.objects(URIRef(CSI + "Commitment"), SKOS.definition)}
    assert definitions["fr"] in french and definitions["en"] not in french
    assert "Propriétés attendues par les formes" in french


def test_docs_check_fails_when_stale(runner, tmp_path):
    assert runner.invoke(cli, ["docs", "--check", "-o", str(tmp_path)]).exit_code == 1
    written = runner.invoke(cli, ["docs", "-o", str(tmp_path)])
    assert written.exit_code == 0
    assert runner.invoke(cli, ["docs", "--check", "-o", str(tmp_path)]).exit_code == 0
    (tmp_path / "reference.md").write_text("edited by hand\n")
    stale = runner.invoke(cli, ["docs", "--check", "-o", str(tmp_path)])
    assert stale.exit_code == 1
    assert stale.stderr == f"{tmp_path / 'reference.md'} is out of date: run csi-graph docs\n"
