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
from csi_graph.store import ANCHOR_BYTES, Store

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

# Above this many bytes of source files, commands that run a few queries keep the loaded
# store in the on-disk cache (see csi_graph.cache); below, parsing is faster than opening it.
CACHE_FROM_BYTES = 1_000_000
_BULK_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES)  # triples only: one target graph
_PARSER_PREFIX = re.compile(r"^Parser error [^:]*: ")


def load(
    paths: Iterable[str | Path] = (),
    *,
    contracts: bool = True,
    cache: bool | str | Path = False,
    store: str | None = None,
) -> Dataset:
    """Load the ontology, the reference data, the shipped contracts and ``paths``.

    The ontology (vocabulary, SKOS schemes, SHACL shapes) and the national reference
    data (``data/reference/``: the circular, the FIPD...) are always loaded, since every
    contract points to them; ``contracts=False`` leaves out the shipped contracts, to
    look at the user's files alone. ``paths`` may name files or folders (read
    recursively). Each file becomes one named graph; a TriG or N-Quads file keeps the
    graph names it declares.

    Everything goes into one embedded Oxigraph store, in memory. ``cache=True`` (or a
    folder) keeps the loaded store on disk instead, keyed by the files' content, so that
    loading the same files again opens it rather than parsing (see :mod:`csi_graph.cache`).
    ``store`` is accepted for compatibility only: Oxigraph is the one store.
    """
    if store not in (None, "auto", "oxigraph"):
        raise CsiError(
            f"unknown store {store!r}: csi-graph keeps its data in Oxigraph; "
            "for an rdflib Graph, use Dataset.to_rdflib()"
        )
    files = source_files(paths, contracts=contracts)
    if cache is not False:
        from csi_graph.cache import cache_root, load_cached

        names = [graph_name(path) for path, _ in files]
        return load_cached(files, names, cache_root(cache), fill)
    backend = Store()
    return Dataset(backend, fill(backend, files, anchor=True))


def source_files(paths: Iterable[str | Path] = (), *, contracts: bool = True) -> list[tuple[Path, str]]:
    """The files a load reads, each with the name messages give it, in loading order, each once."""
    shipped = rdf_files(ontology_dir()) + rdf_files(data_dir() / "reference")
    if contracts:
        shipped += rdf_files(data_dir() / "contracts")
    candidates = [(p, _display(p)) for p in shipped]
    for given in paths:
        candidates += [(p, str(p)) for p in expand(given)]
    files: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path, display in candidates:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            files.append((path, display))
    return files


def input_size(files: Iterable[Path]) -> int:
    """The bytes of the given files (unreadable ones count for nothing: reading them will say why)."""
    size = 0
    for path in files:
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    return size


def fill(store: Store, files: list[tuple[Path, str]], *, anchor: bool = False) -> list[GraphInfo]:
    """Load ``files`` into ``store``, one named graph each (a TriG or N-Quads file: its own graphs).

    With ``anchor``, the largest file above :data:`~csi_graph.store.ANCHOR_BYTES` is loaded
    last and kept out of the default graph's copy (see :mod:`csi_graph.store`).
    """
    from csi_graph.literals import scan_file

    chosen = _anchor(files) if anchor else None
    loaded: dict[int, list[GraphInfo]] = {}
    order = [i for i in range(len(files)) if i != chosen] + ([chosen] if chosen is not None else [])
    for index in order:
        path, display = files[index]
        loaded[index] = _load_file(store, path, display, anchor=index == chosen)
        scan_file(path, display)  # literals the store changes: warned about, validated as written
    return [info for index in range(len(files)) for info in loaded[index]]


def _anchor(files: list[tuple[Path, str]]) -> int | None:
    sizes = [
        (input_size([path]), index)
        for index, (path, _) in enumerate(files)
        if RDF_FORMATS.get(path.suffix.lower()) in _BULK_FORMATS
    ]
    size, index = max(sizes, default=(0, None))
    return index if size > ANCHOR_BYTES else None


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


def _load_file(store: Store, path: Path, display: str, *, anchor: bool = False) -> list[GraphInfo]:
    default_name = graph_name(path)
    fmt = format_for(path, display)
    if fmt in _BULK_FORMATS and not starts_with_bom(path):
        try:
            count = store.load_file(path, fmt, path.resolve().as_uri(), default_name, anchor=anchor)
        except (SyntaxError, OSError):
            for _ in read_quads(path, display):  # raises the InputError with file:line:col
                pass
            raise
        return [GraphInfo(default_name, path, display, _role(path, default_name, store), count)]
    bnode_prefix = "b" + hashlib.sha1(default_name.encode()).hexdigest()[:8] + "x"
    counts = store.add(read_quads(path, display), default_name, bnode_prefix)
    return [GraphInfo(name, path, display, _role(path, name, store), count) for name, count in counts.items()]


def _role(path: Path, graph: str, store: Store) -> str:
    """Shapes come only from the ontology folder: a data file that declares shapes (or switches
    them off) stays data, and validation reports it (queries/checks/shape-in-data-violation.rq)."""
    try:
        path.resolve().relative_to(ontology_dir())
    except ValueError:
        return "data"
    return "shapes" if store.is_shapes_graph(graph) else "ontology"


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(bundled_root()).as_posix()
    except ValueError:
        return str(path)
