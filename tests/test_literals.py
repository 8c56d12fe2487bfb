"""Literals as written: XSD lexical rules, what the store changes, warnings and exact validation."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from conftest import ROOT
from rdflib import Graph

from csi_graph import literals
from csi_graph.cli import cli
from csi_graph.loader import load, rdf_files, read_quads
from csi_graph.validation import validate

XSD = literals.XSD


def _stored(literal: ox.Literal) -> ox.Literal:
    """What a fresh Oxigraph store keeps: the ground truth."""
    store = ox.Store()
    node = ox.NamedNode("urn:x")
    store.add(ox.Quad(node, node, literal))
    return next(iter(store)).object


def test_shipped_data_writes_literals_in_canonical_form(shipped):
    """No literal of the shipped files is changed by the store, and every one is well-formed."""
    assert literals.changes_in(shipped) == []
    checked = 0
    for path in rdf_files(ROOT / "ontology") + rdf_files(ROOT / "data"):
        for quad in read_quads(path, str(path)):
            term = quad.object
            if isinstance(term, ox.Literal) and literals.known(term.datatype.value):
                checked += 1
                assert literals.well_formed(term.value, term.datatype.value), (path, term)
                assert literals.stored_form(term) == term == _stored(term), (path, term)
    assert checked > 1000


@pytest.mark.parametrize(
    ("lexical", "datatype", "expected"),
    [
        ("300", "byte", False),
        ("c", "byte", False),
        ("-128", "byte", True),
        ("70", "nonNegativeInteger", True),
        ("-1", "nonNegativeInteger", False),
        ("0", "positiveInteger", False),
        (" 5 ", "integer", False),
        ("+05", "integer", True),
        ("4.0", "decimal", True),
        ("1e3", "decimal", False),
        ("INF", "double", True),
        ("+INF", "double", True),
        ("1.5E-3", "float", True),
        ("1", "boolean", True),
        ("TRUE", "boolean", False),
        ("2021", "gYear", True),
        ("21", "gYear", False),
        ("12021", "gYear", True),
        ("2021-13", "gYearMonth", False),
        ("2021-02-29", "date", False),
        ("2024-02-29", "date", True),
        ("2021-09-22Z", "date", True),
        ("2021-09-22+15:00", "date", False),
        ("2021-09-22T24:00:00", "dateTime", True),
        ("2021-09-22T10:00:00", "dateTimeStamp", False),
        ("--02-29", "gMonthDay", True),
        ("P1Y2M", "duration", True),
        ("P", "duration", False),
        ("PT", "duration", False),
        ("P1Y", "dayTimeDuration", False),
        ("0a1B", "hexBinary", True),
        ("0a1", "hexBinary", False),
        ("aGVsbG8=", "base64Binary", True),
        ("fr-FR", "language", True),
        ("a b", "token", True),
        ("a  b", "token", False),
    ],
)
def test_xsd_lexical_spaces(lexical, datatype, expected):
    assert literals.well_formed(lexical, XSD + datatype) is expected


def test_unknown_datatypes_are_not_judged():
    assert literals.well_formed("anything", "http://example.org/code") is None


def test_stored_form_is_what_oxigraph_stores():
    """The fast path (forms the store keeps) agrees with Oxigraph on thousands of literals."""
    rng = random.Random(7)
    alphabet = "0123456789" * 4 + ".-+eEZT:PYMDHS"
    checked = 0
    for datatype in sorted(literals.NORMALISED):
        for _ in range(300):
            lexical = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
            literal = ox.Literal(lexical, datatype=ox.NamedNode(datatype))
            assert literals.stored_form(literal) == _stored(literal), literal
            checked += 1
    for lexical, datatype, stored in [
        ("4.0", "decimal", '"4"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
        ("10", "int", '"10"^^<http://www.w3.org/2001/XMLSchema#integer>'),
        ("1", "boolean", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
        ("2021", "gYear", '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear>'),
    ]:
        assert str(literals.stored_form(ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype)))) == stored
    assert checked > 5000


def test_stand_ins_keep_written_forms_apart_and_come_back():
    written = ox.Literal("4.0", datatype=ox.NamedNode(XSD + "decimal"))
    canonical = ox.Literal("4", datatype=ox.NamedNode(XSD + "decimal"))
    stand_in = literals.encode(written)
    assert stand_in != written and literals.decode(stand_in) == written
    assert literals.encode(canonical) is canonical
    store = ox.Store()
    store.extend(
        literals.exact_quads(
            ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), o) for o in (written, canonical)
        )
    )
    assert sorted(str(literals.decode(q.object)) for q in store) == sorted([str(written), str(canonical)])


DATA = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:a ex:p "4.0"^^xsd:decimal ;
     ex:q 10.50 ;
     ex:r "70"^^xsd:nonNegativeInteger , "1"^^xsd:boolean .
"""
SHAPES = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:property [ sh:path ex:r ; sh:datatype xsd:integer ] ;
  sh:property [ sh:path ex:p ; sh:maxLength 2 ] ;
  sh:property [ sh:path ex:q ; sh:in ( 10.5 ) ] .
"""


def test_load_warns_with_file_line_and_what_changes(runner, tmp_path):
    path = tmp_path / "written.ttl"
    path.write_text(DATA, encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)])
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert [w.split(": validate judges")[0] for w in warnings] == [
        f'Warning: {path}:3: "4.0"^^xsd:decimal is stored as "4"^^xsd:decimal',
        f'Warning: {path}:4: "10.50"^^xsd:decimal is stored as "10.5"^^xsd:decimal',
        f'Warning: {path}:5: "70"^^xsd:nonNegativeInteger is stored as "70"^^xsd:integer',
        f'Warning: {path}:5: "1"^^xsd:boolean is stored as "true"^^xsd:boolean',
    ]


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_validation_judges_literals_as_written(tmp_path, engine):
    path = tmp_path / "written.ttl"
    path.write_text(DATA, encoding="utf-8")
    dataset = load([path], contracts=False)
    report = validate(dataset, shapes=Graph().parse(data=SHAPES, format="turtle"), engine=engine)
    found = sorted((r.component, r.value) for r in report.results)
    assert found == [
        ("DatatypeConstraintComponent", '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>'),
        ("DatatypeConstraintComponent", '"70"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>'),
        ("InConstraintComponent", '"10.50"^^<http://www.w3.org/2001/XMLSchema#decimal>'),  # a term, not 10.5
        ("MaxLengthConstraintComponent", '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ]


def _samples(rng: random.Random) -> list[str]:
    """Lexical forms near the usual ones: digits, signs, dates, times, zones, exponents."""
    pieces = [
        "0",
        "1",
        "9",
        "00",
        "01",
        "10",
        "28",
        "29",
        "30",
        "31",
        "12",
        "13",
        "2021",
        "0000",
        "-",
        "+",
        ".",
        "T",
        ":",
        "Z",
        "e",
        "E",
        "INF",
        "NaN",
        "24:00:00",
        "23:59:59",
        "+01:00",
        "-14:00",
        " ",
    ]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 7))) for _ in range(20000)]


def test_fast_well_formed_forms_are_well_formed():
    """The regular expressions the SPARQL engine tries before calling back into Python are sound."""
    import re

    rng = random.Random(11)
    matched = 0
    for datatype, pattern in literals.FAST_WELL_FORMED.items():
        compiled = re.compile(pattern)
        for lexical in _samples(rng):
            if compiled.search(lexical):
                matched += 1
                assert literals.well_formed(lexical, datatype), (datatype, lexical)
    assert matched > 5000


# The fast path of scan_file (literals.certainly_unchanged): a file it clears is never parsed
# again, so it must clear only files in which the parser finds no literal the store changes.
_PIECES = [
    'ex:p "4.0"^^xsd:decimal',  # changed
    'ex:p "4.5"^^xsd:decimal',  # kept
    'ex:p "10"^^xsd:int',  # changed (datatype)
    'ex:p "10"^^<http://www.w3.org/2001/XMLSchema#integer>',  # kept
    'ex:p "010"^^<http://www.w3.org/2001/XMLSchema#integer>',  # changed
    'ex:p "1"^^xsd:boolean',  # changed
    'ex:p "2021-03-01"^^xsd:date',  # kept
    'ex:p "2021"^^xsd:gYear',  # kept
    'ex:p "x"^^ex:code',  # not a datatype the store changes
    'ex:p "4.0"^^ex:decimal',  # ditto
    "ex:p 12",  # kept
    "ex:p -7",  # kept
    "ex:p 0",  # kept
    "ex:p 4.5",  # kept
    "ex:p 4.0",  # changed
    "ex:p 4.",  # an integer, then the end of the statement: kept
    "ex:p .5",  # changed
    "ex:p 1e3",  # changed
    "ex:p 1.5E-3",  # changed
    "ex:p +5",  # changed
    "ex:p -0",  # changed
    "ex:p 007",  # changed
    "ex:p 12345678901234567890",  # changed (beyond the kept range)
    "ex:p true",  # kept
    "ex:p (1 02)",  # changed
    "ex:p 1,02",  # changed
    "ex:p [ ex:q 3.0 ]",  # changed
    "ex:p<http://example.org/o>,05",  # changed
    'ex:p "Synthville 00000 4.0 +5 1e3"',  # a string: kept
    'ex:p "x"@fr',  # kept
    "ex:p 'l\\'an 4.0'",  # an escape (the fast path gives up)
    'ex:p """deux\nlignes 4.0"""',  # a long string (ditto)
    "ex:p <http://example.org/v1.0/007>",  # an IRI: kept
    "ex:p ex:c-007",  # a name: kept
    'ex:p "a ^^ b"',  # a string with ^^ (the fast path gives up)
    'ex:p "4.0"^^xsd:decimal # "4.5"^^xsd:decimal',  # changed, then a comment
    "ex:p 12 # 4.0 +5",  # a comment: kept
    'ex:p "4"^^x2:decimal',  # x2 is declared as XSD below: kept
    'ex:p "4.0"^^x2:decimal',  # changed
]
_PROLOGUES = [
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix ex: <http://example.org/> .\n",
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\nprefix ex: <http://example.org/>\n",
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix ex: <http://example.org/> .\n"
    "@prefix x2: <http://www.w3.org/2001/XMLSchema#> .\n",
]


def test_fast_path_clears_only_files_without_changes(tmp_path):
    """Random Turtle files from tricky pieces: whenever the fast path clears one, Oxigraph's
    parser finds no literal the store would change in it; and it clears some of them."""
    rng = random.Random(13)
    cleared = changed = 0
    for number in range(600):
        prologue = rng.choice(_PROLOGUES)
        pieces = rng.sample(_PIECES, rng.randint(1, 4))
        text = prologue + "".join(f"ex:s{i} {piece} .\n" for i, piece in enumerate(pieces))
        path = tmp_path / f"case-{number}.ttl"
        path.write_text(text, encoding="utf-8")
        try:
            found = literals.changes(read_quads(path, path.name), path.name)
        except Exception:  # an undeclared prefix (x2): the loader refuses the file anyway
            continue
        if literals.certainly_unchanged(path):
            assert found == [], text
            cleared += 1
        changed += bool(found)
    assert cleared > 50 and changed > 200


def test_fast_path_clears_generated_and_shipped_data(synthetic_10k):
    """What the fast path is for: big generated files are not parsed a second time; and on
    every shipped file it clears, the parser agrees."""
    assert literals.certainly_unchanged(synthetic_10k.path)
    assert literals.changes(read_quads(synthetic_10k.path, "synthetic"), "synthetic") == []
    for path in rdf_files(ROOT / "ontology") + rdf_files(ROOT / "data"):
        if literals.certainly_unchanged(path):
            assert literals.changes(read_quads(path, str(path)), str(path)) == [], path
