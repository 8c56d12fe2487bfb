"""docs/queries.md says what the code does: the prefixes declared, the BASE, the engine differences.

Its console examples run with every page's, in test_docs_examples.py.
"""

from __future__ import annotations

import re

from conftest import ROOT

from csi_graph.namespaces import DATA_BASE, PREFIXES
from csi_graph.queries import PROLOGUE

PAGE = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")


def test_the_page_lists_exactly_the_declared_prefixes_and_base():
    listed = dict(re.findall(r"^\| `([\w-]+):` \| `([^`]+)` \|$", PAGE, re.M))
    assert listed == PREFIXES
    assert f"`BASE` is `{DATA_BASE}`" in PAGE
    assert PROLOGUE.startswith(f"BASE <{DATA_BASE}> ")
    assert all(f"PREFIX {prefix}: <{namespace}>" in PROLOGUE for prefix, namespace in PREFIXES.items())


def test_the_engine_differences_name_what_the_tests_check():
    """The rules the page gives for parameters are the ones a query meets."""
    from csi_graph.loader import load

    dataset = load([], contracts=False)
    top = dataset.query('SELECT ?v WHERE { BIND("x" AS ?v) FILTER(?v = ?p) }', p="x")
    assert [row["v"] for row in top] == ["x"]
    nested = dataset.query('SELECT ?v WHERE { { BIND("x" AS ?v) FILTER(?v = ?p) } }', p="x")
    assert len(nested) == 0, "a parameter is not visible inside a nested group, as the page says"
