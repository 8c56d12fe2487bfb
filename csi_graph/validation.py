"""SHACL validation of a loaded dataset, returned as a value.

``validate(ds)`` checks the dataset's ontology and data against its shapes (violations,
warnings and information, each in its own file), without inference and without following
``owl:imports``. Two engines give the same results:

* ``"sparql"``: each constraint compiled to whole-graph SPARQL queries run by Oxigraph
  (:mod:`csi_graph.shacl_sparql`); checked against the W3C SHACL test suite.
* ``"pyshacl"``: pySHACL, the reference implementation.

``"auto"`` (the default) runs the SPARQL engine and falls back to pySHACL, saying so, when
the shapes use something it refuses as unsupported. The report lists each result with its
severity, focus node, path, value, message (French and English), shape and the file and
line where the focus node is described.

Two notions of success, kept apart: :attr:`ValidationReport.conforms` is SHACL's
``sh:conforms`` (no result of any severity); :attr:`ValidationReport.valid` is the
project's policy behind the exit code (no violation, and no warning unless
``allow_warnings``; information results never fail).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from csi_graph.canonical import Canonical, canonical
from csi_graph.errors import CsiError
from csi_graph.namespaces import PREFIXES, shorten
from csi_graph.recent import Recent
from csi_graph.shacl_queries import ShapesError

if TYPE_CHECKING:
    import pyoxigraph as ox

    from csi_graph.dataset import Dataset

SEVERITIES = ("Violation", "Warning", "Info")
ENGINES = ("auto", "pyshacl", "sparql")
log = logging.getLogger(__name__)

# A property path as a hashable value: an IRI, or (operator, operand(s)).
PathKey = Any


@dataclass(frozen=True)
class Result:
    """One SHACL validation result in RDF terms, as the standard report states it."""

    focus: Node
    component: URIRef
    severity: URIRef
    shape: Node | None = None
    path: PathKey | None = None
    value: Node | None = None
    constraint: Node | None = None
    messages: tuple[Literal, ...] = field(default=(), compare=False)


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
    raw: Result | None = field(default=None, compare=False, repr=False)

    def message(self, lang: str = "en") -> str:
        if lang in self.messages:
            return self.messages[lang]
        if "" in self.messages:
            return self.messages[""]
        return next(iter(self.messages.values()), f"{self.component} failed")


@dataclass
class ValidationReport:
    """The outcome of a validation: results, counts, verdicts and the standard SHACL report graph."""

    results: list[ValidationResult]
    report_graph: Graph | None = None
    allow_warnings: bool = False
    triples: int = 0
    engine: str = "sparql"
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] = counts.get(result.severity, 0) + 1
        return counts

    @property
    def conforms(self) -> bool:
        """SHACL's ``sh:conforms``: true when there is no result at all, of any severity."""
        return not self.results

    @property
    def valid(self) -> bool:
        """The exit-code policy: no violation, no warning unless allowed (infos never count).

        A result of a custom severity (neither Warning nor Info) counts as a violation.
        """
        allowed = {"Info", "Warning"} if self.allow_warnings else {"Info"}
        return all(r.severity in allowed for r in self.results)

    @cached_property
    def graph(self) -> Graph:
        """The standard SHACL validation report (``sh:ValidationReport``) as an rdflib graph."""
        if self.report_graph is None:
            self.report_graph = build_report_graph(
                [r.raw for r in self.results if r.raw is not None], conforms=self.conforms
            )
        return self.report_graph

    def verdict(self, show_info: bool = True) -> str:
        """One line, first in the text output: valid or not, and the count of each severity."""
        counts = self.counts
        parts = [_plural(counts["Violation"], "violation"), _plural(counts["Warning"], "warning")]
        parts += [_plural(n, f"{s} result") for s, n in counts.items() if s not in SEVERITIES and n]
        parts.append(_plural(counts["Info"], "info", "infos"))
        hint = " (--show-info lists them)" if counts["Info"] and not show_info else ""
        verdict = "Valid" if self.valid else "Invalid"
        return f"{verdict}: {', '.join(parts)}{hint} in {self.triples} triples"

    def summary(self) -> str:
        """The verdict line (for callers that print one line)."""
        return self.verdict()

    def result_lines(self, lang: str = "en", show_info: bool = True) -> list[str]:
        """One line per result: location, severity, focus, path, message, shape."""
        lines = []
        for r in self.results:
            if r.severity == "Info" and not show_info:
                continue
            where = f"{r.location}: " if r.location else ""
            path = f" {r.path}" if r.path else ""
            shape = f" [{r.shape}]" if r.shape else ""
            lines.append(f"{where}{r.severity}: {r.focus}{path}: {r.message(lang)}{shape}")
        return lines

    def to_text(self, lang: str = "en", show_info: bool = True) -> str:
        """The verdict, then one line per result (information results only with ``show_info``)."""
        return "\n".join([self.verdict(show_info), *self.result_lines(lang, show_info)])

    def to_table(self, lang: str = "en", show_info: bool = True) -> str:
        header = ("Severity", "Focus node", "Path", "Message", "Shape", "Location")
        rows = [
            (r.severity, r.focus, r.path or "", r.message(lang), r.shape or "", r.location or "")
            for r in self.results
            if show_info or r.severity != "Info"
        ]
        if not rows:
            return self.verdict(show_info)
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

        def line(row: tuple) -> str:
            return " | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip()

        rule = "-+-".join("-" * w for w in widths)
        return "\n".join([self.verdict(show_info), "", line(header), rule, *(line(row) for row in rows)])

    def to_json(self, lang: str = "en") -> str:
        document = {
            "conforms": self.conforms,
            "valid": self.valid,
            "counts": {k.lower(): v for k, v in self.counts.items()},
            "triples": self.triples,
            "results": [
                {
                    **{f.name: getattr(r, f.name) for f in fields(r) if f.name != "raw"},
                    "message": r.message(lang),
                }
                for r in self.results
            ],
        }
        return json.dumps(document, ensure_ascii=False, indent=2)

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def render(self, fmt: str, lang: str = "en", show_info: bool = False) -> str:
        """The report in ``fmt``; text and table list information results only with ``show_info``."""
        if fmt == "turtle":
            return self.to_turtle()
        if fmt == "json":
            return self.to_json(lang)
        if fmt == "table":
            return self.to_table(lang, show_info)
        return self.to_text(lang, show_info)


class PyshaclError(ShapesError):
    """pySHACL stopped on the shapes: its own error, or its ValidationFailure (exit code 2)."""


def validate(
    dataset: Dataset,
    *,
    allow_warnings: bool = False,
    shapes: Graph | None = None,
    engine: str = "auto",
    extra_shapes: Graph | None = None,
) -> ValidationReport:
    """Validate the dataset's ontology and data against its SHACL shapes.

    ``shapes`` overrides the dataset's own shapes graph (the ontology's); with
    ``extra_shapes`` (``validate --shapes FILE``) both are checked. Unless ``shapes`` is
    given, a data file that declares or deactivates a shape is a violation (shapes come
    only from the ontology). ``engine``: ``"sparql"`` (raises
    :class:`~csi_graph.shacl_queries.Unsupported` for what it does not run), ``"pyshacl"``
    (the reference), or ``"auto"``: SPARQL, and pySHACL when the SPARQL engine refuses; the
    report's ``notes`` then say why. Shapes that SHACL or the safety policy forbids raise
    :class:`~csi_graph.shacl_queries.ShapesError` whatever the engine.
    """
    _check_engine(engine)
    exact = _ExactData(dataset)
    shapes_graph, form = (shapes, None) if shapes is not None else exact.shapes()
    if extra_shapes is not None:
        shapes_graph, form = shapes_graph + extra_shapes, None
    raw, chosen, notes = _run_engine(
        engine, shapes_graph, lambda: exact.store, exact.graph, stand_ins=bool(exact.reread), form=form
    )
    notes += exact.notes
    if shapes is None:  # the dataset's own shapes: no data file may add or switch off one
        raw += shapes_in_data(dataset)
    results = [_displayed(r, dataset, shapes_graph) for r in set(raw)]
    return ValidationReport(
        sorted(set(results), key=_order),
        allow_warnings=allow_warnings,
        triples=exact.triples,
        engine=chosen,
        notes=notes,
    )


def _order(r: ValidationResult) -> tuple:
    rank = SEVERITIES.index(r.severity) if r.severity in SEVERITIES else -1  # custom: first
    return (rank, r.location or "~", r.focus, r.path or "", r.shape or "", r.value or "", r.component)


def read_shapes(paths: list[str]) -> Graph:
    """Shapes files the user names explicitly (``validate --shapes FILE``), as one graph."""
    from pathlib import Path

    from csi_graph.loader import read_quads
    from csi_graph.terms import rdflib_triples

    graph = Graph()
    for given in paths:
        for triple in rdflib_triples(read_quads(Path(given), given)):
            graph.add(triple)
    return graph


SHAPE_IN_DATA = URIRef("https://w3id.org/csi-graph/ontology#ShapeInDataComponent")


def shapes_in_data(dataset: Dataset) -> list[Result]:
    """A violation for each shape a data file declares or deactivates.

    Shapes come only from the ontology folder (the loader gives no other file the "shapes"
    role), so such a statement changes nothing; it is reported all the same, since it shows
    a file trying to add validation rules or to switch them off.
    """
    from csi_graph.terms import ox_to_rdflib

    found = []
    for graph, shape, declares in dataset.query("checks/shape-in-data-violation").rows:
        display = next((info.display for info in dataset.graphs if info.name == graph.value), graph.value)
        node = ox_to_rdflib(shape)
        deactivates = declares.value.endswith("deactivated")
        what = "deactivates the shape" if deactivates else "declares a SHACL shape"
        quoi = "désactive la forme" if deactivates else "déclare une forme SHACL"
        messages = (
            Literal(
                f"{display} {what} {_node(node)}: shapes come only from the ontology, never from a data "
                "file; remove the statement (validate --shapes FILE adds shapes of your own)",
                lang="en",
            ),
            Literal(
                f"{display} {quoi} {_node(node)} : les formes viennent de l'ontologie, jamais d'un fichier "
                "de données ; retirez cette déclaration (validate --shapes FICHIER ajoute vos propres formes)",
                lang="fr",
            ),
        )
        found.append(Result(node, SHAPE_IN_DATA, SH.Violation, messages=messages))
    return found


# -- the engines, on RDF terms -------------------------------------------------------------


def sparql_results(
    store: ox.Store, shapes: Graph, stand_ins: bool = True, form: Canonical | None = None
) -> list[Result]:
    """Validate the default graph of ``store`` (literals as written) with the SPARQL engine.

    The store is the engine's to extend (it adds named graphs of its own). ``form``: the
    canonical form of ``shapes`` if the caller has it (:func:`shared_shapes`).
    """
    from csi_graph.literals import quiet_rdflib
    from csi_graph.shacl_sparql import failures

    found = []
    with quiet_rdflib():
        found = list(failures(store, shapes, stand_ins, form))
    results = []
    for failure in found:
        source = failure.source
        path = failure.path if failure.path is not None else source.path
        messages = _filled(source, failure)
        results.append(
            Result(
                focus=failure.focus,
                component=source.component,
                severity=source.severity,
                shape=source.shape,
                path=path_key(shapes, path) if path is not None else None,
                value=failure.value,
                constraint=source.constraint,
                messages=messages,
            )
        )
    return results


def _filled(source, failure) -> tuple[Literal, ...]:
    """A SPARQL-based result's messages with {?var} and {$var} filled in (SHACL 5.3.2)."""
    if source.constraint is None and not source.parameters:
        return source.messages
    values = {**dict(source.parameters), **failure.bindings}
    filled = []
    for message in source.messages:
        text = str(message)
        for name, value in values.items():
            shown = str(value) if isinstance(value, Literal | URIRef) else "[]"
            text = text.replace(f"{{?{name}}}", shown).replace(f"{{${name}}}", shown)
        filled.append(Literal(text, lang=message.language))
    return tuple(filled)


def validate_graph(data: Graph, shapes: Graph, engine: str = "auto") -> list[Result]:
    """Validate an rdflib graph with ``shapes`` (for graphs that are not a loaded dataset: a
    catalogue record, the W3C suite's tests); ``engine`` as for :func:`validate`."""
    import pyoxigraph as ox

    from csi_graph.literals import exact_quads
    from csi_graph.shacl_sparql import _ox

    _check_engine(engine)

    def store() -> ox.Store:
        exact = ox.Store()
        exact.extend(exact_quads(ox.Quad(_ox(s), _ox(p), _ox(o)) for s, p, o in data))
        return exact

    return _run_engine(engine, shapes, store, lambda: data)[0]


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise CsiError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")


def _run_engine(
    engine: str,
    shapes: Graph,
    store: Callable[[], ox.Store],
    graph: Callable[[], Graph],
    *,
    stand_ins: bool = True,
    form: Canonical | None = None,
) -> tuple[list[Result], str, list[str]]:
    """The results of ``engine`` (see :func:`validate`): the SPARQL engine on ``store()``,
    pySHACL on ``graph()``; with the engine that ran, and a note if it was not the one asked."""
    from csi_graph.shacl_queries import Unsupported

    notes: list[str] = []
    if engine != "pyshacl":
        try:
            return sparql_results(store(), shapes, stand_ins=stand_ins, form=form), "sparql", notes
        except Unsupported as error:
            if engine == "sparql":
                raise
            notes.append(f"the SPARQL engine refused the shapes ({error}): validated with pySHACL")
    check_shapes(shapes)  # the safety policy, before pySHACL runs any query
    return pyshacl_results(graph(), shapes), "pyshacl", notes


def pyshacl_results(data: Graph, shapes: Graph) -> list[Result]:
    """Validate ``data`` with pySHACL (no inference, no owl:imports), results in RDF terms.

    pySHACL adds triples to the shapes graph it is given (``owl:Class rdfs:subClassOf
    rdfs:Class``...): it gets a copy, so that ``shapes`` stays as it was.
    """
    import pyshacl  # heavy: imported only when this engine runs

    copy = Graph()
    copy += shapes
    try:
        _, report, text = pyshacl.validate(
            data,
            shacl_graph=copy,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
            do_owl_imports=False,
        )
    except Exception as error:  # pySHACL's own errors (an invalid regex, an unsupported feature...)
        message = (str(error).strip().splitlines() or [""])[0]
        raise PyshaclError(f"pySHACL could not validate ({type(error).__name__}: {message})") from None
    if not isinstance(report, Graph):  # pySHACL's ValidationFailure: it refused the shapes
        raise PyshaclError(f"pySHACL refused the shapes: {text}")
    found = []
    for node in report.objects(None, SH.result):  # not those nested under sh:detail
        path = report.value(node, SH.resultPath)
        found.append(
            Result(
                focus=report.value(node, SH.focusNode),
                component=report.value(node, SH.sourceConstraintComponent),
                severity=report.value(node, SH.resultSeverity),
                shape=report.value(node, SH.sourceShape),
                path=path_key(report if _described(report, path) else shapes, path)
                if path is not None
                else None,
                value=report.value(node, SH.value),
                constraint=report.value(node, SH.sourceConstraint),
                messages=tuple(m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)),
            )
        )
    return found


def _described(graph: Graph, node) -> bool:
    return not isinstance(node, BNode) or (node, None, None) in graph


def check_shapes(shapes: Graph) -> None:
    """Refuse, before pySHACL runs them, the SPARQL queries the safety policy refuses.

    pySHACL would run a ``SERVICE`` (and so reach another host); the SPARQL engine refuses
    it, and so does this check, so that no engine runs what ``csi-graph query`` refuses.
    """
    from csi_graph.shacl_queries import ShapesError, analyse
    from csi_graph.sparql import QueryError, check_query

    for predicate in (SH.select, SH.ask):
        for node, text in shapes.subject_objects(predicate):
            prologue = "".join(
                f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                for source in shapes.objects(node, SH.prefixes)
                for d in shapes.objects(source, SH.declare)
            )
            query = prologue + str(text).replace("$PATH", "<urn:csi-graph:path>")
            try:
                check_query(query, (), allow_remote=False)
            except QueryError as error:
                raise ShapesError(f"a SPARQL query in the shapes is refused: {error}") from None
            try:
                analyse(query, ("this", "value"), ())
            except ShapesError as error:
                if "SERVICE" in str(error):
                    raise


# -- exact data from a dataset -------------------------------------------------------------


class _ExactData:
    """The dataset's ontology, data and shapes, literals as written.

    The SPARQL engine reads a copy whose default graph merges the ontology and data graphs
    (:meth:`~csi_graph.dataset.Dataset.oxigraph_view`): Oxigraph answers whole-graph queries
    over one graph 2–3× faster than over a union of named graphs, which more than pays for
    the copy. An Oxigraph store normalises literals (see :mod:`csi_graph.literals`): when
    files hold literals that it changed, the graphs of those files are read again from disk
    (Oxigraph's parser keeps them exact) instead of copied.
    """

    def __init__(self, dataset: Dataset) -> None:
        from csi_graph.literals import changes_in

        self.dataset = dataset
        self.notes: list[str] = []
        changed = {c.graph for c in changes_in(dataset)}
        self.reread = [info for info in dataset.graphs if info.name in changed and info.path is not None]

    def _view(self, *roles: str) -> ox.Store:
        """A store whose default graph merges the graphs of ``roles``, literals as written."""
        from csi_graph.literals import exact_quads

        reread = [info for info in self.reread if info.role in roles]
        if not reread:
            return self.dataset.oxigraph_view(*roles)
        names = [i.name for i in self.dataset.graphs if i.role in roles and i not in reread]
        store = self.dataset.store.merged_store(names)
        store.extend(exact_quads(self._reread_quads(reread)))
        return store

    @staticmethod
    def _reread_quads(infos):
        import pyoxigraph as ox

        from csi_graph.loader import read_quads

        for info in infos:
            for quad in read_quads(info.path, info.display):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())

    @cached_property
    def store(self) -> ox.Store:
        """A new store whose default graph is the ontology and data (the engine may extend it)."""
        return self._view("ontology", "data")

    def graph(self) -> Graph:
        """The ontology and data as an rdflib graph (for pySHACL)."""
        import pyoxigraph as ox

        return graph_from_quads(self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def shapes(self) -> tuple[Graph, Canonical | None]:
        if any(info.role == "shapes" for info in self.reread):
            return shared_shapes(list(self._view("shapes")))
        # Straight from the shapes files' graphs, a triple stated in two of them once: no copy
        # into a scratch store is needed to read them (the copy took a third of this).
        store = self.dataset.store
        triples = {q.triple: None for name in self.dataset.names("shapes") for q in store.quads(name)}
        return shared_shapes(list(triples))

    @cached_property
    def triples(self) -> int:
        """Distinct triples of the ontology and data (a triple stated in two files counts once)."""
        from csi_graph.shacl_sparql import count_triples

        return count_triples(self.store)


def graph_from_quads(quads: Iterable) -> Graph:
    """An rdflib graph of Oxigraph quads (or triples), literals exactly as written.

    rdflib knows the lexical space of a few datatypes only; each literal of a datatype that
    :func:`csi_graph.literals.well_formed` knows is marked ill-typed or not by it, so that
    pySHACL judges ``sh:datatype`` by the same XSD rules as the SPARQL engine.
    """
    from csi_graph.literals import decode, quiet_rdflib, well_formed
    from csi_graph.shacl_sparql import _rdflib
    from csi_graph.terms import rdflib_triples

    def exact(term) -> Node:  # the imports above once per graph, not once per term: half the time
        converted = _rdflib(decode(term))
        if isinstance(converted, Literal) and converted.datatype is not None:
            judged = well_formed(str(converted), str(converted.datatype))
            if judged is not None:
                converted._ill_typed = not judged
        return converted

    graph = Graph()
    with quiet_rdflib():
        for triple in rdflib_triples(quads, exact):
            graph.add(triple)
    return graph


# Recent rdflib copies of shapes, by their canonical form: see shared_shapes().
_SHAPES_GRAPHS: Recent[tuple[Graph, Canonical]] = Recent(4)


def forget_shapes() -> None:
    """Forget the shapes kept for reuse (rdflib copies, compiled plans): the next validation
    converts and compiles afresh (for tests, and for a caller that wants the memory back)."""
    from csi_graph.shacl_sparql import PLANS

    _SHAPES_GRAPHS.clear()
    PLANS.kept.clear()


def shared_shapes(quads: list) -> tuple[Graph, Canonical | None]:
    """:func:`graph_from_quads` of shapes, converted once for the same shapes, and the
    graph's canonical form (:func:`csi_graph.canonical.canonical`; None if it has none).

    The conversions (exact literals, each judged well-formed or not) of the 4 most recent
    shapes are kept, by their canonical form: the same shapes parsed again differ only in
    blank-node labels, which every copy of the store renews anyway. The graph is shared by
    every validation with the same shapes, so its callers only read it: :func:`validate` and
    the SPARQL engine do, and :func:`pyshacl_results` gives pySHACL (which adds triples to its
    shapes graph) a copy. The form is the kept graph's (its blank nodes' labels), which
    spares the SPARQL engine computing it again.
    """
    form = canonical(quads)
    if form is None:
        return graph_from_quads(quads), None
    kept = _SHAPES_GRAPHS.get(form.digest)
    if kept is None:
        kept = (graph_from_quads(quads), form)
        _SHAPES_GRAPHS.put(form.digest, kept)
    return kept


# -- results as the report shows them --------------------------------------------------------


def _displayed(r: Result, dataset: Dataset, shapes: Graph) -> ValidationResult:
    """A result in the project's short forms, with the file and line of its focus node."""
    shape = (
        r.constraint if isinstance(r.constraint, URIRef) else r.shape
    )  # a named SPARQL constraint says more
    messages: dict[str, str] = {}
    for message in r.messages:
        messages.setdefault(message.language or "", str(message))
    if isinstance(r.constraint, URIRef) and set(messages) <= {""}:
        # pySHACL drops the language tags of SPARQL-constraint messages when it fills in
        # {?value}: take them from the shapes graph and fill them in here.
        for message in shapes.objects(r.constraint, SH.message):
            if isinstance(message, Literal) and message.language:
                text = str(message).replace("{?value}", str(r.value)).replace("{$this}", _node(r.focus))
                messages[message.language] = text
        if len(messages) > 1:
            messages.pop("", None)
    location = dataset.locate(str(r.focus)) if isinstance(r.focus, URIRef) else None
    return ValidationResult(
        severity=_local(r.severity),
        focus=_node(r.focus),
        path=render_path_key(r.path) if r.path is not None else None,
        value=_node(r.value) if r.value is not None else None,
        shape=shorten(str(shape)) if isinstance(shape, URIRef) else None,
        component=_local(r.component),
        messages=dict(sorted(messages.items())),
        location=str(location) if location else None,
        raw=r,
    )


def _local(iri: Node) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1] if text.startswith(str(SH)) else shorten(text)


def path_key(graph: Graph, path: Node, depth: int = 0) -> PathKey:
    """A SHACL property path (described in ``graph``) as a hashable value."""
    if isinstance(path, URIRef) or depth > 50:
        return path
    if (path, RDF.first, None) in graph:
        return ("sequence", tuple(path_key(graph, step, depth + 1) for step in Collection(graph, path)))
    for name in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
        inner = graph.value(path, SH[name])
        if inner is not None:
            return (name, path_key(graph, inner, depth + 1))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return (
            "alternativePath",
            tuple(path_key(graph, s, depth + 1) for s in Collection(graph, alternatives)),
        )
    return path


_SUFFIX = {"zeroOrMorePath": "*", "oneOrMorePath": "+", "zeroOrOnePath": "?"}


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL property path of ``graph`` in SPARQL syntax: ``csi:a/csi:b``, ``^csi:a``, ``(csi:a|csi:b)``."""
    return render_path_key(path_key(graph, path))


def render_path_key(path: PathKey) -> str:
    """A :func:`path_key` in SPARQL syntax."""
    if isinstance(path, URIRef):
        return shorten(str(path))
    if isinstance(path, tuple):
        operator, operand = path
        if operator == "sequence":
            return "/".join(render_path_key(step) for step in operand)
        if operator == "alternativePath":
            return "(" + "|".join(render_path_key(step) for step in operand) + ")"
        if operator == "inversePath":
            return "^" + render_path_key(operand)
        return render_path_key(operand) + _SUFFIX[operator]
    return str(path)


def _path_node(path: PathKey, graph: Graph) -> Node:
    """A path key as RDF in ``graph`` (blank nodes for complex paths)."""
    if not isinstance(path, tuple):
        return path
    operator, operand = path
    if operator in ("sequence", "alternativePath"):
        head = BNode()
        Collection(graph, head, [_path_node(step, graph) for step in operand])
        if operator == "sequence":
            return head
        node = BNode()
        graph.add((node, SH.alternativePath, head))
        return node
    node = BNode()
    graph.add((node, SH[operator], _path_node(operand, graph)))
    return node


def build_report_graph(results: Iterable[Result], conforms: bool) -> Graph:
    """The standard SHACL validation report of ``results`` (the one writer of report graphs)."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(conforms)))
    for r in results:
        node = BNode()
        graph.add((root, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus))
        graph.add((node, SH.resultSeverity, r.severity))
        graph.add((node, SH.sourceConstraintComponent, r.component))
        if r.shape is not None:
            graph.add((node, SH.sourceShape, r.shape))
        if r.constraint is not None:
            graph.add((node, SH.sourceConstraint, r.constraint))
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        if r.path is not None:
            graph.add((node, SH.resultPath, _path_node(r.path, graph)))
        for message in r.messages:
            graph.add((node, SH.resultMessage, message))
    return graph


def _node(term) -> str:
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, Literal):
        return term.n3()
    return "[]"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"
