"""The register of contracts: every contract a source names, with how much is known of it.

One row per contract, read from the named query ``queries/register.rq`` (state, date at its
precision, rank, completeness level, number of sources) and put in the canonical contract
order (:mod:`csi_graph.contracts`), as every page and command shows contracts. The levels
of completeness are derived from the data by the query, never stored; from the least to
the most complete:

- ``listed``: a source names the contract, nothing more is encoded;
- ``signatories``: who signed it is known;
- ``commitments``: at least one of its commitments is known;
- ``follow-up``: at least one commitment has a dated status record (its follow-up).

A level counts as "that level or more": ``at_least("signatories")`` keeps the contracts
with signatories, commitments or follow-up, so that a thinly documented contract is never
read as an empty one (``csi-graph compare --completeness``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from csi_graph.errors import CsiError

if TYPE_CHECKING:
    from csi_graph.contracts import ContractFacts
    from csi_graph.dataset import Dataset

LEVELS = ("listed", "signatories", "commitments", "follow-up")  # from the least to the most complete


@dataclass(frozen=True)
class Entry:
    """One contract of the register (the columns of ``queries/register.rq``)."""

    identifier: str
    iri: str
    territories: str | None
    codes: str | None
    state: str | None
    date: str | None
    date_of: str | None
    precision: str | None
    rank: int | None
    completeness: str
    sources: int


def check_level(level: str) -> str:
    """``level`` if it is a level of completeness; else an input error that lists them."""
    if level not in LEVELS:
        raise CsiError(f"unknown level of completeness {level!r}: choose one of {', '.join(LEVELS)}")
    return level


def register(dataset: Dataset, lang: str = "en", facts: list[ContractFacts] | None = None) -> list[Entry]:
    """Every contract of ``dataset`` with its register row, in the canonical contract order.

    ``facts``: the contracts' :func:`~csi_graph.contracts.contract_facts`, when the caller has
    them already (they take a dozen queries); only these contracts are listed.
    """
    from csi_graph.contracts import contract_facts

    rows = {row["identifier"]: row for row in dataset.query("register", lang=lang).to_dicts()}
    entries = []
    for contract in facts if facts is not None else contract_facts(dataset, lang):
        row = rows.get(contract.identifier)
        if row is None:  # a contract with no state: the register cannot list it (SHACL reports it)
            continue
        entries.append(
            Entry(
                identifier=contract.identifier,
                iri=contract.iri,
                territories=_text(row["territories"]),
                codes=_text(row["codes"]),
                state=_text(row["state"]),
                date=_text(row["date"]),
                date_of=_text(row["dateOf"]),
                precision=_text(row["precision"]),
                rank=int(row["rank"]) if row["rank"] is not None else None,
                completeness=str(row["completeness"]),
                sources=int(row["sources"]),
            )
        )
    return entries


def at_least(entries: list[Entry], level: str) -> list[Entry]:
    """The entries whose completeness is ``level`` or a more complete one."""
    floor = LEVELS.index(check_level(level))
    return [e for e in entries if LEVELS.index(e.completeness) >= floor]


def summary(entries: list[Entry]) -> dict[str, Any]:
    """How many contracts per state and per level of completeness (levels in their order)."""
    states = Counter(e.state or "?" for e in entries)
    levels = Counter(e.completeness for e in entries)
    return {
        "contracts": len(entries),
        "states": dict(sorted(states.items(), key=lambda item: (-item[1], item[0]))),
        "completeness": {level: levels.get(level, 0) for level in LEVELS},
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Signings:
    """Contracts signed per quarter (``queries/signatures-by-quarter.rq``).

    ``quarters`` maps (year, quarter 1-4) to a count; ``years_only`` counts the contracts whose
    signature is known only to the year, apart; ``undated`` those with no known date.
    """

    quarters: dict[tuple[int, int], int]
    years_only: dict[int, int]
    undated: int

    @property
    def total(self) -> int:
        return sum(self.quarters.values()) + sum(self.years_only.values()) + self.undated

    @property
    def years(self) -> list[int]:
        return sorted({year for year, _ in self.quarters} | set(self.years_only))

    def to_text(self) -> str:
        """One line per quarter with a signature, the years known alone, the undated; a total."""
        lines = ["Contracts signed per quarter (queries/signatures-by-quarter.rq)"]
        for year in self.years:
            lines += [f"  {year} Q{q}  {n:>3}" for (y, q), n in sorted(self.quarters.items()) if y == year]
            if year in self.years_only:
                lines.append(f"  {year} ??  {self.years_only[year]:>3}  (quarter unknown)")
        if self.undated:
            lines.append(f"  no date  {self.undated:>3}")
        lines.append(f"Signed contracts: {self.total}")
        return "\n".join(lines)


def signings(dataset: Dataset) -> Signings:
    """The counts of the named query ``signatures-by-quarter``, read into :class:`Signings`."""
    quarters: dict[tuple[int, int], int] = {}
    years_only: dict[int, int] = {}
    undated = 0
    for row in dataset.query("signatures-by-quarter").to_dicts():
        count = int(row["contracts"])
        if row["year"] is None:
            undated += count
        elif row["quarter"] is None:
            years_only[int(row["year"])] = count
        else:
            quarters[(int(row["year"]), int(row["quarter"]))] = count
    return Signings(quarters, years_only, undated)
