"""The model of what sources say: stated axes, dated contract states, figures and their
relations, the register and per-capita figures, checked on the shipped data against an
independent recount in Python over the rdflib graph (no figure typed in)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib import RDF, URIRef

CSI = "https://w3id.org/csi-graph/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"


def C(name: str) -> URIRef:
    return URIRef(CSI + name)


@pytest.fixture(scope="module")
def graph(shipped):
    return shipped.data_graph


def identifier(graph, contract) -> str:
    return str(graph.value(contract, URIRef(DCT + "identifier")))


def volet_of(graph):
    broader = dict(graph.subject_objects(URIRef(SKOS + "broader")))
    themes = URIRef("https://w3id.org/csi-graph/scheme/themes")
    tops = set(graph.subjects(URIRef(SKOS + "topConceptOf"), themes))

    def volet(theme):
        while theme in broader:
            theme = broader[theme]
        return theme if theme in tops else None

    return tops, volet


# ---------------------------------------------------------------------- stated axes


def test_volet_coverage_tells_commitments_axes_zero_and_unknown_apart(shipped, graph):
    tops, volet = volet_of(graph)
    on_volet: dict[str, dict] = defaultdict(lambda: defaultdict(set))
    known: dict[str, int] = defaultdict(int)
    for commitment in graph.subjects(RDF.type, C("Commitment")):
        contract = identifier(graph, graph.value(commitment, C("inContract")))
        known[contract] += 1
        for theme in graph.objects(commitment, C("theme")):
            if volet(theme) is not None:
                on_volet[contract][volet(theme)].add(commitment)
    stated: dict[str, set] = defaultdict(set)
    for axis in graph.subjects(RDF.type, C("Axis")):
        contract = identifier(graph, graph.value(axis, C("inContract")))
        stated[contract] |= {volet(t) for t in graph.objects(axis, C("theme"))} - {None}
    rows = shipped.query("volet-coverage", lang="en").to_dicts()
    contracts = {identifier(graph, k) for k in graph.subjects(RDF.type, C("IntegratedSecurityContract"))}
    assert len(rows) == len(contracts) * len(tops)
    by_label = {}
    for top in tops:
        for label in graph.objects(top, URIRef(SKOS + "prefLabel")):
            if label.language == "en":
                by_label[str(label)] = top
    for row in rows:
        contract, top = row["identifier"], by_label[row["volet"]]
        count = len(on_volet[contract][top])
        axis = top in stated[contract]
        expected = (
            "commitments" if count else "axis-stated" if axis else "zero" if known[contract] else "unknown"
        )
        assert (int(row["commitments"]), int(row["axes"]) > 0, row["state"]) == (
            count,
            axis,
            expected,
        ), row
    # The shipped data shows each case at least once: the distinction is made on real contracts.
    assert {row["state"] for row in rows} == {"commitments", "axis-stated", "zero", "unknown"}


# ---------------------------------------------------------------------- figures and totals

SCHEMA = "http://schema.org/"
KINDS = {
    "https://w3id.org/csi-graph/quantity-kind/national-police-staff": "National police staff",
    "https://w3id.org/csi-graph/quantity-kind/municipal-police-staff": "Municipal police staff",
    "https://w3id.org/csi-graph/quantity-kind/cameras": "Video-protection cameras",
}
ADDITIONAL = URIRef("https://w3id.org/csi-graph/quantity-basis/additional")


def recount_totals(graph) -> dict[tuple[str, str], float]:
    """Each target once: parts and later statements of the same target are left out."""
    totals: dict[tuple[str, str], float] = {}
    for commitment in graph.subjects(RDF.type, C("Commitment")):
        contract = identifier(graph, graph.value(commitment, C("inContract")))
        for q in graph.objects(commitment, C("targetQuantity")):
            kind, value = str(graph.value(q, C("quantityKind"))), graph.value(q, URIRef(SCHEMA + "value"))
            if kind not in KINDS or graph.value(q, C("quantityBasis")) != ADDITIONAL or value is None:
                continue
            if graph.value(q, C("partOf")) is not None:
                continue
            same = set(graph.objects(q, C("sameTargetAs"))) | set(graph.subjects(C("sameTargetAs"), q))
            if any(
                str(o) < str(q)
                and graph.value(o, C("quantityBasis")) == ADDITIONAL
                and graph.value(o, URIRef(SCHEMA + "value")) is not None
                for o in same
            ):
                continue
            key = (contract, KINDS[kind])
            totals[key] = totals.get(key, 0) + float(value.toPython())
    return totals


def test_totals_count_each_target_once(shipped, graph):
    rows = shipped.query("per-capita").to_dicts()
    found = {(r["identifier"], r["measures"]): r["total"] for r in rows}
    expected = recount_totals(graph)
    assert {k: float(v) for k, v in found.items() if v is not None} == expected
    # No figure known is no total, never 0.
    assert all(v is None for k, v in found.items() if k not in expected)


def test_toulouse_total_is_its_largest_promise_not_the_sum_of_its_figures(shipped, graph):
    """111 posts, of which 45 by 2020 and 15 + 15 for two neighbourhoods: a total of 111, not 297."""
    figures = [
        float(graph.value(q, URIRef(SCHEMA + "value")).toPython())
        for c in graph.subjects(
            C("inContract"), URIRef("https://w3id.org/csi-graph/id/contract/toulouse-2020")
        )
        for q in graph.objects(c, C("targetQuantity"))
        if str(graph.value(q, C("quantityKind"))).endswith("national-police-staff")
        and graph.value(q, URIRef(SCHEMA + "value")) is not None
    ]
    total = next(
        r["total"]
        for r in shipped.query("per-capita", contract="toulouse-2020").to_dicts()
        if r["measures"] == "National police staff"
    )
    assert len(figures) > 1 and float(total) == max(figures) < sum(figures)


def test_model_queries_are_the_same_on_both_stores(shipped):
    from conftest import normalised

    from csi_graph.loader import load

    oxigraph = load(store="oxigraph")
    for name in ("per-capita", "volet-coverage"):
        assert normalised(oxigraph.query(name)) == normalised(shipped.query(name)), name


# ---------------------------------------------------------------------- the register

SIGNED = URIRef("https://w3id.org/csi-graph/contract-status/signed")


def completeness(graph, contract) -> str:
    commitments = set(graph.subjects(C("inContract"), contract)) & set(
        graph.subjects(RDF.type, C("Commitment"))
    )
    if any(graph.value(r, C("statusOf")) in commitments for r in graph.subjects(RDF.type, C("StatusRecord"))):
        return "follow-up"
    if commitments:
        return "commitments"
    signatures = set(graph.subjects(C("inContract"), contract)) & set(
        graph.subjects(RDF.type, C("Signature"))
    )
    if any(graph.value(s, C("signatory")) is not None for s in signatures):
        return "signatories"
    return "listed"


def test_register_derives_completeness_and_date_precision(shipped, graph):
    rows = {r["identifier"]: r for r in shipped.query("register").to_dicts()}
    contracts = list(graph.subjects(RDF.type, C("IntegratedSecurityContract")))
    assert set(rows) == {identifier(graph, k) for k in contracts}
    for contract in contracts:
        row = rows[identifier(graph, contract)]
        assert row["completeness"] == completeness(graph, contract), row
        rank = graph.value(contract, C("rank"))
        assert row["rank"] == (rank.toPython() if rank is not None else None)
        if row["date"] is not None:
            length = len(str(row["date"]))
            assert row["precision"] == {10: "day", 7: "month", 4: "year"}[length]
            assert row["dateOf"]  # the state that date is of
    # Each level of completeness is met on real contracts, and each precision of date.
    assert {r["completeness"] for r in rows.values()} == {"listed", "signatories", "commitments", "follow-up"}
    assert {r["precision"] for r in rows.values()} >= {"day", "month", "year"}


def signed_dates(graph) -> dict[str, str | None]:
    """Each signed contract's earliest date, as written (day, month or year), or None."""
    out = {}
    broader = dict(graph.subject_objects(URIRef(SKOS + "broader")))
    for contract in graph.subjects(RDF.type, C("IntegratedSecurityContract")):
        status = graph.value(contract, C("contractStatus"))
        while status in broader and status != SIGNED:
            status = broader[status]
        if status != SIGNED:
            continue
        dates = []
        for part in graph.subjects(C("inContract"), contract):
            types = set(graph.objects(part, RDF.type))
            if C("Signature") in types:
                dates += [str(d) for d in graph.objects(part, URIRef(DCT + "date"))]
                for claim in graph.subjects(RDF.subject, part):
                    if graph.value(claim, RDF.predicate) == URIRef(DCT + "date"):
                        dates.append(str(graph.value(claim, RDF.object)))
            if C("ContractStatusRecord") in types:
                state = graph.value(part, C("contractStatus"))
                while state in broader and state != SIGNED:
                    state = broader[state]
                if state == SIGNED:
                    dates.append(str(graph.value(part, URIRef(DCT + "date"))))
        out[identifier(graph, contract)] = min(dates) if dates else None
    return out


def test_signed_by_a_date_counts_certain_possible_and_undated(shipped, graph):
    dates = signed_dates(graph)
    known = sorted({d for d in dates.values() if d})
    for limit in [f"{known[0][:4]}-01-01", *(f"{d[:4]}-06-30" for d in known), "2100-01-01"]:
        row = shipped.query("signed-by", date=limit).to_dicts()[0]
        certain = sum(
            1 for d in dates.values() if d and (d + "-12-31"[len(d) - 4 :] if len(d) < 10 else d) <= limit
        )
        perhaps = sum(
            1
            for d in dates.values()
            if d and len(d) < 10 and d + "-01-01"[: 10 - len(d)] <= limit < d + "-12-31"[len(d) - 4 :]
        )
        assert (int(row["signed"]), int(row["perhaps"]), int(row["undated"])) == (
            certain,
            perhaps,
            sum(1 for d in dates.values() if d is None),
        ), limit
    assert int(shipped.query("signed-by", date="2100-01-01").to_dicts()[0]["signed"]) == len(
        [d for d in dates.values() if d]
    )


MINIMAL = """\
# SYNTHETIC TEST FIXTURE: an invented register entry, as small as the format allows.
contract:
  id: testville-2031
  title: {fr: "Contrat de sécurité intégrée de Testville (fictif)"}
  status: signed
  rank: 120
  territories: [testville]
  history:
    - {status: signed, date: 2031-03, sources: [register]}
  sources: [register]
territories:
  testville: {kind: territory, name: {fr: "Testville"}, sources: [register]}
sources:
  register:
    url: "https://example.org/testville/register"
    label: {fr: "Liste fictive"}
    reliability: ungraded
    read_on: 2026-01-01
"""


def test_a_minimal_register_entry_builds_with_information_only(tmp_path):
    from csi_graph.authoring import build
    from csi_graph.loader import load

    path = tmp_path / "testville-2031.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    report = build([path], tmp_path / "out", context=[])
    assert report.conforms, report.to_text()
    assert {r.severity for r in report.results} == {"Info"}
    gaps = {r.shape for r in report.results}
    assert {
        "csish:Contract-parties",
        "csish:ContractSignaturesShape",
        "csish:Contract-commitmentsRecommended",
    } <= gaps
    row = load([tmp_path / "out" / "testville-2031.ttl"], contracts=False).query("register").to_dicts()[0]
    assert (row["state"], str(row["date"]), row["precision"], row["rank"], row["completeness"]) == (
        "Signed",
        "2031-03",
        "month",
        120,
        "listed",
    )
