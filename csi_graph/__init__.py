"""csi-graph: the linked-open-data knowledge graph of French integrated security contracts.

A researcher's entry point::

    from csi_graph import load, validate
    ds = load()                      # ontology + schemes + shapes + shipped data
    report = validate(ds)            # SHACL validation, as a value
    print(report.to_text(lang="fr"))

Heavy modules (rdflib, pySHACL) are imported only when a name that needs them is used,
so that ``csi-graph --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load": "csi_graph.loader",
    "Dataset": "csi_graph.dataset",
    "validate": "csi_graph.validation",
    "ValidationReport": "csi_graph.validation",
    "ValidationResult": "csi_graph.validation",
    "summarise": "csi_graph.info",
    "build_tables": "csi_graph.tables",
    "build_package": "csi_graph.package",
    "PublishSettings": "csi_graph.catalog",
    "CsiError": "csi_graph.errors",
    "InputError": "csi_graph.errors",
}

__all__ = [*sorted(_LAZY), "__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'csi_graph' has no attribute {name!r}")
    return getattr(import_module(module), name)
