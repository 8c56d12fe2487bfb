"""Reading SPARQL text safely: the safety check, the query form, parameters.

**Safety** (:func:`check_query`) is decided on the parse tree of a real SPARQL 1.1
parser, rdflib's (a grammar, not a lexer): a ``SERVICE`` pattern anywhere, or ``FROM`` /
``FROM NAMED`` naming a graph that is not loaded, is refused unless the caller allows
remote access; SPARQL Update (``LOAD``, ``INSERT``...) is always refused. A text rdflib
cannot parse is refused, even if the engine could run it.

Two parsers read a query: rdflib's, which decides, and Oxigraph's, which runs it. Where
they might read one text two ways, the check fails closed: :func:`screen` first refuses
what the SPARQL grammar treats specially and the two are known or likely to read
differently —

* a carriage return not followed by a line feed (rdflib ends a comment at a line feed
  only, Oxigraph at either: ``#\\r SERVICE <…>`` hid a SERVICE from the old lexer);
* ``\\uXXXX`` escapes (rdflib expands them in the whole text before parsing, Oxigraph only
  inside IRIs and strings);
* control, format and space characters other than space, tab and line breaks (U+00A0,
  U+2003, U+2028, U+3000, U+FEFF...): SPARQL's white space is ASCII only, lexers built on
  ``\\s`` are not, and an invisible character should not decide what a query means;
* a text longer than ``QUERY_MAX_CHARS`` or nested deeper than ``QUERY_MAX_NESTING``
  (:mod:`csi_graph.limits`).

A text in which the letters of ``SERVICE`` and ``FROM`` appear nowhere, in any case, cannot
name another server: it skips the parse (which costs 10-100 ms). The second line of
defence is :mod:`csi_graph.isolation`: the server's query workers and the command line's
query process have no network at all.

**Binding** (:func:`bind_values`): parameters are bound with a ``VALUES`` block holding each
RDF term in N-Triples syntax, placed first in the query's ``WHERE`` group — a place the
parser confirms — so no value can change the query's structure; the same text serves
Oxigraph and remote endpoints. **Form** (:func:`query_form`): SELECT, ASK, CONSTRUCT or
DESCRIBE, read by a small lexer (strings, IRIs, comments) on which no safety depends.
"""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from csi_graph.errors import CsiError
from csi_graph.limits import LimitExceeded, limit

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

# SPARQL's white space is space, tab, CR and LF; comments end at CR or LF (SPARQL 1.1, 19.4).
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7-\uFFFF]*(?::[^\x00-\x20{}()\[\];,<>"']*)?|:[^\x00-\x20{}()\[\];,<>"']*)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<space>[\x20\t\r\n]+)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*=<>!+\-/|^@?$])
    """,
    re.VERBOSE,
)
_LONE_CR = re.compile(r"\r(?!\n)")
_UNICODE_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BRACKETS = re.compile(r"[{}()\[\]]")
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"}
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# One RDF term as csi_graph.terms.to_ntriples writes it: nothing in it can end a VALUES block.
_IRI = r'<[^\x00-\x20<>"{}|^`\\]*>'
_TERM = re.compile(
    rf'{_IRI}|"(?:[^"\\\r\n]|\\[tbnrf"\'\\])*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^{_IRI})?|UNDEF'
)
_PROBE = "csi_graph_binding_probe"


class QueryError(CsiError):
    """A query that cannot or may not run: malformed, or refused by the safety policy."""


class QueryRefused(QueryError):
    """A well-formed request that the safety policy refuses (Update, SERVICE, remote FROM)."""


class QueryTooComplex(QueryError, LimitExceeded):
    """A query longer or more deeply nested than the limits allow."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, without spaces; raises QueryError on an unreadable character."""
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            line, column = _line_column(text, position)
            raise QueryError(
                f"line {line}, column {column}: unexpected character {text[position]!r} in the query"
            )
        if match.lastgroup != "space":
            yield Token(match.lastgroup or "", match.group(), position)
        position = match.end()


def _words(text: str) -> list[Token]:
    return [t for t in tokens(text) if t.kind != "comment"]


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; raises QueryError for an update or no query.

    Read by the lexer, to choose an output format: :func:`check_query` gives the form the
    parser read, and decides what may run.
    """
    for token in _words(text):
        word = token.text.upper()
        if token.kind == "word" and word in FORMS:
            return word
        if token.kind == "word" and word in UPDATE_KEYWORDS:
            raise QueryRefused(f"SPARQL Update ({word}) is refused: queries only read the data")
    raise QueryError("no SELECT, ASK, CONSTRUCT or DESCRIBE found in the query")


# The safety check ------------------------------------------------------------------------------


def check_query(text: str, local_graphs: Iterable[str] = (), allow_remote: bool = False) -> str:
    """Apply the safety policy; return the query form (as the parser read it).

    Refused unless ``allow_remote``: ``SERVICE`` (federation to any host) and ``FROM`` /
    ``FROM NAMED`` naming a graph that is not one of ``local_graphs``. Always refused:
    SPARQL Update, including ``LOAD``, and what :func:`screen` refuses.
    """
    screen(text)
    folded = unicodedata.normalize("NFKC", text).casefold()
    if "service" not in folded and "from" not in folded:
        return query_form(text)  # nothing in the text can name another server
    analysis = _analyse(text)
    if allow_remote:
        return analysis.form
    if analysis.services:
        raise QueryRefused(
            f"SERVICE is refused: it would make the engine contact another server "
            f"({analysis.services[0]}); use --allow-remote if you mean it"
        )
    local = set(local_graphs)
    for clause, iri in analysis.datasets:
        if iri not in local:
            raise QueryRefused(
                f"{clause} <{iri}> is refused: it is not a graph of the loaded data and would be "
                "fetched from the network; use --allow-remote if you mean it"
            )
    return analysis.form


def screen(text: str) -> None:
    """Refuse, with line and column, what the two SPARQL parsers might read differently.

    See the module docstring. Raises :class:`QueryError` (or :class:`QueryTooComplex`).
    """
    if len(text) > limit("QUERY_MAX_CHARS"):
        raise QueryTooComplex(f"the query has {len(text):,} characters", "QUERY_MAX_CHARS")
    found = _LONE_CR.search(text)
    if found:
        raise QueryError(
            f"{_where(text, found.start())}: a carriage return that is not followed by a line feed; "
            "end lines with LF or CR LF"
        )
    found = _UNICODE_ESCAPE.search(text)
    if found:
        raise QueryError(
            f"{_where(text, found.start())}: {found.group()} escapes are refused (the parser that checks "
            "a query and the engine that runs it expand them differently); write the character itself"
        )
    position = _odd_character(text)
    if position is not None:
        char = text[position]
        name = unicodedata.name(char, "an unnamed character")
        raise QueryError(
            f"{_where(text, position)}: the query holds U+{ord(char):04X} ({name}); SPARQL's white "
            "space is only space, tab and line break, and an invisible or unusual character could "
            "make a query mean something else than it shows: remove it or use a plain space"
        )
    depth, deepest, at = 0, 0, 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "{([" else -1
        if depth > deepest:
            deepest, at = depth, match.start()
    if deepest > limit("QUERY_MAX_NESTING"):
        raise QueryTooComplex(
            f"{_where(text, at)}: the query nests {{ }}, ( ) or [ ] {deepest} levels deep",
            "QUERY_MAX_NESTING",
        )


def _odd_character(text: str) -> int | None:
    """Position of the first control, format or non-ASCII space character (tab, LF, CR allowed)."""
    found = _ASCII_CONTROL.search(text)
    first = found.start() if found else None
    if not text.isascii():
        odd = {c for c in set(text) if ord(c) > 0x7E and unicodedata.category(c) in _REFUSED_CATEGORIES}
        if odd:
            position = min(text.index(c) for c in odd)
            first = position if first is None else min(first, position)
    return first


@dataclass(frozen=True)
class Analysis:
    """What the parser found: the form, the SERVICE targets and the dataset clauses."""

    form: str
    services: tuple[str, ...]
    datasets: tuple[tuple[str, str], ...]  # ("FROM" or "FROM NAMED", IRI)


_FORM_OF = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
_UPDATE_NAMES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
}
_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()


def _analyse(text: str) -> Analysis:
    """Parse ``text`` with rdflib and collect what the policy looks at (cached by text)."""
    with _CACHE_LOCK:
        if text in _CACHE:
            _CACHE.move_to_end(text)
            return _CACHE[text]
    tree = parse(text)
    services, datasets = [], []
    for node in _nodes(tree):
        if node.name == "ServiceGraphPattern":
            term = node["term"]
            services.append(f"?{term}" if type(term).__name__ == "Variable" else f"<{term}>")
        elif node.name == "DatasetClause":
            if "named" in node:
                datasets.append(("FROM NAMED", str(node["named"])))
            else:
                datasets.append(("FROM", str(node["default"])))
    analysis = Analysis(_FORM_OF[tree[1].name], tuple(services), tuple(datasets))
    with _CACHE_LOCK:
        _CACHE[text] = analysis
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return analysis


def parse(text: str) -> Any:
    """rdflib's parse tree of a query (``[prologue, query]``); Update and syntax errors raise.

    Runs on a big stack with a recursion limit that grows with the text (the parser
    recurses once per triple pattern and per nesting level), so that a long or deep
    query gives an answer or an error, never a crash.
    """
    import pyparsing
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from csi_graph.isolation import on_big_stack

    with _RECURSION_LOCK:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous, 20_000 + 4 * len(text)))
        try:
            try:
                return on_big_stack(parseQuery, text)
            except pyparsing.ParseBaseException as error:
                syntax = error
            try:
                update = on_big_stack(parseUpdate, text)
            except pyparsing.ParseBaseException:
                update = None
        except RecursionError:
            raise QueryTooComplex("the query is too deeply nested to be checked") from None
        except QueryError:
            raise
        except Exception as error:  # a parse action refused a term: still malformed
            raise QueryError(f"malformed SPARQL: {error}") from None
        finally:
            sys.setrecursionlimit(previous)
    if update is not None:
        names = [
            name
            for op in update.request
            for name in (
                [_UPDATE_NAMES[op.name]]
                if op.name in _UPDATE_NAMES
                else [word for word in ("DELETE", "INSERT") if word.lower() in op]  # DELETE/INSERT ... WHERE
            )
        ]
        raise QueryRefused(
            f"SPARQL Update ({', '.join(dict.fromkeys(names))}) is refused: queries only read the data"
        )
    message = str(syntax).split("  (at char")[0].strip()
    message = message[:1].lower() + message[1:]
    raise QueryError(f"malformed SPARQL at line {syntax.lineno}, column {syntax.col}: {message}")


_RECURSION_LOCK = threading.Lock()


def _nodes(tree: Any) -> Iterator[Any]:
    """Every named node (``CompValue``) of a parse tree, without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(list(node))


def _where(text: str, position: int) -> str:
    line, column = _line_column(text, position)
    return f"line {line}, column {column}"


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


# Parameters ----------------------------------------------------------------------------------


def declared_variables(text: str) -> set[str]:
    """Names of the variables a query mentions (without ? or $)."""
    return {t.text[1:] for t in _words(text) if t.kind == "var"}


def bind_values(text: str, bindings: Mapping[str, str], *, confirm: bool = True) -> str:
    """Bind variables in the query text with a VALUES block at the start of the WHERE group.

    ``bindings`` maps a variable name to an RDF term already serialised in N-Triples syntax
    (see :func:`csi_graph.terms.to_ntriples`); anything else is refused, so no value can end
    the block. A parameter is thus in scope for the whole top-level group, FILTERs and
    OPTIONALs included (not inside sub-SELECTs, which have their own scope). The place of
    the block is confirmed by the parser (once per query text); ``confirm=False`` trusts the
    lexer, for the project's own queries (tested), which then need no rdflib at all.
    """
    if not bindings:
        return text
    for name, term in bindings.items():
        if not _VARNAME.fullmatch(name):
            raise QueryError(f"not a variable name: {name!r}")
        if not _TERM.fullmatch(term):
            raise QueryError(f"not an RDF term in N-Triples syntax: {term[:80]!r}")
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join(bindings.values())
    brace = _checked_where_brace(text) if confirm else _where_brace(text)
    return text[: brace + 1] + f" VALUES ({names}) {{ ({row}) }} " + text[brace + 1 :]


def insert_in_where(text: str, block: str) -> str:
    """Put ``block`` first in the query's WHERE group, for a text csi-graph built itself.

    Found by the lexer only (the SHACL engine calls it for every constraint of its own
    shapes); user text goes through :func:`bind_values`, whose place the parser confirms.
    """
    brace = _where_brace(text)
    return text[: brace + 1] + f" {block} " + text[brace + 1 :]


_PROBED: OrderedDict[str, int] = OrderedDict()


def _checked_where_brace(text: str) -> int:
    """:func:`_where_brace`, confirmed by parsing the text with a probe ``VALUES`` there."""
    with _CACHE_LOCK:
        if text in _PROBED:
            return _PROBED[text]
    brace = _where_brace(text)
    probed = text[: brace + 1] + f" VALUES ?{_PROBE} {{ UNDEF }} " + text[brace + 1 :]
    try:
        tree = parse(probed)
        where = tree[1]["where"] if "where" in tree[1] else None  # noqa: SIM401 - CompValue.get gives the key
        first = where["part"][0] if where is not None and "part" in where and where["part"] else None
    except QueryError:
        first = None
    probes = [node for node in _nodes(tree) if node.name == "InlineData"] if first is not None else []
    if (
        first is None
        or first.name != "InlineData"
        or _probe_variables(first) != [_PROBE]
        or sum(_PROBE in _probe_variables(node) for node in probes) != 1
    ):
        raise QueryError("cannot bind parameters: the query's WHERE group was not found where expected")
    with _CACHE_LOCK:
        _PROBED[text] = brace
        while len(_PROBED) > _CACHE_SIZE:
            _PROBED.popitem(last=False)
    return brace


def _probe_variables(node: Any) -> list[str]:
    return [str(v) for v in node["var"]] if "var" in node else []


@lru_cache(maxsize=_CACHE_SIZE)
def _where_brace(text: str) -> int:
    """Position of the ``{`` opening the query's WHERE group: after ``WHERE`` at the top level,
    else (WHERE is optional in SELECT, ASK and DESCRIBE) the first ``{`` at the top level.

    Found once per text (a pure function of it, cached): the pages of a site run the same few
    queries thousands of times with other parameters, and lexing a text on every run cost as
    much as running it. A text with no WHERE group raises each time (errors are not cached).
    """
    words = _words(text)
    form = query_form(text)
    depth, first = 0, None
    for index, token in enumerate(words):
        if token.text in ("}", ")", "]"):
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            following = words[index + 1] if index + 1 < len(words) else None
            if following is not None and following.text == "{":
                return following.start
        elif depth == 0 and token.text == "{" and first is None:
            first = token.start
        if token.text in ("{", "(", "["):
            depth += 1
    if form in ("SELECT", "ASK", "DESCRIBE") and first is not None:
        return first
    raise QueryError("cannot find the WHERE group of the query to bind its parameters")
