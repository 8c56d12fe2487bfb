"""The contracts of a dataset, as every view shows them: ``info``, ``compare``, the web pages.

One function reads what a summary of a contract needs — identifier, title, status,
territories, the dates of signature (every date the sources give when they disagree), the
period, the number of commitments — and puts the contracts in the one canonical order:
by the earliest date of signature, as written (a year alone sorts before the dates of
that year), contracts without a known date last, then by identifier. The named query
``contracts-overview`` sorts the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from csi_graph.namespaces import CSI, PREFIXES

if TYPE_CHECKING:
    from csi_graph.dataset import Dataset

_TERRITORY_KINDS = [  # most specific first
    (CSI + "Commune", "commune"),
    (PREFIXES["igeo"] + "Commune", "commune"),
    (CSI + "Intercommunality", "intercommunality"),
    (CSI + "Departement", "departement"),
    (CSI + "PriorityNeighbourhood", "priority-neighbourhood"),
    (CSI + "Neighbourhood", "neighbourhood"),
]
UNKNOWN_DATE = "9999"


@dataclass(frozen=True)
class Territory:
    label: str
    kind: str  # commune, intercommunality, departement, neighbourhood, territory
    iri: str = ""


@dataclass
class ContractFacts:
    identifier: str
    iri: str
    title: str
    status: str  # signed, not-signed
    status_label: str
    territories: list[Territory]
    signed: list[str]  # every date a source gives for its signatures (several when they disagree)
    start: list[str]
    end: list[str]
    commitments: int
    status_iri: str = field(default="", repr=False)

    @property
    def city(self) -> str:
        """A short name for charts: the territories' names."""
        return " + ".join(t.label for t in self.territories) or self.identifier

    @property
    def years(self) -> int | None:
        """Calendar years from the start (or the signature) to the end, when both are known."""
        first = (self.start or self.signed)[:1]
        if not first or not self.end:
            return None
        return int(max(self.end)[:4]) - int(min(first)[:4])


def order_key(identifier: str, signed: list[str]) -> tuple[str, str]:
    """The canonical order of contracts: earliest date of signature as written, then identifier."""
    return (min(signed, default=UNKNOWN_DATE), identifier)


def contract_facts(dataset: Dataset, lang: str = "en") -> list[ContractFacts]:
    """Every contract of ``dataset``, labelled in ``lang``, in the canonical order."""
    labels = dataset.labels
    dates: dict[tuple[str, str], set[str]] = defaultdict(set)
    for contract, what, date in dataset.query("internal/contracts/dates").rows:
        dates[(contract.value, what.value)].add(date.value)
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    for contract, territory, kind in dataset.query("internal/contracts/territories").rows:
        types[(contract.value, territory.value)].add(kind.value if kind is not None else "")
    territories: dict[str, list[Territory]] = defaultdict(list)
    for (contract, territory), kinds in types.items():
        kind = next((k for iri, k in _TERRITORY_KINDS if iri in kinds), "territory")
        territories[contract].append(Territory(labels.label(territory, lang), kind, territory))
    counts = {row[0].value: int(row[1].value) for row in dataset.query("internal/contracts/commitments").rows}
    facts: dict[str, ContractFacts] = {}
    for contract, identifier, status, _period in dataset.query("internal/contracts/facts").rows:
        iri = contract.value
        if iri in facts:  # two statuses or identifiers: keep the first, SHACL reports the rest
            continue
        status_iri = status.value if status is not None else ""
        facts[iri] = ContractFacts(
            identifier=identifier.value if identifier is not None else labels.label(iri, lang),
            iri=iri,
            title=labels.label(iri, lang),
            status=status_iri.rstrip("/").rsplit("/", 1)[-1] if status_iri else "unknown",
            status_label=labels.label(status_iri, lang) if status_iri else "",
            territories=sorted(territories[iri], key=lambda t: (t.kind != "commune", t.label)),
            signed=sorted(dates[(iri, "signed")]),
            start=sorted(dates[(iri, "start")]),
            end=sorted(dates[(iri, "end")]),
            commitments=counts.get(iri, 0),
            status_iri=status_iri,
        )
    return sorted(facts.values(), key=lambda c: order_key(c.identifier, c.signed))
