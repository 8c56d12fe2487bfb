"""A loaded dataset: every source file in its own named graph, queried as one union."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Dataset as RdflibDataset
from rdflib import Graph, URIRef

from csi_graph.namespaces import DATA_BASE, PREFIXES, shorten


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

    Queries see the union of all graphs (the default graph is the union).
    """

    def __init__(self, store: RdflibDataset, graphs: list[GraphInfo]) -> None:
        self.store = store
        self.graphs = graphs
        self._file_lines: dict[Path, list[str]] = {}

    def __len__(self) -> int:
        return sum(info.triples for info in self.graphs)

    def __repr__(self) -> str:
        return f"<Dataset: {len(self.graphs)} graphs, {len(self)} triples>"

    def graph(self, name: str) -> Graph:
        return self.store.graph(URIRef(name))

    def merged(self, *roles: str) -> Graph:
        """A new graph holding the triples of every named graph with one of ``roles``."""
        merged = Graph()
        for prefix, namespace in PREFIXES.items():
            merged.bind(prefix, namespace, override=True, replace=True)
        for info in self.graphs:
            if info.role in roles:
                merged += self.graph(info.name)
        return merged

    @cached_property
    def data_graph(self) -> Graph:
        """Ontology, schemes and data merged: what validation checks."""
        return self.merged("ontology", "data")

    @cached_property
    def shapes_graph(self) -> Graph:
        return self.merged("shapes")

    def locate(self, iri: str) -> Location | None:
        """The file and line where ``iri`` is first described as a subject, if known."""
        subject = URIRef(iri)
        forms = [f"<{iri}>", shorten(iri)]
        if iri.startswith(DATA_BASE):
            forms.append(f"<{iri[len(DATA_BASE) :]}>")
        for info in self.graphs:
            if info.path is None or info.role == "shapes":
                continue
            if (subject, None, None) not in self.graph(info.name):
                continue
            lines = self._lines(info.path)
            for number, line in enumerate(lines, start=1):
                stripped = line.lstrip()
                if any(stripped.startswith(form) for form in forms):
                    return Location(info.display, number)
        return None

    def _lines(self, path: Path) -> list[str]:
        if path not in self._file_lines:
            try:
                self._file_lines[path] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._file_lines[path] = []
        return self._file_lines[path]
