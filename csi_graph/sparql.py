"""Reading SPARQL text safely: a small lexer, the query form, the safety policy, parameters.

The lexer knows strings, IRIs, comments and variables, so that a keyword inside a string
or an IRI is never mistaken for a clause. It serves three purposes:

* **Safety** (:func:`check_query`): ``SERVICE``, ``LOAD``, SPARQL Update and ``FROM`` /
  ``FROM NAMED`` with an IRI that is not a graph of the dataset are refused, unless the
  caller allows remote access.
* **Binding** (:func:`bind_values`): parameters are bound with a ``VALUES`` block holding
  each RDF term, serialised with N-Triples escaping and placed at the start of the query's
  ``WHERE`` group, so no value can change the query's structure. The same mechanism serves
  rdflib, Oxigraph and remote endpoints, so a query means the same thing on each.
* **Form** (:func:`query_form`): SELECT, ASK, CONSTRUCT or DESCRIBE.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from csi_graph.errors import CsiError

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_.\-\u00B7-\uFFFF]*(?::[^\s{}()\[\];,<>"']*)?|:[^\s{}()\[\];,<>"']*)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<space>\s+)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*=<>!+\-/|^@?$])
    """,
    re.VERBOSE,
)


class QueryError(CsiError):
    """A query that cannot or may not run: malformed, or refused by the safety policy."""


class QueryRefused(QueryError):
    """A well-formed request that the safety policy refuses (Update, SERVICE, remote FROM)."""


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
            line = text.count("\n", 0, position) + 1
            raise QueryError(f"line {line}: unexpected character {text[position]!r} in the query")
        if match.lastgroup != "space":
            yield Token(match.lastgroup or "", match.group(), position)
        position = match.end()


def _words(text: str) -> list[Token]:
    return [t for t in tokens(text) if t.kind != "comment"]


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; raises QueryError for an update or no query."""
    for token in _words(text):
        word = token.text.upper()
        if token.kind == "word" and word in FORMS:
            return word
        if token.kind == "word" and word in UPDATE_KEYWORDS:
            raise QueryRefused(f"SPARQL Update ({word}) is refused: this command only reads the data")
    raise QueryError("no SELECT, ASK, CONSTRUCT or DESCRIBE found in the query")


def check_query(text: str, local_graphs: Iterable[str] = (), allow_remote: bool = False) -> str:
    """Apply the safety policy; return the query form.

    Refused unless ``allow_remote``: ``SERVICE`` (federation to any host) and ``FROM`` /
    ``FROM NAMED`` naming a graph that is not one of ``local_graphs``. Always refused:
    SPARQL Update, including ``LOAD``.
    """
    words = _words(text)
    local = set(local_graphs)
    for index, token in enumerate(words):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in UPDATE_KEYWORDS:
            raise QueryRefused(f"SPARQL Update ({word}) is refused: queries only read the data")
        if word == "SERVICE" and not allow_remote:
            raise QueryRefused(
                "SERVICE is refused: it would make the engine contact another server; "
                "use --allow-remote if you mean it"
            )
        if word == "FROM" and not allow_remote:
            following = words[index + 1 : index + 3]
            iri = next((t for t in following if t.kind == "iri"), None)
            if iri is None or iri.text[1:-1] not in local:
                target = iri.text if iri else "a graph"
                raise QueryRefused(
                    f"FROM {target} is refused: it is not a graph of the loaded data and would be "
                    "fetched from the network; use --allow-remote if you mean it"
                )
    return query_form(text)


def declared_variables(text: str) -> set[str]:
    """Names of the variables a query mentions (without ? or $)."""
    return {t.text[1:] for t in _words(text) if t.kind == "var"}


def bind_values(text: str, bindings: Mapping[str, str]) -> str:
    """Bind variables in the query text with a VALUES block at the start of the WHERE group.

    ``bindings`` maps a variable name to an RDF term already serialised in N-Triples syntax
    (see :func:`csi_graph.terms.to_ntriples`), which escapes every character that could end
    the term. A parameter is thus in scope for the whole top-level group, FILTERs and
    OPTIONALs included (not inside sub-SELECTs, which have their own scope).
    """
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join(bindings.values())
    return insert_in_where(text, f"VALUES ({names}) {{ ({row}) }}")


def insert_in_where(text: str, block: str) -> str:
    """Put ``block`` (a pattern the caller built) first in the query's WHERE group."""
    brace = _where_brace(text)
    return text[: brace + 1] + f" {block} " + text[brace + 1 :]


def _where_brace(text: str) -> int:
    """Position of the ``{`` opening the query's WHERE group."""
    words = _words(text)
    form = query_form(text)
    for index, token in enumerate(words):
        if token.kind == "word" and token.text.upper() == "WHERE":
            following = words[index + 1] if index + 1 < len(words) else None
            if following is not None and following.text == "{":
                return following.start
    if form in ("SELECT", "ASK", "DESCRIBE"):  # WHERE is optional before the group
        for token in words:
            if token.text == "{":
                return token.start
    raise QueryError("cannot find the WHERE group of the query to bind its parameters")
