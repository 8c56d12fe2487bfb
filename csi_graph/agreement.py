"""Do two engines give the same answers? Query results compared as multisets.

Running the same named query on rdflib, on embedded Oxigraph and on a SPARQL server must
give the same answers; this module says whether they do, and where not. Rows are compared
as multisets (``ORDER BY`` ties may come in any order), blank nodes as "some blank node"
(their labels are local to each engine) and numbers by value (``1.50`` and ``1.5`` are the
same decimal, which engines may write either way). ``GROUP_CONCAT`` has no order in SPARQL:
a literal made of parts joined by ``"; "`` (the separator of the named queries) compares
as the sorted parts.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal
from rdflib.term import Node

from csi_graph.queries import NamedQuery, bindings_for
from csi_graph.sparql import bind_values, check_query
from csi_graph.store import RawResult
from csi_graph.terms import to_ntriples

XSD = "http://www.w3.org/2001/XMLSchema#"
CONCAT_SEPARATOR = "; "
_NUMBERS = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}


def normalise(term: Node | None) -> object:
    """A comparable form of a term: blank nodes alike, numbers by value, concatenations as sets."""
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal) and CONCAT_SEPARATOR in term:
        return ("concat", tuple(sorted(str(term).split(CONCAT_SEPARATOR))), term.language, term.datatype)
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) in _NUMBERS:
        try:
            return ("number", Decimal(str(term)).normalize())
        except InvalidOperation:
            return term
    return term


def answers(raw: RawResult) -> Counter:
    """A result as a multiset: rows (by variable name) for SELECT, triples, or the boolean."""
    if raw.form == "ASK":
        return Counter([bool(raw.boolean)])
    if raw.form == "SELECT":
        variables = sorted(raw.variables)
        index = {v: i for i, v in enumerate(raw.variables)}
        return Counter(tuple(normalise(row[index[v]]) for v in variables) for row in raw.rows)
    return Counter(tuple(normalise(t) for t in triple) for triple in raw.triples)


def differences(expected: RawResult, actual: RawResult, limit: int = 5) -> list[str]:
    """What ``actual`` lacks or has in excess compared with ``expected`` (empty: the same)."""
    if expected.form == "SELECT" and sorted(expected.variables) != sorted(actual.variables):
        return [f"variables differ: {expected.variables} vs {actual.variables}"]
    a, b = answers(expected), answers(actual)
    missing, extra = a - b, b - a
    found = [f"missing {row!r} (x{n})" for row, n in list(missing.items())[:limit]]
    found += [f"unexpected {row!r} (x{n})" for row, n in list(extra.items())[:limit]]
    if found:
        found.insert(0, f"{sum(a.values())} rows expected, {sum(b.values())} got")
    return found


def bound_query(named: NamedQuery, graph_names: list[str], **params: object) -> str:
    """The text a named query runs as, parameters bound, after the safety check.

    The same text goes to every engine, local or remote, so that their answers compare.
    """
    text = named.text
    check_query(text, graph_names)
    bindings = bindings_for(named, text, params)
    return bind_values(text, {name: to_ntriples(term) for name, term in bindings.items()})
