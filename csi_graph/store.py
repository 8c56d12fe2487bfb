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

    def query(self, text: str) -> RawResult:
        result = self.dataset.query(text)
        form = result.type
        if form == "SELECT":
            variables = [str(v) for v in result.vars]
            return RawResult(form, variables, [tuple(row) for row in result])
        if form == "ASK":
            return RawResult(form, boolean=bool(result.askAnswer))
        return RawResult(form, triples=list(result.graph))

    def update(self, graph: str, text: str) -> None:
        self.dataset.graph(URIRef(graph)).update(text)

    def nquads(self, graphs: list[str]) -> bytes:
        return self.oxigraph(graphs)[0].dump(format=ox.RdfFormat.N_QUADS)

    def oxigraph(self, graphs: list[str]) -> tuple[ox.Store, list[ox.NamedNode]]:
        """A new in-memory Oxigraph store with a copy of ``graphs`` (for the SPARQL validator)."""
        store = ox.Store()
        names = [ox.NamedNode(name) for name in graphs]
        store.bulk_extend(
            ox.Quad(rdflib_to_ox(s), rdflib_to_ox(p), rdflib_to_ox(o), name)
            for name in names
            for s, p, o in self.triples(name.value)
        )
        return store, names


class OxigraphStore:
    """An embedded Oxigraph store, in memory or in a folder (``path``)."""

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
        return self._count(graph)

    def add(self, quads: Iterable[ox.Quad], default_graph: str, bnode_prefix: str) -> dict[str, int]:
        """Add parsed quads; triples of the default graph go to ``default_graph``."""
        target = ox.NamedNode(default_graph)
        names: set[str] = {default_graph}

        def renamed(quads):
            for quad in quads:
                graph = target if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
                names.add(graph.value)
                yield ox.Quad(
                    _rename(quad.subject, bnode_prefix),
                    quad.predicate,
                    _rename(quad.object, bnode_prefix),
                    graph,
                )

        self.store.bulk_extend(renamed(quads))
        return {name: self._count(name) for name in names}

    def _count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self.store.query(query)))["n"].value)

    def triples(self, graph: str) -> Iterator[Triple]:
        for quad in self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            yield ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)

    def query(self, text: str) -> RawResult:
        from csi_graph.sparql import query_form

        result = self.store.query(text, use_default_graph_as_union=True)
        form = query_form(text)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [tuple(ox_to_rdflib(solution[v]) for v in variables) for solution in result]
            return RawResult("SELECT", variables, rows)
        if isinstance(result, ox.QueryBoolean):
            return RawResult("ASK", boolean=bool(result))
        triples = [
            (ox_to_rdflib(t.subject), ox_to_rdflib(t.predicate), ox_to_rdflib(t.object)) for t in result
        ]
        return RawResult(form, triples=triples)

    def update(self, graph: str, text: str) -> None:
        raise NotImplementedError("updates go through the rdflib store")

    def oxigraph(self, graphs: list[str]) -> tuple[ox.Store, list[ox.NamedNode]]:
        return self.store, [ox.NamedNode(name) for name in graphs]

    def nquads(self, graphs: list[str]) -> bytes:
        # The store holds the dataset's graphs and nothing else: dump them all at once.
        return self.store.dump(format=ox.RdfFormat.N_QUADS)


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
