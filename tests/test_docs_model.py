"""The console examples of docs/model.md and docs/authoring.md are real output: each is run again.

A block ``````console`` holds ``$ csi-graph ...`` lines, each followed by what the command
printed (standard output, then standard error, as a terminal shows them). The commands run
from the checkout's root, like a reader would; ``cd tests/fixtures`` or similar is not used.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from csi_graph.cli import cli

PAGES = [ROOT / "docs" / "model.md", ROOT / "docs" / "authoring.md"]
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def examples(page: Path) -> list[tuple[str, str]]:
    """``(command, expected output)`` for every ``$ csi-graph`` line of the page's console blocks."""
    found = []
    for block in BLOCK.findall(page.read_text(encoding="utf-8")):
        command, output = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            found.append((command, "\n".join(output)))
    return found


CASES = [
    (page.name, command, output) for page in PAGES if page.exists() for command, output in examples(page)
]


def run(command: str, monkeypatch) -> str:
    words = shlex.split(command)
    assert words[0] == "csi-graph", command
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, words[1:])
    return (result.stdout + result.stderr).rstrip("\n")


@pytest.mark.parametrize("page,command,expected", CASES, ids=[f"{p}: {c}" for p, c, _ in CASES])
def test_console_example_is_real_output(page, command, expected, monkeypatch):
    assert run(command, monkeypatch) == expected.rstrip("\n")


def test_the_pages_have_examples():
    assert len(CASES) >= 6
