"""What each page shows, read from a loaded dataset: plain data for the HTML templates and the RDF documents.

One :class:`Pages` object serves both ``csi-graph serve`` and ``csi-graph site``, so the
live site and the static one show the same thing. Every lookup is a SPARQL query run
through :meth:`Dataset.query` with the resource bound as a parameter (never pasted
into the text), so pages work on either store and follow the same safety policy as
visitors' queries. Labels and types are read once: the dataset does not change while
it is served.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from csi_graph.dataset import Dataset
from csi_graph.namespaces import CSI, PREFIXES
from csi_graph.web.iris import IriMap, document

RDF_TYPE = PREFIXES["rdf"] + "type"
_LABEL_PREDICATES = ("skos:prefLabel", "rdfs:label", "dct:title", "foaf:name")
_DEFINITION = ("skos:definition", "rdfs:comment", "dct:description")
LANGUAGES = ("en", "fr")
THEME_SCHEME = PREFIXES["scheme"] + "themes"


def _prologue(body: str) -> str:
    """PREFIX lines for the prefixes ``body`` uses (only those: the query lexer reads every token)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if re.search(rf"\b{p}:", body))


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


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


def term(node: Node | None) -> Term | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return Term(iri=str(node))
    if isinstance(node, BNode):
        return Term(blank=True)
    literal: Literal = node  # type: ignore[assignment]
    datatype = str(literal.datatype) if literal.datatype is not None else None
    return Term(text=str(literal), lang=literal.language, datatype=datatype)


class Pages:
    """The content of every page of the site, from one dataset."""

    def __init__(self, dataset: Dataset, iris: IriMap | None = None) -> None:
        self.dataset = dataset
        self.iris = iris or IriMap()
        self._labels: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
        for row in self.select(
            "SELECT ?s ?p ?l WHERE {{ ?s ?p ?l VALUES ?p {{ {} }} FILTER(isLiteral(?l) && isIRI(?s)) }}".format(
                " ".join(_LABEL_PREDICATES)
            )
        ):
            priority = [_expand(c) for c in _LABEL_PREDICATES].index(str(row["p"]))
            self._labels[str(row["s"])].append((priority, row["l"].language, str(row["l"])))
        self.types: dict[str, set[str]] = defaultdict(set)
        for row in self.select("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s) && isIRI(?t)) }"):
            self.types[str(row["s"])].add(str(row["t"]))
        self.subjects = {
            str(row["s"]) for row in self.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
        }
        self.documents = {document(s) for s in self.subjects if "#" in s}
        self.objects = {
            str(row["o"]) for row in self.select("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) }")
        }

    # Queries ----------------------------------------------------------------------

    def select(self, body: str, **params: Any) -> list[dict[str, Node | None]]:
        """Rows of a SELECT (prefixes added) as dicts of rdflib terms; ``params`` are bound."""
        result = self.dataset.query(_prologue(body) + body, **{k: URIRef(v) for k, v in params.items()})
        return [dict(zip(result.variables, row, strict=True)) for row in result.rows]

    # Labels and kinds ---------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str:
        """The best label of ``iri`` in ``lang``, else French, else untagged, else any; else its IRI."""
        candidates = self._labels.get(iri)
        if not candidates:
            return _local_name(iri)
        for wanted in (lang, "fr", None):
            found = sorted(c for c in candidates if c[1] == wanted)
            if found:
                return found[0][2]
        return sorted(candidates)[0][2]

    def has_label(self, iri: str) -> bool:
        return iri in self._labels

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
        rows = self.select("SELECT ?p ?o WHERE { ?this ?p ?o }", this=iri)
        return self._group(((str(r["p"]), r["o"]) for r in rows), lang)

    def _group(self, pairs, lang: str) -> list[Property]:
        grouped: dict[str, list[Node]] = defaultdict(list)
        for predicate, value in pairs:
            grouped[predicate].append(value)
        properties = []
        for predicate, values in grouped.items():
            literals = [v for v in values if isinstance(v, Literal)]
            if any(v.language == lang for v in literals):  # show one language where both exist
                values = [
                    v for v in values if not (isinstance(v, Literal) and v.language not in (lang, None))
                ]
            terms = sorted((term(v) for v in values), key=lambda t: (t.text or "", t.iri or ""))
            properties.append(Property(predicate, [t for t in terms if t is not None]))
        order = [RDF_TYPE, *(_expand(c) for c in _LABEL_PREDICATES)]
        properties.sort(
            key=lambda p: (
                order.index(p.predicate) if p.predicate in order else len(order),
                self.label(p.predicate, lang).lower(),
            )
        )
        return properties

    def incoming(self, iri: str, lang: str, limit: int = 500) -> list[Property]:
        """What points to ``iri``: per predicate, the subjects (at most ``limit`` in all)."""
        rows = self.select(
            f"SELECT ?s ?p WHERE {{ ?s ?p ?this FILTER(isIRI(?s)) }} LIMIT {int(limit)}", this=iri
        )
        grouped: dict[str, list[Term]] = defaultdict(list)
        for row in rows:
            grouped[str(row["p"])].append(Term(iri=str(row["s"])))
        return [
            Property(p, sorted(v, key=lambda t: self.label(t.iri or "", lang)))
            for p, v in sorted(grouped.items(), key=lambda i: self.label(i[0], lang))
        ]

    def text(self, iri: str, predicates: tuple[str, ...], lang: str) -> str | None:
        """The first value of ``predicates`` in ``lang`` (else French, else any)."""
        for predicate in predicates:
            rows = self.select(f"SELECT ?v WHERE {{ ?this {predicate} ?v }}", this=iri)
            values = [r["v"] for r in rows if isinstance(r["v"], Literal)]
            for wanted in (lang, "fr", None):
                for value in values:
                    if value.language == wanted:
                        return str(value)
            if values:
                return str(values[0])
        return None

    def definition(self, iri: str, lang: str) -> str | None:
        return self.text(iri, _DEFINITION, lang)

    # Contracts --------------------------------------------------------------------------

    def contracts(self, lang: str) -> list[dict[str, Any]]:
        """Every contract with its territory, dates and number of commitments, oldest first."""
        rows = self.select(
            """SELECT ?contract ?id ?start ?end ?status (COUNT(DISTINCT ?c) AS ?commitments)
               (GROUP_CONCAT(DISTINCT STR(?territory); separator=" ") AS ?territories) WHERE {
                 ?contract a csi:IntegratedSecurityContract .
                 OPTIONAL { ?contract dct:identifier ?id }
                 OPTIONAL { ?contract csi:contractStatus ?status }
                 OPTIONAL { ?contract csi:territory ?territory }
                 OPTIONAL { ?contract dct:temporal ?period .
                            OPTIONAL { ?period dcat:startDate ?start } OPTIONAL { ?period dcat:endDate ?end } }
                 OPTIONAL { ?c a csi:Commitment ; csi:inContract ?contract }
               } GROUP BY ?contract ?id ?start ?end ?status"""
        )
        contracts = [
            {
                "iri": str(r["contract"]),
                "identifier": str(r["id"] or _local_name(str(r["contract"]))),
                "title": self.label(str(r["contract"]), lang),
                "start": str(r["start"]) if r["start"] is not None else None,
                "end": str(r["end"]) if r["end"] is not None else None,
                "status": str(r["status"]) if r["status"] is not None else None,
                "commitments": int(r["commitments"]),
                "territories": [t for t in str(r["territories"] or "").split() if t],
            }
            for r in rows
        ]
        contracts.sort(key=lambda c: (c["start"] or "9999", c["identifier"]))
        return contracts

    def contract(self, iri: str, lang: str) -> dict[str, Any]:
        """A contract's parties, signatures, commitments (by party and by theme), realisations and sources."""
        parties = [
            {"iri": str(r["party"]), "kind": _iri(r["kind"]), "organisation": _iri(r["org"])}
            for r in self.select(
                """SELECT ?party ?kind ?org WHERE { ?party a csi:ContractParty ; csi:inContract ?this .
                     OPTIONAL { ?party csi:partyKind ?kind } OPTIONAL { ?party csi:organisation ?org } }""",
                this=iri,
            )
        ]
        parties.sort(key=lambda p: self.label(p["iri"], lang))
        signatures = self.signatures(iri, "?sig csi:inContract ?this")
        signatures.sort(key=lambda s: (s["date"] or "", self.label(s["party"] or "", lang)))
        commitments = self.commitments(iri, lang, "?c csi:inContract ?this")
        by_party = [
            {"party": p["iri"], "commitments": [c for c in commitments if c["party"] == p["iri"]]}
            for p in parties
        ]
        summary = next((c for c in self.contracts(lang) if c["iri"] == iri), None)
        return {
            "summary": summary,
            "parties": parties,
            "signatures": signatures,
            "commitments": commitments,
            "by_party": by_party,
            "by_theme": self._by_theme(commitments, lang),
            "realisations": self.realisations(iri, lang),
            "sources": self.sources(iri, lang),
        }

    def signatures(self, iri: str, where: str) -> list[dict[str, Any]]:
        """Signatures matching ``where`` on ``?sig`` and ``?this``: who signed, holding which post, for whom, when."""
        rows = self.select(
            f"""SELECT ?sig ?person ?post ?party ?date WHERE {{ ?sig a csi:Signature . {where} .
                  OPTIONAL {{ ?sig csi:signatory ?person }} OPTIONAL {{ ?sig csi:signatoryPost ?post }}
                  OPTIONAL {{ ?sig csi:signedFor ?party }} OPTIONAL {{ ?sig dct:date ?date }} }}""",
            this=iri,
        )
        return [
            {
                "iri": str(r["sig"]),
                "person": _iri(r["person"]),
                "post": _iri(r["post"]),
                "party": _iri(r["party"]),
                "date": _text(r["date"]),
            }
            for r in rows
        ]

    def commitments(self, iri: str, lang: str, where: str) -> list[dict[str, Any]]:
        """Commitments that match the pattern ``where`` on ``?c`` and ``?this`` (bound to ``iri``),
        with their party, themes (and volets), types, quantities and current status."""
        rows = self.select(
            f"""SELECT ?c ?contract ?party ?pos ?id ?theme ?volet ?type ?quantity ?status ?date WHERE {{
                 {where} .
                 ?c a csi:Commitment ; csi:inContract ?contract .
                 OPTIONAL {{ ?c csi:committedBy ?party }} OPTIONAL {{ ?c schema:position ?pos }}
                 OPTIONAL {{ ?c dct:identifier ?id }} OPTIONAL {{ ?c csi:commitmentType ?type }}
                 OPTIONAL {{ ?c csi:targetQuantity ?quantity }}
                 OPTIONAL {{ ?c csi:theme ?theme .
                            OPTIONAL {{ ?theme skos:broader* ?volet . ?volet skos:topConceptOf scheme:themes }} }}
                 OPTIONAL {{ ?record csi:statusOf ?c ; csi:status ?status ; dct:date ?date }}
               }}""",
            this=iri,
        )
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            iri_c = str(r["c"])
            entry = found.setdefault(
                iri_c,
                {
                    "iri": iri_c,
                    "contract": str(r["contract"]),
                    "party": _iri(r["party"]),
                    "position": int(r["pos"]) if r["pos"] is not None else 0,
                    "identifier": _text(r["id"]) or _local_name(iri_c),
                    "label": self.label(iri_c, lang),
                    "themes": [],
                    "volets": [],
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
                if value is not None and str(value) not in entry[key]:
                    entry[key].append(str(value))
            if r["status"] is not None:
                entry["statuses"][str(r["date"])] = str(r["status"])
        result = list(found.values())
        for entry in result:  # the latest dated status is the current one
            dates = sorted(entry.pop("statuses").items())
            entry["status"] = dates[-1][1] if dates else None
        result.sort(
            key=lambda c: (c["contract"], self.label(c["party"] or "", lang), c["position"], c["identifier"])
        )
        return result

    def _by_theme(self, commitments: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
        """Commitments under each volet of the circular, then under each finer theme."""
        volets: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        for commitment in commitments:
            for theme in commitment["themes"]:
                volet = next((v for v in commitment["volets"] if self._is_under(theme, v)), theme)
                volets[volet][theme].append(commitment)
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

    def _is_under(self, theme: str, volet: str) -> bool:
        return theme == volet or bool(
            self.select(
                "SELECT ?x WHERE { ?x skos:broader+ ?this FILTER(?x = ?theme) } LIMIT 1",
                this=volet,
                theme=theme,
            )
        )

    @cached_property
    def _notations(self) -> dict[str, str]:
        rows = self.select("SELECT ?c ?n WHERE { ?c skos:notation ?n }")
        return {str(r["c"]): str(r["n"]) for r in rows}

    def notation(self, iri: str) -> tuple[int, ...] | tuple[int, str]:
        """A sort key from ``skos:notation`` ("1.2" sorts before "1.10"), concepts without one last."""
        notation = self._notations.get(iri)
        if notation is None:
            return (10**6, iri)
        return tuple(int(p) if p.isdigit() else 10**6 for p in notation.split("."))

    def realisations(self, iri: str, lang: str) -> list[dict[str, Any]]:
        """Dated status records of the contract's commitments, with their sources."""
        rows = self.select(
            """SELECT ?record ?c ?status ?date ?src WHERE {
                 ?c csi:inContract ?this . ?record csi:statusOf ?c .
                 OPTIONAL { ?record csi:status ?status } OPTIONAL { ?record dct:date ?date }
                 OPTIONAL { ?record prov:wasDerivedFrom ?src } }""",
            this=iri,
        )
        records: dict[str, dict[str, Any]] = {}
        for r in rows:
            entry = records.setdefault(
                str(r["record"]),
                {
                    "iri": str(r["record"]),
                    "commitment": str(r["c"]),
                    "status": _iri(r["status"]),
                    "date": _text(r["date"]),
                    "description": self.text(str(r["record"]), ("dct:description",), lang),
                    "sources": [],
                },
            )
            if r["src"] is not None:
                entry["sources"].append(str(r["src"]))
        return sorted(records.values(), key=lambda r: (r["date"] or "", r["iri"]))

    def sources(self, iri: str, lang: str) -> list[dict[str, Any]]:
        """The sources of everything a contract holds: itself, its members and what they point to."""
        rows = self.select(
            """SELECT DISTINCT ?src ?publisher ?issued ?reliability ?readOn WHERE {
                 { ?this prov:wasDerivedFrom ?src }
                 UNION { ?this ?p ?x . ?x prov:wasDerivedFrom ?src }
                 UNION { ?m csi:inContract ?this ; prov:wasDerivedFrom ?src }
                 UNION { ?m csi:inContract ?this ; ?p ?x . ?x prov:wasDerivedFrom ?src }
                 UNION { ?m csi:inContract ?this . ?x csi:statusOf|csi:itemOf ?m ; prov:wasDerivedFrom ?src }
                 OPTIONAL { ?src csi:publisherName ?publisher } OPTIONAL { ?src dct:issued ?issued }
                 OPTIONAL { ?src csi:reliability ?reliability } OPTIONAL { ?src csi:readOn ?readOn } }""",
            this=iri,
        )
        sources = [
            {
                "iri": str(r["src"]),
                "publisher": _text(r["publisher"]),
                "issued": _text(r["issued"]),
                "reliability": _iri(r["reliability"]),
                "read_on": _text(r["readOn"]),
            }
            for r in rows
        ]
        return sorted(sources, key=lambda s: (self.notation(s["reliability"] or ""), s["iri"]))

    # Parties, commitments, concepts ---------------------------------------------------------

    def party(self, iri: str, lang: str) -> dict[str, Any]:
        signatures = self.signatures(iri, "?sig csi:signedFor ?this")
        return {
            "signatures": signatures,
            "commitments": self.commitments(iri, lang, "?c csi:committedBy ?this"),
        }

    def commitment(self, iri: str, lang: str) -> dict[str, Any]:
        items = [
            str(r["item"])
            for r in self.select(
                "SELECT ?item ?pos WHERE { ?item csi:itemOf ?this OPTIONAL { ?item schema:position ?pos } } ORDER BY ?pos",
                this=iri,
            )
        ]
        records = [
            {
                "iri": str(r["record"]),
                "status": _iri(r["status"]),
                "date": _text(r["date"]),
                "description": self.text(str(r["record"]), ("dct:description",), lang),
            }
            for r in self.select(
                """SELECT ?record ?status ?date WHERE { ?record csi:statusOf ?this .
                     OPTIONAL { ?record csi:status ?status } OPTIONAL { ?record dct:date ?date } } ORDER BY ?date""",
                this=iri,
            )
        ]
        return {
            "wording": self.text(iri, ("csi:wording",), "fr"),
            "parts": items,
            "records": records,
        }

    def concept(self, iri: str, lang: str) -> dict[str, Any]:
        """A SKOS concept: its place in its scheme and the commitments filed under it or below it."""
        narrower = [
            str(r["n"])
            for r in self.select(
                "SELECT ?n WHERE { { ?n skos:broader ?this } UNION { ?this skos:narrower ?n } }", this=iri
            )
        ]
        listed = self.commitments(iri, lang, "?c a csi:Commitment ; ?link ?t . ?t skos:broader* ?this")
        by_contract: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for commitment in listed:
            by_contract[commitment["contract"]].append(commitment)
        return {
            "narrower": sorted(set(narrower), key=self.notation),
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
        graph = self.vocabulary_graph
        subject = URIRef(iri)
        return self._described(graph, subject, lang, depth=0)

    def _described(self, graph: Graph, subject: Node, lang: str, depth: int) -> list[Property]:
        properties = self._group(((str(p), o) for p, o in graph.predicate_objects(subject)), lang)
        if depth < 3:
            for prop in properties:
                blanks = [o for o in graph.objects(subject, URIRef(prop.predicate)) if isinstance(o, BNode)]
                for value, blank in zip([v for v in prop.values if v.blank], blanks, strict=False):
                    value.properties = self._described(graph, blank, lang, depth + 1)
        return properties

    @cached_property
    def vocabulary_graph(self) -> Graph:
        """The ontology, schemes and shapes as one rdflib graph (small; blank nodes kept)."""
        return self.dataset.merged("ontology", "shapes")

    # Comparison --------------------------------------------------------------------------------

    def comparison(self, lang: str) -> dict[str, Any]:
        """Contracts side by side: commitments per volet and theme, per kind of party, per type; signatories; follow-up."""
        contracts = self.contracts(lang)

        def matrix(body: str) -> dict[str, dict[str, int]]:
            counts: dict[str, dict[str, int]] = defaultdict(dict)
            for r in self.select(body):
                counts[str(r["row"])][str(r["contract"])] = int(r["n"])
            return counts

        volets = matrix(
            """SELECT ?row ?contract (COUNT(DISTINCT ?c) AS ?n) WHERE {
                 ?c a csi:Commitment ; csi:inContract ?contract ; csi:theme ?t .
                 ?t skos:broader* ?row . ?row skos:topConceptOf scheme:themes } GROUP BY ?row ?contract"""
        )
        themes = matrix(
            """SELECT ?row ?contract (COUNT(DISTINCT ?c) AS ?n) WHERE {
                 ?c a csi:Commitment ; csi:inContract ?contract ; csi:theme ?row } GROUP BY ?row ?contract"""
        )
        kinds = matrix(
            """SELECT ?row ?contract (COUNT(DISTINCT ?c) AS ?n) WHERE {
                 ?c a csi:Commitment ; csi:inContract ?contract ; csi:committedBy ?p . ?p csi:partyKind ?row }
               GROUP BY ?row ?contract"""
        )
        types = matrix(
            """SELECT ?row ?contract (COUNT(DISTINCT ?c) AS ?n) WHERE {
                 ?c a csi:Commitment ; csi:inContract ?contract ; csi:commitmentType ?row } GROUP BY ?row ?contract"""
        )
        roles = matrix(
            """SELECT ?row ?contract (COUNT(DISTINCT ?s) AS ?n) WHERE {
                 ?s a csi:Signature ; csi:inContract ?contract ; csi:signatoryPost ?post . ?post org:role ?row }
               GROUP BY ?row ?contract"""
        )
        statuses = matrix(
            """SELECT ?row ?contract (COUNT(DISTINCT ?r) AS ?n) WHERE {
                 ?c csi:inContract ?contract . ?r csi:statusOf ?c ; csi:status ?row } GROUP BY ?row ?contract"""
        )
        volet_rows = []
        for volet in sorted(volets, key=self.notation):
            below = [t for t in themes if t != volet and self._is_under(t, volet)]
            volet_rows.append(
                {
                    "iri": volet,
                    "counts": volets[volet],
                    "themes": [{"iri": t, "counts": themes[t]} for t in sorted(below, key=self.notation)],
                }
            )

        def rows(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
            return [
                {"iri": k, "counts": v}
                for k, v in sorted(counts.items(), key=lambda i: self.label(i[0], lang))
            ]

        return {
            "contracts": contracts,
            "volets": volet_rows,
            "kinds": rows(kinds),
            "types": rows(types),
            "roles": rows(roles),
            "statuses": rows(statuses),
        }

    # RDF documents --------------------------------------------------------------------------------

    def graph(self, iri: str) -> Graph:
        """The RDF document about ``iri``: what it says and what points to it; for a hash
        document, the description of every ``iri#…`` term (blank nodes included)."""
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        if iri in self.documents:
            vocabulary = self.vocabulary_graph
            for subject in [URIRef(iri), *(URIRef(s) for s in self.subjects if s.startswith(iri + "#"))]:
                for triple in vocabulary.cbd(subject):
                    graph.add(triple)
            if len(graph):
                return graph
        result = self.dataset.query(
            "CONSTRUCT { ?this ?p ?o . ?s ?q ?this } WHERE { { ?this ?p ?o } UNION { ?s ?q ?this } }",
            this=URIRef(iri),
        )
        for triple in result.graph:
            graph.add(triple)
        return graph


def dump(dataset: Dataset, fmt: str) -> bytes:
    """Every named graph of the dataset as TriG (``trig``) or N-Quads (``nq``)."""
    from rdflib import Dataset as RdflibDataset

    whole = RdflibDataset()
    for prefix, namespace in PREFIXES.items():
        whole.bind(prefix, namespace, override=True, replace=True)
    for info in dataset.graphs:
        graph = whole.graph(URIRef(info.name))
        for triple in dataset.store.triples(info.name):
            graph.add(triple)
    return whole.serialize(format={"trig": "trig", "nq": "nquads"}[fmt], encoding="utf-8")


def _iri(node: Node | None) -> str | None:
    return str(node) if isinstance(node, URIRef) else None


def _text(node: Node | None) -> str | None:
    return str(node) if node is not None else None


def _local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(separator, 1)[-1] or iri
    return iri
