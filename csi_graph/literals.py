"""Literals as written: the XSD lexical rules, and what an Oxigraph store changes.

Two facts make this module necessary:

* **Oxigraph normalises literals when it stores them** (upstream issue oxigraph#526):
  ``"10"^^xsd:int`` becomes ``"10"^^xsd:integer``, ``"4.0"^^xsd:decimal`` becomes ``"4"``,
  ``"1"^^xsd:boolean`` becomes ``"true"``. Its parser keeps them exact; its store does not.
  :func:`stored_form` says what the store will keep, :func:`scan` finds (from the parser's
  output) every literal of a file that the store would change, with its line, so that the
  loader can warn, and :func:`encode` gives each such literal an exact stand-in that the
  store keeps as it is, so that validation judges the data as written.
* **SHACL judges literals as written**: ``sh:datatype`` requires a well-formed lexical form
  (``"c"^^xsd:byte`` and ``"2021-02-30"^^xsd:date`` are ill-formed), ``sh:minLength`` and
  ``sh:pattern`` read the lexical form. :func:`well_formed` holds the lexical spaces of the
  XSD 1.1 datatypes (Part 2), value ranges and calendar days included.

The stand-in of a literal that the store would change keeps its lexical form and moves its
datatype IRI under :data:`WRITTEN` (``"4.0"^^<urn:csi-graph:written:…#decimal>``): distinct
written forms stay distinct terms, ``STR()`` reads the lexical form as written, and
:func:`decode` (or, in SPARQL, ``STRDT(STR(?v), …)``) gives the literal back.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = XSD + "string"
# Datatype prefix of the stand-in of a literal that Oxigraph would change (see encode()).
WRITTEN = "urn:csi-graph:written:"

# -- XSD 1.1 lexical spaces --------------------------------------------------------------

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_DT_SECONDS = r"[0-9]+(?:\.[0-9]+)?S"
_DT_TIME = rf"T(?:[0-9]+H(?:[0-9]+M)?(?:{_DT_SECONDS})?|[0-9]+M(?:{_DT_SECONDS})?|{_DT_SECONDS})"
_DU_DAY = rf"(?:[0-9]+D(?:{_DT_TIME})?|{_DT_TIME})"
_DU_YEAR_MONTH = r"(?:[0-9]+Y(?:[0-9]+M)?|[0-9]+M)"
_NAME_START = (
    r":A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_XML_CHARS = r"[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]*"
_B64 = r"[A-Za-z0-9+/]"
_BASE64 = (
    rf"(?:(?:{_B64} ?){{4}})*(?:(?:{_B64} ?){{3}}{_B64}|(?:{_B64} ?){{2}}[AEIMQUYcgkosw048] ?="
    rf"|{_B64} ?[AQgw] ?= ?=)?"
)

_LEXICAL: dict[str, str] = {
    "string": _XML_CHARS,
    "normalizedString": r"[^\t\n\r]*",
    "token": r"(?:[^\s](?:[^\t\n\r ]| (?! ))*[^\s]|[^\s])?",
    "language": r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*",
    "NMTOKEN": rf"[{_NAME_CHAR}]+",
    "Name": rf"[{_NAME_START}][{_NAME_CHAR}]*",
    "NCName": rf"[{_NAME_START.replace(':', '')}][{_NAME_CHAR.replace(':', '')}]*",
    "anyURI": _XML_CHARS,
    "boolean": r"true|false|1|0",
    "decimal": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)",
    "integer": r"[+-]?[0-9]+",
    "double": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "duration": rf"-?P(?:{_DU_YEAR_MONTH}(?:[0-9]+D)?(?:{_DT_TIME})?|{_DU_DAY})",
    "yearMonthDuration": rf"-?P{_DU_YEAR_MONTH}",
    "dayTimeDuration": rf"-?P{_DU_DAY}",
    "dateTime": rf"({_YEAR})-({_MONTH})-({_DAY})T{_TIME}{_TZ}?",
    "dateTimeStamp": rf"({_YEAR})-({_MONTH})-({_DAY})T{_TIME}{_TZ}",
    "date": rf"({_YEAR})-({_MONTH})-({_DAY}){_TZ}?",
    "time": rf"{_TIME}{_TZ}?",
    "gYearMonth": rf"{_YEAR}-{_MONTH}{_TZ}?",
    "gYear": rf"{_YEAR}{_TZ}?",
    "gMonthDay": rf"--({_MONTH})-({_DAY}){_TZ}?",
    "gDay": rf"---{_DAY}{_TZ}?",
    "gMonth": rf"--{_MONTH}{_TZ}?",
    "hexBinary": r"(?:[0-9a-fA-F]{2})*",
    "base64Binary": _BASE64,
}
_LEXICAL["float"] = _LEXICAL["double"]
for _alias in ("ID", "IDREF", "ENTITY"):
    _LEXICAL[_alias] = _LEXICAL["NCName"]

# Integer datatypes and their value ranges (inclusive; None: unbounded).
_INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "nonNegativeInteger": (0, None),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
    "positiveInteger": (1, None),
}
for _name in _INTEGER_RANGES:
    _LEXICAL[_name] = _LEXICAL["integer"]
_PATTERNS = {XSD + name: pattern for name, pattern in _LEXICAL.items()}
_PATTERNS[RDF_LANG_STRING] = _XML_CHARS


@functools.cache
def _compiled(datatype: str) -> re.Pattern[str] | None:
    """The compiled pattern of a datatype's lexical space, compiled when first needed: all of
    them take 60 ms, a third of the start of every command."""
    pattern = _PATTERNS.get(datatype)
    return re.compile(pattern) if pattern is not None else None


def known(datatype: str) -> bool:
    """Whether :func:`well_formed` knows the lexical space of ``datatype``."""
    return datatype in _PATTERNS


def well_formed(lexical: str, datatype: str) -> bool | None:
    """Whether ``lexical`` is in the lexical space of ``datatype`` (None: not a datatype we know).

    Leading or trailing white space is ill-formed (except for the string types): the
    lexical space holds the collapsed forms only, as RDF 1.1 reads XSD.
    """
    pattern = _compiled(datatype)
    if pattern is None:
        return None
    match = pattern.fullmatch(lexical)
    if match is None:
        return False
    name = datatype[len(XSD) :]
    if name in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[name]
        value = int(lexical)
        return (low is None or value >= low) and (high is None or value <= high)
    if name in ("date", "dateTime", "dateTimeStamp"):
        return _day_exists(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if name == "gMonthDay":
        return _day_exists(2000, int(match.group(1)), int(match.group(2)))  # --02-29 is a day
    return True


_DAY28 = r"(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"  # days every month has
# Forms certainly in the lexical space of their datatype, as regular expressions that both
# Python and SPARQL (Oxigraph) read: a fast path before well_formed(), which a SPARQL query
# can only call back into Python for. A test checks that each implies well_formed().
FAST_WELL_FORMED: dict[str, str] = {
    XSD + "integer": "^[+-]?[0-9]+$",
    XSD + "nonNegativeInteger": "^[+]?[0-9]+$",
    XSD + "decimal": "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
    XSD + "double": "^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD + "float": "^([+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD + "boolean": "^(true|false|1|0)$",
    XSD + "date": f"^[0-9]{{4}}-{_DAY28}$",
    XSD + "dateTime": f"^[0-9]{{4}}-{_DAY28}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?Z?$",
    XSD + "gYear": "^[0-9]{4}$",
    XSD + "gYearMonth": "^[0-9]{4}-(0[1-9]|1[0-2])$",
    XSD + "anyURI": "^[!-~]*$",
}


def _day_exists(year: int, month: int, day: int) -> bool:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


# -- what the store keeps ------------------------------------------------------------------

_ZONE = r"(?:Z|[+-](?!00:00)(?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
# Forms an Oxigraph store certainly keeps unchanged, per datatype it normalises (a fast path:
# anything else is put to a scratch store, see stored_form). A test checks these against
# Oxigraph itself.
_KEPT: dict[str, re.Pattern[str]] = {
    XSD + name: re.compile(pattern)
    for name, pattern in {
        "boolean": r"true|false",
        "integer": r"0|-?[1-9][0-9]{0,17}",
        "decimal": r"0|-?[1-9][0-9]{0,17}|-?(?:0|[1-9][0-9]{0,17})\.[0-9]{0,17}[1-9]",
        "double": r"INF|-INF|NaN|0|-?[1-9][0-9]{0,14}|-?(?:0|[1-9][0-9]{0,6})\.[0-9]{0,7}[1-9]",
        "float": r"INF|-INF|NaN|0|-?[1-9][0-9]{0,5}|-?(?:0|[1-9][0-9]{0,2})\.[0-9]{0,2}[1-9]",
        "date": rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{_ZONE}",
        "dateTime": rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]*[1-9])?{_ZONE}",
        "time": rf"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]*[1-9])?{_ZONE}",
        "gYear": rf"[0-9]{{4}}{_ZONE}",
        "gYearMonth": rf"[0-9]{{4}}-[0-9]{{2}}{_ZONE}",
        "gMonthDay": rf"--[0-9]{{2}}-[0-9]{{2}}{_ZONE}",
        "gMonth": rf"--[0-9]{{2}}{_ZONE}",
        "gDay": rf"---[0-9]{{2}}{_ZONE}",
    }.items()
}
# Datatypes whose literals Oxigraph may rewrite (value normalised, or datatype replaced).
NORMALISED = frozenset(
    {
        *_KEPT,
        *(XSD + name for name in _INTEGER_RANGES),
        *(XSD + name for name in ("duration", "dayTimeDuration", "yearMonthDuration", "dateTimeStamp")),
    }
)
_SCRATCH_SUBJECT = ox.NamedNode("urn:csi-graph:scratch")


def stored_form(literal: ox.Literal) -> ox.Literal:
    """The literal an Oxigraph store keeps for ``literal`` (often ``literal`` itself)."""
    datatype = literal.datatype.value
    if datatype not in NORMALISED:
        return literal
    kept = _KEPT.get(datatype)
    if kept is not None and kept.fullmatch(literal.value):
        return literal
    scratch = ox.Store()  # ground truth: what a store does with it
    scratch.add(ox.Quad(_SCRATCH_SUBJECT, _SCRATCH_SUBJECT, literal))
    return next(iter(scratch)).object


def encode(literal: ox.Literal) -> ox.Literal:
    """``literal``, or its exact stand-in if a store would change it (see the module docstring)."""
    if literal.datatype.value not in NORMALISED or stored_form(literal) == literal:
        return literal
    return ox.Literal(literal.value, datatype=ox.NamedNode(WRITTEN + literal.datatype.value))


def decode(term):
    """The literal a stand-in stands for; any other term unchanged."""
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(WRITTEN):
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(WRITTEN) :]))
    return term


def exact_quads(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """``quads`` with every literal a store would change replaced by its stand-in."""
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal) and obj.datatype.value in NORMALISED:
            stand_in = encode(obj)
            if stand_in is not obj:
                quad = ox.Quad(quad.subject, quad.predicate, stand_in, quad.graph_name)
        yield quad


# -- finding them in a file -----------------------------------------------------------------


@dataclass(frozen=True)
class LiteralChange:
    """A literal of a file that the store keeps in another form."""

    file: str  # as shown to the user
    line: int | None
    written: ox.Literal
    stored: ox.Literal
    graph: str | None = None  # the named graph it was loaded into, when known

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {_n3(self.written)} is stored as {_n3(self.stored)}"


def changes(quads: Iterable[ox.Quad], file: str, path: Path | None = None) -> list[LiteralChange]:
    """The literals of ``quads`` (a parser's output) that a store would change."""
    found: list[LiteralChange] = []
    seen: set[tuple] = set()
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal) and obj.datatype.value in NORMALISED:
            stored = stored_form(obj)
            if stored != obj:
                graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
                key = (obj, graph)
                if key not in seen:
                    seen.add(key)
                    found.append(LiteralChange(file, None, obj, stored, graph))
    if path is not None and found:
        found = _with_lines(found, path)
    return found


_SCANNED: dict[tuple[Path, int, int], list[LiteralChange]] = {}


def scan_file(path: Path, file: str) -> list[LiteralChange]:
    """The literals of one RDF file that a store would change, with the line of each.

    Read with the loader's parser (Oxigraph's, exact); remembered for the process, by the
    file's path, size and modification time, so that the loader and validation share one scan.
    """
    from csi_graph.loader import graph_name, read_quads

    stat = path.stat()
    key = (path.resolve(), stat.st_size, stat.st_mtime_ns)
    if key not in _SCANNED:
        default = graph_name(path)
        found = [] if certainly_unchanged(path) else changes(read_quads(path, file), file, path)
        _SCANNED[key] = [
            LiteralChange(c.file, c.line, c.written, c.stored, c.graph or default) for c in found
        ]
    return _SCANNED[key]


# -- a fast path for big Turtle files --------------------------------------------------------
#
# Parsing a million triples again in Python costs about as much as Oxigraph's whole load
# (BENCHMARKS.md). A Turtle or N-Triples file whose text shows no literal the store could
# change needs no parse: every literal of a datatype in NORMALISED is written either with
# "^^" (each one is read here, its lexical form and datatype checked against _KEPT) or as a
# bare number (true and false are kept as written). The bytes are mapped to a few classes
# (digits, delimiters...) so that a handful of fixed-string searches find every place where
# a number that is not a certainly kept integer could start; each such line is then
# tokenised (IRIs, strings and comments left out) and checked exactly. Anything unusual
# (long strings, escapes, an undeclared prefix, a relative datatype IRI) answers "not
# certain", and the file is parsed as before: this can only skip a parse that finds nothing.

_DELIMITERS = b" \t\r\n([,;>)]{}"  # what may come before a bare number in Turtle


def _classes(zero: bytes) -> bytes:
    table = bytearray(b"a" * 256)
    for byte in _DELIMITERS:
        table[byte] = ord(" ")
    for byte in b"0123456789":
        table[byte] = ord("0")
    table[ord("0")] = zero[0]
    for byte in b"eE":
        table[byte] = ord("e")
    for byte in b".+-":
        table[byte] = byte
    return bytes(table)


_DIGITS = _classes(b"0")  # every digit as 0
_ZEROS = _classes(b"z")  # 0 as z, other digits as 0
# Where a number the store may change can start: a fraction or an exponent (with _DIGITS);
# a leading zero, a sign before a zero, a plus sign after a delimiter (with _ZEROS).
_SUSPECT = ((_DIGITS, (b".0", b"0.e", b"0e", b"0" * 19)), (_ZEROS, (b" z0", b" zz", b" -z", b" +")))
_TYPED_FORMS = (".ttl", ".nt")
_UNUSUAL = (b'"""', b"'''", b"\\")  # multi-line strings, escapes: parse instead
_SKIPPED = re.compile(rb"<[^<>\s]*>|\"[^\"\n\r]*\"|'[^'\n\r]*'|#[^\n\r]*")
_NUMBER = re.compile(
    rb"[\s(\[,;>)\]{}](?!(?:0|-?[1-9][0-9]{0,17})(?:[^0-9.eE]|\.(?![0-9eE])|\Z))[+-]?\.?[0-9]"
)
_DATATYPE = re.compile(
    rb"\^\^(?:([A-Za-z][\w.-]*)?:([A-Za-z_][A-Za-z0-9_]*)|<([^<>\"{}|^`\\\s]*)>)(?=[\s;,)\]}]|\.(?![\w:-])|\Z)"
)
_PREFIX = re.compile(rb"(?:@prefix|prefix)\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>")
_ABSOLUTE = re.compile(rb"[A-Za-z][A-Za-z0-9+.-]*:")


def certainly_unchanged(path: Path) -> bool:
    """Whether a Turtle or N-Triples file certainly holds no literal the store would change.

    False means "not certain" (the file is then parsed, see :func:`scan_file`).
    """
    if path.suffix.lower() not in _TYPED_FORMS:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if any(form in data for form in _UNUSUAL):
        return False
    prefixes = _prefixes(data)
    return prefixes is not None and _typed_kept(data, prefixes) and not _bare_number(data)


def _prefixes(data: bytes) -> dict[bytes, bytes] | None:
    """Every prefix the file declares (once each, to an absolute IRI), else None."""
    prefixes: dict[bytes, bytes] = {}
    lowered = data.lower()
    at = lowered.find(b"prefix")
    while at != -1:
        start = at - 1 if data[at - 1 : at] == b"@" else at
        match = _PREFIX.match(lowered, start)
        if match is not None:
            name, iri = (
                data[match.start(1) : match.end(1)] if match.group(1) else b"",
                data[match.start(2) : match.end(2)],
            )
            if prefixes.setdefault(name, iri) != iri or not _ABSOLUTE.match(iri):
                return None
        at = lowered.find(b"prefix", at + 6)
    return prefixes


def _typed_kept(data: bytes, prefixes: dict[bytes, bytes]) -> bool:
    """Whether every "lexical"^^datatype of the file is one the store keeps as written."""
    kept_forms: set[tuple[bytes, bytes]] = set()  # (lexical, ^^datatype) already judged kept
    at = data.find(b"^^")
    while at != -1:
        start = data.rfind(b'"', 0, at - 1)
        lexical = data[start + 1 : at - 1]
        match = _DATATYPE.match(data, at)
        if (
            data[at - 1 : at] != b'"'
            or start < 0
            or data[start - 1 : start] in (b'"', b"'")  # a long string (a backslash: see _UNUSUAL)
            or b"\n" in lexical
            or b"\r" in lexical
            or match is None
        ):
            return False
        form = (lexical, match.group(0))
        if form not in kept_forms:
            if not _kept_as_written(lexical, *match.groups(), prefixes):
                return False
            kept_forms.add(form)
        at = data.find(b"^^", at + 2)
    return True


def _kept_as_written(
    lexical: bytes, prefix: bytes | None, local: bytes | None, iri: bytes | None, prefixes: dict[bytes, bytes]
) -> bool:
    if iri is None:
        if (prefix or b"") not in prefixes:
            return False
        iri = prefixes[prefix or b""] + (local or b"")
    elif not _ABSOLUTE.match(iri):
        return False
    datatype = iri.decode("utf-8", "replace")
    if datatype not in NORMALISED:
        return True
    kept = _KEPT.get(datatype)
    return kept is not None and kept.fullmatch(lexical.decode("utf-8", "replace")) is not None


def _bare_number(data: bytes) -> bool:
    """Whether a bare number that is not a kept integer may stand outside IRIs, strings and comments."""
    lines: set[int] = set()
    for table, forms in _SUSPECT:
        classes = data.translate(table)
        for form in forms:
            at = classes.find(form)
            while at != -1:
                lines.add(data.rfind(b"\n", 0, at) + 1)
                at = classes.find(form, at + 1)
    text = b"\n".join(data[start : _line_end(data, start)] for start in sorted(lines))
    return _NUMBER.search(_SKIPPED.sub(b" ", b"\n" + text + b"\n")) is not None


def _line_end(data: bytes, start: int) -> int:
    end = data.find(b"\n", start)
    return len(data) if end == -1 else end


def changes_in(dataset, *, scan: bool = True) -> list[LiteralChange]:
    """The literals of a dataset's files that its store changed (``scan=False``: those already found)."""
    found: list[LiteralChange] = []
    seen: set[Path] = set()
    for info in dataset.graphs:
        if info.path is None or info.path in seen:
            continue
        seen.add(info.path)
        if scan:
            found += scan_file(info.path, info.display)
        else:
            try:
                stat = info.path.stat()
            except OSError:
                continue
            found += _SCANNED.get((info.path.resolve(), stat.st_size, stat.st_mtime_ns), [])
    return found


def _with_lines(found: list[LiteralChange], path: Path) -> list[LiteralChange]:
    """The line where each literal's lexical form is first written (a text search)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return found
    located = []
    for change in found:
        form = re.compile(r'(?<![\w.+-])["\']?' + re.escape(change.written.value) + r"(?![\w.])")
        line = next((number for number, text in enumerate(lines, 1) if form.search(text)), None)
        located.append(LiteralChange(change.file, line, change.written, change.stored, change.graph))
    return located


def _n3(literal: ox.Literal) -> str:
    datatype = literal.datatype.value
    short = "xsd:" + datatype[len(XSD) :] if datatype.startswith(XSD) else f"<{datatype}>"
    value = literal.value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value}"^^{short}'


@contextlib.contextmanager
def quiet_rdflib():
    """rdflib logs a warning (with a traceback) for every ill-formed literal it meets; SHACL
    reports them properly, so the log is silenced while terms are converted."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def sparql_decoded(variable: str) -> str:
    """A SPARQL expression giving the literal a stand-in in ``variable`` stands for (else itself)."""
    datatype = f"STR(DATATYPE({variable}))"
    return (
        f'IF(STRSTARTS({datatype}, "{WRITTEN}"), '
        f'STRDT(STR({variable}), IRI(STRAFTER({datatype}, "{WRITTEN}"))), {variable})'
    )
