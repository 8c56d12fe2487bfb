"""A deterministic, readable Turtle writer for one contract's graph.

rdflib's serialiser orders subjects and predicates its own way; a contract file is read by
people and reviewed in diffs, so it is written like ``data/contracts/chambery-2021.ttl``:
``@base`` for data IRIs, the project's prefixes, subjects in commented sections (contract,
parties, signatures, commitments with their quantities and status records, instruments,
organisations, territories, sources), predicates in a fixed order, objects sorted. The same
graph always gives the same text.
"""

from __future__ import annotations

import re

from rdflib import RDF, BNode, Graph, Literal, URIRef

from csi_graph.namespaces import DATA_BASE, PREFIXES, shorten

XSD = PREFIXES["xsd"]
_BARE = {
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}
_LANG_ORDER = {"fr": 0, "en": 1}
_WIDTH = 100

# The order in which properties are written, whatever the subject; others follow alphabetically.
PREDICATE_ORDER = [
    RDF.type,
    *(
        URIRef(PREFIXES[prefix] + local)
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


def serialize(graph: Graph, sections: list[tuple[str, list[URIRef]]], header: str = "") -> str:
    """The graph as Turtle, subjects grouped in ``sections`` (subjects not listed come last)."""
    if any(isinstance(node, BNode) for triple in graph for node in triple):
        raise ValueError("blank nodes are not written: name every resource with an IRI")
    listed = [s for _, subjects in sections for s in subjects]
    rest = sorted(set(graph.subjects()) - set(listed), key=str)
    groups = [(title, [s for s in subjects if (s, None, None) in graph]) for title, subjects in sections]
    if rest:
        groups.append(("Other resources", rest))
    body: list[str] = []
    used: set[str] = set()
    for title, subjects in groups:
        if not subjects:
            continue
        body += ["", "#" * 65, f"# {title}", "#" * 65]
        for subject in subjects:
            body += ["", *_subject(graph, subject, used)]
    prefixes = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in used]
    lines = [*(f"# {line}".rstrip() for line in header.splitlines()), "", f"@base <{DATA_BASE}> .", *prefixes]
    return "\n".join([*lines, *body]).lstrip("\n") + "\n"


def _subject(graph: Graph, subject: URIRef, used: set[str]) -> list[str]:
    predicates = sorted(set(graph.predicates(subject)), key=lambda p: (_RANK.get(p, len(_RANK)), str(p)))
    lines = [_term(subject, used)]
    for i, predicate in enumerate(predicates):
        verb = "a" if predicate == RDF.type else _term(predicate, used)
        objects = [_term(o, used) for o in sorted(graph.objects(subject, predicate), key=_object_key)]
        end = " ." if i == len(predicates) - 1 else " ;"
        one_line = f"    {verb} {' , '.join(objects)}{end}"
        if len(one_line) <= _WIDTH or len(objects) == 1:
            lines.append(one_line)
        else:
            lines.append(f"    {verb} {objects[0]} ,")
            lines += [f"        {o} ," for o in objects[1:-1]]
            lines.append(f"        {objects[-1]}{end}")
    return lines


def _object_key(term) -> tuple:
    if isinstance(term, Literal):
        return (1, _LANG_ORDER.get(term.language or "", 2), term.language or "", str(term))
    return (0, 0, "", str(term))


def _term(term, used: set[str]) -> str:
    if isinstance(term, URIRef):
        text = shorten(str(term))
        if not text.startswith("<"):
            used.add(text.split(":", 1)[0])
        return text
    if not isinstance(term, Literal):
        raise ValueError(f"cannot write {term!r}")
    lexical = str(term)
    datatype = str(term.datatype) if term.datatype is not None else None
    if datatype in _BARE and _BARE[datatype].match(lexical):
        return lexical
    quoted = (
        '"'
        + (lexical.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
        + '"'
    )
    if term.language:
        return f"{quoted}@{term.language}"
    if datatype and datatype != XSD + "string":
        return f"{quoted}^^{_term(URIRef(datatype), used)}"
    return quoted
