"""What a dataset holds: its contracts (city, dates, parties, commitments per party) and its graphs."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from csi_graph.contracts import contract_facts
from csi_graph.dataset import Dataset, GraphInfo
from csi_graph.register import register, summary


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
    signed: str | None  # the earliest date a source gives
    ends: str | None
    parties: list[PartySummary]
    commitments: int
    signed_dates: list[str] = field(default_factory=list)  # several when sources disagree
    end_dates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Info:
    contracts: list[ContractSummary]
    graphs: list[GraphInfo]
    register: dict[str, Any] = field(default_factory=dict)  # csi_graph.register.summary

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def to_text(self) -> str:
        lines = [f"Contracts: {len(self.contracts)}"]
        for c in self.contracts:
            if c.status == "signed":
                dates = f"signed {_dates(c.signed_dates) or 'on an unknown date'}"
            else:
                dates = c.status.replace("-", " ")
            if c.end_dates:
                dates += f", runs to {_dates(c.end_dates)}"
            lines.append(f"  {c.identifier}  {c.title}")
            lines.append(f"    territory: {', '.join(c.territories) or 'unknown'}; {dates}")
            # none recorded (none known, or none) shows no figure, not 0, as in compare
            lines.append(
                f"    {c.commitments} commitments:" if c.commitments else "    no commitment recorded"
            )
            width = max((len(p.label) for p in c.parties), default=0)
            for p in c.parties:
                count = str(p.commitments) if p.commitments else "–"
                lines.append(f"      {p.label.ljust(width)}  {count:>3}  ({p.kind})")
        lines += _register_lines(self.register)
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
            "register": self.register,
            "triples": self.triples,
        }
        return json.dumps(document, ensure_ascii=False, indent=2)


def _register_lines(register: dict[str, Any]) -> list[str]:
    """The register in two lines: contracts per state, and per level of completeness."""
    if not register:
        return []
    states = ", ".join(f"{state} {n}" for state, n in register["states"].items())
    levels = ", ".join(f"{level} {n}" for level, n in register["completeness"].items())
    return [
        f"Register: {register['contracts']} contracts",
        f"  by state: {states}",
        f"  by completeness: {levels}",
    ]


def _dates(dates: list[str]) -> str:
    return " or ".join(dates) + " (sources disagree)" if len(dates) > 1 else "".join(dates)


def summarise(dataset: Dataset, lang: str = "en") -> Info:
    """Summarise the contracts of a dataset, with labels in ``lang`` (see :mod:`csi_graph.labels`).

    A handful of queries do the work in the store (contracts, dates, territories, parties
    with their counts), so a million triples summarise in a fraction of a second.
    """
    labels = dataset.labels
    parties: dict[str, list[PartySummary]] = defaultdict(list)
    for contract, party, kind, count in dataset.query("internal/info/parties").rows:
        kind_label = labels.label(kind.value, lang) if kind is not None else "?"
        parties[contract.value].append(
            PartySummary(labels.label(party.value, lang), kind_label, int(count.value))
        )
    facts = contract_facts(dataset, lang)
    contracts = [
        ContractSummary(
            identifier=c.identifier,
            iri=c.iri,
            title=c.title,
            territories=sorted(t.label for t in c.territories),
            status=c.status,
            signed=c.signed[0] if c.signed else None,
            ends=c.end[-1] if c.end else None,
            parties=sorted(parties[c.iri], key=lambda p: (-p.commitments, p.label)),
            commitments=c.commitments,
            signed_dates=c.signed,
            end_dates=c.end,
        )
        for c in facts
    ]
    return Info(contracts, list(dataset.graphs), summary(register(dataset, lang, facts)))
