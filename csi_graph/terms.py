"""RDF terms: between Oxigraph and rdflib, to safe N-Triples text, and to plain Python values."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from csi_graph.errors import CsiError

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
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


def ox_to_rdflib(term: Any, bnode_prefix: str = "") -> Node | None:
    """An Oxigraph term as an rdflib term (``None`` stays ``None``)."""
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
            Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
        )
    raise TypeError(f"not an RDF term: {term!r}")


def rdflib_to_ox(term: Node) -> Any:
    """An rdflib term as an Oxigraph term."""
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


def to_ntriples(term: Node) -> str:
    """The term in N-Triples syntax, refusing anything that could escape its delimiters."""
    if isinstance(term, URIRef):
        if _BAD_IRI_CHARS.search(str(term)):
            raise CsiError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        body = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            if not _LANGUAGE_TAG.match(term.language):
                raise CsiError(f"not a valid language tag: {term.language!r}")
            return f'"{body}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f'"{body}"^^{to_ntriples(URIRef(term.datatype))}'
        return f'"{body}"'
    raise CsiError(f"cannot bind a {type(term).__name__} as a parameter")


def to_python(term: Node | None) -> Any:
    """A plain Python value: str for IRIs and text, int/Decimal/float/bool, date for xsd:date."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    datatype = str(term.datatype) if term.datatype is not None else None
    lexical = str(term)
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
