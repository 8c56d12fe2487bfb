"""The library of named queries (``queries/*.rq``) and how a query is run with parameters.

Each ``.rq`` file opens with a header of ``#`` comment lines::

    # title@en: Commitments of a contract, by party
    # title@fr: Engagements d'un contrat, par partie
    # description@en: Every commitment of a contract with the party that took it.
    # description@fr: Chaque engagement d'un contrat avec la partie qui l'a pris.
    # param: contract (contract, default chambery-2021) The contract, by identifier or IRI
    # param: lang (lang, default en) Language of labels

An optional ``# pivot: ROW COLUMN VALUE`` line asks the table and Markdown formats to show
the result as a matrix (one row per ROW value, one column per COLUMN value).

A parameter names a variable of the query. Its value is converted to an RDF term by its
type (``iri``, ``contract``, ``string``, ``lang``, ``integer``, ``date``) and bound by the
engine; a parameter without default stays unbound (the query then covers every value).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from csi_graph.errors import CsiError, InputError
from csi_graph.files import check_readable
from csi_graph.namespaces import DATA_BASE, PREFIXES
from csi_graph.resources import queries_dir
from csi_graph.sparql import QueryError, bind_values, check_query, declared_variables
from csi_graph.terms import to_ntriples

if TYPE_CHECKING:
    from csi_graph.results import QueryResult

PARAM_TYPES = ("iri", "contract", "string", "lang", "integer", "date")
_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)(?:@(?P<lang>[a-z]{2}))?\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)(?:\s*,\s*default\s+(?P<default>[^)]*))?\)\s*(?P<doc>.*)$"
)
_LANG_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library with its header: titles, descriptions, parameters."""

    name: str
    path: Path
    text: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    pivot: tuple[str, str, str] | None = None  # (row, column, value) for the table format

    def title(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.name

    def description(self, lang: str = "en") -> str:
        return self.descriptions.get(lang) or self.descriptions.get("en") or ""

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse_named_query(path: Path, name: str | None = None) -> NamedQuery:
    """Read a ``.rq`` file and its header."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the query
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read the query: {error}") from None
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    parameters: list[Parameter] = []
    pivot: tuple[str, str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if not match:
            continue
        key, lang, value = match["key"], match["lang"] or "en", match["value"].strip()
        if key == "title":
            titles[lang] = value
        elif key == "description":
            descriptions[lang] = value
        elif key == "param":
            declared = _PARAM.match(value)
            if not declared or declared["type"] not in PARAM_TYPES:
                raise InputError(
                    str(path),
                    f"bad parameter declaration {value!r}: write "
                    f"'# param: NAME (TYPE[, default VALUE]) description' with TYPE one of {', '.join(PARAM_TYPES)}",
                    number,
                )
            default = declared["default"].strip() if declared["default"] is not None else None
            parameters.append(Parameter(declared["name"], declared["type"], default, declared["doc"].strip()))
        elif key == "pivot":
            parts = value.split()
            if len(parts) != 3:
                raise InputError(
                    str(path), "write '# pivot: ROW COLUMN VALUE' (three variable names)", number
                )
            pivot = (parts[0], parts[1], parts[2])
    return NamedQuery(name or path.stem, path, text, titles, descriptions, tuple(parameters), pivot)


def library(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query, by name (file name without ``.rq``), sorted; checks excluded."""
    folder = folder or queries_dir()
    return {path.stem: parse_named_query(path) for path in sorted(folder.glob("*.rq"))}


def checks(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The quality checks (``queries/checks/*-violation.rq``) that must return no row."""
    folder = (folder or queries_dir()) / "checks"
    return {path.stem: parse_named_query(path) for path in sorted(folder.glob("*-violation.rq"))}


def resolve(query: str) -> tuple[str, NamedQuery | None]:
    """Query text and its header for a library name, a ``.rq`` path, or SPARQL text itself."""
    named = library()
    if query in named:
        return named[query].text, named[query]
    if query.startswith("checks/") and query[len("checks/") :] in checks():
        found = checks()[query[len("checks/") :]]
        return found.text, found
    if re.fullmatch(r"[\w./\\-]+\.(rq|sparql)", query.strip()):
        path = Path(query)
        if not path.exists():
            raise InputError(query, "no such query file")
        check_readable(path, query)  # a FIFO would block for ever
        found = parse_named_query(path)
        return found.text, found
    if re.fullmatch(r"[\w-]+", query.strip()):
        close = difflib.get_close_matches(query, list(named), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see csi-graph query --list"
        raise CsiError(f"no named query {query!r}{hint}")
    return query, None


def to_term(value: Any, kind: str | None = None) -> Node:
    """Convert a parameter value to an RDF term, by declared type when there is one."""
    if isinstance(value, (URIRef, Literal)):
        return value
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value)
    if isinstance(value, datetime.date):
        return Literal(value.isoformat(), datatype=URIRef(XSD + "date"))
    text = str(value)
    if kind == "contract":
        return (
            URIRef(text)
            if "://" in text
            else URIRef(f"{DATA_BASE}contract/{text.strip('<>').split('/')[-1]}")
        )
    if kind == "iri":
        return _iri(text)
    if kind == "lang":
        if not _LANG_TAG.match(text):
            raise CsiError(f"not a language tag: {text!r} (try fr or en)")
        return Literal(text)
    if kind == "integer":
        if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
            raise CsiError(f"not an integer: {text!r}")
        return _integer(text.strip())
    if kind == "date":
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise CsiError(f"not a date: {text!r} (write YYYY-MM-DD)") from None
        return Literal(text, datatype=URIRef(XSD + "date"))
    if kind == "string":
        return Literal(text)
    return _guess(text)


def _iri(text: str) -> URIRef:
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if "://" in text:
        return URIRef(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(DATA_BASE + text.lstrip("/"))


def _guess(text: str) -> Node:
    """For SPARQL text without a header: <iri>, prefix:name, "literal"@lang / ^^type, numbers, else a string."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, sep, _ = text.partition(":")
    if sep and prefix in PREFIXES and " " not in text:
        return _iri(text)
    literal = re.fullmatch(r'"(?P<body>.*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<(?P<dt>[^<>"\s]+)>)?', text, re.S)
    if literal:
        if literal["lang"]:
            return Literal(literal["body"], lang=literal["lang"])
        if literal["dt"]:
            return Literal(literal["body"], datatype=URIRef(literal["dt"]))
        return Literal(literal["body"])
    if re.fullmatch(r"[+-]?\d+", text):
        return _integer(text)
    return Literal(text)


def _integer(digits: str) -> Literal:
    """An xsd:integer from its digits, without int(): Python refuses to convert more than 4,300."""
    return Literal(digits.lstrip("+"), datatype=URIRef(XSD + "integer"))


def bindings_for(named: NamedQuery | None, text: str, params: Mapping[str, Any]) -> dict[str, Node]:
    """The RDF terms to bind: declared defaults, then the given values."""
    variables = declared_variables(text)
    bindings: dict[str, Node] = {}
    if named is not None:
        for parameter in named.parameters:
            if parameter.default is not None:
                bindings[parameter.name] = to_term(parameter.default, parameter.type)
    for name, value in params.items():
        declared = named.parameter(name) if named else None
        if named is not None and named.parameters and declared is None:
            known = ", ".join(p.name for p in named.parameters) or "none"
            raise CsiError(f"query {named.name!r} has no parameter {name!r} (its parameters: {known})")
        if declared is None and name not in variables:
            raise CsiError(f"the query has no variable ?{name} to bind")
        if value is None:
            bindings.pop(name, None)
            continue
        bindings[name] = to_term(value, declared.type if declared else None)
    return bindings


def run(
    dataset,
    query: str | NamedQuery,
    params: Mapping[str, Any],
    *,
    allow_remote: bool = False,
    max_rows: int | None = None,
) -> QueryResult:
    """Resolve, check and run a query on a dataset with bound parameters."""
    from csi_graph.results import QueryResult

    text, named = (query.text, query) if isinstance(query, NamedQuery) else resolve(query)
    check_query(text, dataset.graph_names, allow_remote=allow_remote)
    bound = bind_values(
        text, {name: to_ntriples(term) for name, term in bindings_for(named, text, params).items()}
    )
    try:
        raw = dataset.execute(bound, max_rows=max_rows)
    except QueryError:
        raise
    except SyntaxError as error:  # Oxigraph
        raise QueryError(f"malformed SPARQL: {error}") from None
    except Exception as error:  # rdflib's parser raises pyparsing errors
        if type(error).__name__ in ("ParseException", "ParseSyntaxException"):
            raise QueryError(f"malformed SPARQL: {error}") from None
        raise
    return QueryResult(raw)
