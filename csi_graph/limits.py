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
        "QUERY_TIMEOUT", 60.0, "seconds", "default time a local or remote query may run (csi-graph query --timeout)"
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


class LimitExceeded(CsiError):
    """An input or a piece of work went past one of the :data:`LIMITS` (exit code 2)."""

    def __init__(self, message: str, name: str | None = None) -> None:
        if name is not None:
            message += f" (limit CSI_GRAPH_{name}={limit(name):g} {LIMITS[name].unit})"
        super().__init__(message)
        self.name = name
