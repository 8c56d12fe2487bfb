"""A loaded dataset: every source file in its own named graph, queried as one merge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csi_graph.namespaces import DATA_BASE, shorten

# A term at the start of a line: an IRI in angle brackets, or a prefixed name.
_LEADING_TERM = re.compile(r"\s*(<[^>\s]*>|[^\s<>;,]+)")

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

    from csi_graph.labels import Labels
    from csi_graph.queries import NamedQuery
    from csi_graph.results import QueryResult
    from csi_graph.store import Store


@dataclass(frozen=True)
class GraphInfo:
    """One named graph: its IRI, the file it came from, its role and its size."""

    name: str
    path: Path | None
    display: str
    role: str  # "ontology", "shapes" or "data"
    triples: int


@dataclass(frozen=True)
class Location:
    """Where a resource is described: a file and a line (1-based)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Dataset:
    """The ontology, shapes and data, one named graph per source file, in one Oxigraph store.

    Queries see the merge of all graphs. ``ds.query("commitments-by-party", contract=...)``
    runs a named query from ``queries/`` (or any SPARQL text) with bound parameters.
    ``cache_entry`` is the folder of the cache entry the store was opened from, if any
    (where :mod:`csi_graph.textindex` keeps its index).
    """

    def __init__(self, store: Store, graphs: list[GraphInfo], cache_entry: Path | None = None) -> None:
        self.store = store
        self.graphs = graphs
        self.cache_entry = cache_entry
        self._file_lines: dict[Path, dict[str, int]] = {}

    def __len__(self) -> int:
        return sum(info.triples for info in self.graphs)

    def __repr__(self) -> str:
        return f"<Dataset: {len(self.graphs)} graphs, {len(self)} triples>"

    @property
    def graph_names(self) -> list[str]:
        return [info.name for info in self.graphs]

    def names(self, *roles: str) -> list[str]:
        """The named graphs with one of ``roles`` (``ontology``, ``shapes``, ``data``)."""
        return [info.name for info in self.graphs if info.role in roles]

    # Queries ---------------------------------------------------------------------------

    def query(
        self,
        query: str | NamedQuery,
        /,
        *,
        allow_remote: bool = False,
        max_rows: int | None = None,
        **params: Any,
    ) -> QueryResult:
        """Run a named query (``queries/NAME.rq``) or SPARQL text over the merge of the graphs.

        The documented prefixes and a ``BASE`` for data IRIs are declared before the text
        (see :data:`csi_graph.queries.PROLOGUE`), as on every other path (server, remote
        endpoints). ``params`` are bound as RDF terms in a ``VALUES`` block, never pasted
        into the query as text: a named query converts them by the types its header
        declares; for SPARQL text, strings such as ``"<https://…>"``,
        ``"theme:video-protection"`` or ``'"texte"@fr'`` are read as terms and anything
        else as a plain string. ``max_rows`` keeps at most that many rows (or triples) and
        marks the result ``truncated`` when there were more.
        """
        from csi_graph.queries import run

        return run(self, query, params, allow_remote=allow_remote, max_rows=max_rows)

    def execute(self, text: str, form: str, max_rows: int | None = None) -> QueryResult:
        """Run prepared, checked SPARQL text of the given form (engine level, no safety check)."""
        from csi_graph.results import QueryResult

        return QueryResult.from_oxigraph(form, self.store.query(text), max_rows)

    def update(self, graph: str, text: str) -> None:
        """Apply a SPARQL Update to one named graph (tests and authoring tools use it)."""
        self.store.update(graph, text, self.graph_names)
        for cached in ("data_graph", "shapes_graph", "labels"):
            self.__dict__.pop(cached, None)

    @cached_property
    def labels(self) -> Labels:
        """The one label helper (see :mod:`csi_graph.labels`), read once."""
        from csi_graph.labels import Labels

        return Labels.read(self)

    # rdflib, for the libraries that need it ------------------------------------------------

    def to_rdflib(self, *roles: str) -> Graph:
        """The merge of the graphs with ``roles`` (every graph if none) as a new rdflib Graph.

        For users who want rdflib, and for pySHACL; the store stays the one engine.
        """
        from csi_graph.terms import rdflib_graph

        names = self.names(*roles) if roles else self.graph_names
        return rdflib_graph(quad for name in names for quad in self.store.quads(name))

    def graph(self, name: str) -> Graph:
        """The triples of one named graph as an rdflib graph."""
        from csi_graph.terms import rdflib_graph

        return rdflib_graph(self.store.quads(name))

    def merged(self, *roles: str) -> Graph:
        """A new rdflib graph holding the triples of every named graph with one of ``roles``."""
        return self.to_rdflib(*roles)

    @cached_property
    def data_graph(self) -> Graph:
        """Ontology, schemes and data merged, as rdflib: what pySHACL validates."""
        return self.to_rdflib("ontology", "data")

    @cached_property
    def shapes_graph(self) -> Graph:
        return self.to_rdflib("shapes")

    def oxigraph_view(self, *roles: str) -> ox.Store:
        """A new in-memory Oxigraph store whose default graph merges the graphs with ``roles``.

        What the SPARQL validation engine checks (``"ontology", "data"``): a copy, see
        :meth:`csi_graph.store.Store.merged_store`.
        """
        return self.store.merged_store(self.names(*roles))

    def write_nquads(self, path: str | Path) -> None:
        """Write the dataset as N-Quads (atomically): what a SPARQL server loads.

        Every file's graph with its name, and the merge of all files as the default graph
        (as ``csi-graph publish`` does), so that the named queries, written for a default
        graph holding everything, run unchanged whatever the server's "union default
        graph" setting; a triple stated in two files is in the merge once.
        """
        from csi_graph.files import write_atomic

        write_atomic(path, self.store.nquads(self.graph_names))

    # Where a resource is described ------------------------------------------------------------

    def locate(self, iri: str) -> Location | None:
        """The file and line where ``iri`` is first described as a subject, if known."""
        forms = [f"<{iri}>", shorten(iri)]
        if iri.startswith(DATA_BASE):
            forms.append(f"<{iri[len(DATA_BASE) :]}>")
        for info in self.graphs:
            if info.path is None or info.role == "shapes" or not self.store.describes(iri, info.name):
                continue
            lines = self._subject_lines(info.path)
            found = [lines[form] for form in forms if form in lines]
            if found:
                return Location(info.display, min(found))
        return None

    def _subject_lines(self, path: Path) -> dict[str, int]:
        """The first line (1-based) where each term starts a line of the file, read once.

        An index rather than a scan per resource: a report on a million-triple file
        locates hundreds of resources.
        """
        if path not in self._file_lines:
            index: dict[str, int] = {}
            try:
                with path.open(encoding="utf-8") as handle:
                    for number, line in enumerate(handle, start=1):
                        match = _LEADING_TERM.match(line)
                        if match:
                            index.setdefault(match.group(1), number)
            except (OSError, UnicodeDecodeError):
                index = {}
            self._file_lines[path] = index
        return self._file_lines[path]
