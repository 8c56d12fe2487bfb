"""Where the ontology, the shipped data and the named queries are.

In a source checkout (or an editable install) they are the top-level ``ontology/``,
``data/`` and ``queries/`` folders; in a built wheel they are copied inside the package
as ``csi_graph/_bundled/`` so that an installed ``csi-graph`` finds them from any directory.
"""

from __future__ import annotations

from pathlib import Path

from csi_graph.errors import CsiError

PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_root() -> Path:
    """The folder that holds ``ontology/``, ``data/`` and ``queries/``."""
    for root in (PACKAGE_DIR / "_bundled", PACKAGE_DIR.parent):
        if (root / "ontology").is_dir():
            return root
    raise CsiError(
        f"the bundled ontology was not found next to {PACKAGE_DIR}; reinstall csi-graph "
        "(pip install csi-graph) or run it from a source checkout"
    )


def ontology_dir() -> Path:
    return bundled_root() / "ontology"


def data_dir() -> Path:
    return bundled_root() / "data"


def queries_dir() -> Path:
    return bundled_root() / "queries"
