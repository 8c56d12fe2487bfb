"""Every bound csi-graph puts on its inputs and on its work, with its default, in one place.

A public SPARQL endpoint, a contract file received by e-mail or a query pasted from a
forum must never make csi-graph run for hours, fill the memory or crash: each input has
a size, depth and time bound, and going past one gives a clear error that names the
limit and how to raise it. ``docs/security.md`` lists them all (a test checks that the
table there matches :data:`LIMITS`).

Limits of the server (time per query, rows, body size, connections, timeouts) are options
of ``csi-graph serve``; the others can be changed with an environment variable
``CSI_GRAPH_<NAME>`` (for instance ``CSI_GRAPH_QUERY_MAX_NESTING=200``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from csi_graph.errors import CsiError

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limit:
    """One bound: its name (``CSI_GRAPH_<name>`` changes it), default, unit and purpose."""

    name: str
    default: int | float
    unit: str
    what: str


_ALL = (
    # SPARQL text, before any engine sees it (csi_graph.sparql).
    Limit("QUERY_MAX_CHARS", 256 * KIB, "characters", "length of a SPARQL query checked and run"),
    Limit("QUERY_MAX_NESTING", 100, "levels", "nesting of { } ( ) [ ] in a SPARQL query"),
    Limit(
        "QUERY_TIMEOUT",
        60.0,
        "seconds",
        "default time a local or remote query may run (csi-graph query --timeout)",
    ),
    # RDF files (csi_graph.loader, checked before Oxigraph parses them).
    Limit(
        "TREE_INPUT_MAX_BYTES",
        100 * MIB,
        "bytes",
        "size of one JSON-LD or RDF/XML file (parsed in memory, about 16 times its size)",
    ),
    Limit("XML_MAX_DEPTH", 500, "elements", "nesting of elements in an RDF/XML file"),
    Limit(
        "XML_MAX_ENTITY_EXPANSION",
        10 * MIB,
        "characters",
        "text that XML entity references (&name;) may add to an RDF/XML file",
    ),
    # Authoring files (csi_graph.authoring.yamlfile).
    Limit("YAML_MAX_BYTES", 5 * MIB, "bytes", "size of a YAML authoring file"),
    Limit("YAML_MAX_NODES", 200_000, "values", "values in a YAML file, aliases (*name) counted each time"),
    Limit("YAML_MAX_DEPTH", 40, "levels", "nesting of mappings and lists in a YAML file"),
    # Export and package: blank-node canonicalisation (RDFC-1.0) can be exponential.
    Limit(
        "CANON_MAX_SECONDS", 60.0, "seconds", "time to give canonical labels to blank nodes (export, package)"
    ),
    Limit("CANON_MAX_MEMORY", 4096 * MIB, "bytes", "memory for canonical labels of blank nodes"),
    # Remote SPARQL endpoints (csi_graph.remote).
    Limit("REMOTE_MAX_RESPONSE_BYTES", 512 * MIB, "bytes", "size of an answer read from a remote endpoint"),
)
LIMITS: dict[str, Limit] = {limit.name: limit for limit in _ALL}

# Defaults of csi-graph serve's limits (its options change them; docs/security.md lists them).
SERVE_TIME_LIMIT = 10.0  # seconds a query runs before its worker is killed
SERVE_MAX_ROWS = 10_000  # rows (or triples) a query returns
SERVE_MAX_BODY = 64 * KIB  # bytes of a request body or query text
SERVE_WORKERS = 2  # query worker processes
SERVE_MAX_CONNECTIONS = 2048  # open connections
SERVE_MAX_PER_CLIENT = 0  # open connections from one address (0: no limit)
SERVE_CLIENT_TIMEOUT = 10.0  # seconds to send a request's headers, then its body
SERVE_MAX_HEADER = 128 * KIB  # bytes of request line and headers

# Stack of the threads that parse and run SPARQL (virtual memory, used only as deep as a
# query nests): Oxigraph and the SPARQL parser recurse once per level of a query, and a
# thread's default 8 MB stack overflows (a crash, not an error) at a few thousand levels.
STACK_BYTES = 512 * MIB


def limit(name: str) -> int | float:
    """The value of a limit: ``CSI_GRAPH_<name>`` if set (a positive number), else its default."""
    spec = LIMITS[name]
    raw = os.environ.get(f"CSI_GRAPH_{name}")
    if raw is None or not raw.strip():
        return spec.default
    try:
        value = float(raw) if isinstance(spec.default, float) else int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise CsiError(f"CSI_GRAPH_{name}={raw!r}: give a positive number of {spec.unit}")
    return value


def described(name: str) -> str:
    """`` (limit CSI_GRAPH_NAME=value unit)``: what an error appends to say which limit and how to change it."""
    value = limit(name)
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f" (limit CSI_GRAPH_{name}={shown} {LIMITS[name].unit})"


class LimitExceeded(CsiError):
    """An input or a piece of work went past one of the :data:`LIMITS` (exit code 2)."""

    def __init__(self, message: str, name: str | None = None) -> None:
        if name is not None:
            message += described(name)
        super().__init__(message)
        self.name = name


# Inputs parsed in memory: checked before Oxigraph reads them --------------------------------


def check_rdf_file(path, fmt, display: str) -> None:
    """Refuse a JSON-LD or RDF/XML file past the limits, before the parser allocates for it.

    Oxigraph parses these two formats in memory (a JSON-LD file takes about 16 times its size)
    and expands XML entities without bound (a 1 KB "billion laughs" file asks for gigabytes);
    Turtle, N-Triples, N-Quads and TriG stream and need no such bound. ``fmt`` is an
    ``pyoxigraph.RdfFormat``; the error is an :class:`~csi_graph.errors.InputError`.
    """
    name = getattr(fmt, "name", str(fmt))
    if name not in ("JSON-LD", "RDF/XML"):
        return
    from csi_graph.errors import InputError

    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it will say what is wrong
    if size > limit("TREE_INPUT_MAX_BYTES"):
        raise InputError(
            display,
            f"{size:,} bytes of {name}, which is parsed in memory: convert it to N-Triples or Turtle, which "
            f"stream{described('TREE_INPUT_MAX_BYTES')}",
        )
    if name == "RDF/XML":
        _scan_xml(path, size, display)


class _XmlRefused(Exception):
    pass


def _scan_xml(path, size: int, display: str) -> None:
    """Walk an XML file with expat (C, streaming) for what would blow Oxigraph's parser up:
    entity declarations that are external or parameter entities, entity expansion past the
    limit, and elements nested past the limit. Syntax errors are left to Oxigraph to report."""
    from xml.parsers import expat

    from csi_graph.errors import InputError

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    max_depth, allowed = limit("XML_MAX_DEPTH"), size + limit("XML_MAX_ENTITY_EXPANSION")
    state = {"depth": 0, "text": 0}

    def declared(name, is_parameter, value, base, system_id, public_id, notation) -> None:
        if is_parameter or value is None:
            kind = "a parameter entity" if is_parameter else "an external entity"
            raise _XmlRefused(f"declares {kind} ({name}): csi-graph reads no entity from outside the file")

    def counted(length: int) -> None:
        state["text"] += length
        if state["text"] > allowed:
            raise _XmlRefused(
                "its entities (&name;) expand it to more text than allowed"
                + described("XML_MAX_ENTITY_EXPANSION")
            )

    def start(name, attributes) -> None:
        state["depth"] += 1
        if state["depth"] > max_depth:
            raise _XmlRefused(f"elements nested more than {max_depth} deep" + described("XML_MAX_DEPTH"))
        counted(len(name) + sum(len(k) + len(v) for k, v in attributes.items()))

    def end(name) -> None:
        state["depth"] -= 1

    parser.EntityDeclHandler = declared
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = lambda data: counted(len(data))
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _XmlRefused as error:
        raise InputError(
            display, f"refused: {error}", parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        ) from None
    except expat.ExpatError as error:
        if "amplification" in str(error):  # expat's own guard against "billion laughs"
            raise InputError(
                display,
                f"refused: its entities (&name;) expand without bound ({error})",
                error.lineno,
                error.offset + 1,
            ) from None
    except OSError:
        return  # reading it will say what is wrong


def markdown_table() -> str:
    """The limits as the Markdown table of ``docs/security.md`` (a test keeps the two equal)."""
    rows = ["| setting | default | what it bounds |", "|---|---|---|"]
    for spec in LIMITS.values():
        value = f"{spec.default:g}" if isinstance(spec.default, float) else f"{spec.default}"
        rows.append(f"| `CSI_GRAPH_{spec.name}` | {value} {spec.unit} | {spec.what} |")
    return "\n".join(rows)
