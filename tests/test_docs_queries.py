"""docs/queries.md says what the code does: the prefixes declared, the BASE, and its examples' output."""

from __future__ import annotations

import re
import shlex

import pytest
from conftest import ROOT

from csi_graph.cli import cli
from csi_graph.namespaces import DATA_BASE, PREFIXES
from csi_graph.queries import PROLOGUE

PAGE = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, str]]:
    """Each ``$ csi-graph ...`` command of the page's console blocks, with the output shown under it."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", PAGE, re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = part.partition("\n")
            examples.append((command, output))
    return examples


def test_the_page_lists_exactly_the_declared_prefixes_and_base():
    listed = dict(re.findall(r"^\| `([\w-]+):` \| `([^`]+)` \|$", PAGE, re.M))
    assert listed == PREFIXES
    assert f"`BASE` is `{DATA_BASE}`" in PAGE
    assert PROLOGUE.startswith(f"BASE <{DATA_BASE}> ")
    assert all(f"PREFIX {prefix}: <{namespace}>" in PROLOGUE for prefix, namespace in PREFIXES.items())


@pytest.mark.parametrize(("command", "output"), console_examples(), ids=lambda value: value[:60])
def test_console_examples_give_the_output_shown(runner, command, output):
    arguments = shlex.split(command)
    assert arguments[0] == "csi-graph"
    result = runner.invoke(cli, arguments[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout == output


def test_the_engine_differences_name_what_the_tests_check():
    """The rules the page gives for parameters are the ones a query meets."""
    from csi_graph.loader import load

    dataset = load([], contracts=False)
    top = dataset.query('SELECT ?v WHERE { BIND("x" AS ?v) FILTER(?v = ?p) }', p="x")
    assert [row["v"] for row in top] == ["x"]
    nested = dataset.query('SELECT ?v WHERE { { BIND("x" AS ?v) FILTER(?v = ?p) } }', p="x")
    assert len(nested) == 0, "a parameter is not visible inside a nested group, as the page says"
