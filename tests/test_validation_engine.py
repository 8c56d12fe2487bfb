"""The validation engines beyond the W3C suite: refusals, safety, severities, verdicts.

Each test gives shapes of its own to ``validate(dataset, shapes=...)`` on a small file,
through the library and the command line, and checks both engines where both run.
"""

from __future__ import annotations

import socket
import threading

import pytest
from rdflib import Graph

from csi_graph.cli import cli
from csi_graph.loader import load
from csi_graph.shacl_queries import ShapesError, Unsupported
from csi_graph.validation import validate

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""
DATA = (
    PREFIXES
    + """ex:a a ex:Thing ; ex:name "Alpha"@en ; ex:size 3 ; ex:next ex:b .
ex:b a ex:Thing ; ex:name "beta" ; ex:size -1 .
"""
)


def _dataset(tmp_path):
    path = tmp_path / "data.ttl"
    path.write_text(DATA, encoding="utf-8")
    return load([path], contracts=False, store="oxigraph")


def _shapes(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def _write_shapes(tmp_path, text: str):
    path = tmp_path / "shapes.shacl.ttl"
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


SERVICE_SHAPE = """ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}" ] .
"""
FROM_SHAPE = """ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:sparql [ sh:select "SELECT $this FROM <http://127.0.0.1:{port}/data> WHERE {{ $this ?p ?o }}" ] .
"""
LOAD_SHAPE = """ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:sparql [ sh:select "LOAD <http://127.0.0.1:{port}/data>" ] .
"""


@pytest.mark.parametrize("shape", [SERVICE_SHAPE, FROM_SHAPE, LOAD_SHAPE], ids=["SERVICE", "FROM", "LOAD"])
@pytest.mark.parametrize("engine", ["auto", "sparql", "pyshacl"])
def test_sparql_in_shapes_never_reaches_another_host(tmp_path, listener, shape, engine):
    shapes = _shapes(shape.format(port=listener.port))
    with pytest.raises(ShapesError, match="refused"):
        validate(_dataset(tmp_path), shapes=shapes, engine=engine)
    assert listener.connections == 0


def test_refused_shapes_exit_2_with_the_reason(tmp_path, runner, listener):
    shapes = _write_shapes(tmp_path, SERVICE_SHAPE.format(port=listener.port))
    data = tmp_path / "data.ttl"
    data.write_text(DATA, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: a SPARQL query in the shapes is refused: SERVICE is refused")
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 'x' } }", "MINUS is not allowed"),
        ("SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }", "VALUES is not allowed"),
        ("SELECT $this WHERE { BIND (ex:a AS $this) }", "assigns a pre-bound variable"),
        ("SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?s ?q ?o } } }", r"does not return \$this"),
    ],
)
def test_queries_shacl_forbids_are_refused_by_both_engines(tmp_path, query, reason):
    shapes = _shapes(
        f"""ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:sparql [ sh:prefixes ex: ; sh:select "{query}" ] .
ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] ."""
    )
    with pytest.raises(ShapesError, match=reason):
        validate(_dataset(tmp_path), shapes=shapes, engine="sparql")
    with pytest.raises(ShapesError, match=reason):
        validate(_dataset(tmp_path), shapes=shapes, engine="auto")  # never handed to pySHACL


RECURSIVE = """ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:next ; sh:node ex:S ] ;
  sh:property [ sh:path ex:size ; sh:minInclusive 0 ] .
"""


def test_recursive_shapes_are_refused_and_auto_says_it_falls_back(tmp_path, runner):
    dataset = _dataset(tmp_path)
    with pytest.raises(Unsupported, match="recursive shapes"):
        validate(dataset, shapes=_shapes(RECURSIVE), engine="sparql")
    report = validate(dataset, shapes=_shapes(RECURSIVE), engine="auto")
    assert report.engine == "pyshacl" and "recursive shapes" in report.notes[0]
    shapes = _write_shapes(tmp_path, RECURSIVE)
    data = tmp_path / "data.ttl"
    sparql = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes), "--engine", "sparql"])
    assert sparql.exit_code == 2
    assert sparql.stderr.startswith("Error: recursive shapes (")
    auto = runner.invoke(cli, ["validate", str(data), "--shapes", str(shapes)])
    assert auto.exit_code == 1
    assert auto.stderr.startswith("Note: the SPARQL engine refused the shapes (recursive shapes")
    assert "validated with pySHACL" in auto.stderr
    assert auto.stdout.startswith("Invalid: ")


@pytest.mark.parametrize(
    "pattern",
    [r"^\\p{IsBasicLatin}+$", "^[a-z-[aeiou]]+$"],
    ids=["block escape Oxigraph cannot compile", "subtraction Oxigraph reads otherwise"],
)
def test_patterns_oxigraph_cannot_honour_are_refused(tmp_path, pattern):
    shapes = _shapes(
        f'ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:name ; sh:pattern "{pattern}" ] .'
    )
    with pytest.raises(Unsupported, match="sh:pattern"):
        validate(_dataset(tmp_path), shapes=shapes, engine="sparql")


SEVERITIES = """ex:Critical a sh:Severity .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:size ; sh:minInclusive 0 ; sh:severity ex:Critical ] ;
  sh:property [ sh:path ex:name ; sh:languageIn ( "en" ) ; sh:severity sh:Warning ] ;
  sh:property [ sh:path ex:next ; sh:minCount 1 ; sh:severity sh:Info ] .
"""


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_custom_severities_count_as_failures(tmp_path, engine):
    report = validate(_dataset(tmp_path), shapes=_shapes(SEVERITIES), engine=engine, allow_warnings=True)
    assert sorted(r.severity for r in report.results) == ["<http://example.org/Critical>", "Info", "Warning"]
    assert not report.valid and not report.conforms
    assert report.verdict().startswith(
        "Invalid: 0 violations, 1 warning, 1 <http://example.org/Critical> result, 1 info in "
    )


WARNINGS_ONLY = """ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:languageIn ( "en" ) ; sh:severity sh:Warning ] .
"""


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_conforms_is_shacls_and_the_exit_policy_is_apart(tmp_path, engine):
    strict = validate(_dataset(tmp_path), shapes=_shapes(WARNINGS_ONLY), engine=engine)
    lenient = validate(_dataset(tmp_path), shapes=_shapes(WARNINGS_ONLY), engine=engine, allow_warnings=True)
    for report in (strict, lenient):
        assert report.counts == {"Violation": 0, "Warning": 1, "Info": 0}
        assert report.conforms is False  # sh:conforms: any result at all
        assert "sh:conforms false" in report.to_turtle()
    assert strict.valid is False and lenient.valid is True


def test_no_result_conforms(tmp_path):
    report = validate(_dataset(tmp_path), shapes=_shapes("ex:S a sh:NodeShape ; sh:targetClass ex:Thing ."))
    assert report.conforms and report.valid and "sh:conforms true" in report.to_turtle()
