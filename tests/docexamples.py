"""Console examples in the README and docs/, run as written and compared with what they show.

Every fenced ``console`` block is a sequence of ``$ command`` lines, each followed by the
output it prints (stdout and stderr together). The examples of one page run in order, in
one scratch copy of the repository, so an example may use a file an earlier one wrote; the
checkout itself is never written to.

Conventions a page may use:

* A line ``...`` in an output stands for any number of lines; ``...`` inside a line stands
  for any text.
* ``<!-- examples: ports=8000,7878 -->`` (anywhere in the page): these ports are replaced by
  free ones when the commands run, and back again in what they print, so pages can show the
  documented defaults while tests run side by side.
* ``<!-- example: server -->`` just before a block: its command keeps running (a server);
  its output is compared once its port answers, and it is stopped when the page ends.
  A command ending with ``&`` also runs in the background, its output unchecked.

Refresh the outputs shown after a change, as sqlite-utils does with cog::

    python tests/docexamples.py --update README.md docs/*.md

which rewrites each block's output with the real one (keeping a block's ``...`` elision
where it had one: as many lines before and after it as before).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# __pycache__ is copied: the examples run the copy's csi_graph, whose sources keep their dates,
# so Python reads the compiled modules instead of compiling them for each command.
SKIP_COPY = {".git", ".venv", "venv", ".pytest_cache", ".ruff_cache", "node_modules", "out"}
ELLIPSIS = "..."
COMMAND_TIMEOUT = 300
SERVER_TIMEOUT = 60


@dataclass
class Example:
    command: str
    expected: list[str]
    line: int  # 1-based line of the "$ " in the page
    output_lines: tuple[int, int] = (0, 0)  # [start, end) indexes of the output in the page


@dataclass
class Block:
    examples: list[Example]
    server: bool = False


@dataclass
class Page:
    path: Path
    blocks: list[Block]
    ports: list[int] = field(default_factory=list)


def pages(paths: list[Path] | None = None) -> list[Path]:
    """The README and every page of docs/ (not docs/research/) that has a console example."""
    candidates = paths or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [p for p in candidates if "```console" in p.read_text(encoding="utf-8")]


def parse(path: Path) -> Page:
    lines = path.read_text(encoding="utf-8").splitlines()
    text = "\n".join(lines)
    ports_match = re.search(r"<!--\s*examples:\s*ports=([\d,\s]+)-->", text)
    ports = [int(p) for p in ports_match.group(1).replace(" ", "").split(",") if p] if ports_match else []
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```console":
            index += 1
            continue
        server = any("<!-- example: server -->" in lines[j] for j in range(max(0, index - 2), index))
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        blocks.append(Block(list(_examples(lines, index + 1, end)), server=server))
        index = end + 1
    return Page(path, blocks, ports)


def _examples(lines: list[str], start: int, end: int) -> Iterator[Example]:
    index = start
    while index < end:
        if not lines[index].startswith("$ "):
            index += 1  # text before the first command: not an example
            continue
        line = index + 1
        command = lines[index][2:]
        index += 1
        while index < end and _continues(command):
            command += "\n" + lines[index]
            index += 1
        out_start = index
        while index < end and not lines[index].startswith("$ "):
            index += 1
        yield Example(command, lines[out_start:index], line, (out_start, index))


def _continues(command: str) -> bool:
    """Whether a command goes on over the next line (a backslash, an open quote, a heredoc)."""
    if command.endswith("\\"):
        return True
    heredoc = re.search(r"<<-?\s*'?\"?(\w+)'?\"?", command)
    if heredoc and not re.search(rf"\n{heredoc.group(1)}$", command):
        return True
    try:
        # shlex knows no ANSI-C quoting ($'...', where \' is a quote): take those strings out first.
        shlex.split(re.sub(r"\$'(?:[^'\\]|\\.)*'", "''", command), comments=False)
    except ValueError:
        return True
    return False


def matches(expected: list[str], actual: list[str]) -> bool:
    """``actual`` fits ``expected``, where ``...`` lines and ``...`` in a line match anything."""
    patterns = [
        None
        if line.strip() == ELLIPSIS
        else re.compile(".*".join(map(re.escape, line.split(ELLIPSIS))) + r"\Z")
        for line in expected
    ]

    memo: dict[tuple[int, int], bool] = {}

    def fits(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(patterns):
            result = j == len(actual)
        elif patterns[i] is None:
            result = any(fits(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            result = j < len(actual) and bool(patterns[i].match(actual[j])) and fits(i + 1, j + 1)
        memo[(i, j)] = result
        return result

    return fits(0, 0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_copy(destination: Path) -> Path:
    """A copy of the repository's files (no .git, no virtualenv, no caches) to run examples in."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_COPY or n.endswith(".egg-info")}

    shutil.copytree(ROOT, destination, ignore=ignore, symlinks=True)
    return destination


class Session:
    """Runs the examples of one page in a scratch copy, with its ports mapped to free ones."""

    def __init__(self, page: Page, workdir: Path) -> None:
        self.page = page
        self.workdir = workdir
        self.ports = {port: _free_port() for port in page.ports}
        self.background: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "TZ": "UTC",
            "LC_ALL": "C.UTF-8",
            "CSI_GRAPH_CACHE_DIR": str(workdir / ".cache-csi-graph"),
            "PYTHONWARNINGS": "ignore",
            # The scratch copy's csi_graph, so that its data/, queries/ and ontology/ are the ones
            # loaded and written (an editable install would otherwise reach the checkout's).
            "PYTHONPATH": str(workdir),
        }
        self.env.pop("CI", None)  # examples show what a user sees, whatever runs them

    def _to_run(self, text: str) -> str:
        for shown, real in self.ports.items():
            text = re.sub(rf"(?<!\d){shown}(?!\d)", str(real), text)
        return text

    def _as_shown(self, text: str) -> str:
        for shown, real in self.ports.items():
            text = re.sub(rf"(?<!\d){real}(?!\d)", str(shown), text)
        for folder in (self.workdir, ROOT):
            text = text.replace(str(folder) + "/", "").replace(str(folder), ".")
        return text

    def run(self, example: Example, server: bool = False) -> list[str]:
        command = self._to_run(example.command)
        if server or command.rstrip().endswith("&"):
            return self._start(command.rstrip().rstrip("&"), check=server)
        completed = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        return self._as_shown(completed.stdout.decode("utf-8", "replace")).splitlines()

    def _start(self, command: str, check: bool) -> list[str]:
        log = Path(tempfile.mkstemp(prefix="example-", suffix=".log", dir=self.workdir)[1])
        with log.open("wb") as handle:
            process = subprocess.Popen(
                ["bash", "-c", f"exec {command}"],
                cwd=self.workdir,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.background.append(process)
        deadline = time.monotonic() + SERVER_TIMEOUT
        wanted = [real for shown, real in self.ports.items() if str(shown) in command or str(real) in command]
        while wanted and time.monotonic() < deadline and process.poll() is None:
            if all(_answers(port) for port in wanted):
                break
            time.sleep(0.2)
        time.sleep(0.3)  # let the startup lines reach the log
        if not check:
            return []
        return self._as_shown(log.read_text(encoding="utf-8", errors="replace")).splitlines()

    def close(self) -> None:
        for process in self.background:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Outcome:
    example: Example
    actual: list[str]

    @property
    def ok(self) -> bool:
        return matches(self.example.expected, self.actual)


def run_page(page: Page) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="csi-docs-") as tmp:
        workdir = scratch_copy(Path(tmp) / "repo")
        session = Session(page, workdir)
        try:
            return [
                Outcome(example, session.run(example, server=block.server))
                for block in page.blocks
                for example in block.examples
            ]
        finally:
            session.close()


def refreshed(expected: list[str], actual: list[str]) -> list[str]:
    """The output to show: the real one, keeping one ``...`` elision where the page had one."""
    if matches(expected, actual):
        return expected
    shown = actual
    marks = [i for i, line in enumerate(expected) if line.strip() == ELLIPSIS]
    if len(marks) == 1:
        head, tail = marks[0], len(expected) - marks[0] - 1
        if head + tail < len(actual):
            shown = actual[:head] + [ELLIPSIS] + (actual[len(actual) - tail :] if tail else [])
    # A line with ``...`` inside (a timing, a triple count) stays as written wherever it still
    # fits the new output, so the next run does not fail on what legitimately varies; where the
    # rest of the line changed (a count derived from the data), the new line keeps the elision.
    inline = [line for line in expected if ELLIPSIS in line and line.strip() != ELLIPSIS]
    result = []
    for line in shown:
        pattern = next((p for p in inline if matches([p], [line])), None)
        if pattern is None:
            pattern = next(filter(None, (_elide(p, line) for p in inline)), None)
            if pattern is not None:
                inline.remove(next(p for p in inline if _elide(p, line) == pattern))
        result.append(pattern or line)
    return result


def _elide(pattern: str, line: str) -> str | None:
    """``line`` with ``...`` where ``pattern`` has it, between the same neighbouring words.

    ``Valid: 0 violations, 25 infos in ... triples`` for the pattern ``Valid: 0 violations,
    22 infos in ... triples`` and the line ``Valid: 0 violations, 25 infos in 7881 triples``;
    ``None`` when the line does not begin like the pattern or lacks those words.
    """
    parts = pattern.split(ELLIPSIS)
    if not parts[0] or not line.startswith(parts[0][:10]):
        return None
    result = line
    for left, right in itertools.pairwise(parts):
        before = re.search(r"\S*\s*$", left).group(0)
        after = re.search(r"^\s*\S*", right).group(0)
        if not before.strip() or not after.strip():
            return None
        found = re.search(re.escape(before) + r"(.+?)" + re.escape(after), result)
        if found is None:
            return None
        result = result[: found.start(1)] + ELLIPSIS + result[found.end(1) :]
    return result if matches([result], [line]) else None


def update(path: Path) -> int:
    """Rewrite the outputs shown in ``path``; return how many examples changed."""
    page = parse(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    changes = []
    for outcome in run_page(page):
        if not outcome.ok:
            start, end = outcome.example.output_lines
            changes.append((start, end, refreshed(outcome.example.expected, outcome.actual)))
    for start, end, new in sorted(changes, reverse=True):
        lines[start:end] = new
    if changes:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(changes)


def report(outcome: Outcome, path: Path) -> str:
    import difflib

    diff = difflib.unified_diff(outcome.example.expected, outcome.actual, "shown", "printed", lineterm="")
    return f"{path.name}:{outcome.example.line}: $ {outcome.example.command}\n" + "\n".join(diff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the outputs shown")
    parser.add_argument("files", nargs="*", type=Path)
    options = parser.parse_args(argv)
    failed = 0
    for path in pages([p.resolve() for p in options.files] or None):
        if options.update:
            print(f"{path}: {update(path)} example(s) refreshed")
            continue
        for outcome in run_page(parse(path)):
            if not outcome.ok:
                failed += 1
                print(report(outcome, path), end="\n\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
