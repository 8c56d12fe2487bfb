"""The one loader every command goes through.

``load()`` reads the ontology (vocabulary, SKOS schemes, SHACL shapes), the shipped data
and any paths the user gives into one :class:`~csi_graph.dataset.Dataset`, with a named
graph per source file. Files are parsed by Oxigraph's parsers (fast, precise error
positions, and a JSON-LD parser that never fetches a remote ``@context``); a syntax error
becomes an :class:`~csi_graph.errors.InputError` naming the file, line and column.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib import Dataset as RdflibDataset
from rdflib.graph import Graph
from rdflib.namespace import RDF

from csi_graph.dataset import Dataset, GraphInfo
from csi_graph.errors import InputError
from csi_graph.namespaces import GRAPH_BASE, PREFIXES
from csi_graph.resources import bundled_root, data_dir, ontology_dir

# File extension -> Oxigraph format. ".owl.ttl" and ".shacl.ttl" end in ".ttl".
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".n3": ox.RdfFormat.N3,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_SH = "http://www.w3.org/ns/shacl#"
_SHAPE_TYPES = (URIRef(_SH + "NodeShape"), URIRef(_SH + "PropertyShape"))
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")


def load(paths: Iterable[str | Path] = (), *, contracts: bool = True) -> Dataset:
    """Load the ontology, the reference data, the shipped contracts and ``paths``.

    The ontology (vocabulary, SKOS schemes, SHACL shapes) and the national reference
    data (``data/reference/``: the circular, the FIPD...) are always loaded, since every
    contract points to them; ``contracts=False`` leaves out the shipped contracts, to
    look at the user's files alone. ``paths`` may name files or folders (read
    recursively). Each file becomes one named graph; a TriG or N-Quads file keeps the
    graph names it declares.
    """
    files: list[tuple[Path, str]] = []
    shipped = rdf_files(ontology_dir()) + rdf_files(data_dir() / "reference")
    if contracts:
        shipped += rdf_files(data_dir() / "contracts")
    files += [(p, _display(p)) for p in shipped]
    for given in paths:
        files += [(p, str(p)) for p in expand(given)]

    store = RdflibDataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        store.bind(prefix, namespace, override=True, replace=True)
    graphs: list[GraphInfo] = []
    seen: set[Path] = set()
    for path, display in files:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        graphs.extend(_load_file(store, path, display))
    return Dataset(store, graphs)


def expand(given: str | Path) -> list[Path]:
    """The RDF files a user-given path stands for (a file, or every RDF file under a folder)."""
    path = Path(given)
    if path.is_dir():
        return rdf_files(path)
    if not path.exists():
        raise InputError(str(given), "no such file or directory")
    format_for(path, str(given))
    return [path]


def rdf_files(folder: Path) -> list[Path]:
    """Every file with a known RDF extension under ``folder``, in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in RDF_FORMATS)


def format_for(path: Path, display: str | None = None) -> ox.RdfFormat:
    """The RDF format of a file, from its extension."""
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise InputError(
            display or str(path),
            f"unknown RDF file extension {path.suffix or '(none)'!r}; use one of {known}",
        )
    return fmt


def graph_name(path: Path) -> str:
    """The named graph of a file: stable for shipped files, a file: IRI for the user's."""
    resolved = path.resolve()
    try:
        relative = resolved.relative_to(bundled_root())
    except ValueError:
        return resolved.as_uri()
    if relative.parts[0] in ("ontology", "data"):
        return GRAPH_BASE + relative.as_posix()
    return resolved.as_uri()


def read_quads(path: Path, display: str) -> Iterator[ox.Quad]:
    """Parse one file with Oxigraph, turning its errors into :class:`InputError`."""
    fmt = format_for(path, display)
    try:
        yield from ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except SyntaxError as error:
        message = _PARSER_PREFIX.sub("", str(error.msg or error))
        message = re.sub(r" \([^()]*, line \d+\)$", "", message)
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD @context documents are never fetched; put the @context inline"
        else:
            message += " (fix the syntax there)"
        raise InputError(display, message, error.lineno, error.offset) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(display, f"cannot read the file: {reason}") from None


def _load_file(store: RdflibDataset, path: Path, display: str) -> list[GraphInfo]:
    default_name = graph_name(path)
    bnode_prefix = "b" + hashlib.sha1(default_name.encode()).hexdigest()[:8] + "x"
    batches: dict[str, list] = {}
    with _quiet_literal_warnings():
        for quad in read_quads(path, display):
            name = default_name if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
            batches.setdefault(name, []).append(
                (
                    _to_rdflib(quad.subject, bnode_prefix),
                    _to_rdflib(quad.predicate, bnode_prefix),
                    _to_rdflib(quad.object, bnode_prefix),
                )
            )
    if not batches:
        batches[default_name] = []
    infos = []
    for name, triples in batches.items():
        graph = store.graph(URIRef(name))
        graph.addN((s, p, o, graph) for s, p, o in triples)
        infos.append(GraphInfo(name, path, display, _role(path, graph), len(graph)))
    return infos


def _role(path: Path, graph: Graph) -> str:
    if any((None, RDF.type, shape_type) in graph for shape_type in _SHAPE_TYPES):
        return "shapes"
    try:
        path.resolve().relative_to(ontology_dir())
        return "ontology"
    except ValueError:
        return "data"


def _to_rdflib(term, bnode_prefix: str):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(bnode_prefix + term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(bundled_root()).as_posix()
    except ValueError:
        return str(path)


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
