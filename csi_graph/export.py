"""Deterministic RDF export: the same data always gives the same bytes.

Diffs of exported files must show changes of the data and nothing else, so the export
fixes every free choice a serialiser makes:

- blank nodes are relabelled with the W3C RDF Dataset Canonicalization (RDFC-1.0,
  through Oxigraph), so their labels (``_:c14n0``...) depend only on the data;
- statements are sorted (data resources first, by subject, ``rdf:type`` first, then
  predicate and object);
- Turtle and TriG are written by a small writer of our own, in the style of the
  project's data files (``@base`` for data IRIs, prefixes sorted, only those used);
- N-Triples and N-Quads are canonical lines, sorted; RDF/XML comes from Oxigraph fed
  with sorted statements; JSON-LD is compacted with the published ``@context``
  (:mod:`csi_graph.jsonld`) from sorted N-Quads.

What is exported: the data graphs (the shipped contracts or the user's files, and the
national reference data they point to), optionally with the ontology (vocabulary and
SKOS schemes) and the SHACL shapes; or one contract and everything it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.namespaces import CSI, DATA_BASE, PREFIXES
from csi_graph.terms import rdflib_to_ox

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
        self.quads: list[ox.Quad] = []
        self._shared: list[ox.Quad] = []
        self._about: dict = {}
        self._members: dict = {}
        self._contracts: dict[str, str] | None = None
        data = {info.name for info in dataset.graphs if info.role == "data"}
        for quad in graph_quads(dataset, roles):
            self.quads.append(quad)
            if quad.graph_name.value not in data:
                self._shared.append(quad)
                continue
            self._about.setdefault(quad.subject, []).append(quad)
            if quad.predicate.value in MEMBER_LINKS:
                self._members.setdefault(quad.object, set()).add(quad.subject)

    def contract(self, contract: str) -> list[ox.Quad]:
        """The quads that describe one contract (given by identifier or IRI)."""
        if self._contracts is None:
            self._contracts = contract_iris(self.dataset)
        seen = {ox.NamedNode(contract_iri(self.dataset, contract, self._contracts))}
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
    for info in dataset.graphs:
        if info.role in roles:
            graph = ox.NamedNode(info.name)
            for s, p, o in dataset.store.triples(info.name):
                yield ox.Quad(rdflib_to_ox(s), rdflib_to_ox(p), rdflib_to_ox(o), graph)


def contract_iris(dataset: Dataset) -> dict[str, str]:
    """Each loaded contract's IRI, by identifier and by IRI."""
    rows = dataset.query(
        "PREFIX csi: <https://w3id.org/csi-graph/ontology#> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?contract ?id WHERE { ?contract a csi:IntegratedSecurityContract "
        "OPTIONAL { ?contract dct:identifier ?id } } ORDER BY ?id ?contract"
    ).rows
    found: dict[str, str] = {}
    for iri, identifier in rows:
        found[str(iri)] = str(iri)
        if identifier is not None:
            found.setdefault(str(identifier), str(iri))
    return found


def contract_iri(dataset: Dataset, contract: str, known: dict[str, str] | None = None) -> str:
    """The IRI of a contract given by identifier (``chambery-2021``) or IRI."""
    known = known if known is not None else contract_iris(dataset)
    if contract in known:
        return known[contract]
    names = sorted({name for name in known if "://" not in name}) or sorted(known)
    raise CsiError(f"no contract {contract!r}; the loaded contracts are: {', '.join(names) or 'none'}")


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with canonical blank-node labels (RDFC-1.0), sorted."""
    data = ox.Dataset(quads)
    linked = {
        q.object for q in data if isinstance(q.subject, ox.BlankNode) and isinstance(q.object, ox.BlankNode)
    }
    if linked:
        data = _canonical_in_bounds(data, len(linked))
    else:  # no blank node points to another: labelling is linear, nothing to bound
        data.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(data, key=_sort_key)


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
        quads = {ox.Quad(q.subject, q.predicate, q.object) for q in quads}
    ordered = canonical(quads)
    if fmt in ("nt", "nq"):
        lines = ox.serialize(ordered, format=ox.RdfFormat.N_QUADS).decode("utf-8").splitlines(keepends=True)
        return "".join(sorted(lines)).encode("utf-8")
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
    used = {}
    for prefix, namespace in PREFIXES.items():
        if any(iri.startswith(namespace) for iri in iris):
            used[prefix] = namespace
    return dict(sorted(used.items()))


# Turtle and TriG ----------------------------------------------------------------------

_RELATIVE = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*")
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")


class TurtleWriter:
    """Writes sorted statements as Turtle (or TriG) in the style of the project's data files."""

    def __init__(self, base: str = DATA_BASE, prefixes: dict[str, str] | None = None) -> None:
        self.base = base
        self.prefixes = prefixes if prefixes is not None else PREFIXES

    def write(self, quads: list[ox.Quad], *, graphs: bool = False) -> str:
        used: dict[str, str] = {}
        body: list[str] = []
        for graph, block in _groups(quads, lambda q: q.graph_name):
            if graphs and not isinstance(graph, ox.DefaultGraph):
                body.append(f"{self.term(graph, used)} {{\n")
                body.append(self._subjects(block, used, indent="    "))
                body.append("}\n\n")
            else:
                body.append(self._subjects(block, used, indent=""))
        header = [f"@base <{self.base}> .\n"]
        header += [f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(used.items())]
        return "".join(header) + "\n" + "".join(body).rstrip("\n") + "\n"

    def _subjects(self, quads: list[ox.Quad], used: dict[str, str], indent: str) -> str:
        out = []
        for subject, statements in _groups(quads, lambda q: q.subject):
            lines = [indent + self.term(subject, used)]
            predicates = list(_groups(statements, lambda q: q.predicate))
            for number, (predicate, same) in enumerate(predicates):
                verb = "a" if predicate.value == RDF_TYPE else self.term(predicate, used)
                objects = [self.term(q.object, used) for q in same]
                end = " ." if number == len(predicates) - 1 else " ;"
                text = f"{indent}    {verb} {objects[0]}"
                for obj in objects[1:]:
                    text += f" ,\n{indent}        {obj}"
                lines.append(text + end)
            out.append("\n".join(lines) + "\n\n")
        return "".join(out)

    def term(self, term, used: dict[str, str]) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Literal):
            return self._literal(term, used)
        iri = term.value
        if iri.startswith(self.base) and _RELATIVE.fullmatch(iri[len(self.base) :]):
            return f"<{iri[len(self.base) :]}>"
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and _LOCAL.fullmatch(iri[len(namespace) :]):
                used[prefix] = namespace
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"

    def _literal(self, literal: ox.Literal, used: dict[str, str]) -> str:
        value = literal.value
        body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if literal.language:
            return f'"{body}"@{literal.language}'
        datatype = literal.datatype.value
        if datatype == XSD + "string":
            return f'"{body}"'
        if (
            (datatype == XSD + "integer" and _INTEGER.fullmatch(value))
            or (datatype == XSD + "decimal" and _DECIMAL.fullmatch(value))
            or (datatype == XSD + "boolean" and value in ("true", "false"))
        ):
            return value
        return f'"{body}"^^{self.term(literal.datatype, used)}'


def _groups(items: list, key):
    """Consecutive runs of ``items`` with the same ``key`` (the input is sorted)."""
    run: list = []
    current = None
    for item in items:
        k = key(item)
        if run and k != current:
            yield current, run
            run = []
        current = k
        run.append(item)
    if run:
        yield current, run
