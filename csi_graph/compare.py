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
- Quantities are shown as the sources give them, several per commitment when sources disagree;
  ``+`` marks an addition, ``→`` a total level to reach; no figure is summed or picked.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from csi_graph.errors import CsiError
from csi_graph.namespaces import CSI, PREFIXES

if TYPE_CHECKING:
    from csi_graph.dataset import Dataset

SECTIONS = (
    "overview",
    "themes",
    "parties",
    "targets",
    "signatories",
    "durations",
    "similarity",
    "realisations",
)

_PREFIXES = "\n".join(
    f"PREFIX {p}: <{PREFIXES[p]}>"
    for p in ("csi", "scheme", "rdf", "rdfs", "skos", "dct", "dcat", "prov", "org", "foaf", "schema")
)

_CONTRACTS = """
SELECT DISTINCT ?contract ?id ?status ?period ?start ?end WHERE {
    ?contract a csi:IntegratedSecurityContract ; dct:identifier ?id ; csi:contractStatus ?status .
    OPTIONAL { ?contract dct:temporal ?period .
               OPTIONAL { ?period dcat:startDate ?start } OPTIONAL { ?period dcat:endDate ?end } }
}"""
_LABELS = """
SELECT DISTINCT ?thing ?label WHERE {
    VALUES ?property { rdfs:label skos:prefLabel dct:title }
    ?thing ?property ?label .
}"""
_DESCRIPTIONS = """
SELECT DISTINCT ?thing ?text WHERE { ?thing a csi:StatusRecord ; dct:description ?text . }"""
_TERRITORIES = """
SELECT DISTINCT ?contract ?territory ?type WHERE { ?contract csi:territory ?territory . ?territory a ?type . }"""
_VOLETS = """
SELECT DISTINCT ?volet ?notation WHERE {
    ?volet skos:topConceptOf scheme:themes . OPTIONAL { ?volet skos:notation ?notation }
}"""
_BY_VOLET = """
SELECT ?contract ?volet (COUNT(DISTINCT ?commitment) AS ?n) WHERE {
    ?commitment a csi:Commitment ; csi:inContract ?contract ; csi:theme ?theme .
    ?theme skos:broader* ?volet . ?volet skos:topConceptOf scheme:themes .
} GROUP BY ?contract ?volet"""
_BY_THEME = """
SELECT ?contract ?theme (COUNT(DISTINCT ?commitment) AS ?n) WHERE {
    ?commitment a csi:Commitment ; csi:inContract ?contract ; csi:theme ?theme .
} GROUP BY ?contract ?theme"""
_COMMITMENTS = """
SELECT ?contract (COUNT(DISTINCT ?commitment) AS ?n) WHERE {
    ?commitment a csi:Commitment ; csi:inContract ?contract .
} GROUP BY ?contract"""
_BY_PARTY = """
SELECT ?contract ?kind (COUNT(DISTINCT ?commitment) AS ?n) WHERE {
    ?party a csi:ContractParty ; csi:inContract ?contract ; csi:partyKind ?kind .
    OPTIONAL { ?commitment a csi:Commitment ; csi:committedBy ?party . }
} GROUP BY ?contract ?kind"""
_TARGETS = """
SELECT DISTINCT ?contract ?commitment ?cid ?kind ?quantity ?qkind ?basis ?value ?unit ?deadline ?cdeadline WHERE {
    ?commitment a csi:Commitment ; csi:inContract ?contract ; dct:identifier ?cid ; csi:targetQuantity ?quantity .
    ?quantity schema:value ?value ; csi:unit ?unit ; csi:quantityKind ?qkind .
    OPTIONAL { ?commitment csi:committedBy/csi:partyKind ?kind }
    OPTIONAL { ?quantity csi:quantityBasis ?basis }
    OPTIONAL { ?quantity csi:deadline ?deadline }
    OPTIONAL { ?commitment csi:deadline ?cdeadline }
}"""
_SOURCES = """
SELECT DISTINCT ?thing ?source ?grade WHERE {
    VALUES ?type { csi:Quantity csi:StatusRecord }
    ?thing a ?type ; prov:wasDerivedFrom ?source .
    OPTIONAL { ?source csi:reliability/skos:notation ?grade }
}"""
_SIGNATURES = """
SELECT DISTINCT ?contract ?signature ?party ?kind ?person ?name ?post ?role ?date WHERE {
    ?signature a csi:Signature ; csi:inContract ?contract .
    OPTIONAL { ?signature csi:signedFor ?party OPTIONAL { ?party csi:partyKind ?kind } }
    OPTIONAL { ?signature csi:signatory ?person OPTIONAL { ?person foaf:name ?name } }
    OPTIONAL { ?signature csi:signatoryPost ?post OPTIONAL { ?post org:role ?role } }
    OPTIONAL { ?signature dct:date ?date }
}"""
_CLAIMS = """
SELECT DISTINCT ?subject ?predicate ?object WHERE {
    ?claim a csi:Claim ; rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object .
}"""
_READ_ON = """
SELECT (MAX(STR(?date)) AS ?latest) WHERE { ?source a csi:Source ; csi:readOn ?date . }"""
_REALISATIONS = """
SELECT DISTINCT ?contract ?commitment ?cid ?record ?status ?date WHERE {
    ?record a csi:StatusRecord ; csi:statusOf ?commitment ; csi:status ?status ; dct:date ?date .
    ?commitment csi:inContract ?contract ; dct:identifier ?cid .
}"""

DATE = PREFIXES["dct"] + "date"
START = PREFIXES["dcat"] + "startDate"
END = PREFIXES["dcat"] + "endDate"
NAME = PREFIXES["foaf"] + "name"
_KIND_ORDER = ["state", "prosecution", "national-education", "commune", "intercommunality", "departement"]
_QUANTITY_ORDER = ["national-police-staff", "municipal-police-staff", "cameras", "funding-amount"]
_TERRITORY_KINDS = [  # most specific first
    (CSI + "Commune", "commune"),
    (PREFIXES["igeo"] + "Commune", "commune"),
    (CSI + "Intercommunality", "intercommunality"),
    (CSI + "Departement", "departement"),
    (CSI + "PriorityNeighbourhood", "priority-neighbourhood"),
    (CSI + "Neighbourhood", "neighbourhood"),
]
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


@dataclass(frozen=True)
class Territory:
    label: str
    kind: str  # commune, intercommunality, departement, neighbourhood, territory


@dataclass
class ContractFacts:
    identifier: str
    iri: str
    title: str
    status: str  # signed, not-signed
    status_label: str
    territories: list[Territory]
    signed: list[str]  # several when sources disagree
    start: list[str]
    end: list[str]
    commitments: int

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
class Comparison:
    """Contracts side by side; every figure comes from the loaded graph."""

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
        }
        return document


def compare(dataset: Dataset, contracts: list[str] | tuple[str, ...] = (), lang: str = "en") -> Comparison:
    """Compare the given contracts (by identifier), or every loaded contract."""
    q = _Queries(dataset, lang)
    facts = q.contracts()
    if contracts:
        known = {c.identifier: c for c in facts}
        for wanted in contracts:
            if wanted not in known:
                close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.7)
                hint = (
                    f"did you mean {' or '.join(close)}?" if close else f"loaded: {', '.join(sorted(known))}"
                )
                raise CsiError(f"no contract '{wanted}' is loaded; {hint}")
        facts = [known[w] for w in dict.fromkeys(contracts)]
    chosen = {c.iri for c in facts}
    ids = {c.iri: c.identifier for c in facts}
    return Comparison(
        lang=lang,
        contracts=facts,
        volets=q.volets(),
        themes=q.matrix(_BY_VOLET, "volet", ids),
        party_kinds=q.party_kinds(chosen),
        parties=q.matrix(_BY_PARTY, "kind", ids, keep_zero=True),
        targets=q.targets(ids),
        signatories=q.signatories(ids),
        similarity=_cosines(q.matrix(_BY_THEME, "theme", ids), [c.identifier for c in facts]),
        realisations=q.realisations(ids),
        read_on=next(iter(q.rows(_READ_ON)), {}).get("latest") or "",
        words=_WORDS.get(lang, _WORDS["en"]),
    )


class _Queries:
    """The SPARQL queries of a comparison, and the labels they need, in one language."""

    def __init__(self, dataset: Dataset, lang: str) -> None:
        self.dataset = dataset
        self.lang = lang
        self.words = _WORDS.get(lang, _WORDS["en"])
        self._labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in self.rows(_LABELS):
            self._labels[row["thing"]].setdefault(row["_lang_label"], row["label"])
        self.claims: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in self.rows(_CLAIMS):
            self.claims[(row["subject"], row["predicate"])].append(row["object"])
        self.sources: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for row in self.rows(_SOURCES):
            self.sources[row["thing"]].append((row["source"], row["grade"] or "?"))

    def rows(self, query: str) -> list[dict[str, Any]]:
        """Rows as dicts of strings, with each literal's language under ``_lang_<var>``."""
        result = self.dataset.query(_PREFIXES + query)
        out = []
        for terms in result.rows:
            row: dict[str, Any] = {}
            for var, term in zip(result.variables, terms, strict=True):
                row[var] = None if term is None else str(term)
                row[f"_lang_{var}"] = getattr(term, "language", None) or ""
            out.append(row)
        return out

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        labels = self._labels.get(iri, {})
        for lang in (self.lang, "fr", ""):
            if lang in labels:
                return labels[lang]
        return next(iter(labels.values()), _key(iri))

    def values(self, subject: str, predicate: str, direct: str | None) -> list[str]:
        """A value, or the values sourced claims dispute."""
        found = [direct] if direct else []
        return sorted(set(found + self.claims.get((subject, predicate), [])))

    def contracts(self) -> list[ContractFacts]:
        rows = self.rows(_CONTRACTS)
        territories: dict[str, list[Territory]] = defaultdict(list)
        types: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in self.rows(_TERRITORIES):
            types[(row["contract"], row["territory"])].add(row["type"])
        for (contract, territory), kinds in sorted(types.items()):
            kind = next((k for iri, k in _TERRITORY_KINDS if iri in kinds), "territory")
            territories[contract].append(Territory(self.label(territory), kind))
        counts = {row["contract"]: int(row["n"]) for row in self.rows(_COMMITMENTS)}
        signed: dict[str, set[str]] = defaultdict(set)
        for row in self.rows(_SIGNATURES):
            signed[row["contract"]].update(self.values(row["signature"], DATE, row["date"]))
        facts = []
        for row in rows:
            period = row["period"]
            facts.append(
                ContractFacts(
                    identifier=row["id"],
                    iri=row["contract"],
                    title=self.label(row["contract"]),
                    status=_key(row["status"]),
                    status_label=self.label(row["status"]),
                    territories=sorted(
                        territories[row["contract"]], key=lambda t: (t.kind != "commune", t.label)
                    ),
                    signed=sorted(signed[row["contract"]]),
                    start=self.values(period, START, row["start"]) if period else [],
                    end=self.values(period, END, row["end"]) if period else [],
                    commitments=counts.get(row["contract"], 0),
                )
            )
        # By date of signature; a date known to the year only comes last in its year.
        return sorted(facts, key=lambda c: ((c.signed[:1] or ["9999"])[0].ljust(10, "~"), c.identifier))

    def volets(self) -> list[tuple[str, str]]:
        rows = sorted(self.rows(_VOLETS), key=lambda r: (r["notation"] or "~", r["volet"]))
        return [(_key(r["volet"]), self.label(r["volet"])) for r in rows]

    def matrix(
        self, query: str, column: str, ids: dict[str, str], keep_zero: bool = False
    ) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {identifier: {} for identifier in ids.values()}
        for row in self.rows(query):
            if row["contract"] in ids and (keep_zero or int(row["n"])):
                out[ids[row["contract"]]][_key(row[column])] = int(row["n"])
        return out

    def party_kinds(self, contracts: set[str]) -> list[tuple[str, str]]:
        kinds = {row["kind"] for row in self.rows(_BY_PARTY) if row["contract"] in contracts}
        ordered = sorted(kinds, key=lambda k: (_rank(_key(k), _KIND_ORDER), _key(k)))
        return [(_key(k), self.label(k)) for k in ordered]

    def targets(self, ids: dict[str, str]) -> list[Target]:
        out = []
        for row in self.rows(_TARGETS):
            if row["contract"] not in ids:
                continue
            out.append(
                Target(
                    quantity=row["quantity"],
                    contract=ids[row["contract"]],
                    commitment=row["cid"],
                    party_kind=self.label(row["kind"]),
                    kind=_key(row["qkind"]),
                    kind_label=self.label(row["qkind"]),
                    value=row["value"],
                    unit=_key(row["unit"]),
                    unit_label=self.label(row["unit"]),
                    basis=_key(row["basis"]) if row["basis"] else None,
                    deadline=row["deadline"] or row["cdeadline"],
                    sources=sorted(self.sources.get(row["quantity"], [])),
                )
            )
        order = [c for c in ids.values()]
        return sorted(
            out,
            key=lambda t: (
                _rank(t.kind, _QUANTITY_ORDER),
                t.kind,
                order.index(t.contract),
                _natural(t.quantity),
            ),
        )

    def signatories(self, ids: dict[str, str]) -> list[Signatory]:
        out = []
        for row in self.rows(_SIGNATURES):
            if row["contract"] not in ids:
                continue
            names = self.values(row["person"], NAME, row["name"]) if row["person"] else []
            out.append(
                Signatory(
                    contract=ids[row["contract"]],
                    party_kind=_key(row["kind"]),
                    party=self.label(row["party"]) if row["party"] else self.words["unknown"],
                    post=self.label(row["post"]) if row["post"] else self.words["unknown"],
                    role=self.label(row["role"]) if row["role"] else "",
                    names=names,
                    dates=self.values(row["signature"], DATE, row["date"]),
                )
            )
        order = list(ids.values())
        return sorted(
            out, key=lambda s: (order.index(s.contract), _rank(s.party_kind, _KIND_ORDER), s.party, s.post)
        )

    def realisations(self, ids: dict[str, str]) -> list[Realisation]:
        descriptions: dict[str, dict[str, str]] = defaultdict(dict)
        for row in self.rows(_DESCRIPTIONS):
            descriptions[row["thing"]][row["_lang_text"]] = row["text"]
        out = []
        for row in self.rows(_REALISATIONS):
            if row["contract"] not in ids:
                continue
            texts = descriptions.get(row["record"], {})
            out.append(
                Realisation(
                    contract=ids[row["contract"]],
                    commitment=row["cid"],
                    commitment_label=self.label(row["commitment"]),
                    status=_key(row["status"]),
                    status_label=self.label(row["status"]),
                    date=row["date"],
                    description=texts.get(self.lang) or texts.get("fr") or "",
                    sources=sorted(self.sources.get(row["record"], [])),
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
