"""RDF terms: Oxigraph's terms to safe N-Triples text, to plain Python values, and to rdflib.

The store, the queries and the writers all use pyoxigraph's terms; rdflib terms are made
only for the libraries that need them (pySHACL, users who ask for an rdflib Graph).
pyoxigraph writes a term in N-Triples syntax (``str(term)``), escaping what must be: that is
the one literal escaper of csi-graph.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from csi_graph.errors import CsiError

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
_BAD_IRI_CHARS = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_INTEGERS = {
    XSD + n
    for n in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def iri(value: str) -> ox.NamedNode:
    """An IRI term, refusing text that could not be written between ``<`` and ``>``."""
    if _BAD_IRI_CHARS.search(value):
        raise CsiError(f"not a valid IRI: {value!r}")
    return ox.NamedNode(value)


def literal(value: str, *, lang: str | None = None, datatype: str | None = None) -> ox.Literal:
    """A literal, refusing a malformed language tag."""
    if lang is not None:
        if not _LANGUAGE_TAG.match(lang):
            raise CsiError(f"not a valid language tag: {lang!r}")
        return ox.Literal(value, language=lang)
    if datatype is not None and datatype != XSD_STRING:
        return ox.Literal(value, datatype=iri(datatype))
    return ox.Literal(value)


def to_ntriples(term: Any) -> str:
    """The term in N-Triples syntax (pyoxigraph's writer), for a ``VALUES`` block.

    rdflib terms (the SHACL engine reads shapes with rdflib) are written the same way.
    """
    if type(term).__module__.startswith("rdflib"):
        term = rdflib_to_ox(term)
    if isinstance(term, ox.NamedNode):
        iri(term.value)
        return str(term)
    if isinstance(term, ox.Literal):
        control = _UNBINDABLE.search(term.value)
        if control:  # Oxigraph would write it as a \u escape, which queries never hold (see sparql.py)
            raise CsiError(
                f"a parameter cannot hold the control character U+{ord(control.group()):04X}: remove it"
            )
        return str(term)
    raise CsiError(f"cannot bind a {type(term).__name__} as a parameter")


# Control characters that N-Triples has no short escape for (tab, line feed, carriage return,
# backspace and form feed have one).
_UNBINDABLE = re.compile(r"[\x00-\x07\x0b\x0e-\x1f\x7f]")


def text(term: Any) -> str | None:
    """The lexical value of a term (an IRI's text, a literal's value), ``None`` stays ``None``."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_python(term: Any) -> Any:
    """A plain Python value: str for IRIs and text, int/Decimal/float/bool, date for xsd:date."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value
    lexical = term.value
    try:
        if datatype in _INTEGERS:
            return int(lexical)
        if datatype == XSD + "decimal":
            return Decimal(lexical)
        if datatype in (XSD + "double", XSD + "float"):
            return float(lexical)
        if datatype == XSD + "boolean":
            return lexical in ("true", "1")
        if datatype == XSD + "date":
            return datetime.date.fromisoformat(lexical)
        if datatype == XSD + "dateTime":
            return datetime.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    except ValueError:
        pass
    return lexical


# rdflib, where a library needs it ----------------------------------------------------------


def ox_to_rdflib(term: Any, bnode_prefix: str = "") -> Node | None:
    """An Oxigraph term as an rdflib term (``None`` stays ``None``)."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(bnode_prefix + term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return (
            Literal(term.value) if datatype == XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
        )
    raise TypeError(f"not an RDF term: {term!r}")


def rdflib_to_ox(term: Node) -> Any:
    """An rdflib term as an Oxigraph term (for graphs built with rdflib, such as the catalogue)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def rdflib_graph(quads: Iterable[Any]) -> Graph:
    """A new rdflib Graph (with the project's prefixes) of the triples of ``quads`` (or triples)."""
    import logging

    from rdflib import Graph

    from csi_graph.namespaces import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    logger = logging.getLogger("rdflib.term")  # rdflib warns on each ill-typed literal; SHACL reports them
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        for triple in rdflib_triples(quads):
            graph.add(triple)
    finally:
        logger.setLevel(level)
    return graph


def rdflib_triples(
    quads: Iterable[Any], convert: Callable[[Any], Node | None] = ox_to_rdflib
) -> Iterator[tuple[Any, Any, Any]]:
    """The triples of ``quads`` (or triples) with their terms made rdflib terms by ``convert``,
    each distinct term once: a graph names the same IRIs again and again, and making an rdflib
    term (which checks an IRI's characters) costs more than finding it in a dictionary."""
    made: dict[Any, Any] = {}

    def term(value: Any) -> Any:
        found = made.get(value)
        if found is None:
            found = made[value] = convert(value)
        return found

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object)
