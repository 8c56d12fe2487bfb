"""Do two engines give the same answers? Query results compared as multisets.

Running the same named query on the embedded store, on ``csi-graph serve`` and on a SPARQL
server must give the same answers; this module says whether they do, and where not. Rows are compared
as multisets (``ORDER BY`` ties may come in any order), blank nodes as "some blank node"
(their labels are local to each engine) and numbers by value (``1.50`` and ``1.5`` are the
same decimal, which engines may write either way). ``GROUP_CONCAT`` has no order in SPARQL:
a literal made of parts joined by ``"; "`` (the separator of the named queries) compares
as the sorted parts.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

from csi_graph.queries import NamedQuery, prepare
from csi_graph.results import QueryResult
from csi_graph.sparql import check_query

XSD = "http://www.w3.org/2001/XMLSchema#"
CONCAT_SEPARATOR = "; "
_NUMBERS = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long")}


def normalise(term: Any) -> object:
    """A comparable form of a term: blank nodes alike, numbers by value, concatenations as sets."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return "_:"
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    datatype = term.datatype.value if term.language is None else None
    if CONCAT_SEPARATOR in term.value:
        return ("concat", tuple(sorted(term.value.split(CONCAT_SEPARATOR))), term.language, datatype)
    if datatype in _NUMBERS:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            pass
    return ("literal", term.value, term.language, datatype)


def answers(result: QueryResult) -> Counter:
    """A result as a multiset: rows (by variable name) for SELECT, triples, or the boolean."""
    if result.form == "ASK":
        return Counter([bool(result.boolean)])
    if result.form == "SELECT":
        variables = sorted(result.variables)
        index = {v: i for i, v in enumerate(result.variables)}
        return Counter(tuple(normalise(row[index[v]]) for v in variables) for row in result.rows)
    return Counter(
        tuple(normalise(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in result.triples
    )


def differences(expected: QueryResult, actual: QueryResult, limit: int = 5) -> list[str]:
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
    """The text a named query runs as, prologue added and parameters bound, after the safety check.

    The same text goes to every engine, local or remote, so that their answers compare.
    """
    text = prepare(named, params)
    check_query(text, graph_names)
    return text
