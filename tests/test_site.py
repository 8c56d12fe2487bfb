"""``csi-graph site``: the static copy of the pages and documents, written whole or not at all."""

from __future__ import annotations

import posixpath
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape
from rdflib import Graph, URIRef

from csi_graph.cli import cli
from csi_graph.errors import CsiError
from csi_graph.loader import load
from csi_graph.web import app as app_module
from csi_graph.web.pages import Pages
from csi_graph.web.render import PAGE_POLICY
from csi_graph.web.site import MARKER, _Folder, _safe, write_site

CONTRACT = "https://w3id.org/csi-graph/id/contract/chambery-2021"
HOSTILE = ["https://w3id.org/csi-graph/id/.hidden", "https://w3id.org/csi-graph/id/a/../../../../escape"]


@pytest.fixture(scope="module")
def dataset():
    return load(store="oxigraph")


@pytest.fixture(scope="module")
def rewrite(tmp_path_factory):
    """``csi-graph site`` over a site written before: the module's one build of the whole site.

    The older site is its marker and a page the new data no longer has, which the rewrite
    must drop (a whole build takes some 20 s of CPU on the shipped data: one is enough).
    """
    out = tmp_path_factory.mktemp("site") / "public"
    out.mkdir()
    (out / MARKER).write_text("written by an older csi-graph site\n")
    (out / "stale.html").write_text("from an older build")
    return out, CliRunner().invoke(cli, ["site", str(out)])


@pytest.fixture(scope="module")
def built(rewrite) -> Path:
    out, result = rewrite
    assert result.exit_code == 0, result.output
    pages, documents = map(
        int, re.match(r"Wrote (\d+) pages and (\d+) data documents to ", result.stdout).groups()
    )
    assert pages > 100 and documents > 100 and "skipped" not in result.stderr
    return out


@pytest.mark.slow  # the whole shipped site, built once per module (11 s of CPU): CI; test_web serves every page locally
def test_the_site_has_pages_and_documents_for_every_resource(built):
    for name in (
        "index.html",
        "index.en.html",
        "index.fr.html",
        "compare.en.html",
        "static/style.css",
        MARKER,
    ):
        assert (built / name).is_file(), name
    contract = built / "id" / "contract"
    for name in ("chambery-2021.en.html", "chambery-2021.fr.html", "chambery-2021.html"):
        assert "Chambéry" in (contract / name).read_text(encoding="utf-8")
    graph = Graph().parse(contract / "chambery-2021.ttl", format="turtle")
    assert (URIRef(CONTRACT), None, None) in graph
    for ext, fmt in (("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")):
        assert len(Graph().parse(contract / f"chambery-2021.{ext}", format=fmt)) == len(graph)
    assert 'id="Commitment"' in (built / "ontology.en.html").read_text(encoding="utf-8")
    assert (built / "theme" / "internal-security.fr.html").is_file()
    assert (built / "dataset.trig").is_file() and (built / "dataset.nq").is_file()
    assert 'href="query' not in (built / "index.en.html").read_text(encoding="utf-8")  # no endpoint offline


@pytest.mark.slow  # the whole shipped site, built once per module (11 s of CPU): CI; test_web serves every page locally
def test_every_local_link_of_the_site_resolves_to_a_file(built):
    """Every relative link of every page leads to a file of the site (read once, not asked of
    the disk per link: the site has a few hundred thousand links and no symbolic link)."""
    files = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    checked = 0
    policy = f'<meta http-equiv="Content-Security-Policy" content="{escape(PAGE_POLICY)}">'
    for page in sorted(built.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert policy in text, page  # every page carries the policy (tests/test_web_hardening.py)
        folder = page.parent.relative_to(built).as_posix()
        for target in re.findall(r'(?:href|src)="([^"#]*)(?:#[^"]*)?"', text):
            if not target or re.match(r"[a-z]+:", target):
                continue
            assert posixpath.normpath(posixpath.join(folder, target)) in files, (
                f"{page.relative_to(built)} -> {target}"
            )
            checked += 1
    assert checked > 1000


@pytest.mark.slow  # the whole shipped site, built once per module (11 s of CPU): CI; test_web serves every page locally
def test_rewriting_replaces_the_site_and_refuses_other_folders(rewrite, built, tmp_path, runner):
    out, result = rewrite
    # off a terminal, progress is plain lines on stderr: the start, each tenth, the end
    steps = re.findall(r"^\[(\d+)/(\d+)\] ", result.stderr, re.M)
    assert steps[0][0] == "0" and steps[-1][0] == steps[-1][1] and 3 <= len(steps) <= 13, result.stderr
    assert not (out / "stale.html").exists() and (out / "index.html").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["public"]  # no build or old folder left behind

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    result = runner.invoke(cli, ["site", str(precious), "-q"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "is not a site written by csi-graph" in result.stderr  # -q silences progress, not errors
    assert (precious / "notes.txt").read_text() == "mine"


@pytest.mark.slow  # the whole shipped site, built once per module (11 s of CPU): CI; test_web serves every page locally
def test_a_failed_build_leaves_the_previous_site_untouched(dataset, built, tmp_path, monkeypatch):
    out = tmp_path / "public"
    shutil.copytree(built, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls = []
    render = app_module.render_resource

    def broken(*args, **kwargs):  # fails halfway, after some pages were written
        calls.append(1)
        if len(calls) > 10:
            raise CsiError("disk full, say")
        return render(*args, **kwargs)

    monkeypatch.setattr(app_module, "render_resource", broken)
    with pytest.raises(CsiError):
        write_site(dataset, out)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_iris_that_cannot_be_file_names_are_skipped(tmp_path, monkeypatch):
    hostile = tmp_path / "hostile.ttl"
    hostile.write_text(
        '<https://w3id.org/csi-graph/id/a/../../../../escape> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n'
        '<https://w3id.org/csi-graph/id/.hidden> <http://www.w3.org/2000/01/rdf-schema#label> "y" .\n'
    )
    out = tmp_path / "site" / "public"
    hostile_data = load([hostile], contracts=False, store="oxigraph")
    monkeypatch.setattr(Pages, "served_resources", lambda self: sorted(self.subjects & {*HOSTILE, CONTRACT}))
    report = write_site(hostile_data, out)
    assert sorted(report.skipped) == HOSTILE
    assert not any(p.name.startswith("escape") for p in tmp_path.rglob("*"))
    assert not _safe("id/a/../b") and not _safe("id//b") and _safe("id/contract/x")


def test_the_site_writer_never_writes_outside_its_folder(tmp_path):
    """The second line of defence behind _safe: a path that could leave the folder is refused."""
    folder = _Folder(tmp_path / "build")
    for path in ("../x.html", "a/../../x.html", "/tmp/x.html", "a//x.html", "./x.html", "a/./x.html"):
        with pytest.raises(CsiError, match="outside the site folder"):
            folder.write(path, "x")
    assert not tmp_path.joinpath("x.html").exists() and not tmp_path.joinpath("build").exists()
    folder.write("id/contract/x.en.html", "Chambéry")
    folder.write("id/contract/x.ttl", b"<a> <b> <c> .\n")
    assert (tmp_path / "build/id/contract/x.en.html").read_text(encoding="utf-8") == "Chambéry"
    assert (tmp_path / "build/id/contract/x.ttl").read_bytes() == b"<a> <b> <c> .\n"


@pytest.mark.slow
def test_quiet_site_says_nothing(runner, tmp_path):
    result = runner.invoke(cli, ["site", str(tmp_path / "public"), "-q"])
    assert result.exit_code == 0 and result.stdout == result.stderr == ""
    assert (tmp_path / "public" / "index.html").is_file()
