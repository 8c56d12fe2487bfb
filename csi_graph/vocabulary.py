"""The controlled values an authoring file may use, read from the loaded ontology and schemes.

Themes, commitment types, statuses, actor kinds, roles, units, quantity kinds and bases and
reliability grades come from the SKOS schemes (``ontology/csi-schemes.skos.ttl``); territory
and instrument kinds from the subclasses of ``csi:Territory`` and ``csi:Instrument``; legal
texts and funds from the national reference data. Nothing is listed by hand here, so a
concept added to a scheme is accepted, suggested and documented by ``csi-graph new`` at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from csi_graph.dataset import Dataset
from csi_graph.labels import language_order
from csi_graph.namespaces import BASE, CSI, DATA_BASE

# Authoring name of each scheme -> the scheme's local name under https://w3id.org/csi-graph/scheme/
SCHEMES = {
    "themes": "themes",
    "types": "commitment-types",
    "statuses": "statuses",
    "contract-statuses": "contract-statuses",
    "actor-kinds": "actor-kinds",
    "roles": "roles",
    "units": "units",
    "quantity-kinds": "quantity-kinds",
    "quantity-bases": "quantity-bases",
    "reliability": "reliability",
    "capacities": "signature-capacities",
    "qualifiers": "value-qualifiers",
}


@dataclass(frozen=True)
class Concept:
    """One allowed value: its IRI, its key in authoring files, its notation and labels."""

    iri: str
    key: str
    notation: str | None
    labels: dict[str, str] = field(compare=False)
    broader: str | None = None  # key of the broader concept, if any

    def label(self, lang: str = "en") -> str:
        """The label in ``lang`` by the one fallback rule (:mod:`csi_graph.labels`), else the key."""
        return next((self.labels[code] for code in language_order(lang) if code in self.labels), self.key)


@dataclass
class Vocabulary:
    """Allowed values by authoring name: ``vocabulary.schemes["themes"]["video-protection"]``."""

    schemes: dict[str, dict[str, Concept]]
    territory_kinds: dict[str, Concept]
    instrument_kinds: dict[str, Concept]
    legal_texts: dict[str, str]  # key -> IRI, e.g. circulaire-6258-sg-2021-04-16
    funds: dict[str, str]  # key -> IRI, e.g. fipd
    territories: object = None  # csi_graph.territories.Index: official territories, by kind and name

    def concept(self, scheme: str, key: str) -> Concept | None:
        """The concept of ``scheme`` with this key (or, for reliability grades, this notation)."""
        concepts = self.schemes[scheme]
        if key in concepts:
            return concepts[key]
        return next((c for c in concepts.values() if c.notation == key), None)

    def key_of(self, scheme: str, iri: str) -> str | None:
        return next((c.key for c in self.schemes[scheme].values() if c.iri == iri), None)

    def ordered(self, scheme: str) -> list[tuple[int, Concept]]:
        """Concepts in display order, each with its depth under the top concepts."""
        concepts = self.schemes[scheme]
        children: dict[str | None, list[Concept]] = {}
        for concept in concepts.values():
            parent = concept.broader if concept.broader in concepts else None
            children.setdefault(parent, []).append(concept)
        for siblings in children.values():
            siblings.sort(key=lambda c: (_notation_key(c.notation), c.key))
        out: list[tuple[int, Concept]] = []

        def walk(parent: str | None, depth: int) -> None:
            for concept in children.get(parent, []):
                out.append((depth, concept))
                walk(concept.key, depth + 1)

        walk(None, 0)
        return out


def read_vocabulary(dataset: Dataset) -> Vocabulary:
    """Read every allowed value from a loaded dataset (ontology, schemes and reference data)."""
    scheme_names = {BASE + "scheme/" + local: name for name, local in SCHEMES.items()}
    rows: dict[str, dict[str, dict]] = {name: {} for name in SCHEMES}
    for row in dataset.query("internal/vocabulary/concepts").rows:
        scheme, concept, notation, label, broader = row
        name = scheme_names.get(scheme.value)
        if name is None:
            continue
        entry = rows[name].setdefault(concept.value, {"notation": None, "labels": {}, "broader": None})
        if notation is not None:
            entry["notation"] = notation.value
        if label is not None and label.language:
            entry["labels"][label.language] = label.value
        if broader is not None:
            entry["broader"] = _tail(broader.value)
    schemes = {
        name: {
            _tail(iri): Concept(iri, _tail(iri), e["notation"], e["labels"], e["broader"])
            for iri, e in sorted(entries.items())
        }
        for name, entries in rows.items()
    }
    kinds: dict[str, dict[str, Concept]] = {CSI + "Territory": {}, CSI + "Instrument": {}}
    labels: dict[str, dict[str, str]] = {}
    for root, cls, label in dataset.query("internal/vocabulary/kinds").rows:
        if label is not None and label.language:
            labels.setdefault(cls.value, {})[label.language] = label.value
        key = _kebab(cls.value[len(CSI) :]) if cls.value.startswith(CSI) else None
        if key:
            kinds[root.value][key] = Concept(cls.value, key, None, labels.setdefault(cls.value, {}))
    references: dict[str, dict[str, str]] = {"legal": {}, "fund": {}}
    for kind, resource in dataset.query("internal/vocabulary/references").rows:
        iri = resource.value
        if iri.startswith(DATA_BASE):
            folder = "legal" if kind.value.endswith("LegalResource") else "fund"
            references[folder][_tail(iri)] = iri
    return Vocabulary(
        schemes,
        dict(sorted(kinds[CSI + "Territory"].items())),
        dict(sorted(kinds[CSI + "Instrument"].items())),
        references["legal"],
        references["fund"],
        _official_territories(dataset),
    )


def _official_territories(dataset: Dataset):
    from csi_graph.territories import official_index  # the model helper's module

    return official_index(dataset)


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _kebab(name: str) -> str:
    """``PriorityNeighbourhood`` -> ``priority-neighbourhood``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _notation_key(notation: str | None) -> tuple:
    if notation and re.fullmatch(r"\d+(\.\d+)*", notation):
        return (0, tuple(int(part) for part in notation.split(".")))
    return (1, ())
