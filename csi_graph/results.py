"""Query results as Python values and in the W3C result formats.

A :class:`QueryResult` iterates as dicts of plain Python values (``str``, ``int``,
``Decimal``, ``datetime.date``...), keeps the RDF terms in ``.rows``, converts to a pandas
DataFrame when pandas is installed, and serialises to the SPARQL 1.1 Query Results JSON,
CSV and TSV formats, an aligned text table or Markdown (SELECT), ``true``/``false`` (ASK),
or Turtle, N-Triples and JSON-LD (CONSTRUCT, DESCRIBE).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from csi_graph.errors import CsiError
from csi_graph.namespaces import PREFIXES, shorten
from csi_graph.store import RawResult
from csi_graph.terms import to_python

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
_RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}


class QueryResult:
    """The answer to a query, whatever engine produced it."""

    def __init__(self, raw: RawResult) -> None:
        self.form = raw.form
        self.variables = raw.variables
        self.rows: list[tuple[Node | None, ...]] = raw.rows
        self.boolean = raw.boolean
        self.truncated = raw.truncated  # rows were left out by a row cap (``max_rows``)
        self._triples = raw.triples

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Each row as a dict of plain Python values (unbound variables are ``None``)."""
        for row in self.rows:
            yield {var: to_python(value) for var, value in zip(self.variables, row, strict=True)}

    def __len__(self) -> int:
        return len(self.rows) if self.form == "SELECT" else len(self._triples)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.form == "ASK" else len(self) > 0

    def __repr__(self) -> str:
        if self.form == "ASK":
            return f"<QueryResult ASK {self.boolean}>"
        return f"<QueryResult {self.form}: {len(self)} {'rows' if self.form == 'SELECT' else 'triples'}>"

    @property
    def graph(self) -> Graph:
        """The triples of a CONSTRUCT or DESCRIBE result."""
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace, override=True, replace=True)
        for triple in self._triples:
            graph.add(triple)
        return graph

    def pivot(self, row: str, column: str, value: str) -> QueryResult:
        """The SELECT result as a matrix: one row per ``row`` value, one column per ``column`` value."""
        for name in (row, column, value):
            if name not in self.variables:
                raise CsiError(f"cannot pivot on ?{name}: the result has {', '.join(self.variables)}")
        index = {name: self.variables.index(name) for name in (row, column, value)}
        columns: list[Node] = []
        cells: dict[Node, dict[Node, Node | None]] = {}
        for result_row in self.rows:
            key, col = result_row[index[row]], result_row[index[column]]
            if col not in columns:
                columns.append(col)
            cells.setdefault(key, {})[col] = result_row[index[value]]
        variables = [row, *(_display(c) if c is not None else "" for c in columns)]
        rows = [(key, *(cells[key].get(c) for c in columns)) for key in cells]
        return QueryResult(RawResult("SELECT", variables, rows))

    def to_dicts(self) -> list[dict[str, Any]]:
        return list(self)

    def to_dataframe(self):
        """A pandas DataFrame of the rows (``pip install 'csi-graph[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise CsiError("pandas is not installed: pip install 'csi-graph[pandas]'") from None
        return pandas.DataFrame(self.to_dicts(), columns=self.variables)

    def serialize(self, fmt: str = "table") -> str:
        """The result as text in ``fmt``."""
        if self.form == "ASK":
            if fmt == "json":
                return json.dumps({"head": {}, "boolean": bool(self.boolean)})
            if fmt == "xml":
                return _xml_document("<head/>", f"<boolean>{'true' if self.boolean else 'false'}</boolean>")
            return "true" if self.boolean else "false"
        if self.form == "SELECT":
            writers = {
                "table": self._table,
                "csv": self._csv,
                "tsv": self._tsv,
                "json": self._json,
                "xml": self._xml,
                "md": self._md,
            }
            if fmt not in writers:
                raise CsiError(
                    f"format {fmt!r} is for graphs; a SELECT result is written as {', '.join(writers)}"
                )
            return writers[fmt]()
        if fmt not in _RDFLIB_FORMATS:
            raise CsiError(f"a {self.form} result is a graph: write it as {', '.join(GRAPH_FORMATS)}")
        return self.graph.serialize(format=_RDFLIB_FORMATS[fmt])

    # SELECT writers ------------------------------------------------------------------

    def _json(self) -> str:
        bindings = [
            {
                var: _json_term(value)
                for var, value in zip(self.variables, row, strict=True)
                if value is not None
            }
            for row in self.rows
        ]
        document = {"head": {"vars": self.variables}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, indent=2)

    def _xml(self) -> str:
        head = (
            "<head>" + "".join(f'<variable name="{escape(v, _ATTR)}"/>' for v in self.variables) + "</head>"
        )
        results = "".join(
            "<result>"
            + "".join(
                f'<binding name="{escape(var, _ATTR)}">{_xml_term(value)}</binding>'
                for var, value in zip(self.variables, row, strict=True)
                if value is not None
            )
            + "</result>\n"
            for row in self.rows
        )
        return _xml_document(head, f"<results>\n{results}</results>")

    def _csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.variables)
        for row in self.rows:
            writer.writerow(
                ["" if v is None else (f"_:{v}" if isinstance(v, BNode) else str(v)) for v in row]
            )
        return out.getvalue()

    def _tsv(self) -> str:
        lines = ["\t".join(f"?{var}" for var in self.variables)]
        lines += ["\t".join("" if v is None else _tsv_term(v) for v in row) for row in self.rows]
        return "\n".join(lines) + "\n"

    def _cells(self) -> list[list[str]]:
        return [["" if v is None else _display(v) for v in row] for row in self.rows]

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
            ["" if v is None else f"`{_display(v)}`" if isinstance(v, URIRef) else _display(v) for v in row]
            for row in self.rows
        ]
        lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in cells]
        return "\n".join(lines)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    value: dict[str, str] = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        value["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype is not None:
        value["datatype"] = str(term.datatype)
    return value


_ATTR = {'"': "&quot;"}


def _xml_document(head: str, body: str) -> str:
    """A SPARQL Query Results XML document (https://www.w3.org/TR/rdf-sparql-XMLres/)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        f"{head}\n{body}\n</sparql>\n"
    )


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{escape(str(term))}</bnode>"
    text = escape(_xml_chars(str(term)))
    if isinstance(term, Literal) and term.language:
        return f'<literal xml:lang="{escape(term.language, _ATTR)}">{text}</literal>'
    if isinstance(term, Literal) and term.datatype is not None:
        return f'<literal datatype="{escape(str(term.datatype), _ATTR)}">{text}</literal>'
    return f"<literal>{text}</literal>"


def _xml_chars(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped: replace them."""
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else "\ufffd" for c in text)


def _tsv_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is not None:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def _display(term: Node) -> str:
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)
