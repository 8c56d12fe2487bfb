"""What a dataset holds: its contracts (city, date, parties, commitments per party) and its graphs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from csi_graph.dataset import Dataset, GraphInfo
from csi_graph.namespaces import CSI, shorten

_CONTRACT = URIRef(CSI + "IntegratedSecurityContract")
_IN_CONTRACT = URIRef(CSI + "inContract")


@dataclass(frozen=True)
class PartySummary:
    label: str
    kind: str
    commitments: int


@dataclass(frozen=True)
class ContractSummary:
    identifier: str
    iri: str
    title: str
    territories: list[str]
    status: str
    signed: str | None
    ends: str | None
    parties: list[PartySummary]
    commitments: int
    signed_dates: list[str] = field(default_factory=list)  # several when sources disagree


@dataclass(frozen=True)
class Info:
    contracts: list[ContractSummary]
    graphs: list[GraphInfo]

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def to_text(self) -> str:
        lines = [f"Contracts: {len(self.contracts)}"]
        for c in self.contracts:
            signed = (
                " or ".join(c.signed_dates) + " (sources disagree)" if len(c.signed_dates) > 1 else c.signed
            )
            dates = (
                f"signed {signed or 'on an unknown date'}"
                if c.status == "signed"
                else c.status.replace("-", " ")
            )
            if c.ends:
                dates += f", runs to {c.ends}"
            lines.append(f"  {c.identifier}  {c.title}")
            lines.append(f"    territory: {', '.join(c.territories)}; {dates}")
            lines.append(f"    {c.commitments} commitments:")
            width = max((len(p.label) for p in c.parties), default=0)
            for p in c.parties:
                lines.append(f"      {p.label.ljust(width)}  {p.commitments:>3}  ({p.kind})")
        lines.append(f"Named graphs: {len(self.graphs)}")
        width = max((len(g.display) for g in self.graphs), default=0)
        for g in self.graphs:
            lines.append(f"  {g.display.ljust(width)}  {g.role:<8}  {g.triples:>7} triples")
        lines.append(f"Total: {self.triples} triples")
        return "\n".join(lines)

    def to_json(self) -> str:
        document = {
            "contracts": [asdict(c) for c in self.contracts],
            "graphs": [
                {"name": g.name, "file": g.display, "role": g.role, "triples": g.triples} for g in self.graphs
            ],
            "triples": self.triples,
        }
        return json.dumps(document, ensure_ascii=False, indent=2)


def summarise(dataset: Dataset, lang: str = "en") -> Info:
    """Summarise the contracts of a dataset, with labels in ``lang`` (falling back to French).

    Two queries do the work in the store: one gathers the few triples a summary shows
    (contracts, parties, signatures, periods, territories, kinds), the other counts
    commitments, so a million triples summarise in seconds, not minutes.
    """
    graph = Graph()
    for triple in dataset.execute(_SUMMARY_GRAPH).triples:
        graph.add(triple)
    counts: dict[tuple, int] = {}
    for query in _COMMITMENT_COUNTS:
        for *key, count in dataset.execute(query).rows:
            counts[key[0], key[1] if len(key) > 1 else None] = int(count)
    contracts = [_contract(graph, k, lang, counts) for k in set(graph.subjects(RDF.type, _CONTRACT))]
    contracts.sort(key=lambda c: (c.signed or "9999", c.identifier))
    return Info(contracts, list(dataset.graphs))


_PROLOGUE = f"""
PREFIX csi: <{CSI}>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
_SUMMARY_GRAPH = (
    _PROLOGUE
    + """
CONSTRUCT { ?s ?p ?o } WHERE {
    { ?s a csi:IntegratedSecurityContract ; ?p ?o }
    UNION { ?s a ?type ; csi:inContract ?k ; ?p ?o . ?k a csi:IntegratedSecurityContract .
            VALUES ?type { csi:ContractParty csi:Signature } }
    UNION { ?k a csi:IntegratedSecurityContract ; dct:temporal|csi:territory ?s . ?s ?p ?o }
    UNION { ?party a csi:ContractParty ; csi:partyKind ?s . ?s ?p ?o }
    UNION { ?s a csi:Claim ; rdf:subject ?signature ; ?p ?o .
            ?signature a csi:Signature ; csi:inContract ?k . ?k a csi:IntegratedSecurityContract }
}"""
)
# Per contract: commitments by party of the same contract, and all of them (?party unbound).
_COMMITMENT_COUNTS = [
    _PROLOGUE
    + """
SELECT ?k ?party (COUNT(DISTINCT ?c) AS ?n) WHERE {
    ?c a csi:Commitment ; csi:inContract ?k ; csi:committedBy ?party .
    ?party a csi:ContractParty ; csi:inContract ?k .
} GROUP BY ?k ?party""",
    _PROLOGUE
    + """
SELECT ?k (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a csi:Commitment ; csi:inContract ?k } GROUP BY ?k""",
]


def _contract(graph: Graph, contract: URIRef, lang: str, counts: dict[tuple, int]) -> ContractSummary:
    members = set(graph.subjects(_IN_CONTRACT, contract))
    parties = [m for m in members if (m, RDF.type, URIRef(CSI + "ContractParty")) in graph]
    signatures = [m for m in members if (m, RDF.type, URIRef(CSI + "Signature")) in graph]
    by_party = {p: counts.get((contract, p), 0) for p in parties}
    party_summaries = sorted(
        (
            PartySummary(
                label(graph, p, lang),
                label(graph, graph.value(p, URIRef(CSI + "partyKind")), lang),
                count,
            )
            for p, count in by_party.items()
        ),
        key=lambda p: (-p.commitments, p.label),
    )
    signed_dates = sorted(
        {str(d) for s in signatures for d in graph.objects(s, DCTERMS.date)}
        | {str(graph.value(c, RDF.object)) for s in signatures for c in _date_claims(graph, s)}
    )
    period = graph.value(contract, DCTERMS.temporal)
    ends = graph.value(period, DCAT.endDate) if period is not None else None
    status = graph.value(contract, URIRef(CSI + "contractStatus"))
    return ContractSummary(
        identifier=str(graph.value(contract, DCTERMS.identifier) or shorten(str(contract))),
        iri=str(contract),
        title=text(graph, contract, DCTERMS.title, lang),
        territories=sorted(label(graph, t, lang) for t in graph.objects(contract, URIRef(CSI + "territory"))),
        status=str(status).rsplit("/", 1)[-1] if status is not None else "unknown",
        signed=signed_dates[0] if signed_dates else None,
        ends=str(ends) if ends is not None else None,
        parties=party_summaries,
        commitments=counts.get((contract, None), 0),
        signed_dates=signed_dates,
    )


def label(graph: Graph, node, lang: str) -> str:
    """The label of a node in ``lang``, else in French, else any, else its short IRI."""
    if node is None:
        return "?"
    for predicate in (SKOS.prefLabel, RDFS.label):
        found = text(graph, node, predicate, lang, default=None)
        if found is not None:
            return found
    return shorten(str(node))


def text(graph: Graph, node, predicate, lang: str, default: str | None = "") -> str | None:
    """The value of ``predicate`` in ``lang``, else French, else untagged, else ``default``."""
    values = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    for wanted in (lang, "fr", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else default


def _date_claims(graph: Graph, signature) -> list:
    """Sourced claims on a signature's date, kept when sources disagree on it."""
    return [c for c in graph.subjects(RDF.subject, signature) if (c, RDF.predicate, DCTERMS.date) in graph]
