"""Pages and answers that data cannot turn against a visitor (issue 11, findings 6 and 9):
``javascript:`` and ``data:`` IRIs are shown as text, never as links, in served pages, the
query page and the static site; a Content-Security-Policy forbids scripts; CORS is a setting;
no served name reveals where the data files lie."""

from __future__ import annotations

import posixpath
import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from csi_graph.loader import load
from csi_graph.web.app import Settings, create_app
from csi_graph.web.render import CONTENT_SECURITY_POLICY, PAGE_POLICY, Linker, as_path
from csi_graph.web.site import write_site

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# Synthetic data, for these tests only: a resource pointing to hostile IRIs.
HOSTILE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://w3id.org/csi-graph/id/thing/hostile> rdfs:label "A synthetic resource"@en ;
    rdfs:seeAlso <javascript:alert(document.domain)>, <JavaScript:alert(1)>,
        <data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>, <vbscript:msgbox>,
        <https://example.org/fine> .
<https://w3id.org/csi-graph/javascript:alert(2)> rdfs:label "A path that looks like a scheme"@en ;
    rdfs:seeAlso <https://w3id.org/csi-graph/id/thing/hostile> .
<https://w3id.org/csi-graph/id/thing/hostile> dct:relation <https://w3id.org/csi-graph/javascript:alert(2)> .
"""
BAD_LINK = re.compile(r"""href\s*=\s*["']?\s*(javascript|data|vbscript):""", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.ttl"
    path.write_text(HOSTILE)
    return path


@pytest.fixture(scope="module")
def dataset(hostile_file):
    return load([hostile_file], store="oxigraph")


def client_for(dataset, **settings) -> TestClient:
    return TestClient(create_app(dataset, Settings(time_limit=5, workers=1, **settings)))


def test_hostile_iris_are_text_in_pages_and_on_the_query_page(dataset):
    with client_for(dataset) as client:
        page = client.get("/id/thing/hostile.en.html")
        assert page.status_code == 200
        assert "javascript:alert(document.domain)" in page.text  # shown...
        assert not BAD_LINK.search(page.text), page.text  # ...never as a link
        assert 'href="https://example.org/fine"' in page.text
        answer = client.get(
            "/query",
            params={"query": "SELECT ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }"},
        )
        assert "javascript:alert" in answer.text and not BAD_LINK.search(answer.text)


def test_a_served_path_that_looks_like_a_scheme_is_a_relative_link(dataset):
    with client_for(dataset) as client:
        page = client.get("/id/thing/hostile.en.html").text
    assert 'href="../../javascript:alert(2).en.html"' in page
    linker = Linker(None, "index.en.html", "en", live=True)  # a page at the root of the site
    assert linker.url("javascript:alert(2).en.html") == "./javascript:alert(2).en.html"
    with client_for(dataset) as client:
        redirect = client.get("/javascript:alert(2)", headers={"Accept": "text/html"}, follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "./javascript:alert(2).en.html"


def test_a_link_escapes_its_address_text_and_class(dataset):
    """Links are written in Python (Linker.link_text), not by a template: every value is escaped
    as autoescape would, and an IRI a browser must not follow is text."""
    from csi_graph.web.pages import Pages

    linker = Linker(Pages(dataset), "id/thing/hostile.en.html", "en", live=False)
    shown = linker.link_text('https://example.org/a?b=1&c="2"', '<script>"x"</script>', 'chip" onclick="y')
    assert shown == (
        '<a href="https://example.org/a?b=1&amp;c=&#34;2&#34;" class="chip&#34; onclick=&#34;y">'
        "&lt;script&gt;&#34;x&#34;&lt;/script&gt;</a>"
    )
    assert linker.link_text("javascript:alert(1)", "<x>") == "<span>&lt;x&gt;</span>"
    assert linker.link(None) == "" and linker.link("https://w3id.org/csi-graph/id/thing/hostile") == (
        '<a href="hostile.en.html">A synthetic resource</a>'
    )


# Segments of site paths, ordinary and odd: dots, empty segments (a doubled slash), a scheme-like name.
_SEGMENT = st.sampled_from(["id", "contract", "x.en.html", ".", "..", "", "javascript:alert(2)"]) | st.text(
    alphabet="ab.:é %", max_size=4
)
_PATH = st.lists(_SEGMENT, max_size=6).map("/".join)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(page=_PATH, target=_PATH, fragment=st.none() | st.text(max_size=3))
def test_links_are_what_relpath_gives(page, target, fragment):
    """A page's links are computed from path segments; posixpath.relpath, which the pages used
    before (and which asks the system for the working directory twice per link), is the oracle:
    taken from the site's root for any paths, and as it was called (from the working directory)
    for paths that neither start with '/' nor climb with '..'."""
    linker = Linker(None, page, "en", live=False)
    tail = "" if fragment is None else "#" + fragment
    folder = posixpath.dirname(page) or "."
    from_root = posixpath.relpath("/" + target, "/" + folder) if target else posixpath.basename(page)
    assert linker.url(target + tail) == as_path(from_root) + tail
    if not any(p.startswith("/") or ".." in p.split("/") for p in (page, target)):
        as_before = posixpath.relpath(target, folder) if target else posixpath.basename(page)
        assert linker.url(target + tail) == as_path(as_before) + tail


def test_every_answer_carries_a_content_security_policy(dataset):
    with client_for(dataset) as client:
        for path in (
            "/",
            "/id/thing/hostile.en.html",
            "/sparql?query=ASK%7B%7D",
            "/static/style.css",
            "/nowhere",
        ):
            headers = client.get(path).headers
            assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
    assert "script-src" not in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY


def test_cors_is_a_setting(dataset):
    origin = {"Origin": "https://reader.example"}
    with client_for(dataset) as anyone:
        assert (
            anyone.get("/sparql?query=ASK%7B%7D", headers=origin).headers["access-control-allow-origin"]
            == "*"
        )
    with client_for(dataset, cors_origins=("https://reader.example",)) as some:
        allowed = some.get("/sparql?query=ASK%7B%7D", headers=origin)
        assert allowed.headers["access-control-allow-origin"] == "https://reader.example"
        other = some.get("/sparql?query=ASK%7B%7D", headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in other.headers
    with client_for(dataset, cors_origins=()) as nobody:
        assert (
            "access-control-allow-origin" not in nobody.get("/id/thing/hostile.ttl", headers=origin).headers
        )


def test_no_served_graph_name_reveals_a_folder(dataset, hostile_file):
    folder = str(hostile_file.parent)
    with client_for(dataset) as client:
        names = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"}).text
        dump = client.get("/dataset.nq").text
    assert "hostile.ttl" in names and folder not in names and "file://" not in names
    assert folder not in dump and "file://" not in dump


def test_unknown_dumps_are_404(dataset):
    with client_for(dataset) as client:
        response = client.get("/dataset.exe")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"


def test_the_static_site_has_no_hostile_link_and_a_policy(hostile_file, tmp_path):
    # the hostile resource with the ontology's pages: tests/test_site.py checks the policy on
    # every page of the shipped data's site, which it builds anyway
    write_site(load([hostile_file], contracts=False, store="oxigraph"), tmp_path / "public")
    pages = list((tmp_path / "public").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text()
        assert not BAD_LINK.search(text), page
        assert f'<meta http-equiv="Content-Security-Policy" content="{escape(PAGE_POLICY)}">' in text
