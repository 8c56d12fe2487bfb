"""A digest of an RDF graph that does not depend on the labels of its blank nodes.

Parsing a file gives its blank nodes fresh labels, so the same shapes loaded twice are two
graphs that differ only in those labels. To reuse what was derived from a graph (the SPARQL
engine's compiled plan, the rdflib copy of the shapes), a cache needs a key that is the same
for both, and a way to carry the derived value over to the new labels.

:func:`canonical` gives each blank node a colour computed from the graph's structure alone
(colour refinement: a node's colour is refined by the colours and terms around it until no
class splits further). When every blank node ends with a colour of its own, the colours are
a labelling that any graph equal up to blank-node labels gets too, and the digest of the
triples written with the colours is a key for the graph: two graphs with the same digest are
the same graph up to the bijection ``label → colour → label``. When two blank nodes keep the
same colour (a graph with symmetries: two identical nameless property shapes side by side)
there is no such labelling and :func:`canonical` says so (``None``): callers then derive
afresh, as without a cache.

Colours are Python hashes: stable within a process only, which is all an in-process cache
needs. A collision between two colours can only merge two classes, and so make
:func:`canonical` give up, never make two different graphs look equal (the digest is a
SHA-256 of the whole relabelled graph).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Literal, URIRef


@dataclass(frozen=True)
class Canonical:
    """A graph's digest, and the colour of each of its blank nodes (by label), all distinct."""

    digest: str
    colours: dict[str, int]

    def relabelling(self, earlier: Canonical) -> dict[str, str]:
        """The label in this graph of each blank node of ``earlier`` (an equal graph), where they differ."""
        labels = {colour: label for label, colour in self.colours.items()}
        return {old: labels[colour] for old, colour in earlier.colours.items() if labels[colour] != old}


def canonical(triples: Iterable[tuple[Any, Any, Any]]) -> Canonical | None:
    """The canonical form of a graph (rdflib or Oxigraph terms), or None if it has none.

    Oxigraph quads count as triples (their graph name is ignored).
    """
    keyed = {(_key(t[0]), _key(t[1]), _key(t[2])) for t in triples}
    fixed: dict[str, list[tuple[int, str, str]]] = {}  # a blank node's edges to other terms
    linked: dict[str, list[tuple[int, str, str]]] = {}  # ... and to blank nodes
    for s, p, o in keyed:
        if s[0] == "_":
            (linked if o[0] == "_" else fixed).setdefault(s, []).append((0, p, o))
            fixed.setdefault(s, [])
        if o[0] == "_":
            (linked if s[0] == "_" else fixed).setdefault(o, []).append((1, p, s))
            fixed.setdefault(o, [])
    colours = {blank: hash(tuple(sorted(around))) for blank, around in fixed.items()}
    classes = len(set(colours.values()))
    while classes < len(colours):
        colours = {
            blank: hash((colour, tuple(sorted((d, p, colours[x]) for d, p, x in linked.get(blank, ())))))
            for blank, colour in colours.items()
        }
        refined = len(set(colours.values()))
        if refined == classes:  # stable with classes of several nodes: no canonical labelling
            return None
        classes = refined
    # No key holds a control character (see _key): the lines say which triples the graph has.
    lines = sorted(f"{_coloured(s, colours)}\0{p}\0{_coloured(o, colours)}" for s, p, o in keyed)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return Canonical(digest, {blank[2:]: colour for blank, colour in colours.items()})


def _coloured(key: str, colours: dict[str, int]) -> str:
    return f"_:{colours[key]}" if key[0] == "_" else key


def _key(term: Any) -> str:
    """A term as a string, distinct for distinct terms, that holds no control character.

    Oxigraph terms as N-Triples writes them (control characters escaped), blank nodes as
    ``_:label``, rdflib literals and unusual IRIs with ``repr``; the first character tells the
    kinds apart.
    """
    kind = type(term)
    if kind is URIRef:
        return f"<{term}>" if term.isprintable() else f"!{term!r}"
    if kind is BNode:
        return f"_:{term}"
    if kind is Literal:  # exact: lexical form as written, datatype, language
        return repr((str(term), term.datatype, term.language))
    return str(term)  # an Oxigraph term
