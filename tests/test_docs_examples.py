"""The README and the manual in docs/ say what the product does, as it ships.

* Every ``console`` block of README.md and docs/*.md (docs/research/ excluded) runs, page by
  page, in a scratch copy of the repository, on the shipped data, and prints what the page
  shows (tests/docexamples.py; ``python tests/docexamples.py --update README.md docs/*.md``
  refreshes the outputs shown).
* Every ``pycon`` block runs as a doctest.
* Every relative link of these pages points to a file that exists, and to a heading of it.
* The README is a front page: at most 300 lines, a row for every command of ``csi-graph``,
  and the test command CI runs.
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path
from urllib.parse import unquote

import docexamples
import pytest
from conftest import ROOT

from csi_graph.cli import cli

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLE_PAGES = docexamples.pages(PAGES)


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_page_with_examples_is_run():
    """The pages run are all the pages with a console block, and they hold many examples."""
    with_console = [p for p in PAGES if "```console" in p.read_text(encoding="utf-8")]
    assert with_console == EXAMPLE_PAGES
    examples = [
        e for page in EXAMPLE_PAGES for block in docexamples.parse(page).blocks for e in block.examples
    ]
    assert len(examples) >= 60, len(examples)
    assert all(block.examples for page in EXAMPLE_PAGES for block in docexamples.parse(page).blocks), (
        "a console block without a `$ command` line"
    )


# Pages whose examples build the whole package or site, or start servers (10-16 s of CPU each):
# CI runs them (tests marked slow); a local run runs the README and the other pages.
LONG_PAGES = {"docs/publishing.md", "docs/serving.md", "docs/register.md"}


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=[pytest.mark.slow] if page_id(p) in LONG_PAGES else []) for p in EXAMPLE_PAGES],
    ids=page_id,
)
def test_console_examples_print_what_the_page_shows(path):
    page = docexamples.parse(path)
    failures = [docexamples.report(o, path) for o in docexamples.run_page(page) if not o.ok]
    assert not failures, (
        "\n\n".join(failures)
        + "\n\nIf the new output is right: python tests/docexamples.py --update README.md docs/*.md"
    )


def test_update_keeps_the_elisions_of_a_page():
    """``--update`` writes the new output and keeps ``...`` where the page had it, so that the
    refreshed page passes the next run whatever legitimately varies."""
    shown = ["Valid: 0 violations, 22 infos in ... triples", "first", "...", "last", "Wrote out: ...; ... s"]
    printed = [
        "Valid: 0 violations, 25 infos in 7881 triples",
        "first!",
        "a",
        "b",
        "c",
        "last",
        "Wrote out: 3 files; 7.2 s",
    ]
    refreshed = docexamples.refreshed(shown, printed)
    assert refreshed == [
        "Valid: 0 violations, 25 infos in ... triples",
        "first!",
        "...",
        "last",
        "Wrote out: ...; ... s",
    ]
    assert docexamples.matches(refreshed, printed)
    assert not docexamples.matches(shown, printed)
    assert docexamples.refreshed(["a ... b"], ["c 1 d"]) == ["c 1 d"]  # nothing to keep: as printed


# Python examples ------------------------------------------------------------------------------

PYCON = re.compile(r"^```pycon\n(.*?)^```$", re.S | re.M)
PYCON_PAGES = [p for p in PAGES if PYCON.search(p.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("path", PYCON_PAGES, ids=page_id)
def test_python_examples_run_as_shown(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = path.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs: dict = {}  # the blocks of one page share their names, as in one notebook
    for match in PYCON.finditer(text):
        line = text[: match.start()].count("\n") + 1
        test = parser.get_doctest(match.group(1), globs, f"{path.name}:{line}", str(path), line)
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} Python examples of {path.name} differ"


# Links ----------------------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|\*|_(?=\w)|(?<=\w)_", "", heading.strip()).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # no headings inside code
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def relative_links(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return [
        target
        for target in LINK.findall(text)
        if not re.match(r"[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


@pytest.mark.parametrize("path", PAGES, ids=page_id)
def test_relative_links_point_to_files_and_headings(path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        destination = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not destination.exists():
            broken.append(
                f"{target}: no file {destination.relative_to(ROOT) if destination.is_relative_to(ROOT) else destination}"
            )
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert not broken, f"{path.name}: " + "; ".join(broken)


def test_the_link_check_can_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[ok](#title) [missing](#nowhere) [file](absent.md) [web](https://example.org/)\n"
    )
    assert relative_links(page) == ["#title", "#nowhere", "absent.md"]
    assert anchors(page) == {"title"}
    assert slug("Publish on data.gouv.fr: `csi-graph package`") == "publish-on-datagouvfr-csi-graph-package"


def test_the_manual_index_lists_every_page():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([\w.-]+\.md)\)", index))
    assert listed == {p.name for p in PAGES if p.parent.name == "docs" and p.name != "README.md"}


# The README as a front page -------------------------------------------------------------------


def test_the_readme_is_a_front_page():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines: move the detail to docs/"


def test_the_commands_table_lists_every_command():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Commands") :]
    table = table[: table.index("\n## ")]
    listed = set(re.findall(r"^\| `csi-graph ([a-z-]+)", table, re.M))
    assert listed == set(cli.commands), (
        f"README's table: {sorted(listed)}; csi-graph --help: {sorted(cli.commands)}"
    )


def test_the_readme_test_command_is_what_ci_runs():
    """The quickstart's second command ends with the command .ci/run runs, word for word."""
    text = README.read_text(encoding="utf-8")
    quickstart = text[text.index("## Quickstart") :]
    block = re.search(r"```sh\n(.*?)```", quickstart, re.S).group(1).strip().splitlines()
    assert len(block) == 2, "the quickstart is two commands"
    assert "python3 -m venv" in block[0] and "pip install -e ." in block[0]
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    readme_tests = block[1].split("&&")[-1].strip()
    assert shlex.split(readme_tests)[0] == "pytest"
    assert ci[-1] == readme_tests, f".ci/run runs {ci[-1]!r}, the README says {readme_tests!r}"
    assert "pip install -e '.[test]'" in block[1] and "pip install -e '.[test]'" in ci
