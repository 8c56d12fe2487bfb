"""The queries the benchmarks run: the named queries of ``queries/`` and the workload of
``benchmarks/queries/`` (names prefixed ``workload/``)."""

from __future__ import annotations

from pathlib import Path

from csi_graph.queries import NamedQuery, library

WORKLOAD = Path(__file__).resolve().parent / "queries"


def named_queries() -> dict[str, NamedQuery]:
    """Every query by name: the library's, then the workload's."""
    return {**library(), **{f"workload/{name}": query for name, query in library(WORKLOAD).items()}}
