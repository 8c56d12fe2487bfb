"""What each page shows, read from a loaded dataset: plain data for the HTML templates and the RDF documents.

One :class:`Pages` object serves both ``csi-graph serve`` and ``csi-graph site``, so the
live site and the static one show the same thing. Every lookup is a query of
``queries/internal/pages/`` run through :meth:`Dataset.query` with the resource bound as a
parameter (never pasted into the text); labels come from the one label helper
(:mod:`csi_graph.labels`), the contracts from :mod:`csi_graph.contracts` and the comparison
from :func:`csi_graph.compare.compare`, so a page says what ``info`` and ``compare`` say.
What does not change while the site is served (types, labels, every commitment and
signature) is read once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

import pyoxigraph as ox

from csi_graph.dataset import Dataset
from csi_graph.labels import LABEL_PREDICATES, language_order
from csi_graph.namespaces import CSI, PREFIXES
from csi_graph.queries import NamedQuery, resolve
from csi_graph.results import QueryResult
from csi_graph.web.iris import IriMap, document

RDF_TYPE = PREFIXES["rdf"] + "type"
_DEFINITION = tuple(
    PREFIXES[p] + n for p, n in (("skos", "definition"), ("rdfs", "comment"), ("dct", "description"))
)
LANGUAGES = ("en", "fr")
THEME_SCHEME = PREFIXES["scheme"] + "themes"


@dataclass
class Term:
    """A value as a page shows it: an IRI (linked, labelled) or a literal (text, language, datatype)."""

    iri: str | None = None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    blank: bool = False
    properties: list[Property] = field(default_factory=list)  # of a blank node, when known


@dataclass
class Property:
    predicate: str
    values: list[Term]


def term(node: Any) -> Term | None:
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term(iri=node.value)
    if isinstance(node, ox.BlankNode):
        return Term(blank=True)
    return Term(text=node.value, lang=node.language, datatype=None if node.language else node.datatype.value)


class Pages:
    """The content of every page of the site, from one dataset."""

    def __init__(self, dataset: Dataset, iris: IriMap | None = None) -> None:
        self.dataset = dataset
        self.iris = iris or IriMap()
        self.labels = dataset.labels
        # The last answers, kept: a resource's page in each language asks the same questions.
        self._answers = lru_cache(maxsize=64)(self._answer)
        self.types: dict[str, set[str]] = defaultdict(set)
        for s, t in self.rows("types"):
            self.types[s.value].add(t.value)
        self.subjects = {s.value for (s,) in self.rows("subjects")}
        self.documents = {document(s) for s in self.subjects if "#" in s}
        self.objects = {o.value for (o,) in self.rows("objects")}
        self._facts: dict[str, list[Any]] = {}

    # Queries ----------------------------------------------------------------------

    def rows(self, name: str, **params: Any) -> list[tuple[Any, ...]]:
        """Rows of ``queries/internal/pages/NAME.rq`` as tuples of Oxigraph terms; ``params`` are bound."""
        return self._result(name, params).rows

    def select(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of ``queries/internal/pages/NAME.rq`` as dicts of Oxigraph terms."""
        result = self._result(name, params)
        return [dict(zip(result.variables, row, strict=True)) for row in result.rows]

    def _result(self, name: str, params: dict[str, Any]) -> QueryResult:
        if not params:  # a question about the whole data: asked once, not worth keeping its answer
            return self._answer(name, ())
        return self._answers(name, tuple(sorted(params.items())))

    def _answer(self, name: str, params: tuple[tuple[str, Any], ...]) -> QueryResult:
        return self.dataset.query(_query(name), **dict(params))

    # Labels and kinds ---------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str:
        """The label of ``iri`` in ``lang`` (:mod:`csi_graph.labels`); its short IRI if it has none."""
        return self.labels.label(iri, lang)

    def has_label(self, iri: str) -> bool:
        return self.labels.has_label(iri)

    def kind(self, iri: str) -> str:
        """Which page template shows ``iri``."""
        types = self.types.get(iri, set())
        if iri in self.documents:
            return "document"
        for name, cls in (
            ("contract", CSI + "IntegratedSecurityContract"),
            ("party", CSI + "ContractParty"),
            ("commitment", CSI + "Commitment"),
            ("concept", PREFIXES["skos"] + "Concept"),
        ):
            if cls in types:
                return name
        return "resource"

    def exists(self, iri: str) -> bool:
        """Whether the data mentions ``iri`` (as subject or object), or it is a hash document."""
        return iri in self.subjects or iri in self.documents or iri in self.objects

    def served_resources(self) -> list[str]:
        """Every IRI with a page here: slash IRIs under a served base, and hash documents."""
        found = {s for s in self.subjects | self.objects if "#" not in s and self.iris.path(s)}
        found |= {d for d in self.documents if self.iris.path(d)}
        return sorted(found)

    # Generic descriptions -------------------------------------------------------------

    def properties(self, iri: str, lang: str) -> list[Property]:
        """What ``iri`` says (outgoing), one entry per predicate, literals in ``lang`` where there are some."""
        return self._group(((p.value, o) for p, o in self.rows("properties", this=iri)), lang)

    def _group(self, pairs: Iterable[tuple[str, Any]], lang: str) -> list[Property]:
        grouped: dict[str, list[Any]] = defaultdict(list)
        for predicate, value in pairs:
            grouped[predicate].append(value)
        properties = []
        for predicate, values in grouped.items():
            literals = [v for v in values if isinstance(v, ox.Literal)]
            shown = next(
                (code for code in language_order(lang) if any(v.language == code for v in literals)), None
            )
            if shown:  # show one language where there are several, by the label rule
                values = [
                    v for v in values if not (isinstance(v, ox.Literal) and v.language not in (shown, None))
                ]
            terms = sorted((term(v) for v in values), key=lambda t: (t.text or "", t.iri or ""))
            properties.append(Property(predicate, [t for t in terms if t is not None]))
        order = [RDF_TYPE, *LABEL_PREDICATES]
        properties.sort(
            key=lambda p: (
                order.index(p.predicate) if p.predicate in order else len(order),
                self.label(p.predicate, lang).lower(),
            )
        )
        return properties

    def incoming(self, iri: str, lang: str) -> list[Property]:
        """What points to ``iri``: per predicate, the subjects (at most 500 in all)."""
        grouped: dict[str, list[Term]] = defaultdict(list)
        for s, p in self.rows("incoming", this=iri):
            grouped[p.value].append(Term(iri=s.value))
        return [
            Property(p, sorted(v, key=lambda t: self.label(t.iri or "", lang)))
            for p, v in sorted(grouped.items(), key=lambda i: self.label(i[0], lang))
        ]

    def text(self, iri: str, predicates: tuple[str, ...], lang: str) -> str | None:
        """The first value of ``predicates`` (full IRIs) in ``lang``, by the label rule."""
        return self.labels.text(iri, predicates, lang)

    def definition(self, iri: str, lang: str) -> str | None:
        return self.text(iri, _DEFINITION, lang)

    # Contracts --------------------------------------------------------------------------

    def contracts(self, lang: str) -> list[dict[str, Any]]:
        """Every contract with its territories, dates and number of commitments, in the canonical order."""
        return [_summary(c) for c in self._contract_facts(lang)]

    def _contract_facts(self, lang: str) -> list[Any]:
        """The contracts' facts (:func:`csi_graph.contracts.contract_facts`) in ``lang``, read once:
        every contract page shows its own, which would otherwise read every contract's again."""
        if lang not in self._facts:
            from csi_graph.contracts import contract_facts

            self._facts[lang] = contract_facts(self.dataset, lang)
        return self._facts[lang]

    def register(self, lang: str) -> dict[str, Any]:
        """The register (:mod:`csi_graph.register`): one row per contract, in the canonical order,
        and the number of contracts per state and per level of completeness."""
        from dataclasses import asdict

        from csi_graph.register import register, summary

        entries = register(self.dataset, lang)
        return {"entries": [asdict(e) for e in entries], "summary": summary(entries)}

    def contract(self, iri: str, lang: str) -> dict[str, Any]:
        """A contract's parties, signatures, commitments (by party and by theme), realisations and sources."""
        parties = [
            {"iri": party.value, "kind": _iri(kind), "organisation": _iri(org)}
            for party, kind, org in self.rows("parties", this=iri)
        ]
        parties.sort(key=lambda p: self.label(p["iri"], lang))
        signatures = [s for s in self._signatures if s["contract"] == iri]
        signatures.sort(key=lambda s: (s["date"] or "", self.label(s["party"] or "", lang)))
        commitments = self.commitments(lang, lambda c: c["contract"] == iri)
        by_party = [
            {"party": p["iri"], "commitments": [c for c in commitments if c["party"] == p["iri"]]}
            for p in parties
        ]
        summary = next((_summary(c) for c in self._contract_facts(lang) if c.iri == iri), None)
        return {
            "summary": summary,
            "parties": parties,
            "signatures": signatures,
            "commitments": commitments,
            "by_party": by_party,
            "by_theme": self._by_theme(commitments, lang),
            "realisations": self.realisations(iri, lang),
            "sources": self.sources(iri),
        }

    @cached_property
    def _signatures(self) -> list[dict[str, Any]]:
        """Every signature: who signed, holding which post, for whom, when (read once)."""
        return [
            {
                "iri": r["sig"].value,
                "contract": _iri(r["contract"]),
                "person": _iri(r["person"]),
                "post": _iri(r["post"]),
                "party": _iri(r["party"]),
                "date": _text(r["date"]),
            }
            for r in self.select("signatures")
        ]

    @cached_property
    def _commitments(self) -> dict[str, dict[str, Any]]:
        """Every commitment with its party, themes (and volets), types, quantities and current status."""
        found: dict[str, dict[str, Any]] = {}
        for r in self.select("commitments"):
            iri = r["c"].value
            entry = found.setdefault(
                iri,
                {
                    "iri": iri,
                    "contract": r["contract"].value,
                    "party": _iri(r["party"]),
                    "position": int(r["pos"].value) if r["pos"] is not None else 0,
                    "identifier": _text(r["id"]) or _local_name(iri),
                    "themes": [],
                    "volets": [],
                    "theme_volets": {},
                    "types": [],
                    "quantities": [],
                    "statuses": {},
                },
            )
            for key, value in (
                ("themes", r["theme"]),
                ("volets", r["volet"]),
                ("types", r["type"]),
                ("quantities", r["quantity"]),
            ):
                if value is not None and value.value not in entry[key]:
                    entry[key].append(value.value)
            if r["theme"] is not None and r["volet"] is not None:
                entry["theme_volets"].setdefault(r["theme"].value, r["volet"].value)
            if r["status"] is not None:
                entry["statuses"][_text(r["date"]) or ""] = r["status"].value
        for entry in found.values():  # the latest dated status is the current one
            dates = sorted(entry.pop("statuses").items())
            entry["status"] = dates[-1][1] if dates else None
        return found

    def commitments(self, lang: str, keep) -> list[dict[str, Any]]:
        """The commitments ``keep`` accepts, labelled in ``lang``, by contract, party, position."""
        result = [{**c, "label": self.label(c["iri"], lang)} for c in self._commitments.values() if keep(c)]
        result.sort(
            key=lambda c: (c["contract"], self.label(c["party"] or "", lang), c["position"], c["identifier"])
        )
        return result

    def _by_theme(self, commitments: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
        """Commitments under each volet of the circular, then under each finer theme."""
        volets: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for commitment in commitments:
            for theme in commitment["themes"]:
                volets[commitment["theme_volets"].get(theme, theme)][theme].append(commitment)
        return [
            {
                "volet": volet,
                "themes": [
                    {"theme": t, "commitments": cs}
                    for t, cs in sorted(themes.items(), key=lambda i: self.label(i[0], lang))
                ],
            }
            for volet, themes in sorted(volets.items(), key=lambda i: self.notation(i[0]))
        ]

    @cached_property
    def _notations(self) -> dict[str, str]:
        return {c.value: n.value for c, n in self.rows("notations")}

    def notation(self, iri: str) -> tuple[int, ...] | tuple[int, str]:
        """A sort key from ``skos:notation`` ("1.2" sorts before "1.10"), concepts without one last."""
        notation = self._notations.get(iri)
        if notation is None:
            return (10**6, iri)
        return tuple(int(p) if p.isdigit() else 10**6 for p in notation.split("."))

    def realisations(self, iri: str, lang: str) -> list[dict[str, Any]]:
        """Dated status records of the contract's commitments, with their sources."""
        records: dict[str, dict[str, Any]] = {}
        for r in self.select("realisations", this=iri):
            entry = records.setdefault(
                r["record"].value,
                {
                    "iri": r["record"].value,
                    "commitment": r["c"].value,
                    "status": _iri(r["status"]),
                    "date": _text(r["date"]),
                    "description": self.text(r["record"].value, (PREFIXES["dct"] + "description",), lang),
                    "sources": [],
                },
            )
            if r["src"] is not None:
                entry["sources"].append(r["src"].value)
        return sorted(records.values(), key=lambda r: (r["date"] or "", r["iri"]))

    def sources(self, iri: str, lang: str | None = None) -> list[dict[str, Any]]:
        """The sources of everything a contract holds: itself, its members and what they point to."""
        sources = [
            {
                "iri": r["src"].value,
                "publisher": _text(r["publisher"]),
                "issued": _text(r["issued"]),
                "reliability": _iri(r["reliability"]),
                "read_on": _text(r["readOn"]),
            }
            for r in self.select("sources", this=iri)
        ]
        return sorted(sources, key=lambda s: (self.notation(s["reliability"] or ""), s["iri"]))

    # Parties, commitments, concepts ---------------------------------------------------------

    def party(self, iri: str, lang: str) -> dict[str, Any]:
        return {
            "signatures": [s for s in self._signatures if s["party"] == iri],
            "commitments": self.commitments(lang, lambda c: c["party"] == iri),
        }

    def commitment(self, iri: str, lang: str) -> dict[str, Any]:
        items = [item.value for item, _ in self.rows("items", this=iri)]
        records = [
            {
                "iri": record.value,
                "status": _iri(status),
                "date": _text(date),
                "description": self.text(record.value, (PREFIXES["dct"] + "description",), lang),
            }
            for record, status, date in self.rows("records", this=iri)
        ]
        return {
            "wording": self.text(iri, (CSI + "wording",), "fr"),
            "parts": items,
            "records": records,
        }

    def concept(self, iri: str, lang: str) -> dict[str, Any]:
        """A SKOS concept: its place in its scheme and the commitments filed under it or below it."""
        narrower = {n.value for (n,) in self.rows("narrower", this=iri)}
        filed = {c.value for (c,) in self.rows("concept-commitments", this=iri)}
        listed = self.commitments(lang, lambda c: c["iri"] in filed)
        by_contract: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for commitment in listed:
            by_contract[commitment["contract"]].append(commitment)
        return {
            "narrower": sorted(narrower, key=self.notation),
            "by_contract": sorted(by_contract.items()),
            "count": len(listed),
        }

    def document_terms(self, iri: str, lang: str) -> list[dict[str, Any]]:
        """The terms of a hash document (``…/ontology#X``), classes first, each with its properties."""
        prefix = iri + "#"
        terms = [s for s in self.subjects if s.startswith(prefix)]
        group_order = [
            PREFIXES["owl"] + n for n in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")
        ]
        entries = []
        for term_iri in terms:
            types = self.types.get(term_iri, set())
            group = next((g for g in group_order if g in types), sorted(types)[0] if types else "")
            entries.append(
                {
                    "iri": term_iri,
                    "fragment": term_iri[len(prefix) :],
                    "group": group,
                    "properties": self.described(term_iri, lang),
                }
            )
        rank = {g: i for i, g in enumerate(group_order)}
        entries.sort(key=lambda e: (rank.get(e["group"], len(rank)), e["group"], e["fragment"].lower()))
        return entries

    def described(self, iri: str, lang: str) -> list[Property]:
        """Like :meth:`properties`, with blank nodes (OWL restrictions, SHACL property shapes) opened."""
        return self._described(ox.NamedNode(iri), lang, depth=0)

    def _described(self, subject: Any, lang: str, depth: int) -> list[Property]:
        statements = self._vocabulary.get(subject, [])
        properties = self._group(((p.value, o) for p, o in statements), lang)
        if depth < 3:
            for prop in properties:
                blanks = [
                    o for p, o in statements if p.value == prop.predicate and isinstance(o, ox.BlankNode)
                ]
                for value, blank in zip([v for v in prop.values if v.blank], blanks, strict=False):
                    value.properties = self._described(blank, lang, depth + 1)
        return properties

    @cached_property
    def _vocabulary(self) -> dict[Any, list[tuple[Any, Any]]]:
        """The ontology, schemes and shapes by subject (small; blank nodes kept)."""
        index: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
        seen: set[ox.Triple] = set()
        for name in self.dataset.names("ontology", "shapes"):
            for quad in self.dataset.store.quads(name):
                if quad.triple not in seen:
                    seen.add(quad.triple)
                    index[quad.subject].append((quad.predicate, quad.object))
        return index

    # Comparison --------------------------------------------------------------------------------

    def comparison(self, lang: str) -> dict[str, Any]:
        """The library's comparison (:func:`csi_graph.compare.compare`), laid out for the page.

        Contracts side by side: commitments per volet and theme, per kind of party, per type;
        signatories' roles; follow-up. Counts are keyed by contract IRI for the template.
        """
        from csi_graph.compare import compare

        comparison = compare(self.dataset, lang=lang)
        by_iri = {c.identifier: c.iri for c in comparison.contracts}
        iris = comparison.iris

        def counts(matrix: dict[str, dict[str, int]], key: str) -> dict[str, int]:
            return {by_iri[k]: row[key] for k, row in matrix.items() if row.get(key)}

        def rows(matrix: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
            keys = {key for row in matrix.values() for key, n in row.items() if n}
            return sorted(
                ({"iri": iris[k], "counts": counts(matrix, k)} for k in keys),
                key=lambda r: self.label(r["iri"], lang),
            )

        themes = {key for row in comparison.theme_counts.values() for key in row}
        volets = [
            {
                "iri": iris[volet],
                "counts": counts(comparison.themes, volet),
                "states": {by_iri[k]: comparison.state(k, volet) for k in by_iri},
                "themes": [
                    {"iri": iris[t], "counts": counts(comparison.theme_counts, t)}
                    for t in sorted(themes, key=lambda t: self.notation(iris[t]))
                    if t != volet and volet in comparison.theme_volets.get(t, ())
                ],
            }
            for volet, _ in comparison.volets
            if volet in iris
        ]
        return {
            "contracts": self.contracts(lang),
            "volets": volets,
            "kinds": rows(
                {k: {kind: n for kind, n in row.items() if n} for k, row in comparison.parties.items()}
            ),
            "types": rows(comparison.types),
            "roles": rows(comparison.roles),
            "statuses": rows(comparison.statuses),
        }

    # RDF documents --------------------------------------------------------------------------------

    def quads(self, iri: str) -> list[ox.Quad]:
        """The RDF document about ``iri``: what it says and what points to it; for a hash
        document, the description of every ``iri#…`` term (blank nodes included)."""
        if iri in self.documents:
            subjects = [iri, *(s for s in sorted(self.subjects) if s.startswith(iri + "#"))]
            quads = [quad for subject in subjects for quad in self._described_quads(ox.NamedNode(subject))]
            if quads:
                return quads
        triples = self.dataset.query(_query("document"), this=iri).triples
        return [ox.Quad(t.subject, t.predicate, t.object) for t in triples]

    def _described_quads(self, subject: Any) -> list[ox.Quad]:
        """The statements about ``subject`` and about the blank nodes they lead to (its bounded description)."""
        out: list[ox.Quad] = []
        todo, seen = [subject], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for p, o in self._vocabulary.get(node, []):
                out.append(ox.Quad(node, p, o))
                if isinstance(o, ox.BlankNode):
                    todo.append(o)
        return out

    def document(self, iri: str, fmt: str) -> bytes:
        """The RDF document about ``iri`` in ``fmt`` (an export format: turtle, jsonld, nt, rdfxml)."""
        from csi_graph.export import serialize

        return serialize(self.quads(iri), fmt)


def dump(dataset: Dataset, fmt: str) -> bytes:
    """Every named graph of the dataset as TriG (``trig``) or N-Quads (``nq``), by the one RDF writer."""
    from csi_graph.export import graph_quads, serialize

    return serialize(graph_quads(dataset, ("ontology", "shapes", "data")), fmt)


@cache
def _query(name: str) -> NamedQuery:
    """``queries/internal/pages/NAME.rq``, found once: a site runs each of them thousands of times."""
    return resolve(f"internal/pages/{name}")


def _summary(c: Any) -> dict[str, Any]:
    """A contract's facts (:class:`csi_graph.contracts.ContractFacts`) as the pages show them."""
    return {
        "iri": c.iri,
        "identifier": c.identifier,
        "title": c.title,
        "signed": " / ".join(c.signed) or None,  # every date the sources give
        "signed_dates": c.signed,
        "start": " / ".join(c.start) or None,
        "end": " / ".join(c.end) or None,
        "status": c.status_iri or None,
        "commitments": c.commitments,
        "territories": [t.iri for t in c.territories],
    }


def _iri(node: Any) -> str | None:
    return node.value if isinstance(node, ox.NamedNode) else None


def _text(node: Any) -> str | None:
    return node.value if node is not None else None


def _local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(separator, 1)[-1] or iri
    return iri
