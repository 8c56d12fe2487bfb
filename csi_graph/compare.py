"""Compare contracts across cities: who committed to what, on which themes, with which means.

Everything is read with SPARQL through :meth:`Dataset.query`, so a comparison runs the same on
the in-memory rdflib store and on Oxigraph. The result is a value (:class:`Comparison`) that
renders as tables (``tables()``), JSON (``to_dict()``) or a heatmap (``csi_graph.heatmap``).

Choices a reader should know:

- Themes are compared on the circular's volets (the top concepts of ``scheme:themes``); a
  finer theme counts for its volet through ``skos:broader``. A commitment counts once per volet
  it touches, so a row's volets may add up to more than its number of commitments.
- Similarity is the cosine of two contracts' vectors of commitment counts per theme (the finest
  themes used, not the volets, so that two contracts both heavy on internal security still differ
  on what they do there). It is undefined for a contract with no recorded commitment.
- A volet's cell has a state, as in the query ``volet-coverage``: ``commitments``,
  ``axis-stated`` (a source says the contract covers the volet, no commitment is known),
  ``zero`` (commitments are known, none on the volet, no axis stated) or ``unknown`` (no
  commitment of the contract is known), so that a 0 never reads as "nothing on justice".
- Figures per 10,000 inhabitants are the query ``per-capita``'s, row for row.
- Quantities are shown as the sources give them, several per commitment when sources disagree;
  ``+`` marks an addition, ``→`` a total level to reach; no figure is summed or picked.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from csi_graph.contracts import ContractFacts, Territory, contract_facts
from csi_graph.namespaces import PREFIXES

if TYPE_CHECKING:
    from csi_graph.dataset import Dataset

__all__ = ["SECTIONS", "Comparison", "ContractFacts", "PerCapita", "Territory", "compare"]

SECTIONS = (
    "overview",
    "themes",
    "parties",
    "targets",
    "signatories",
    "durations",
    "similarity",
    "realisations",
    "per-capita",
)

DATE = PREFIXES["dct"] + "date"
NAME = PREFIXES["foaf"] + "name"
DESCRIPTION = PREFIXES["dct"] + "description"
_KIND_ORDER = ["state", "prosecution", "national-education", "commune", "intercommunality", "departement"]
_QUANTITY_ORDER = ["national-police-staff", "municipal-police-staff", "cameras", "funding-amount"]
_WORDS = {
    "en": {
        "commune": "commune",
        "intercommunality": "intercommunality",
        "departement": "département",
        "territory": "territory (kind not stated)",
        "disputed": "sources disagree",
        "unnamed": "(not named)",
        "unknown": "unknown",
    },
    "fr": {
        "commune": "commune",
        "intercommunality": "intercommunalité",
        "departement": "département",
        "territory": "territoire (nature non précisée)",
        "disputed": "les sources divergent",
        "unnamed": "(non nommé)",
        "unknown": "inconnu",
    },
}


@dataclass
class Target:
    quantity: str
    contract: str
    commitment: str
    party_kind: str
    kind: str
    kind_label: str
    value: str
    unit: str
    unit_label: str
    basis: str | None
    deadline: str | None
    sources: list[tuple[str, str]]  # (address, grade)
    basis_label: str = ""  # the basis concept's label (additional, total) in the comparison's language

    def short(self, lang: str) -> str:
        """``+111 posts (2021)``: the figure with its unit, its basis and its deadline."""
        mark = {"additional": "+", "total": "→"}.get(self.basis or "", "")
        text = f"{mark}{_number(self.value, lang)}{_unit(self.unit, self.unit_label, self.value)}"
        return f"{text} ({self.deadline})" if self.deadline else text


@dataclass
class Signatory:
    contract: str
    party_kind: str
    party: str
    post: str
    role: str
    names: list[str]  # several spellings when sources disagree
    dates: list[str]


@dataclass
class Realisation:
    contract: str
    commitment: str
    commitment_label: str
    status: str
    status_label: str
    date: str
    description: str
    sources: list[tuple[str, str]]


@dataclass
class PerCapita:
    """A row of the query ``per-capita``: what a contract adds on one measure, per 10,000 inhabitants."""

    contract: str
    measure: str  # the quantity kind's key (national-police-staff, municipal-police-staff, cameras)
    measure_label: str
    total: str | None  # None: no figure known (never 0)
    approximate: int | None  # how many summed figures are approximate
    uncounted: int  # figures left out of the total: a disputed value or a range
    population: str | None  # None unless every territory of the contract has its population
    population_year: str | None
    per_10000: str | None


@dataclass
class Comparison:
    """Contracts side by side; every figure comes from the loaded graph.

    Counts are keyed by the last segment of a concept's IRI (``video-protection``); ``iris``
    gives the IRI of each key, and ``labels`` its label in the comparison's language.
    """

    lang: str
    contracts: list[ContractFacts]
    volets: list[tuple[str, str]]  # (key, label) in the circular's order
    themes: dict[str, dict[str, int]]  # contract -> volet -> commitments
    party_kinds: list[tuple[str, str]]  # (key, label)
    parties: dict[str, dict[str, int]]  # contract -> party kind -> commitments (parties only)
    targets: list[Target]
    signatories: list[Signatory]
    similarity: dict[str, dict[str, float | None]]
    realisations: list[Realisation]
    read_on: str = ""  # the latest date a source was read
    words: dict[str, str] = field(default_factory=dict, repr=False)
    theme_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # contract -> theme -> commitments
    theme_volets: dict[str, list[str]] = field(default_factory=dict)  # theme -> the volets it falls under
    types: dict[str, dict[str, int]] = field(default_factory=dict)  # contract -> commitment type -> count
    roles: dict[str, dict[str, int]] = field(default_factory=dict)  # contract -> signatory's role -> count
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)  # contract -> status -> records
    iris: dict[str, str] = field(default_factory=dict, repr=False)  # concept key -> IRI
    labels: dict[str, str] = field(default_factory=dict, repr=False)  # concept key -> label
    states: dict[str, dict[str, str]] = field(default_factory=dict)  # contract -> volet -> state
    per_capita: list[PerCapita] = field(default_factory=list)

    def state(self, contract: str, volet: str) -> str:
        """What is known of ``contract`` on ``volet``: commitments, axis-stated, zero or unknown."""
        return self.states.get(contract, {}).get(volet, "unknown")

    def contract(self, identifier: str) -> ContractFacts:
        return next(c for c in self.contracts if c.identifier == identifier)

    def nearest(self, identifier: str) -> tuple[str, float] | None:
        """The other contract most similar to this one on themes, and the score."""
        scores = [
            (s, other)
            for other, s in self.similarity[identifier].items()
            if other != identifier and s is not None
        ]
        if not scores:
            return None
        score, other = max(scores, key=lambda p: (p[0], p[1]))
        return other, score

    def to_dict(self) -> dict[str, Any]:
        document = {
            "lang": self.lang,
            "contracts": [
                {**asdict(c), "territories": [asdict(t) for t in c.territories], "years": c.years}
                for c in self.contracts
            ],
            "volets": [{"key": k, "label": label} for k, label in self.volets],
            "themes": self.themes,
            "party_kinds": [{"key": k, "label": label} for k, label in self.party_kinds],
            "parties": self.parties,
            "targets": [asdict(t) for t in self.targets],
            "signatories": [asdict(s) for s in self.signatories],
            "similarity": {
                "method": "cosine of the vectors of commitment counts per theme (finest themes)",
                "scores": self.similarity,
            },
            "realisations": [asdict(r) for r in self.realisations],
            "read_on": self.read_on,
            "volet_states": self.states,
            "per_capita": [asdict(p) for p in self.per_capita],
        }
        return document


def compare(
    dataset: Dataset,
    contracts: list[str] | tuple[str, ...] = (),
    lang: str = "en",
    completeness: str | None = None,
) -> Comparison:
    """Compare the given contracts (by identifier or IRI), or every loaded contract.

    The contracts come in the order given, or in the canonical order
    (:mod:`csi_graph.contracts`) when none is given. ``completeness`` keeps only the contracts
    whose record is at that level of the register or a more complete one
    (:mod:`csi_graph.register`), so that a contract known only by name does not read as one
    with no commitment.
    """
    from csi_graph.queries import contract_iri
    from csi_graph.queries import contracts as contract_index

    q = _Queries(dataset, lang)
    facts = every = contract_facts(dataset, lang)
    if contracts:
        known = contract_index(dataset)
        by_iri = {c.iri: c for c in facts}
        facts = [
            by_iri[iri] for iri in dict.fromkeys(contract_iri(dataset, c, known=known) for c in contracts)
        ]
    if completeness is not None:
        from csi_graph.register import at_least, register

        kept = {entry.iri for entry in at_least(register(dataset, lang, every), completeness)}
        facts = [c for c in facts if c.iri in kept]
        if not facts:
            from csi_graph.errors import CsiError

            raise CsiError(
                f"no contract compared is documented at the level {completeness!r} or more "
                "(csi-graph query register shows each contract's level)"
            )
    ids = {c.iri: c.identifier for c in facts}
    theme_counts = q.matrix("by-theme", ids)
    return Comparison(
        lang=lang,
        contracts=facts,
        volets=q.volets(),
        themes=q.matrix("by-volet", ids),
        party_kinds=q.party_kinds(set(ids)),
        parties=q.matrix("by-party-kind", ids, keep_zero=True),
        targets=q.targets(ids),
        signatories=q.signatories(ids),
        similarity=_cosines(theme_counts, [c.identifier for c in facts]),
        realisations=q.realisations(ids),
        read_on=q.read_on(),
        words=q.words,
        theme_counts=theme_counts,
        theme_volets=q.theme_volets(),
        types=q.matrix("by-type", ids),
        roles=q.matrix("by-role", ids),
        statuses=q.matrix("by-status", ids),
        iris=dict(q.iris),
        labels={key: dataset.labels.label(iri, lang) for key, iri in q.iris.items()},
        states=q.states(ids),
        per_capita=q.per_capita([c.identifier for c in facts]),
    )


class _Queries:
    """The queries of a comparison (``queries/internal/compare/``), in one language."""

    def __init__(self, dataset: Dataset, lang: str) -> None:
        self.dataset = dataset
        self.lang = lang
        self.words = _WORDS.get(lang, _WORDS["en"])
        self.iris: dict[str, str] = {}
        self.claims: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in self.rows("claims"):
            self.claims[(row["subject"], row["predicate"])].append(row["object"])
        self.sources: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in self.rows("sources"):
            self.sources[row["thing"]].append((row["source"], row["grade"] or "?"))

    def rows(self, name: str) -> list[dict[str, str | None]]:
        """Rows of ``internal/compare/NAME`` as dicts of lexical values (``None``: unbound)."""
        return self.dataset.query(f"internal/compare/{name}").records()

    def label(self, iri: str | None) -> str:
        return self.dataset.labels.label(iri, self.lang) if iri else ""

    def key(self, iri: str | None) -> str:
        """The key of a concept (the last segment of its IRI), remembering its IRI."""
        key = _key(iri)
        if iri:
            self.iris.setdefault(key, iri)
        return key

    def values(self, subject: str, predicate: str, direct: str | None) -> list[str]:
        """A value, or the values sourced claims dispute."""
        found = [direct] if direct else []
        return sorted(set(found + self.claims.get((subject, predicate), [])))

    def volets(self) -> list[tuple[str, str]]:
        rows = sorted(self.rows("volets"), key=lambda r: (_notation(r["notation"]), r["volet"]))
        return [(self.key(r["volet"]), self.label(r["volet"])) for r in rows]

    def theme_volets(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for row in self.rows("theme-volets"):
            out[self.key(row["theme"])].append(self.key(row["volet"]))
        return {theme: sorted(volets) for theme, volets in out.items()}

    def matrix(self, name: str, ids: dict[str, str], keep_zero: bool = False) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {identifier: {} for identifier in ids.values()}
        for row in self.rows(name):
            count = int(row["n"] or 0)
            if row["contract"] in ids and (keep_zero or count):
                out[ids[row["contract"]]][self.key(row["row"])] = count
        return out

    def states(self, ids: dict[str, str]) -> dict[str, dict[str, str]]:
        """Contract -> volet -> state, by the rules of the query ``volet-coverage``."""
        out: dict[str, dict[str, str]] = {identifier: {} for identifier in ids.values()}
        for row in self.rows("volet-states"):
            if row["contract"] in ids:
                out[ids[row["contract"]]][self.key(row["row"])] = row["state"] or "unknown"
        return out

    def per_capita(self, order: list[str]) -> list[PerCapita]:
        """The rows of the query ``per-capita`` for the compared contracts, in their order."""
        kinds = {self.label(PREFIXES["qkind"] + kind): kind for kind in _QUANTITY_ORDER}
        out = []
        for row in self.dataset.query("per-capita", lang=self.lang).records():
            if row["identifier"] not in order:
                continue
            label = row["measures"] or ""
            out.append(
                PerCapita(
                    contract=row["identifier"] or "",
                    measure=kinds.get(label, label),
                    measure_label=label,
                    total=row["total"],
                    approximate=None if row["approximate"] is None else int(row["approximate"]),
                    uncounted=int(row["uncounted"] or 0),
                    population=row["population"],
                    population_year=row["populationYear"],
                    per_10000=row["per10000"],
                )
            )
        return sorted(out, key=lambda p: (order.index(p.contract), _rank(p.measure, _QUANTITY_ORDER)))

    def party_kinds(self, contracts: set[str]) -> list[tuple[str, str]]:
        kinds = {row["row"] for row in self.rows("by-party-kind") if row["contract"] in contracts}
        ordered = sorted(kinds, key=lambda k: (_rank(_key(k), _KIND_ORDER), _key(k)))
        return [(self.key(k), self.label(k)) for k in ordered]

    def read_on(self) -> str:
        return next(iter(self.rows("read-on")), {}).get("latest") or ""

    def targets(self, ids: dict[str, str]) -> list[Target]:
        out = []
        for row in self.rows("targets"):
            if row["contract"] not in ids:
                continue
            out.append(
                Target(
                    quantity=row["quantity"] or "",
                    contract=ids[row["contract"]],
                    commitment=row["cid"] or "",
                    party_kind=self.label(row["kind"]),
                    kind=self.key(row["qkind"]),
                    kind_label=self.label(row["qkind"]),
                    value=row["value"] or "",
                    unit=self.key(row["unit"]),
                    unit_label=self.label(row["unit"]),
                    basis=self.key(row["basis"]) if row["basis"] else None,
                    deadline=row["deadline"] or row["cdeadline"],
                    sources=sorted(self.sources.get(row["quantity"] or "", [])),
                    basis_label=self.label(row["basis"]),
                )
            )
        order = list(ids.values())
        return sorted(
            out,
            key=lambda t: (
                _rank(t.kind, _QUANTITY_ORDER),
                t.kind,
                order.index(t.contract),
                _natural(t.quantity),
                _natural(t.value),  # a figure whose value or deadline sources dispute has a row each
                t.deadline or "",
            ),
        )

    def signatories(self, ids: dict[str, str]) -> list[Signatory]:
        out = []
        for row in self.rows("signatures"):
            if row["contract"] not in ids:
                continue
            names = self.values(row["person"], NAME, row["name"]) if row["person"] else []
            out.append(
                Signatory(
                    contract=ids[row["contract"]],
                    party_kind=self.key(row["kind"]),
                    party=self.label(row["party"]) if row["party"] else self.words["unknown"],
                    post=self.label(row["post"]) if row["post"] else self.words["unknown"],
                    role=self.label(row["role"]) if row["role"] else "",
                    names=names,
                    dates=self.values(row["signature"] or "", DATE, row["date"]),
                )
            )
        order = list(ids.values())
        return sorted(
            out, key=lambda s: (order.index(s.contract), _rank(s.party_kind, _KIND_ORDER), s.party, s.post)
        )

    def realisations(self, ids: dict[str, str]) -> list[Realisation]:
        out = []
        for row in self.rows("realisations"):
            if row["contract"] not in ids:
                continue
            record = row["record"] or ""
            out.append(
                Realisation(
                    contract=ids[row["contract"]],
                    commitment=row["cid"] or "",
                    commitment_label=self.label(row["commitment"]),
                    status=self.key(row["status"]),
                    status_label=self.label(row["status"]),
                    date=row["date"] or "",
                    description=self.dataset.labels.text(record, (DESCRIPTION,), self.lang) or "",
                    sources=sorted(self.sources.get(record, [])),
                )
            )
        order = list(ids.values())
        return sorted(out, key=lambda r: (order.index(r.contract), r.date, _natural(r.commitment)))


def _cosines(vectors: dict[str, dict[str, int]], order: list[str]) -> dict[str, dict[str, float | None]]:
    """Cosine similarity of every pair of contracts' theme vectors (None when one is empty)."""
    norms = {c: math.sqrt(sum(v * v for v in vectors[c].values())) for c in order}
    out: dict[str, dict[str, float | None]] = {}
    for a in order:
        out[a] = {}
        for b in order:
            if not norms[a] or not norms[b]:
                out[a][b] = None
                continue
            dot = sum(n * vectors[b].get(theme, 0) for theme, n in vectors[a].items())
            out[a][b] = round(dot / (norms[a] * norms[b]), 3)
    return out


_IRREGULAR = {"person": "people"}


def _key(iri: str | None) -> str:
    return (iri or "").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _notation(notation: str | None) -> tuple:
    """``1.2`` sorts before ``1.10``; concepts without a notation last."""
    if notation and re.fullmatch(r"\d+(\.\d+)*", notation):
        return (0, tuple(int(part) for part in notation.split(".")))
    return (1, (notation or "",))


def _rank(key: str, order: list[str]) -> int:
    return order.index(key) if key in order else len(order)


def _natural(text: str) -> tuple:
    # Digits compare as numbers, by length then value, without int(): no limit on their count.
    return tuple((len(p.lstrip("0")), p.lstrip("0")) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _number(value: str, lang: str) -> str:
    """``500000`` -> ``500,000`` (en) or ``500 000`` (fr); decimals keep their digits."""
    whole, _, decimals = value.partition(".")
    sep = "\u202f" if lang == "fr" else ","
    grouped = f"{int(whole):,}".replace(",", sep) if whole.lstrip("-").isdigit() else whole
    if decimals:
        return grouped + ("," if lang == "fr" else ".") + decimals
    return grouped


def _unit(unit: str, label: str, value: str) -> str:
    if unit == "euro":
        return "\u00a0€"
    if unit == "percent":
        return "\u00a0%"
    try:
        plural = float(value) > 1
    except ValueError:
        plural = False
    if not plural or label.endswith("s"):
        return f" {label}"
    return f" {_IRREGULAR.get(label, label + 's')}"
