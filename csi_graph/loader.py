"""The one loader every command goes through.

``load()`` reads the ontology (vocabulary, SKOS schemes, SHACL shapes), the shipped data
and any paths the user gives into one :class:`~csi_graph.dataset.Dataset`, with a named
graph per source file. Files are parsed by Oxigraph's parsers (fast, precise error
positions, and a JSON-LD parser that never fetches a remote ``@context``); a syntax error
becomes an :class:`~csi_graph.errors.InputError` naming the file, line and column.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from csi_graph.dataset import Dataset, GraphInfo
from csi_graph.errors import CsiError, InputError
from csi_graph.files import BOM, check_readable, files_under, starts_with_bom
from csi_graph.limits import check_rdf_file
from csi_graph.namespaces import GRAPH_BASE
from csi_graph.resources import bundled_root, data_dir, ontology_dir
from csi_graph.store import OxigraphStore, RdflibStore

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

STORES = ("auto", "rdflib", "oxigraph")
# Above this many bytes of source files, "auto" loads into Oxigraph: about 17,000 triples
# of Turtle, where rdflib starts to take seconds (see BENCHMARKS.md).
AUTO_OXIGRAPH_BYTES = 1_000_000
_BULK_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)  # triples only: one target graph
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")


def load(
    paths: Iterable[str | Path] = (),
    *,
    contracts: bool = True,
    store: str = "auto",
    cache: bool | str | Path = False,
) -> Dataset:
    """Load the ontology, the reference data, the shipped contracts and ``paths``.

    The ontology (vocabulary, SKOS schemes, SHACL shapes) and the national reference
    data (``data/reference/``: the circular, the FIPD...) are always loaded, since every
    contract points to them; ``contracts=False`` leaves out the shipped contracts, to
    look at the user's files alone. ``paths`` may name files or folders (read
    recursively). Each file becomes one named graph; a TriG or N-Quads file keeps the
    graph names it declares.

    ``store`` is ``"rdflib"`` (in memory, the reference engine), ``"oxigraph"`` (embedded
    Oxigraph, 10–50× faster on large data) or ``"auto"``: Oxigraph when the files weigh
    more than :data:`AUTO_OXIGRAPH_BYTES`. With Oxigraph, ``cache=True`` (or a folder)
    keeps the loaded store on disk, keyed by the files' content, so that loading the same
    files again opens it instead of parsing (see :mod:`csi_graph.cache`).
    """
    files: list[tuple[Path, str]] = []
    shipped = rdf_files(ontology_dir()) + rdf_files(data_dir() / "reference")
    if contracts:
        shipped += rdf_files(data_dir() / "contracts")
    candidates = [(p, _display(p)) for p in shipped]
    for given in paths:
        candidates += [(p, str(p)) for p in expand(given)]
    seen: set[Path] = set()
    for path, display in candidates:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            files.append((path, display))

    kind = choose_store(store, [path for path, _ in files])
    if kind == "oxigraph" and cache is not False:
        from csi_graph.cache import cache_root, load_cached

        names = [graph_name(path) for path, _ in files]
        return load_cached(files, names, cache_root(cache), _fill)
    backend = new_store(kind)
    return Dataset(backend, _fill(backend, files))


def choose_store(store: str, files: Iterable[Path]) -> str:
    """The store to use: ``store`` itself, or for ``"auto"`` one chosen by the files' size."""
    if store not in STORES:
        raise CsiError(f"unknown store {store!r}; use one of {', '.join(STORES)}")
    if store != "auto":
        return store
    size = 0
    for path in files:
        with contextlib.suppress(OSError):  # reading it will say what is wrong
            size += path.stat().st_size
    return "oxigraph" if size > AUTO_OXIGRAPH_BYTES else "rdflib"


def new_store(kind: str) -> RdflibStore | OxigraphStore:
    if kind == "rdflib":
        return RdflibStore()
    if kind == "oxigraph":
        return OxigraphStore()
    raise CsiError(f"unknown store {kind!r}; use one of {', '.join(STORES[1:])}")


def _fill(store: RdflibStore | OxigraphStore, files: list[tuple[Path, str]]) -> list[GraphInfo]:
    graphs: list[GraphInfo] = []
    for path, display in files:
        graphs.extend(_load_file(store, path, display))
    return graphs


def expand(given: str | Path) -> list[Path]:
    """The RDF files a user-given path stands for (a file, or every RDF file under a folder)."""
    path = Path(given)
    try:
        folder = path.is_dir()
    except OSError as error:  # a name too long, a loop of links...
        raise InputError(str(given), f"cannot read: {error.strerror or error}") from None
    if folder:
        return rdf_files(path)
    check_readable(path, str(given))  # missing, a dangling link, a FIFO...: said, never blocked on
    format_for(path, str(given))
    return [path]


def rdf_files(folder: Path) -> list[Path]:
    """Every file with a known RDF extension under ``folder``, in a stable order (an unreadable
    sub-folder or a dangling link is an error, not a silent gap)."""
    return files_under(folder, RDF_FORMATS)


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
    """The named graph of a file: stable for shipped files; for the user's, a name that does not
    reveal where the file lies (graph names are served and published): a hash of its absolute
    path and its file name, ``https://w3id.org/csi-graph/graph/file/<hash>/<name>``."""
    resolved = path.resolve()
    try:
        relative = resolved.relative_to(bundled_root())
    except ValueError:
        relative = None
    if relative is not None and relative.parts[0] in ("ontology", "data"):
        return GRAPH_BASE + relative.as_posix()
    digest = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{GRAPH_BASE}file/{digest}/{quote(resolved.name, safe='')}"


def read_quads(path: Path, display: str) -> Iterator[ox.Quad]:
    """Parse one file with Oxigraph, turning its errors into :class:`InputError`."""
    fmt = format_for(path, display)
    check_rdf_file(path, fmt, display)  # JSON-LD and RDF/XML: size, XML entities and depth
    try:
        if starts_with_bom(path):  # Oxigraph's Turtle parsers refuse a byte-order mark: skip it
            with open(path, "rb") as handle:
                handle.read(len(BOM))
                yield from ox.parse(handle, format=fmt, base_iri=path.resolve().as_uri())
            return
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


def _load_file(store: RdflibStore | OxigraphStore, path: Path, display: str) -> list[GraphInfo]:
    default_name = graph_name(path)
    fmt = format_for(path, display)
    if isinstance(store, OxigraphStore) and fmt in _BULK_FORMATS and not starts_with_bom(path):
        try:
            count = store.load_file(path, fmt, path.resolve().as_uri(), default_name)
        except (SyntaxError, OSError):
            for _ in read_quads(path, display):  # raises the InputError with file:line:col
                pass
            raise
        return [GraphInfo(default_name, path, display, _role(path, default_name, store), count)]
    bnode_prefix = "b" + hashlib.sha1(default_name.encode()).hexdigest()[:8] + "x"
    counts = store.add(read_quads(path, display), default_name, bnode_prefix)
    return [GraphInfo(name, path, display, _role(path, name, store), count) for name, count in counts.items()]


_SHAPE_ASK = (
    "ASK {{ GRAPH <{}> {{ ?shape a ?type "
    "VALUES ?type {{ <http://www.w3.org/ns/shacl#NodeShape> <http://www.w3.org/ns/shacl#PropertyShape> }} }} }}"
)


def _role(path: Path, graph: str, store: RdflibStore | OxigraphStore) -> str:
    """Shapes come only from the ontology folder: a data file that declares shapes (or switches
    them off) stays data, and validation reports it (queries/checks/shape-in-data-violation.rq)."""
    try:
        path.resolve().relative_to(ontology_dir())
    except ValueError:
        return "data"
    return "shapes" if store.query(_SHAPE_ASK.format(graph)).boolean else "ontology"


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(bundled_root()).as_posix()
    except ValueError:
        return str(path)
