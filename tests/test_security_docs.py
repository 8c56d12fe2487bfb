"""docs/security.md says what the code does: its limits table is the code's, its serve options
and defaults are the command's, and every console example is run here and gives that output."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from csi_graph.cli import serve
from csi_graph.limits import markdown_table

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "security.md"


def examples() -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ `` line of the page's console blocks."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S):
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


def test_the_limits_table_is_the_codes():
    assert markdown_table() in PAGE.read_text(encoding="utf-8")


def test_the_serve_options_table_gives_the_commands_defaults():
    text = PAGE.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(--[a-z-]+)` \| ([^|]+) \|", text, re.M))
    options = {f"--{p.name.replace('_', '-')}": p.default for p in serve.params if p.name != "paths"}
    assert len(rows) == 8
    for option, written in rows.items():
        default = options[option]
        shown = str(default if not isinstance(default, float) else f"{default:g}")
        assert written.strip().startswith(shown) or (default == 0 and written.startswith("0")), option


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[c[:60] for c, _ in examples()])
def test_each_console_example_gives_its_output(command, expected):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert (result.stdout + result.stderr).rstrip("\n") == expected
