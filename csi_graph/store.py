"""Where the triples live: an in-memory rdflib dataset or an embedded Oxigraph store.

Both backends load files into named graphs, list a graph's triples as rdflib terms, and
run SPARQL over the union of all graphs. rdflib is
the reference engine for small data; Oxigraph parses, queries and serialises 10–50× faster
and is the one to use from about a hundred thousand triples.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset as RdflibDataset
from rdflib import Graph, URIRef
from rdflib.term import Node

from csi_graph.namespaces import PREFIXES
from csi_graph.terms import ox_to_rdflib, rdflib_to_ox

Triple = tuple[Node, Node, Node]


@dataclass
class RawResult:
    """A query result in rdflib terms, whatever the engine."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)
    truncated: bool = False  # more rows or triples than ``max_rows`` were left out


class RdflibStore:
    """rdflib's in-memory dataset: the reference engine, and what pySHACL validates."""

    name = "rdflib"

    def __init__(self) -> None:
        import rdflib.plugins.sparql as rdflib_sparql

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM never fetches a graph from the network
        self.dataset = RdflibDataset(default_union=True)
        for prefix, namespace in PREFIXES.items():
            self.dataset.bind(prefix, namespace, override=True, replace=True)

    def add(self, quads: Iterable[ox.Quad], default_graph: str, bnode_prefix: str) -> dict[str, int]:
        """Add parsed quads; triples of the default graph go to ``default_graph``."""
        batches: dict[str, list[Triple]] = {}
        with _quiet_literal_warnings():
            for quad in quads:
                name = (
                    default_graph if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
                )
                batches.setdefault(name, []).append(
                    (
                        ox_to_rdflib(quad.subject, bnode_prefix),
                        ox_to_rdflib(quad.predicate),
                        ox_to_rdflib(quad.object, bnode_prefix),
                    )
                )
        counts = {}
        for name, triples in (batches or {default_graph: []}).items():
            graph = self.dataset.graph(URIRef(name))
            graph.addN((s, p, o, graph) for s, p, o in triples)
            counts[name] = len(graph)
        return counts

    def triples(self, graph: str) -> Iterator[Triple]:
        yield from self.dataset.graph(URIRef(graph)).triples((None, None, None))

    def query(self, text: str, max_rows: int | None = None) -> RawResult:
        result = self.dataset.query(text)
        form = result.type
        if form == "SELECT":
            variables = [str(v) for v in result.vars]
            rows, truncated = _capped((tuple(row) for row in result), max_rows)
            return RawResult(form, variables, rows, truncated=truncated)
        if form == "ASK":
            return RawResult(form, boolean=bool(result.askAnswer))
        triples, truncated = _capped(iter(result.graph), max_rows)
        return RawResult(form, triples=triples, truncated=truncated)

    def update(self, graph: str, text: str) -> None:
        self.dataset.graph(URIRef(graph)).update(text)

    def nquads(self, graphs: list[str]) -> bytes:
        """``graphs`` as N-Quads, and their merge as the default graph (see ``Dataset.write_nquads``)."""
        return self._copy(graphs, named=True).dump(format=ox.RdfFormat.N_QUADS)

    def merged_oxigraph(self, graphs: list[str]) -> ox.Store:
        """A new in-memory Oxigraph store whose default graph is the merge of ``graphs``."""
        return self._copy(graphs, named=False)

    def _copy(self, graphs: list[str], *, named: bool) -> ox.Store:
        """``graphs`` copied into a new Oxigraph store: into its default graph, and into
        graphs of the same names if ``named``."""
        store = ox.Store()
        store.bulk_extend(
            ox.Quad(rdflib_to_ox(s), rdflib_to_ox(p), rdflib_to_ox(o), target)
            for name in graphs
            for target in ((ox.NamedNode(name), ox.DefaultGraph()) if named else (ox.DefaultGraph(),))
            for s, p, o in self.triples(name)
        )
        return store


class OxigraphStore:
    """An embedded Oxigraph store, in memory or in a folder (``path``).

    Each triple is stored in its file's named graph and in the default graph, which thus
    holds the RDF merge of all files. Queries run on that default graph: Oxigraph's own
    "union of named graphs" option keeps a triple once per graph it appears in (a triple
    stated in two files would be counted twice), where the merge counts it once, as rdflib
    and the SPARQL data model do.
    """

    name = "oxigraph"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        if path is None:
            self.store = ox.Store()
        else:
            self.store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))

    def load_file(self, path: Path, fmt: ox.RdfFormat, base_iri: str, graph: str) -> int:
        """Parse a triples file straight into ``graph`` with Oxigraph's bulk loader.

        Several times faster than going through Python quad by quad. Blank nodes get fresh
        identifiers per file, so files never share one by accident. On a syntax error the
        graph is emptied and the error propagates (the caller re-reads the file for a
        precise message).
        """
        target = ox.NamedNode(graph)
        try:
            self.store.bulk_load(path=str(path), format=fmt, base_iri=base_iri, to_graph=target)
        except SyntaxError:
            self.store.clear_graph(target)
            raise
        self.store.update(f"ADD <{graph}> TO DEFAULT")  # the default graph is the merge (see above)
        return self._count(graph)

    def add(self, quads: Iterable[ox.Quad], default_graph: str, bnode_prefix: str) -> dict[str, int]:
        """Add parsed quads; triples of the default graph go to ``default_graph``."""
        target = ox.NamedNode(default_graph)
        names: set[str] = {default_graph}

        def renamed(quads):
            for quad in quads:
                graph = target if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
                names.add(graph.value)
                subject, obj = _rename(quad.subject, bnode_prefix), _rename(quad.object, bnode_prefix)
                yield ox.Quad(subject, quad.predicate, obj, graph)
                yield ox.Quad(subject, quad.predicate, obj, ox.DefaultGraph())

        self.store.bulk_extend(renamed(quads))
        return {name: self._count(name) for name in names}

    def _count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(query)))["n"].value)

    def triples(self, graph: str) -> Iterator[Triple]:
        for quad in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)

    def query(self, text: str, max_rows: int | None = None) -> RawResult:
        """Run a query; with ``max_rows``, stop reading solutions after that many (Oxigraph streams them)."""
        from csi_graph.sparql import query_form

        result = self.store.query(text)
        form = query_form(text)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            solutions = (tuple(ox_to_rdflib(solution[v]) for v in variables) for solution in result)
            rows, truncated = _capped(solutions, max_rows)
            return RawResult("SELECT", variables, rows, truncated=truncated)
        if isinstance(result, ox.QueryBoolean):
            return RawResult("ASK", boolean=bool(result))
        converted = (
            (ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object)) for t in result
        )
        triples, truncated = _capped(converted, max_rows)
        return RawResult(form, triples=triples, truncated=truncated)

    def update(self, graph: str, text: str) -> None:
        raise NotImplementedError("updates go through the rdflib store")

    def merged_oxigraph(self, graphs: list[str]) -> ox.Store:
        """A new in-memory Oxigraph store whose default graph is the merge of ``graphs``.

        A copy, because Oxigraph evaluates a pattern over several graphs given as the
        default graph graph by graph: whole-graph queries run 5–9× faster on one graph,
        which more than pays for the copy (0.8 s per 100,000 triples). Each graph goes
        through Oxigraph's own N-Triples writer and bulk loader: 30-50% faster than quad by
        quad through Python. Blank nodes keep their identity within a graph (files never
        share one).
        """
        store = ox.Store()
        for name in graphs:
            dumped = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
            store.bulk_load(dumped, format=ox.RdfFormat.N_TRIPLES)
        return store

    def nquads(self, graphs: list[str]) -> bytes:
        """``graphs`` as N-Quads, and their merge as the default graph (see ``Dataset.write_nquads``)."""
        targets = [ox.DefaultGraph(), *(ox.NamedNode(name) for name in graphs)]
        quads = chain.from_iterable(self.store.quads_for_pattern(None, None, None, g) for g in targets)
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _capped(items: Iterator, max_rows: int | None) -> tuple[list, bool]:
    """At most ``max_rows`` items, and whether there were more (reads one item past the cap)."""
    if max_rows is None:
        return list(items), False
    kept = list(islice(items, max_rows + 1))
    return kept[:max_rows], len(kept) > max_rows


def _rename(term, prefix: str):
    return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term


def merged_graph(triples: Iterator[Triple]) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    return graph


@contextmanager
def _quiet_literal_warnings():
    """rdflib logs a warning for every ill-typed literal; SHACL reports them properly."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
