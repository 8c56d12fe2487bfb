"""A loaded dataset: every source file in its own named graph, queried as one union."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from csi_graph.namespaces import DATA_BASE, shorten

# A term at the start of a line: an IRI in angle brackets, or a prefixed name.
_LEADING_TERM = re.compile(r"\s*(<[^>\s]*>|[^\s<>;,]+)")

if TYPE_CHECKING:
    from csi_graph.queries import NamedQuery
    from csi_graph.results import QueryResult
    from csi_graph.store import OxigraphStore, RdflibStore


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
    """The ontology, shapes and data, one named graph per source file.

    Queries see the union of all graphs. ``ds.query("commitments-by-party", contract=...)``
    runs a named query from ``queries/`` (or any SPARQL text) with bound parameters.
    """

    def __init__(self, store: RdflibStore | OxigraphStore, graphs: list[GraphInfo]) -> None:
        self.store = store
        self.graphs = graphs
        self._file_lines: dict[Path, dict[str, int]] = {}

    def __len__(self) -> int:
        return sum(info.triples for info in self.graphs)

    def __repr__(self) -> str:
        return f"<Dataset ({self.store.name}): {len(self.graphs)} graphs, {len(self)} triples>"

    @property
    def graph_names(self) -> list[str]:
        return [info.name for info in self.graphs]

    def query(
        self,
        query: str | NamedQuery,
        /,
        *,
        allow_remote: bool = False,
        max_rows: int | None = None,
        **params: Any,
    ) -> QueryResult:
        """Run a named query or SPARQL text over the union of the graphs.

        ``params`` are bound as RDF terms in a ``VALUES`` block (never pasted into the
        query as text, so no value can change the query): a named query
        converts them by the types its header declares; for SPARQL text, strings such as
        ``"<https://…>"``, ``"theme:video-protection"`` or ``'"texte"@fr'`` are read as
        terms and anything else as a plain string. ``max_rows`` keeps at most that many
        rows (or triples) and marks the result ``truncated`` when there were more.
        """
        from csi_graph.queries import run

        return run(self, query, params, allow_remote=allow_remote, max_rows=max_rows)

    def execute(self, text: str, max_rows: int | None = None) -> Any:
        """Run checked SPARQL text (engine level, no safety check)."""
        return self.store.query(text, max_rows=max_rows)

    def update(self, graph: str, text: str) -> None:
        """Apply a SPARQL Update to one named graph (tests and authoring tools use it)."""
        self.store.update(graph, text)
        for cached in ("data_graph", "shapes_graph"):
            self.__dict__.pop(cached, None)

    def graph(self, name: str) -> Graph:
        """The triples of one named graph as an rdflib graph."""
        from csi_graph.store import merged_graph

        return merged_graph(self.store.triples(name))

    def merged(self, *roles: str) -> Graph:
        """A new graph holding the triples of every named graph with one of ``roles``."""
        from csi_graph.store import merged_graph

        return merged_graph(
            triple for info in self.graphs if info.role in roles for triple in self.store.triples(info.name)
        )

    def oxigraph_view(self, *roles: str) -> Any:
        """A new in-memory Oxigraph store whose default graph merges the graphs with ``roles``.

        What the SPARQL validation engine checks (``"ontology", "data"``): a copy, whichever
        store holds the dataset (see ``OxigraphStore.merged_oxigraph``).
        """
        return self.store.merged_oxigraph([info.name for info in self.graphs if info.role in roles])

    def write_nquads(self, path: str | Path) -> None:
        """Write the dataset as N-Quads (atomically): what a SPARQL server loads.

        Every file's graph with its name, and the merge of all files as the default graph
        (as ``csi-graph publish`` does), so that the named queries, written for a default
        graph holding everything, run unchanged whatever the server's "union default
        graph" setting; a triple stated in two files is in the merge once.
        """
        from csi_graph.files import write_atomic

        write_atomic(path, self.store.nquads([info.name for info in self.graphs]))

    @cached_property
    def data_graph(self) -> Graph:
        """Ontology, schemes and data merged: what validation checks."""
        return self.merged("ontology", "data")

    @cached_property
    def shapes_graph(self) -> Graph:
        return self.merged("shapes")

    def locate(self, iri: str) -> Location | None:
        """The file and line where ``iri`` is first described as a subject, if known."""
        forms = [f"<{iri}>", shorten(iri)]
        if iri.startswith(DATA_BASE):
            forms.append(f"<{iri[len(DATA_BASE) :]}>")
        for info in self.graphs:
            if info.path is None or info.role == "shapes":
                continue
            if not self.store.query(f"ASK {{ GRAPH <{info.name}> {{ <{iri}> ?p ?o }} }}").boolean:
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
