"""Deterministic RDF export: the same data always gives the same bytes.

Diffs of exported files must show changes of the data and nothing else, so the export
fixes every free choice a serialiser makes:

- blank nodes are relabelled with the W3C RDF Dataset Canonicalization (RDFC-1.0,
  through Oxigraph), so their labels (``_:c14n0``...) depend only on the data;
- statements are sorted (data resources first, by subject, ``rdf:type`` first, then
  predicate and object);
- Turtle and TriG are written by the one Turtle writer (:mod:`csi_graph.turtle`), in
  the style of the project's data files (``@base`` for data IRIs, only the prefixes used);
- N-Triples and N-Quads are canonical lines, sorted; RDF/XML comes from Oxigraph fed
  with sorted statements; JSON-LD is compacted with the published ``@context``
  (:mod:`csi_graph.jsonld`) from sorted N-Quads.

What is exported: the data graphs (the shipped contracts or the user's files, and the
national reference data they point to), optionally with the ontology (vocabulary and
SKOS schemes) and the SHACL shapes; or one contract and everything it refers to.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.namespaces import CSI, DATA_BASE, PREFIXES
from csi_graph.queries import contract_iri, contracts
from csi_graph.turtle import TurtleWriter

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Resources that belong to a contract point to it (or to one of its commitments).
MEMBER_LINKS = (CSI + "inContract", CSI + "itemOf", CSI + "statusOf")


@dataclass(frozen=True)
class ExportFormat:
    """An output format: its name on the command line, file extension and media type."""

    name: str
    extension: str
    media_type: str
    quads: bool  # keeps the named graphs
    title: str


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ".ttl", "text/turtle", False, "Turtle"),
        ExportFormat("nt", ".nt", "application/n-triples", False, "N-Triples"),
        ExportFormat("nq", ".nq", "application/n-quads", True, "N-Quads"),
        ExportFormat("trig", ".trig", "application/trig", True, "TriG"),
        ExportFormat("jsonld", ".jsonld", "application/ld+json", False, "JSON-LD"),
        ExportFormat("rdfxml", ".rdf", "application/rdf+xml", False, "RDF/XML"),
    )
}


def export(
    dataset: Dataset,
    fmt: str,
    *,
    contract: str | None = None,
    ontology: bool = False,
    shapes: bool = False,
) -> bytes:
    """The data of ``dataset`` (or of one ``contract``) serialised in ``fmt``, deterministically.

    ``ontology`` adds the vocabulary and the SKOS schemes, ``shapes`` the SHACL shapes.
    Triple formats (Turtle, N-Triples, JSON-LD, RDF/XML) merge the named graphs; N-Quads
    and TriG keep one graph per source file.
    """
    if fmt not in FORMATS:
        raise CsiError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    selection = Selection(dataset, ontology=ontology, shapes=shapes)
    return serialize(selection.quads if contract is None else selection.contract(contract), fmt)


class Selection:
    """The quads to export, each in the named graph of the file it came from.

    Built once, it gives the whole selection or the part that describes one contract:
    the contract, its members (found by their link to the contract, ``csi:inContract``,
    or to a member, ``csi:itemOf``, ``csi:statusOf``) and, transitively, every resource
    they refer to that the data describes (organisations, posts, persons, territories,
    sources, the legal basis...). Links are never followed backwards beyond the member
    links, so another contract that shares a source stays out. Graphs that are not data
    (ontology, shapes) are kept whole.
    """

    def __init__(self, dataset: Dataset, *, ontology: bool = False, shapes: bool = False) -> None:
        roles = {"data"} | ({"ontology"} if ontology else set()) | ({"shapes"} if shapes else set())
        self.dataset = dataset
        self.quads: list[ox.Quad] = list(graph_quads(dataset, roles))
        self._shared: list[ox.Quad] = []
        self._about: dict = {}
        self._members: dict = {}
        self._contracts: dict[str, str] | None = None

    def _index(self) -> None:
        """Who describes what, and who belongs to what: read when a contract is first asked for."""
        data = set(self.dataset.names("data"))
        for quad in self.quads:
            if quad.graph_name.value not in data:
                self._shared.append(quad)
                continue
            self._about.setdefault(quad.subject, []).append(quad)
            if quad.predicate.value in MEMBER_LINKS:
                self._members.setdefault(quad.object, set()).add(quad.subject)

    def contract(self, contract: str) -> list[ox.Quad]:
        """The quads that describe one contract (given by identifier or IRI)."""
        if self._contracts is None:
            self._contracts = contracts(self.dataset)
            self._index()
        seen = {ox.NamedNode(contract_iri(self.dataset, contract, known=self._contracts))}
        todo = list(seen)
        while todo:  # the contract and its members
            for member in self._members.get(todo.pop(), ()):
                if member not in seen:
                    seen.add(member)
                    todo.append(member)
        todo = list(seen)
        while todo:  # what they refer to, transitively
            for quad in self._about.get(todo.pop(), ()):
                if quad.object in self._about and quad.object not in seen:
                    seen.add(quad.object)
                    todo.append(quad.object)
        return self._shared + [quad for subject in seen for quad in self._about.get(subject, ())]


def graph_quads(dataset: Dataset, roles: Iterable[str]) -> Iterator[ox.Quad]:
    """The quads of every named graph whose role (data, ontology, shapes) is in ``roles``."""
    for name in dataset.names(*roles):
        yield from dataset.store.quads(name)


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank-node labels (RDFC-1.0), sorted."""
    return sorted(_relabelled(quads), key=_sort_key)


def _relabelled(quads: Iterable[ox.Quad]) -> Iterable[ox.Quad]:
    """The quads, each once, with canonical blank-node labels (RDFC-1.0) if there are blank nodes.

    Canonicalising is only about blank nodes: without any, the quads are returned as they are.
    A blank node's canonical label depends only on the statements that mention blank nodes,
    so only those are canonicalised; when blank nodes point to blank nodes, within the
    documented bound (see ``_canonical_in_bounds``).
    """
    unique = set(quads)
    blank = {q for q in unique if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)}
    if not blank:
        return unique
    data = ox.Dataset(blank)
    linked = {
        q.object for q in data if isinstance(q.subject, ox.BlankNode) and isinstance(q.object, ox.BlankNode)
    }
    if linked:
        data = _canonical_in_bounds(data, len(linked))
    else:  # no blank node points to another: labelling is linear, nothing to bound
        data.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [*(unique - blank), *data]


def _canonical_in_bounds(data: ox.Dataset, linked: int) -> ox.Dataset:
    """RDFC-1.0 in a child process stopped at ``CANON_MAX_SECONDS`` and ``CANON_MAX_MEMORY``: on
    blank nodes linked to one another it can take exponential time (a chain of 1,000 took
    minutes, a clique of 10 never ends)."""
    from csi_graph.isolation import WorkCrashed, WorkTimeout, run_isolated
    from csi_graph.limits import LimitExceeded, limit

    def labelled() -> bytes:
        data.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return ox.serialize(data, format=ox.RdfFormat.N_QUADS)

    why = (
        f"canonical labels for blank nodes (RDFC-1.0) could not be computed: {linked} blank nodes are the "
        "values of other blank nodes, a shape for which it can take exponential time; give these resources IRIs"
    )
    try:
        written = run_isolated(
            labelled,
            timeout=float(limit("CANON_MAX_SECONDS")),
            memory=int(limit("CANON_MAX_MEMORY")),
            quiet=True,
        )
    except WorkTimeout:
        raise LimitExceeded(why, "CANON_MAX_SECONDS") from None
    except WorkCrashed:
        raise LimitExceeded(why, "CANON_MAX_MEMORY") from None
    return ox.Dataset(ox.parse(written, format=ox.RdfFormat.N_QUADS))


def _sort_key(quad: ox.Quad) -> tuple:
    """Graph, then subject (data resources first), ``rdf:type`` first, predicate, object."""
    graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)
    subject = str(quad.subject)
    return (
        graph,
        not subject.startswith("<" + DATA_BASE),
        subject,
        quad.predicate.value != RDF_TYPE,
        str(quad.predicate),
        str(quad.object),
    )


def serialize(quads: Iterable[ox.Quad], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Canonicalise, sort and write ``quads`` in ``fmt`` (Turtle and TriG may use more ``prefixes``).

    Triple formats merge the graphs before canonicalising, so that blank-node labels
    depend on the statements only, not on the names of the files they came from.
    """
    spec = FORMATS[fmt]
    if not spec.quads:
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    if fmt in ("nt", "nq"):  # canonical lines, sorted: no need to sort the statements first
        written = ox.serialize(_relabelled(quads), format=ox.RdfFormat.N_QUADS)
        return b"".join(sorted(written.splitlines(keepends=True)))
    ordered = canonical(quads)
    if fmt in ("turtle", "trig"):
        return TurtleWriter(prefixes=prefixes).write(ordered, graphs=spec.quads).encode("utf-8")
    if fmt == "rdfxml":
        return ox.serialize(
            [q.triple for q in ordered], format=ox.RdfFormat.RDF_XML, prefixes=used_prefixes(ordered)
        )
    from csi_graph.jsonld import compact_document

    return compact_document(ordered)


def used_prefixes(quads: Iterable[ox.Quad]) -> dict[str, str]:
    """The project prefixes whose namespace some IRI of ``quads`` starts with, sorted by name."""
    iris = {
        term.value
        for q in quads
        for term in (q.subject, q.predicate, q.object, getattr(q.object, "datatype", None))
        if isinstance(term, ox.NamedNode)
    }
    lines = "".join(f"\n{iri}" for iri in iris)  # an IRI holds no line break: one search per namespace
    return dict(sorted((p, ns) for p, ns in PREFIXES.items() if f"\n{ns}" in lines))
