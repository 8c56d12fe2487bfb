"""SHACL validation of a loaded dataset, returned as a value.

``validate(ds)`` runs pySHACL with the dataset's shapes (violations, warnings and
information, each in its own file) over the ontology, schemes and data, without
inference and without following ``owl:imports``. The report lists each result with its
severity, focus node, path, message (French and English), shape and the file and line
where the focus node is described.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.namespaces import PREFIXES, shorten

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with everything a person needs to find and fix it."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    shape: str | None
    component: str
    messages: dict[str, str] = field(compare=False)
    location: str | None = None

    def message(self, lang: str = "en") -> str:
        if lang in self.messages:
            return self.messages[lang]
        if "" in self.messages:
            return self.messages[""]
        return next(iter(self.messages.values()), f"{self.component} failed")


@dataclass
class ValidationReport:
    """The outcome of a validation: results, counts and the standard SHACL report graph."""

    results: list[ValidationResult]
    graph: Graph
    allow_warnings: bool = False
    triples: int = 0
    engine: str = "pyshacl"

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] += 1
        return counts

    @property
    def conforms(self) -> bool:
        counts = self.counts
        return counts["Violation"] == 0 and (self.allow_warnings or counts["Warning"] == 0)

    def summary(self) -> str:
        counts = self.counts
        if not self.results:
            return "No issues found"
        parts = [
            _plural(counts["Violation"], "violation"),
            _plural(counts["Warning"], "warning"),
            _plural(counts["Info"], "info", "infos"),
        ]
        verdict = "conforms" if self.conforms else "does not conform"
        return f"{', '.join(parts)} in {self.triples} triples: {verdict}"

    def result_lines(self, lang: str = "en") -> list[str]:
        """One line per result: location, severity, focus, path, message, shape."""
        lines = []
        for r in self.results:
            where = f"{r.location}: " if r.location else ""
            path = f" {r.path}" if r.path else ""
            shape = f" [{r.shape}]" if r.shape else ""
            lines.append(f"{where}{r.severity}: {r.focus}{path}: {r.message(lang)}{shape}")
        return lines

    def to_text(self, lang: str = "en") -> str:
        """One line per result, then a summary."""
        return "\n".join([*self.result_lines(lang), self.summary()])

    def to_table(self, lang: str = "en") -> str:
        header = ("Severity", "Focus node", "Path", "Message", "Shape", "Location")
        rows = [
            (r.severity, r.focus, r.path or "", r.message(lang), r.shape or "", r.location or "")
            for r in self.results
        ]
        if not rows:
            return self.summary()
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

        def line(row: tuple) -> str:
            return " | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()

        rule = "-+-".join("-" * w for w in widths)
        return "\n".join([line(header), rule, *(line(row) for row in rows), "", self.summary()])

    def to_json(self, lang: str = "en") -> str:
        document = {
            "conforms": self.conforms,
            "counts": {k.lower(): v for k, v in self.counts.items()},
            "triples": self.triples,
            "results": [{**asdict(r), "message": r.message(lang)} for r in self.results],
        }
        return json.dumps(document, ensure_ascii=False, indent=2)

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def render(self, fmt: str, lang: str = "en") -> str:
        if fmt == "turtle":
            return self.to_turtle()
        return {"text": self.to_text, "table": self.to_table, "json": self.to_json}[fmt](lang)


ENGINES = ("auto", "pyshacl", "sparql")
# From this many triples (all graphs), "auto" validates with SPARQL: pySHACL then takes
# tens of seconds, the SPARQL engine under one (see BENCHMARKS.md).
SPARQL_ENGINE_FROM_TRIPLES = 20_000


def validate(
    dataset: Dataset,
    *,
    allow_warnings: bool = False,
    shapes: Graph | None = None,
    engine: str = "auto",
    extra_shapes: Graph | None = None,
) -> ValidationReport:
    """Validate the dataset's ontology and data against its SHACL shapes.

    Warnings make the data non-conforming unless ``allow_warnings``; information results
    never do. ``shapes`` overrides the dataset's own shapes graph (the ontology's); with
    ``extra_shapes`` (``validate --shapes FILE``) both are checked. Unless ``shapes`` is
    given, a data file that declares or deactivates a shape is a violation.

    ``engine`` is ``"pyshacl"`` (the reference validator, walking focus nodes in Python),
    ``"sparql"`` (each constraint compiled to one whole-graph SPARQL query run by Oxigraph,
    see :mod:`csi_graph.shacl_sparql`; minutes become seconds at a million triples) or
    ``"auto"``: ``sparql`` when the dataset lives in an Oxigraph store or holds
    :data:`SPARQL_ENGINE_FROM_TRIPLES` triples, else ``pyshacl``. Both report the same results; ``auto`` falls back to pySHACL for shapes
    the SPARQL engine does not translate.
    """
    from csi_graph.shacl_sparql import Unsupported

    if engine not in ENGINES:
        raise CsiError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    shapes_graph = shapes if shapes is not None else dataset.shapes_graph
    if extra_shapes is not None:
        shapes_graph = shapes_graph + extra_shapes
    chosen = engine
    if engine == "auto":
        large = dataset.store.name == "oxigraph" or len(dataset) >= SPARQL_ENGINE_FROM_TRIPLES
        chosen = "sparql" if large else "pyshacl"
    if chosen == "sparql":
        try:
            results, report_graph, triples = _validate_sparql(dataset, shapes_graph)
        except Unsupported:
            if engine == "sparql":
                raise
            chosen = "pyshacl"
    if chosen == "pyshacl":
        results, report_graph, triples = _validate_pyshacl(dataset, shapes_graph)
    if shapes is None:  # the dataset's own shapes: no data file may add or switch off one
        results = [*results, *shapes_in_data(dataset, report_graph)]
    ordered = sorted(
        set(results),
        key=lambda r: (
            SEVERITIES.index(r.severity),
            r.location or "~",
            r.focus,
            r.path or "",
            r.shape or "",
            r.value or "",
            r.component,
        ),
    )
    return ValidationReport(
        ordered, report_graph, allow_warnings=allow_warnings, triples=triples, engine=chosen
    )


def read_shapes(paths: list[str]) -> Graph:
    """Shapes files the user names explicitly (``validate --shapes FILE``), as one graph."""
    from pathlib import Path

    from csi_graph.loader import read_quads
    from csi_graph.terms import ox_to_rdflib

    graph = Graph()
    for given in paths:
        for quad in read_quads(Path(given), given):
            graph.add((ox_to_rdflib(quad.subject), ox_to_rdflib(quad.predicate), ox_to_rdflib(quad.object)))
    return graph


SHAPE_IN_DATA = URIRef("https://w3id.org/csi-graph/ontology#ShapeInDataComponent")


def shapes_in_data(dataset: Dataset, report: Graph) -> list[ValidationResult]:
    """A violation for each shape a data file declares or deactivates (added to ``report`` too).

    Shapes come only from the ontology folder (the loader gives no other file the "shapes"
    role), so such a statement changes nothing; it is reported all the same, since it shows
    a file trying to add validation rules or to switch them off.
    """
    from csi_graph.queries import checks

    found = []
    rows = dataset.execute(checks()["shape-in-data-violation"].text).rows
    for graph, shape, declares in rows:
        display = next((info.display for info in dataset.graphs if info.name == str(graph)), str(graph))
        what = "deactivates the shape" if str(declares).endswith("deactivated") else "declares a SHACL shape"
        messages = {
            "en": f"{display} {what} {_node(shape)}: shapes come only from the ontology, never from a data "
            "file; remove the statement (validate --shapes FILE adds shapes of your own)",
            "fr": f"{display} {'désactive la forme' if 'deactivates' in what else 'déclare une forme SHACL'} "
            f"{_node(shape)} : les formes viennent de l'ontologie, jamais d'un fichier de données ; retirez "
            "cette déclaration (validate --shapes FICHIER ajoute vos propres formes)",
        }
        location = dataset.locate(str(shape)) if isinstance(shape, URIRef) else None
        found.append(
            ValidationResult(
                "Violation", _node(shape), None, None, None, "ShapeInData", messages, str(location or display)
            )
        )
        root = next(report.subjects(RDF.type, SH.ValidationReport), None)
        node = BNode()
        report.add((root or BNode(), SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, shape))
        report.add((node, SH.resultSeverity, SH.Violation))
        report.add((node, SH.sourceConstraintComponent, SHAPE_IN_DATA))
        for lang, text in messages.items():
            report.add((node, SH.resultMessage, Literal(text, lang=lang)))
        if root is not None:
            report.set((root, SH.conforms, Literal(False)))
    return found


def _validate_pyshacl(dataset: Dataset, shapes: Graph) -> tuple[list[ValidationResult], Graph, int]:
    import pyshacl  # heavy: imported only when validating

    data = dataset.data_graph
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
    )
    # The report's own results: results nested under sh:detail explain another result.
    nodes = report_graph.objects(None, SH.result)
    return [_result(report_graph, node, dataset, shapes) for node in nodes], report_graph, len(data)


def _validate_sparql(dataset: Dataset, shapes: Graph) -> tuple[list[ValidationResult], Graph, int]:
    from csi_graph.shacl_sparql import count_triples, failures

    store = dataset.oxigraph_view("ontology", "data")
    report = Graph()
    for prefix, namespace in PREFIXES.items():
        report.bind(prefix, namespace)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    results = []
    conforms = True
    for failure in failures(store, shapes):
        check = failure.check
        shape = check.constraint if isinstance(check.constraint, URIRef) else check.shape
        path = failure.path if failure.path is not None else check.path
        value = (
            failure.value if failure.value is not None else (failure.focus if check.value_is_focus else None)
        )
        messages = _messages(
            shapes, check.constraint or check.shape, failure.focus, value, check.constraint is not None
        )
        location = dataset.locate(str(failure.focus)) if isinstance(failure.focus, URIRef) else None
        results.append(
            ValidationResult(
                severity=check.severity,
                focus=_node(failure.focus),
                path=render_path(shapes, path) if path is not None else None,
                value=_node(value) if value is not None else None,
                shape=shorten(str(shape)) if isinstance(shape, URIRef) else None,
                component=check.component,
                messages=dict(sorted((messages or {"": f"{check.component} failed"}).items())),
                location=str(location) if location else None,
            )
        )
        conforms = conforms and check.severity != "Violation"
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, failure.focus))
        report.add((node, SH.resultSeverity, SH[check.severity]))
        report.add((node, SH.sourceConstraintComponent, SH[check.component]))
        report.add((node, SH.sourceShape, check.shape))
        if check.constraint is not None:
            report.add((node, SH.sourceConstraint, check.constraint))
        if value is not None:
            report.add((node, SH.value, value))
        if path is not None:
            report.add((node, SH.resultPath, path))
            _copy_description(shapes, path, report)
        for lang, text in messages.items():
            report.add((node, SH.resultMessage, Literal(text, lang=lang or None)))
    report.add((root, SH.conforms, Literal(conforms)))
    return results, report, count_triples(store)


def _messages(shapes: Graph, source, focus, value, sparql: bool) -> dict[str, str]:
    """The shape's messages by language; a SPARQL constraint's with its variables filled in."""
    messages: dict[str, str] = {}
    for message in shapes.objects(source, SH.message):
        if isinstance(message, Literal):
            text = _fill(str(message), focus, value) if sparql else str(message)
            messages.setdefault(message.language or "", text)
    return messages


def _fill(template: str, focus, value) -> str:
    return template.replace("{?value}", str(value)).replace("{$this}", _node(focus))


def _copy_description(source: Graph, node, target: Graph) -> None:
    """Copy a blank-node structure (a complex property path) into the report graph."""
    if not isinstance(node, BNode):
        return
    for p, o in source.predicate_objects(node):
        target.add((node, p, o))
        _copy_description(source, o, target)


def _result(report: Graph, node, dataset: Dataset, shapes: Graph) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    shape = report.value(node, SH.sourceShape)
    constraint = report.value(node, SH.sourceConstraint)
    if isinstance(constraint, URIRef):  # a named SPARQL constraint says more than its node shape
        shape = constraint
    severity = str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]
    component = str(report.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
    messages: dict[str, str] = {}
    for message in report.objects(node, SH.resultMessage):
        if isinstance(message, Literal):
            messages.setdefault(message.language or "", str(message))
    if isinstance(constraint, URIRef) and set(messages) <= {""}:
        # pySHACL drops the language tags of SPARQL-constraint messages when it fills in
        # {?value}: take them from the shapes graph and fill them in here.
        messages.update(_messages(shapes, constraint, focus, value, sparql=True))
        if len(messages) > 1:
            messages.pop("", None)
    location = dataset.locate(str(focus)) if isinstance(focus, URIRef) else None
    return ValidationResult(
        severity=severity,
        focus=_node(focus),
        path=render_path(report, path) if path is not None else None,
        value=_node(value) if value is not None else None,
        shape=shorten(str(shape)) if isinstance(shape, URIRef) else None,
        component=component,
        messages=dict(sorted(messages.items())),
        location=str(location) if location else None,
    )


def render_path(graph: Graph, path) -> str:
    """A SHACL property path in SPARQL syntax: ``csi:a/csi:b``, ``^csi:a``, ``(csi:a|csi:b)``."""
    if isinstance(path, URIRef):
        return shorten(str(path))
    if (path, RDF.first, None) in graph:
        return "/".join(render_path(graph, step) for step in Collection(graph, path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, step) for step in Collection(graph, alternatives)) + ")"
    for modifier, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, modifier)
        if inner is not None:
            return render_path(graph, inner) + suffix
    return str(path)


def _node(term) -> str:
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        return term.n3()
    return "[]"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"
