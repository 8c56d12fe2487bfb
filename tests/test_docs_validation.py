"""docs/validation.md says what the code does: its console examples and its Python example run."""

from __future__ import annotations

import re
import shlex

import pytest
from conftest import ROOT

from csi_graph.cli import cli

PAGE = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
# The triples loaded change with the ontology and the data; everything else is as shown.
_TRIPLES = re.compile(r" in \d+ triples")


def console_examples() -> list[tuple[str, str]]:
    """Each ``$ csi-graph ...; echo $?`` of the page, with the output shown under it."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", PAGE, re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = part.partition("\n")
            examples.append((command, output))
    return examples


def test_the_page_has_examples():
    assert len(console_examples()) >= 5


@pytest.mark.parametrize(("command", "output"), console_examples(), ids=lambda value: value[:70])
def test_console_examples_give_the_output_shown(runner, monkeypatch, command, output):
    monkeypatch.chdir(ROOT)
    assert command.endswith("; echo $?")
    arguments = shlex.split(command.removesuffix("; echo $?"))
    assert arguments[0] == "csi-graph"
    result = runner.invoke(cli, arguments[1:])
    shown, _, code = output.rstrip("\n").rpartition("\n")
    assert int(code) == result.exit_code, result.output
    assert _TRIPLES.sub(" in N triples", result.output) == _TRIPLES.sub(" in N triples", shown + "\n")


def test_python_example_runs(capsys):
    block = re.search(r"```python\n(.*?)```", PAGE, re.S).group(1)
    exec(compile(block, "docs/validation.md", "exec"), {})
    assert capsys.readouterr().out.startswith("Valid: 0 violations, 0 warnings, ")


def test_the_page_links_the_implementation_report_and_the_benchmarks():
    assert "(shacl-conformance.md)" in PAGE
    assert (ROOT / "docs" / "shacl-conformance.md").is_file()
    anchor = re.search(r"BENCHMARKS\.md#([\w-]+)", PAGE).group(1)
    headings = re.findall(r"^#+ (.+)$", (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"), re.M)
    slugs = {re.sub(r"[^\w -]", "", h).strip().lower().replace(" ", "-") for h in headings}
    assert anchor in slugs
