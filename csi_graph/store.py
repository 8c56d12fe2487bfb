"""Where the triples live: one embedded Oxigraph store (pyoxigraph), in memory or in a folder.

Each source file is stored in its own named graph, and queries run on the RDF merge of all
files: a triple stated in two files counts once, as in SPARQL's data model. Oxigraph's own
"default graph as union" option would count it once per file, so the merge is kept in the
store's default graph instead.

Copying a million triples into the default graph costs as much as loading them, so the
largest file, when it is big (:data:`ANCHOR_BYTES`), is not copied: it stays in its named
graph, the default graph holds the merge of the other files *minus* the triples of that
"anchor" graph, and queries read the default graph and the anchor together — two disjoint
graphs whose union is the merge. A query that names its own dataset (``FROM``) would
override that pair, so before such a query the anchor is copied into the default graph
once (:meth:`Store.query`).

Nothing here is SPARQL text: the store moves quads with Oxigraph's own API, and every query
the product runs comes from ``queries/`` (see :mod:`csi_graph.queries`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox

# A file above this size is loaded as the anchor (see above): about 15,000 triples of Turtle.
ANCHOR_BYTES = 1_000_000
# Data up to this size (N-Triples) is copied into a scratch store in one transaction, larger
# data by the bulk loader: see Store.merged_store.
SMALL_DUMP_BYTES = 50_000_000
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SHAPE_TYPES = (
    ox.NamedNode("http://www.w3.org/ns/shacl#NodeShape"),
    ox.NamedNode("http://www.w3.org/ns/shacl#PropertyShape"),
)
# "from" anywhere in the text: a query that may name its own dataset (FROM, FROM NAMED),
# which the lexer then confirms (see _names_dataset).
_DATASET_CLAUSE = re.compile(r"\bFROM\b", re.IGNORECASE)
DEFAULT = ox.DefaultGraph()


class Store:
    """An embedded Oxigraph store holding one named graph per file and their merge."""

    name = "oxigraph"

    def __init__(
        self, path: Path | None = None, *, read_only: bool = False, anchor: str | None = None
    ) -> None:
        if path is None:
            self.store = ox.Store()
        else:
            self.store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        self.read_only = read_only
        self.anchor = ox.NamedNode(anchor) if anchor else None

    # Loading ------------------------------------------------------------------------------

    def load_file(
        self, path: Path, fmt: ox.RdfFormat, base_iri: str, graph: str, *, anchor: bool = False
    ) -> int:
        """Parse a triples file straight into ``graph`` with Oxigraph's parser; its size.

        Several times faster than going through Python quad by quad. Blank nodes get fresh
        identifiers per file, so files never share one by accident. A file that is not the
        ``anchor`` (see above) is loaded a second time, into the default graph (the merge):
        parsing again in Rust costs less than copying its quads through Python. On a syntax
        error the graph is emptied and the error propagates (the caller re-reads the file
        for a precise message).
        """
        target = ox.NamedNode(graph)
        anchor = anchor and self.anchor is None
        # The size of a big file's graph: the growth of the store, counted in Rust (iterating
        # a million quads through Python takes seconds, on disk ten).
        by_length = anchor or path.stat().st_size > ANCHOR_BYTES
        before = len(self.store) if by_length else 0
        # A small file in one transaction: the bulk loader's set-up costs a third more there.
        parse = self.store.bulk_load if by_length else self.store.load
        try:
            parse(path=str(path), format=fmt, base_iri=base_iri, to_graph=target)
        except SyntaxError:
            self.store.clear_graph(target)
            raise
        count = len(self.store) - before if by_length else self.count(graph)  # the graph was empty
        if anchor:
            self.anchor = target
            self._remove_from_default(target)
            return count
        parse(path=str(path), format=fmt, base_iri=base_iri, to_graph=DEFAULT)
        for quad in self.quads(graph) if self.anchor is not None else ():
            if self._in_anchor(quad):  # already in the merge, through the anchor
                self.store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, DEFAULT))
        return count

    def add(self, quads: Iterable[ox.Quad], default_graph: str, bnode_prefix: str) -> dict[str, int]:
        """Add parsed quads; triples of the default graph go to ``default_graph``."""
        target = ox.NamedNode(default_graph)
        names: dict[str, ox.NamedNode] = {default_graph: target}

        def renamed(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
            for quad in quads:
                graph = target if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
                names[graph.value] = graph
                subject, obj = _rename(quad.subject, bnode_prefix), _rename(quad.object, bnode_prefix)
                yield ox.Quad(subject, quad.predicate, obj, graph)
                if not self._in_anchor(quad):
                    yield ox.Quad(subject, quad.predicate, obj, DEFAULT)  # the merge

        self.store.bulk_extend(renamed(quads))
        return {name: self.count(name) for name in names}

    def _in_anchor(self, quad: ox.Quad) -> bool:
        return self.anchor is not None and any(
            True for _ in self.store.quads_for_pattern(quad.subject, quad.predicate, quad.object, self.anchor)
        )

    def _remove_from_default(self, graph: ox.NamedNode) -> None:
        """Take out of the default graph the triples that ``graph`` (the new anchor) holds."""
        shared = [
            quad
            for quad in self.store.quads_for_pattern(None, None, None, DEFAULT)
            if any(
                True for _ in self.store.quads_for_pattern(quad.subject, quad.predicate, quad.object, graph)
            )
        ]
        for quad in shared:
            self.store.remove(quad)

    def materialise(self) -> None:
        """Copy the anchor into the default graph, which then holds the whole merge."""
        if self.anchor is None:
            return
        anchor, self.anchor = self.anchor, None
        self.store.bulk_extend(  # the same blank nodes as the anchor's
            ox.Quad(quad.subject, quad.predicate, quad.object, DEFAULT)
            for quad in self.store.quads_for_pattern(None, None, None, anchor)
        )

    def rebuild_default(self, graphs: Iterable[str]) -> None:
        """Make the default graph the merge of ``graphs`` again (after an update), copied as
        :meth:`merged_store` copies (its blank nodes get new labels, as a file's loaded into
        the merge do)."""
        self.store.clear_graph(DEFAULT)
        self.anchor = None
        _parse_into(self.store, self._dump(graphs))

    # Reading ------------------------------------------------------------------------------

    def count(self, graph: str) -> int:
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    def quads(self, graph: str) -> Iterator[ox.Quad]:
        """The quads of one named graph."""
        return self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def merged_quads(self) -> Iterator[ox.Quad]:
        """The merge of every file, as quads of the default graph."""
        merged = self.store.quads_for_pattern(None, None, None, DEFAULT)
        if self.anchor is None:
            return merged
        anchor = (ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in self.quads(self.anchor.value))
        return chain(merged, anchor)

    def objects(self, subject: str, predicate: str) -> list[Any]:
        """The objects of ``subject predicate ?o`` in the merge (an index lookup, no query)."""
        try:
            s, p = ox.NamedNode(subject), ox.NamedNode(predicate)
        except ValueError:  # not an IRI (an empty name, a blank node's label): nothing is said of it
            return []
        graphs = (DEFAULT,) if self.anchor is None else (DEFAULT, self.anchor)
        return [quad.object for graph in graphs for quad in self.store.quads_for_pattern(s, p, None, graph)]

    def contains(
        self, graph: str, subject: str | None = None, predicate: str | None = None, obj: Any = None
    ) -> bool:
        """Whether ``graph`` has a triple matching the pattern (``None`` matches anything; IRIs as text)."""
        pattern = [ox.NamedNode(t) if isinstance(t, str) else t for t in (subject, predicate, obj)]
        return any(True for _ in self.store.quads_for_pattern(*pattern, ox.NamedNode(graph)))

    def describes(self, iri: str, graph: str) -> bool:
        """Whether ``iri`` is the subject of a triple of ``graph``."""
        return self.contains(graph, iri)

    def is_shapes_graph(self, graph: str) -> bool:
        return any(self.contains(graph, None, RDF_TYPE, shape) for shape in _SHAPE_TYPES)

    def query(self, text: str) -> Any:
        """Run SPARQL text over the merge; Oxigraph's answer (solutions, boolean or triples)."""
        if self.anchor is not None and _names_dataset(text):
            if self.read_only:  # pragma: no cover - cached stores are always materialised
                raise RuntimeError("a read-only store cannot copy its anchor graph")
            self.materialise()
        if self.anchor is None:
            return self.store.query(text)
        return self.store.query(text, default_graph=[DEFAULT, self.anchor])

    def update(self, graph: str, text: str, graphs: Iterable[str]) -> None:
        """Apply SPARQL Update ``text`` to one named graph, as if it were the default graph.

        For tests and authoring tools: the graph is copied into a scratch store, updated
        there and copied back, then the merge is rebuilt from ``graphs``.
        """
        scratch = ox.Store()
        scratch.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT) for q in self.quads(graph))
        scratch.update(text)
        target = ox.NamedNode(graph)
        self.store.clear_graph(target)
        self.store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, target)
            for q in scratch.quads_for_pattern(None, None, None, DEFAULT)
        )
        self.rebuild_default(graphs)

    def merged_store(self, graphs: Iterable[str]) -> ox.Store:
        """A new in-memory store whose default graph is the merge of ``graphs``.

        A copy, because Oxigraph evaluates a pattern over several graphs given as the
        default graph graph by graph: whole-graph queries run 5–9× faster on one graph,
        which more than pays for the copy (0.8 s per 100,000 triples). The graphs go through
        Oxigraph's own N-Triples writer and parser, as one document: 30-50% faster than quad
        by quad through Python, and a blank node keeps its identity (one node, even in two
        graphs).
        """
        store = ox.Store()
        _parse_into(store, self._dump(graphs))
        return store

    def _dump(self, graphs: Iterable[str]) -> bytes:
        """The triples of ``graphs`` as one N-Triples document (written by Oxigraph)."""
        return b"".join(
            self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)) for name in graphs
        )

    def nquads(self, graphs: list[str]) -> bytes:
        """``graphs`` as N-Quads, and their merge as the default graph (see ``Dataset.write_nquads``)."""
        quads = chain(self.merged_quads(), *(self.quads(name) for name in graphs))
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)

    def flush(self) -> None:
        self.store.flush()


def _names_dataset(text: str) -> bool:
    """Whether a query names its own dataset (``FROM``, ``FROM NAMED``): then it must see the
    store's own default graph, and the anchor is copied into it.

    Read by the lexer, so that a "from" in a comment or a string (the description at the head
    of many named queries) does not cost that copy for nothing: 7–8 s of CPU at a million
    triples (BENCHMARKS.md). Text the lexer cannot read counts as naming one (the copy is
    always safe).
    """
    if not _DATASET_CLAUSE.search(text):
        return False
    from csi_graph.sparql import QueryError, tokens

    try:
        return any(token.kind == "word" and token.text.upper() == "FROM" for token in tokens(text))
    except QueryError:
        return True


def _rename(term: Any, prefix: str) -> Any:
    return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term


def _parse_into(store: ox.Store, triples: bytes) -> None:
    """N-Triples into the default graph of ``store``: small data in one transaction, which spares
    the bulk loader's set-up (a third of the time for the ontology and one contract), larger
    data by the bulk loader (at 500,000 triples the two take the same time)."""
    parse = store.load if len(triples) <= SMALL_DUMP_BYTES else store.bulk_load
    parse(triples, format=ox.RdfFormat.N_TRIPLES)
