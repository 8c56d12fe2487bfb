"""The one Turtle (and TriG) writer: deterministic and readable, in the style of the data files.

A contract file is read by people and reviewed in diffs, so csi-graph writes Turtle like
``data/contracts/chambery-2021.ttl`` wherever it writes some — ``csi-graph build`` (the
data files), ``csi-graph export`` and ``package``, query results and the documents the
server gives for each IRI: ``@base`` for data IRIs, the project's prefixes (those in use),
subjects in the order given (in commented sections for a contract file), predicates in a
fixed order, objects sorted (French before English), long lists wrapped. Literals are
escaped by pyoxigraph's writer, the one escaper. The same statements always give the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from csi_graph.namespaces import DATA_BASE, PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph

XSD = PREFIXES["xsd"]
RDF_TYPE = PREFIXES["rdf"] + "type"
_BARE = {
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}
_LANG_ORDER = {"fr": 0, "en": 1}
_WIDTH = 100

# The order in which properties are written, whatever the subject; others follow alphabetically.
PREDICATE_ORDER = [
    PREFIXES["rdf"] + "type",
    *(
        PREFIXES[prefix] + local
        for prefix, local in (
            ("dct", "identifier"),
            ("schema", "position"),
            ("dct", "title"),
            ("rdfs", "label"),
            ("foaf", "name"),
            ("foaf", "givenName"),
            ("foaf", "familyName"),
            ("dct", "description"),
            ("csi", "inContract"),
            ("csi", "itemOf"),
            ("csi", "statusOf"),
            ("csi", "committedBy"),
            ("csi", "wording"),
            ("csi", "paraphrase"),
            ("csi", "legalBasis"),
            ("csi", "contractStatus"),
            ("csi", "territory"),
            ("dct", "temporal"),
            ("csi", "followUpBody"),
            ("dcat", "startDate"),
            ("dcat", "endDate"),
            ("csi", "partyKind"),
            ("csi", "organisation"),
            ("csi", "signatory"),
            ("csi", "signatoryPost"),
            ("csi", "signedFor"),
            ("csi", "theme"),
            ("csi", "commitmentType"),
            ("csi", "targetQuantity"),
            ("schema", "value"),
            ("csi", "unit"),
            ("csi", "quantityKind"),
            ("csi", "quantityBasis"),
            ("csi", "targetTerritory"),
            ("csi", "fundingInstrument"),
            ("csi", "beneficiary"),
            ("csi", "creates"),
            ("csi", "maintains"),
            ("csi", "updates"),
            ("csi", "status"),
            ("dct", "date"),
            ("csi", "deadline"),
            ("csi", "concernsInstrument"),
            ("rdf", "subject"),
            ("rdf", "predicate"),
            ("rdf", "object"),
            ("org", "classification"),
            ("org", "postIn"),
            ("org", "role"),
            ("dct", "spatial"),
            ("igeo", "codeINSEE"),
            ("schema", "containedInPlace"),
            ("csi", "publisherName"),
            ("dct", "issued"),
            ("csi", "reliability"),
            ("csi", "readOn"),
            ("rdfs", "comment"),
            ("prov", "wasDerivedFrom"),
        )
    ),
]
_RANK = {p: i for i, p in enumerate(PREDICATE_ORDER)}
_RELATIVE = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*")
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_RULE = "#" * 65


class TurtleWriter:
    """Writes statements (pyoxigraph quads) as Turtle, or TriG with ``graphs=True``."""

    def __init__(self, base: str = DATA_BASE, prefixes: dict[str, str] | None = None) -> None:
        self.base = base
        self.prefixes = prefixes if prefixes is not None else PREFIXES
        self._iris: dict[str, tuple[str, str | None]] = {}  # IRI -> (text, prefix used): IRIs repeat

    def write(
        self,
        quads: Iterable[ox.Quad],
        *,
        graphs: bool = False,
        sections: list[tuple[str, list[str]]] | None = None,
        header: str = "",
    ) -> str:
        """The statements as text: subjects in the order they come, or grouped in ``sections``.

        ``sections`` are (title, subject IRIs) pairs, each written under a comment heading;
        subjects they do not list follow under "Other resources".
        """
        used: set[str] = set()
        by_graph: dict[Any, dict[Any, list[ox.Quad]]] = {}
        for quad in quads:
            graph = quad.graph_name if graphs else ox.DefaultGraph()
            by_graph.setdefault(graph, {}).setdefault(quad.subject, []).append(quad)
        body: list[str] = []
        for graph, subjects in by_graph.items():
            named = not isinstance(graph, ox.DefaultGraph)
            indent = "    " if named else ""
            block: list[str] = []
            for title, group in self._groups(subjects, sections):
                if title:
                    block += ["", _RULE, f"# {title}", _RULE]
                for subject in group:
                    block += ["", *self._subject(subject, subjects[subject], used, indent)]
            if named:
                body += ["", f"{self.term(graph, used)} {{", *block[1:], "}"]
            else:
                body += block
        lines = [*(f"# {line}".rstrip() for line in header.splitlines()), "", f"@base <{self.base}> ."]
        lines += [f"@prefix {p}: <{ns}> ." for p, ns in self.prefixes.items() if p in used]
        return "\n".join([*lines, *body]).lstrip("\n") + "\n"

    @staticmethod
    def _groups(subjects: dict[Any, list[ox.Quad]], sections: list[tuple[str, list[str]]] | None):
        if sections is None:
            return [("", list(subjects))]
        listed = [ox.NamedNode(s) for _, group in sections for s in group]
        groups = [
            (title, [s for s in map(ox.NamedNode, group) if s in subjects]) for title, group in sections
        ]
        rest = sorted(set(subjects) - set(listed), key=lambda s: s.value)
        if rest:
            groups.append(("Other resources", rest))
        return [(title, group) for title, group in groups if group]

    def _subject(self, subject: Any, quads: list[ox.Quad], used: set[str], indent: str) -> list[str]:
        by_predicate: dict[Any, list[Any]] = {}
        for quad in quads:
            by_predicate.setdefault(quad.predicate, []).append(quad.object)
        predicates = sorted(by_predicate, key=lambda p: (_RANK.get(p.value, len(_RANK)), p.value))
        lines = [indent + self.term(subject, used)]
        for i, predicate in enumerate(predicates):
            verb = "a" if predicate.value == RDF_TYPE else self.term(predicate, used)
            objects = [self.term(o, used) for o in sorted(set(by_predicate[predicate]), key=_object_key)]
            end = " ." if i == len(predicates) - 1 else " ;"
            one_line = f"{indent}    {verb} {' , '.join(objects)}{end}"
            if len(one_line) <= _WIDTH or len(objects) == 1:
                lines.append(one_line)
            else:
                lines.append(f"{indent}    {verb} {objects[0]} ,")
                lines += [f"{indent}        {o} ," for o in objects[1:-1]]
                lines.append(f"{indent}        {objects[-1]}{end}")
        return lines

    def term(self, term: Any, used: set[str]) -> str:
        """A term as Turtle: relative to the base, a prefixed name, ``_:label`` or a literal."""
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Literal):
            return self._literal(term, used)
        iri = term.value
        if iri not in self._iris:
            self._iris[iri] = self._iri(iri)
        text, prefix = self._iris[iri]
        if prefix is not None:
            used.add(prefix)
        return text

    def _iri(self, iri: str) -> tuple[str, str | None]:
        if iri.startswith(self.base) and _RELATIVE.fullmatch(iri[len(self.base) :]):
            return f"<{iri[len(self.base) :]}>", None
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and _LOCAL.fullmatch(iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}", prefix
        return f"<{iri}>", None

    def _literal(self, literal: ox.Literal, used: set[str]) -> str:
        lexical = literal.value
        if literal.language:
            return str(literal)
        datatype = literal.datatype.value
        if datatype in _BARE and _BARE[datatype].match(lexical):
            return lexical
        quoted = str(ox.Literal(lexical))  # pyoxigraph escapes it
        if datatype == XSD + "string":
            return quoted
        return f"{quoted}^^{self.term(literal.datatype, used)}"


def _object_key(term: Any) -> tuple:
    if isinstance(term, ox.Literal):
        return (1, _LANG_ORDER.get(term.language or "", 2), term.language or "", term.value)
    return (0, 0, "", term.value)


def serialize(graph: Graph, sections: list[tuple[str, list]], header: str = "") -> str:
    """A contract's graph (rdflib, as the authoring compiler builds it) as a data file.

    Blank nodes are refused: every resource of a contract file is named with an IRI.
    """
    from csi_graph.terms import rdflib_to_ox

    quads = []
    for triple in graph:
        terms = [rdflib_to_ox(t) for t in triple]
        if any(isinstance(t, ox.BlankNode) for t in terms):
            raise ValueError("blank nodes are not written: name every resource with an IRI")
        quads.append(ox.Quad(*terms))
    named_sections = [(title, [str(s) for s in subjects]) for title, subjects in sections]
    return TurtleWriter().write(quads, sections=named_sections, header=header)
