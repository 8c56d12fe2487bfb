"""What every view says about a contract: the dates of signature and one order, on the shipped data.

The expectations are read from the Turtle files with rdflib, apart from csi-graph's queries:
each contract's signature dates (``dct:date`` of its signatures, and each date a source
claims when sources disagree), and from them the canonical order — by the earliest date as
written, contracts without a date last, then by identifier. ``info``, the named query
``contracts-overview``, ``compare``, the home page, the contract pages and the comparison
page must all show those dates (not the start of the period) and that order.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict

import pytest
from conftest import ROOT
from rdflib import RDF, Graph, Namespace
from rdflib.namespace import DCTERMS, SKOS

from csi_graph.cli import cli
from csi_graph.web.app import render_resource, render_site_page
from csi_graph.web.pages import Pages
from csi_graph.web.render import Renderer

CSI = Namespace("https://w3id.org/csi-graph/ontology#")


@pytest.fixture(scope="module")
def turtle() -> Graph:
    graph = Graph()
    for path in sorted([*(ROOT / "data").rglob("*.ttl"), *(ROOT / "ontology").rglob("*.ttl")]):
        graph.parse(path, format="turtle", publicID=path.resolve().as_uri())
    return graph


@pytest.fixture(scope="module")
def signed(turtle) -> dict[str, list[str]]:
    """identifier -> the dates sources give for the contract's signatures, sorted."""
    dates: dict[str, set[str]] = defaultdict(set)
    for contract in turtle.subjects(RDF.type, CSI.IntegratedSecurityContract):
        identifier = str(turtle.value(contract, DCTERMS.identifier))
        dates[identifier]
        for signature in turtle.subjects(CSI.inContract, contract):
            if (signature, RDF.type, CSI.Signature) not in turtle:
                continue
            dates[identifier] |= {str(d) for d in turtle.objects(signature, DCTERMS.date)}
            for claim in turtle.subjects(RDF.subject, signature):
                if (claim, RDF.predicate, DCTERMS.date) in turtle:
                    dates[identifier].add(str(turtle.value(claim, RDF.object)))
    return {identifier: sorted(found) for identifier, found in dates.items()}


@pytest.fixture(scope="module")
def order(signed) -> list[str]:
    return sorted(signed, key=lambda identifier: (min(signed[identifier], default="9999"), identifier))


@pytest.fixture(scope="module")
def pages(shipped) -> Pages:
    return Pages(shipped)


def test_the_data_has_what_these_tests_need(signed, turtle):
    assert any(len(dates) > 1 for dates in signed.values()), "a contract whose sources disagree"
    starts = {
        str(turtle.value(c, DCTERMS.identifier)): str(start)
        for c in turtle.subjects(RDF.type, CSI.IntegratedSecurityContract)
        for period in turtle.objects(c, DCTERMS.temporal)
        for start in turtle.objects(period, Namespace("http://www.w3.org/ns/dcat#").startDate)
    }
    assert any(start not in signed[c] for c, start in starts.items()), (
        "a period start that is not a signature"
    )


def test_info_shows_the_signature_dates_in_the_canonical_order(runner, signed, order):
    document = json.loads(runner.invoke(cli, ["info", "-f", "json"]).stdout)
    assert [c["identifier"] for c in document["contracts"]] == order
    assert {c["identifier"]: c["signed_dates"] for c in document["contracts"]} == signed
    text = runner.invoke(cli, ["info"]).stdout
    for dates in signed.values():
        if len(dates) > 1:
            assert f"signed {' or '.join(dates)} (sources disagree)" in text


def test_contracts_overview_is_in_the_canonical_order(shipped, signed, order):
    rows = shipped.query("contracts-overview").to_dicts()
    assert [r["identifier"] for r in rows] == order
    assert {
        r["identifier"]: sorted((r["signed"] or "").split("; ")) if r["signed"] else [] for r in rows
    } == signed


def test_compare_shows_the_signature_dates_in_the_canonical_order(runner, signed, order):
    document = json.loads(runner.invoke(cli, ["compare", "-f", "json"]).stdout)
    assert [c["identifier"] for c in document["contracts"]] == order
    assert {c["identifier"]: c["signed"] for c in document["contracts"]} == signed
    rows = list(
        csv.DictReader(io.StringIO(runner.invoke(cli, ["compare", "-f", "csv", "-s", "durations"]).stdout))
    )
    assert [r["Contract"] for r in rows] == order


def test_home_page_shows_the_signature_dates_in_the_canonical_order(pages, signed, order):
    html = render_site_page(Renderer(pages, live=False), pages, "index", "index.en.html", "en", {})
    shown = re.findall(r'<a href="[^"]*/contract/([^/".]+)[^"]*" class="contract-link">', html)
    assert shown == order
    rows = re.findall(r'<tr>\s*<td><a href="[^"]*" class="contract-link">.*?</tr>', html, re.S)
    for identifier, row in zip(order, rows, strict=True):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert cells[2] == " / ".join(signed[identifier]), identifier


def test_contract_and_comparison_pages_show_the_signature_dates(pages, signed, order):
    renderer = Renderer(pages, live=False)
    for identifier, dates in signed.items():
        iri = f"https://w3id.org/csi-graph/id/contract/{identifier}"
        html = render_resource(renderer, pages, iri, f"id/contract/{identifier}.en.html", "en", {})
        if dates:
            assert f"Signed {' / '.join(dates)}" in html, identifier
        else:
            facts = html.split('<p class="facts">', 1)[1].split("</p>", 1)[0]
            assert not re.search(r"Signed \d", facts), identifier
    html = render_site_page(renderer, pages, "compare", "compare.en.html", "en", {})
    row = re.search(r"<tr><th>Signed</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == [" / ".join(signed[i]) for i in order]


def test_the_comparison_page_is_the_librarys_comparison(pages, monkeypatch):
    import csi_graph.compare

    calls = []
    real = csi_graph.compare.compare

    def recording(*args, **kwargs):
        calls.append(kwargs.get("lang"))
        return real(*args, **kwargs)

    monkeypatch.setattr(csi_graph.compare, "compare", recording)
    render_site_page(Renderer(pages, live=False), pages, "compare", "compare.fr.html", "fr", {})
    assert calls == ["fr"]


def test_every_value_label_of_compare_is_in_the_language_asked(runner, turtle):
    """The quantity basis (additional, total) comes from its SKOS concept's label, in French too."""
    labels = {
        lang: {
            str(label)
            for concept, label in turtle.subject_objects(SKOS.prefLabel)
            if str(concept).startswith("https://w3id.org/csi-graph/quantity-basis/")
            and label.language == lang
        }
        for lang in ("en", "fr")
    }
    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(cli, ["compare", "-f", "csv", "-s", "targets", "--lang", "fr"]).stdout)
        )
    )
    shown = {r["Base"] for r in rows} - {""}
    assert shown and shown <= labels["fr"] and not shown & (labels["en"] - labels["fr"])
