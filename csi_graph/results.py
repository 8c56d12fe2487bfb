"""Query results as Python values and in the W3C result formats.

A :class:`QueryResult` keeps the terms as Oxigraph gives them (``.rows``, ``.triples``),
iterates as dicts of plain Python values (``str``, ``int``, ``Decimal``,
``datetime.date``...), converts to a pandas DataFrame when pandas is installed, and
serialises: the SPARQL 1.1 Query Results JSON, XML, CSV and TSV formats are written by
Oxigraph's serialisers; the aligned text table and Markdown, meant for people, print IRIs
the way a query can take them back (``<contract/chambery-2021>``, ``csi:Commitment``);
CONSTRUCT and DESCRIBE results go through the one RDF writer of :mod:`csi_graph.export`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from csi_graph.errors import CsiError
from csi_graph.namespaces import shorten
from csi_graph.terms import to_python

if TYPE_CHECKING:
    from rdflib import Graph

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("turtle", "nt", "jsonld", "rdfxml")
_W3C = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


class QueryResult:
    """The answer to a query, whatever engine produced it (terms are pyoxigraph's)."""

    def __init__(
        self,
        form: str,
        variables: list[str] | None = None,
        rows: list[tuple[Any, ...]] | None = None,
        boolean: bool | None = None,
        triples: list[ox.Triple] | None = None,
        truncated: bool = False,
    ) -> None:
        self.form = form  # SELECT, ASK, CONSTRUCT or DESCRIBE
        self.variables = variables or []
        self.rows: list[tuple[Any, ...]] = rows or []
        self.boolean = boolean
        self.triples: list[ox.Triple] = triples or []
        self.truncated = truncated  # rows were left out by a row cap (``max_rows``)

    @classmethod
    def from_oxigraph(cls, form: str, answer: Any, max_rows: int | None = None) -> QueryResult:
        """Read Oxigraph's answer (solutions, boolean or triples), at most ``max_rows`` of it."""
        if isinstance(answer, ox.QueryBoolean):
            return cls("ASK", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            # A solution is a tuple of its values in the order of the variables: tuple() reads it
            # whole, three times faster than looking each variable up by name.
            rows, truncated = _capped((tuple(s) for s in answer), max_rows)
            return cls("SELECT", variables, rows, truncated=truncated)
        triples, truncated = _capped(iter(answer), max_rows)
        return cls("DESCRIBE" if form == "DESCRIBE" else "CONSTRUCT", triples=triples, truncated=truncated)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Each row as a dict of plain Python values (unbound variables are ``None``)."""
        for row in self.rows:
            yield {var: to_python(value) for var, value in zip(self.variables, row, strict=True)}

    def __len__(self) -> int:
        return len(self.rows) if self.form == "SELECT" else len(self.triples)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.form == "ASK" else len(self) > 0

    def __repr__(self) -> str:
        if self.form == "ASK":
            return f"<QueryResult ASK {self.boolean}>"
        return f"<QueryResult {self.form}: {len(self)} {'rows' if self.form == 'SELECT' else 'triples'}>"

    def to_rdflib(self) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE result as an rdflib Graph."""
        from csi_graph.terms import rdflib_graph

        return rdflib_graph(self.triples)

    @property
    def graph(self) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE result as an rdflib Graph (see :meth:`to_rdflib`)."""
        return self.to_rdflib()

    def pivot(self, row: str, column: str, value: str) -> QueryResult:
        """The SELECT result as a matrix: one row per ``row`` value, one column per ``column`` value."""
        for name in (row, column, value):
            if name not in self.variables:
                raise CsiError(f"cannot pivot on ?{name}: the result has {', '.join(self.variables)}")
        index = {name: self.variables.index(name) for name in (row, column, value)}
        columns: list[Any] = []
        cells: dict[Any, dict[Any, Any]] = {}
        for result_row in self.rows:
            key, col = result_row[index[row]], result_row[index[column]]
            if col not in columns:
                columns.append(col)
            cells.setdefault(key, {})[col] = result_row[index[value]]
        variables = [row, *(display(c) if c is not None else "" for c in columns)]
        rows = [(key, *(cells[key].get(c) for c in columns)) for key in cells]
        return QueryResult("SELECT", variables, rows)

    def to_dicts(self) -> list[dict[str, Any]]:
        return list(self)

    def records(self) -> list[dict[str, str | None]]:
        """Each row as a dict of lexical values, as tables print them (unbound: ``None``)."""
        return [
            {var: None if term is None else term.value for var, term in zip(self.variables, row, strict=True)}
            for row in self.rows
        ]

    def to_dataframe(self):
        """A pandas DataFrame of the rows (``pip install 'csi-graph[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise CsiError("pandas is not installed: pip install 'csi-graph[pandas]'") from None
        return pandas.DataFrame(self.to_dicts(), columns=self.variables)

    def serialize(self, fmt: str | None = None) -> str:
        """The result as text in ``fmt``: by default a table (SELECT, ASK) or Turtle (a graph)."""
        fmt = fmt or ("turtle" if self.form in ("CONSTRUCT", "DESCRIBE") else "table")
        if self.form == "ASK":
            return (
                self.to_w3c(fmt).decode("utf-8")
                if fmt in ("json", "xml")
                else str(bool(self.boolean)).lower()
            )
        if self.form == "SELECT":
            if fmt in _W3C:
                return self.to_w3c(fmt).decode("utf-8")
            if fmt == "table":
                return self._table()
            if fmt == "md":
                return self._md()
            raise CsiError(
                f"format {fmt!r} is for graphs; a SELECT result is written as {', '.join(SELECT_FORMATS)}"
            )
        if fmt not in GRAPH_FORMATS:
            raise CsiError(f"a {self.form} result is a graph: write it as {', '.join(GRAPH_FORMATS)}")
        from csi_graph.export import serialize

        return serialize((ox.Quad(t.subject, t.predicate, t.object) for t in self.triples), fmt).decode(
            "utf-8"
        )

    def to_w3c(self, fmt: str) -> bytes:
        """A SELECT or ASK result in a W3C format (json, xml, csv, tsv), written by Oxigraph.

        Except a SELECT result in CSV: Oxigraph 0.5 leaves an IRI holding a comma or a quote
        unquoted (``http://a/b,c`` splits into two cells), so CSV is written by Python's csv
        module, with the SPARQL 1.1 CSV rules (IRIs and literals as their text, blank nodes
        as ``_:label``, unbound as empty, CRLF line ends, RFC 4180 quoting).
        """
        if fmt == "csv" and self.form == "SELECT":
            return _csv(self)
        return _oxigraph_results(ox.QueryResultsFormat.JSON, _json_document(self)).serialize(format=_W3C[fmt])

    # For people -------------------------------------------------------------------------

    def _cells(self) -> list[list[str]]:
        return [["" if v is None else display(v) for v in row] for row in self.rows]

    def _table(self) -> str:
        cells = self._cells()
        widths = [max([len(var), *(len(row[i]) for row in cells)]) for i, var in enumerate(self.variables)]
        line = lambda row: "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()  # noqa: E731
        rule = "  ".join("-" * w for w in widths)
        rows = len(cells)
        return "\n".join(
            [line(self.variables), rule, *(line(r) for r in cells), f"({rows} row{'s' * (rows != 1)})"]
        )

    def _md(self) -> str:
        escape = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines = [
            "| " + " | ".join(self.variables) + " |",
            "|" + "|".join("---" for _ in self.variables) + "|",
        ]
        cells = [
            [
                "" if v is None else f"`{display(v)}`" if isinstance(v, ox.NamedNode) else display(v)
                for v in row
            ]
            for row in self.rows
        ]
        lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in cells]
        return "\n".join(lines)


def display(term: Any) -> str:
    """A term for people: IRIs as a query can take them back, literals as their text."""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def _json_document(result: QueryResult) -> bytes:
    """The SPARQL 1.1 Query Results JSON document of a result (the form Oxigraph's writers read)."""
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode("utf-8")
    bindings = [
        {
            var: _json_term(value)
            for var, value in zip(result.variables, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    document = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _oxigraph_results(fmt: ox.QueryResultsFormat, data: bytes) -> Any:
    return ox.parse_query_results(data, format=fmt)


def read_results(
    data: bytes, fmt: ox.QueryResultsFormat, form: str, max_rows: int | None = None
) -> QueryResult:
    """A result sent by a server in a W3C format, read by Oxigraph's parsers."""
    return QueryResult.from_oxigraph(form, _oxigraph_results(fmt, data), max_rows)


def _capped(items: Iterator, max_rows: int | None) -> tuple[list, bool]:
    """At most ``max_rows`` items, and whether there were more (reads one item past the cap)."""
    if max_rows is None:
        return list(items), False
    kept = list(islice(items, max_rows + 1))
    return kept[:max_rows], len(kept) > max_rows


def _csv(result: QueryResult) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(
            "" if t is None else "_:" + t.value if isinstance(t, ox.BlankNode) else t.value for t in row
        )
    return out.getvalue().encode("utf-8")
