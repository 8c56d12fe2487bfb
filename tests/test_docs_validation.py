"""docs/validation.md says what the code does: its Python example runs, its links hold.

Its console examples run with every page's, in test_docs_examples.py.
"""

from __future__ import annotations

import re

from conftest import ROOT

PAGE = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")


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
