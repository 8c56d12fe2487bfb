"""Every SPARQL text csi-graph runs, and the one way a query is prepared and run.

The texts live in ``queries/``: the named queries users run (``queries/*.rq``), the
quality checks (``queries/checks/*-violation.rq``) and the queries the library itself
runs (``queries/internal/<module>/*.rq``: comparison, pages, tables...). Each ``.rq`` file
opens with a header of ``#`` comment lines::

    # title@en: Commitments of a contract, by party
    # title@fr: Engagements d'un contrat, par partie
    # description@en: Every commitment of a contract with the party that took it.
    # description@fr: Chaque engagement d'un contrat avec la partie qui l'a pris.
    # param: contract (contract, default chambery-2021) The contract, by identifier or IRI
    # param: lang (lang, default en) Language of labels

An optional ``# pivot: ROW COLUMN VALUE`` line asks the table and Markdown formats to show
the result as a matrix (one row per ROW value, one column per COLUMN value).

A parameter names a variable of the query. Its value is converted to an RDF term by its
type (``iri``, ``contract``, ``string``, ``lang``, ``integer``, ``date``) and bound in a
``VALUES`` block; a parameter without default stays unbound (the query then covers every
value).

Whatever runs it — the embedded store, ``csi-graph serve``, a remote endpoint — a query is
prepared the same way (:func:`prepare`): :data:`PROLOGUE` (the documented prefixes and a
``BASE`` for data IRIs) is put before the text, on its first line so that line numbers
stay the user's, then the parameters are bound. The same text thus gives the same answer
on every path.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from csi_graph.errors import CsiError, InputError
from csi_graph.files import check_readable
from csi_graph.namespaces import DATA_BASE, PREFIXES
from csi_graph.resources import queries_dir
from csi_graph.sparql import QueryError, bind_values, check_query, declared_variables, query_form
from csi_graph.terms import XSD, iri, literal, to_ntriples

if TYPE_CHECKING:
    from csi_graph.results import QueryResult

PARAM_TYPES = ("iri", "contract", "string", "lang", "integer", "date")
# Declared before every query, on every path (documented in docs/queries.md).
PROLOGUE = f"BASE <{DATA_BASE}> " + " ".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + " "
INTERNAL = "internal"
_HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)(?:@(?P<lang>[a-z]{2}))?\s*:\s*(?P<value>.*)$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)(?:\s*,\s*default\s+(?P<default>[^)]*))?\)\s*(?P<doc>.*)$"
)
_LANG_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_POSITION = re.compile(r"\b(?:error at |line )1:(\d+)")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class NamedQuery:
    """A query with its header: titles, descriptions, parameters.

    ``trusted`` queries are csi-graph's own (in ``queries/``): they skip the safety check
    that every other text goes through, since a bound parameter cannot change a query.
    """

    name: str
    path: Path | None
    text: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()
    pivot: tuple[str, str, str] | None = None  # (row, column, value) for the table format
    trusted: bool = False

    def title(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.titles.get("en") or self.name

    def description(self, lang: str = "en") -> str:
        return self.descriptions.get(lang) or self.descriptions.get("en") or ""

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @cached_property  # read once: a site asks thousands of times
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return query_form(self.text)


def parse_named_query(path: Path, name: str | None = None, *, trusted: bool = False) -> NamedQuery:
    """Read a ``.rq`` file and its header."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the query
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"cannot read the query: {error}") from None
    return parse_text(text, name or path.stem, path, trusted=trusted)


def parse_text(text: str, name: str, path: Path | None = None, *, trusted: bool = False) -> NamedQuery:
    """A query and the header it opens with."""
    where = str(path) if path else name
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
                    where,
                    f"bad parameter declaration {value!r}: write "
                    f"'# param: NAME (TYPE[, default VALUE]) description' with TYPE one of {', '.join(PARAM_TYPES)}",
                    number,
                )
            default = declared["default"].strip() if declared["default"] is not None else None
            parameters.append(Parameter(declared["name"], declared["type"], default, declared["doc"].strip()))
        elif key == "pivot":
            parts = value.split()
            if len(parts) != 3:
                raise InputError(where, "write '# pivot: ROW COLUMN VALUE' (three variable names)", number)
            pivot = (parts[0], parts[1], parts[2])
    return NamedQuery(name, path, text, titles, descriptions, tuple(parameters), pivot, trusted)


def library(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query users run, by name (file name without ``.rq``), sorted."""
    if folder is not None:
        return {path.stem: parse_named_query(path) for path in sorted(folder.glob("*.rq"))}
    return {path.stem: _bundled(path.stem) for path in sorted(queries_dir().glob("*.rq"))}


def checks(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The quality checks (``queries/checks/*-violation.rq``) that must return no row."""
    if folder is not None:
        return {p.stem: parse_named_query(p) for p in sorted((folder / "checks").glob("*-violation.rq"))}
    return {
        p.stem: _bundled(f"checks/{p.stem}")
        for p in sorted((queries_dir() / "checks").glob("*-violation.rq"))
    }


def internal() -> dict[str, NamedQuery]:
    """The queries the library runs itself (``queries/internal/``), by name (``internal/compare/volets``)."""
    root = queries_dir()
    return {
        name: _bundled(name)
        for name in sorted(
            p.relative_to(root).with_suffix("").as_posix() for p in (root / INTERNAL).rglob("*.rq")
        )
    }


@cache
def _bundled(name: str) -> NamedQuery:
    """A query of ``queries/`` by its path without ``.rq``, read once per process."""
    return parse_named_query(queries_dir() / f"{name}.rq", name, trusted=True)


def resolve(query: str) -> NamedQuery:
    """The query a name (``search``, ``checks/…``, ``internal/…``), a ``.rq`` path or SPARQL text stands for."""
    stripped = query.strip()
    if re.fullmatch(r"[\w-]+(/[\w-]+)*", stripped):
        if (queries_dir() / f"{stripped}.rq").is_file() and (
            "/" not in stripped or stripped.startswith(("checks/", f"{INTERNAL}/"))
        ):
            return _bundled(stripped)
        named = library()
        close = difflib.get_close_matches(stripped, list(named), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see csi-graph query --list"
        raise CsiError(f"no named query {query!r}{hint}")
    if re.fullmatch(r"[\w./\\-]+\.(rq|sparql)", stripped):
        path = Path(stripped)
        if not path.exists():
            raise InputError(query, "no such query file")
        check_readable(path, query)  # a FIFO would block for ever
        return parse_named_query(path)
    return parse_text(query, "query")


# Parameters ---------------------------------------------------------------------------------


def to_term(value: Any, kind: str | None = None) -> ox.NamedNode | ox.Literal:
    """Convert a parameter value to an RDF term, by declared type when there is one."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if type(value).__module__.startswith("rdflib"):  # an rdflib URIRef or Literal from a user's code
        from csi_graph.terms import rdflib_to_ox

        return rdflib_to_ox(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, datetime.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    text = str(value)
    if kind == "contract":
        if "://" in text:
            return iri(text.strip("<>"))
        return iri(f"{DATA_BASE}contract/{text.strip('<>').split('/')[-1]}")
    if kind == "iri":
        return _iri(text)
    if kind == "lang":
        if not _LANG_TAG.match(text):
            raise CsiError(f"not a language tag: {text!r} (try fr or en)")
        return ox.Literal(text)
    if kind == "integer":
        if not re.fullmatch(r"\s*[+-]?\d+\s*", text):
            raise CsiError(f"not an integer: {text!r}")
        return _integer(text.strip())
    if kind == "date":
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise CsiError(f"not a date: {text!r} (write YYYY-MM-DD)") from None
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
    if kind == "string":
        return ox.Literal(text)
    return _guess(text)


def _iri(text: str) -> ox.NamedNode:
    """``<…>``, ``https://…``, ``prefix:name`` or a data IRI relative to the BASE (``contract/x``)."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if "://" in text:
        return iri(text)
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return iri(PREFIXES[prefix] + local)
    return iri(DATA_BASE + text.lstrip("/"))


def _guess(text: str) -> ox.NamedNode | ox.Literal:
    """For SPARQL text without a header: <iri>, prefix:name, "literal"@lang / ^^type, numbers, else a string."""
    if text.startswith("<") and text.endswith(">"):
        return _iri(text)
    prefix, sep, _ = text.partition(":")
    if sep and prefix in PREFIXES and " " not in text:
        return _iri(text)
    found = re.fullmatch(r'"(?P<body>.*)"(?:@(?P<lang>[A-Za-z0-9-]+)|\^\^<(?P<dt>[^<>"\s]+)>)?', text, re.S)
    if found:
        return literal(found["body"], lang=found["lang"], datatype=found["dt"])
    if re.fullmatch(r"[+-]?\d+", text):
        return _integer(text)
    return ox.Literal(text)


def _integer(digits: str) -> ox.Literal:
    """An xsd:integer from its digits, without int(): Python refuses to convert more than 4,300."""
    return ox.Literal(digits.lstrip("+"), datatype=ox.NamedNode(XSD + "integer"))


def bindings_for(named: NamedQuery, params: Mapping[str, Any]) -> dict[str, ox.NamedNode | ox.Literal]:
    """The RDF terms to bind: declared defaults, then the given values."""
    variables = declared_variables(named.text) if not named.parameters else set()
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    for parameter in named.parameters:
        if parameter.default is not None:
            bindings[parameter.name] = to_term(parameter.default, parameter.type)
    for name, value in params.items():
        declared = named.parameter(name)
        if named.parameters and declared is None:
            known = ", ".join(p.name for p in named.parameters)
            raise CsiError(f"query {named.name!r} has no parameter {name!r} (its parameters: {known})")
        if declared is None and name not in variables:
            raise CsiError(f"the query has no variable ?{name} to bind")
        if value is None:
            bindings.pop(name, None)
            continue
        bindings[name] = to_term(value, declared.type if declared else None)
    return bindings


def prepare(named: NamedQuery, params: Mapping[str, Any] = {}) -> str:
    """The text a query runs as, on every engine: the prologue, then the query, parameters bound."""
    return PROLOGUE + _bound(named, bindings_for(named, params))


def _bound(named: NamedQuery, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query's text with its parameters bound, without the prologue."""
    if not bindings:
        return named.text
    terms = {name: to_ntriples(term) for name, term in bindings.items()}
    return bind_values(named.text, terms, confirm=not named.trusted)


def run(
    target,
    query: str | NamedQuery,
    params: Mapping[str, Any],
    *,
    allow_remote: bool = False,
    max_rows: int | None = None,
) -> QueryResult:
    """Resolve, prepare, check and run a query on a dataset or an endpoint."""
    named = query if isinstance(query, NamedQuery) else resolve(query)
    bindings = bindings_for(named, params)
    for parameter in named.parameters:
        if parameter.type == "contract" and parameter.name in bindings:
            contract_iri(
                target, bindings[parameter.name].value, params.get(parameter.name, parameter.default)
            )
    if getattr(target, "cache_entry", None) is not None:  # a dataset opened from the cache
        from csi_graph import textindex

        if textindex.answers(named):
            indexed = textindex.search(target, bindings, max_rows)
            if indexed is not None:
                return indexed
    body = _bound(named, bindings)
    # The check reads the query without the fixed prologue: rdflib's parser misreads a SERVICE
    # that follows a '#' on the same line (the prologue's IRIs hold some), and positions stay
    # the user's.
    form = named.form if named.trusted else check_query(body, target.graph_names, allow_remote=allow_remote)
    try:
        return target.execute(PROLOGUE + body, form, max_rows=max_rows)
    except SyntaxError as error:  # Oxigraph
        raise QueryError(f"malformed SPARQL: {user_position(str(error))}") from None


def contracts(target) -> dict[str, str]:
    """Each contract of a dataset or endpoint, by identifier (``chambery-2021``) and by IRI."""
    found: dict[str, str] = {}
    for row in target.query("internal/contracts").rows:
        iri_, identifier = row
        found[iri_.value] = iri_.value
        if identifier is not None:
            found.setdefault(identifier.value, iri_.value)
    return found


def contract_iri(target, contract: str, given: Any = None, known: Mapping[str, str] | None = None) -> str:
    """The IRI of a contract given by identifier or IRI; a usage error naming the loaded ones if unknown."""
    known = known if known is not None else contracts(target)
    if contract in known:
        return known[contract]
    identifiers = sorted({name for name in known if "://" not in name}) or sorted(known)
    wanted = str(given if given is not None else contract)
    close = difflib.get_close_matches(wanted, identifiers, n=3, cutoff=0.7)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise CsiError(
        f"no contract {wanted!r} is loaded; {hint}the loaded contracts are: {', '.join(identifiers) or 'none'}"
    )


def user_position(message: str) -> str:
    """An engine's message with a position on line 1 counted in the user's text (without the prologue)."""
    return _POSITION.sub(
        lambda m: m.group(0).replace(m.group(1), str(max(int(m.group(1)) - len(PROLOGUE), 1))), message
    )
