"""A loaded dataset: every source file in its own named graph, queried as one union."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from csi_graph.namespaces import DATA_BASE, shorten

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
        self._file_lines: dict[Path, list[str]] = {}

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
            for number, line in enumerate(self._lines(info.path), start=1):
                if any(line.lstrip().startswith(form) for form in forms):
                    return Location(info.display, number)
        return None

    def _lines(self, path: Path) -> list[str]:
        if path not in self._file_lines:
            try:
                self._file_lines[path] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._file_lines[path] = []
        return self._file_lines[path]
