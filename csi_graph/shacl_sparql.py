"""SHACL validation as whole-graph SPARQL queries, run by Oxigraph.

pySHACL walks the focus nodes one by one in Python; on a million triples that takes
hours. Here each constraint component of each shape becomes one SPARQL query over the
whole data graph that returns its failing focus nodes (and values), so the engine's
indexes and joins do the work.

Coverage: SHACL Core (every constraint component, all targets including implicit class
targets, property paths, nested shapes, ``sh:property`` under property shapes, severities
of any IRI, ``sh:deactivated``) and SHACL-SPARQL (``sh:sparql`` on node and property
shapes with ``$PATH``, SPARQL-based constraint components with ASK and SELECT validators,
pre-bound ``$this``, ``$value``, ``$currentShape``, ``$shapesGraph`` and parameters, prefixes
through ``owl:imports``). The W3C test suite checks it (``tests/test_w3c_shacl.py``).

Refused with :class:`Unsupported` (``validate(engine="auto")`` then runs pySHACL):
recursive shapes, SPARQL-based targets (SHACL Advanced Features), SPARQL constraints inside
``sh:node``/``sh:not``/``sh:and``/``sh:or``/``sh:xone``/qualified value shapes, blank nodes
as constraint parameters, regular expressions Oxigraph cannot compile. Refused with
:class:`ShapesError` (no engine runs them): ill-formed shapes and the SPARQL that SHACL or
the project's safety policy forbids (see :mod:`csi_graph.shacl_queries`).

Literals are judged as written: the data graph reaches the engine with every literal that
Oxigraph would normalise replaced by its exact stand-in (:mod:`csi_graph.literals`), and
``sh:datatype`` checks lexical forms with :func:`csi_graph.literals.well_formed`.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from csi_graph import literals
from csi_graph.canonical import Canonical, canonical
from csi_graph.recent import Recent
from csi_graph.shacl_queries import ShapesError, Unsupported, analyse

__all__ = ["Check", "Failure", "ShapesError", "Unsupported", "compile_shapes", "failures", "prepare_store"]

# Where the engine keeps its own data inside the validation store (never in the default graph).
SHAPES_GRAPH = "urn:csi-graph:shapes-graph"
_NODE_SETS = "urn:csi-graph:node-set:"
_MEMBER = "urn:csi-graph:member"
_WELL_FORMED = "urn:csi-graph:function:well-formed"

_VALUE_COMPONENTS = (
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minExclusive,
    SH.minInclusive,
    SH.maxExclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH["in"],
    SH.node,
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
)
_LOGICAL = (SH.node, SH["not"], SH["and"], SH["or"], SH.xone)
_COMPONENT = {
    **{
        c: SH[c.rsplit("#", 1)[1][0].upper() + c.rsplit("#", 1)[1][1:] + "ConstraintComponent"]
        for c in _VALUE_COMPONENTS
    },
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH.closed: SH.ClosedConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
_COMPARISONS = {SH.minExclusive: ">", SH.minInclusive: ">=", SH.maxExclusive: "<", SH.maxInclusive: "<="}
_NODE_KINDS = {
    SH.IRI: "!isIRI({v})",
    SH.BlankNode: "!isBlank({v})",
    SH.Literal: "!isLiteral({v})",
    SH.BlankNodeOrIRI: "isLiteral({v})",
    SH.BlankNodeOrLiteral: "isIRI({v})",
    SH.IRIOrLiteral: "isBlank({v})",
}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_PATH = re.compile(r"\$PATH(?![A-Za-z0-9_\u00B7\u0300-\u036F\u203F-\u2040])")


# -- what the compiler produces ------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a result comes from: shape, component, severity, path, constraint, messages."""

    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None = None
    constraint: Node | None = None
    messages: tuple[Literal, ...] = ()
    value_is_focus: bool = False  # a node shape's value node is its focus node
    parameters: tuple[tuple[str, Node], ...] = ()  # a SPARQL component's parameters, for messages


@dataclass(frozen=True)
class Check:
    """One way of listing the failures of one constraint: see :meth:`run`.

    ``query`` selects ``?this`` and, when reported, ``?value`` and ``?path`` (and any
    variable a SPARQL message names). With ``per_node``, ``query`` lists the focus (and
    value) nodes and ``per_node`` runs once for each, with them substituted. With
    ``negated``, the failures are the rows of ``query`` for which ``negated`` (a join of the
    same nodes) has no row.
    """

    query: str
    source: Source
    per_node: str | None = None
    per_node_variables: tuple[str, ...] = ("this",)
    negated: str | None = None
    constants: tuple[tuple[str, Node], ...] = ()  # substituted in per-node runs
    # Per-node runs use Oxigraph's substitution, or rdflib's (initBindings) for a query that
    # tests BOUND() of a pre-bound variable, which Oxigraph's substitution leaves unbound.
    evaluator: str = "oxigraph"
    merged: tuple[Source, ...] = ()  # checks merged into one query: ?_failed lists their indexes


@dataclass(frozen=True)
class Failure:
    """One failure: the check's source, the focus node, and what the query reported."""

    source: Source
    focus: Node
    value: Node | None = None
    path: Node | None = None
    bindings: dict[str, Node] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Plan:
    """Everything to run: the checks, and the node sets they read from the store.

    Immutable, and only read by a run (:func:`prepare_store`, the checks' queries): one plan
    serves any number of runs, side by side too (see :data:`PLANS`).
    """

    checks: tuple[Check, ...]
    node_sets: tuple[tuple[str, tuple[Node, ...]], ...]  # (graph name, members)
    needs_shapes_graph: bool


def compile_shapes(
    shapes: Graph, subclasses: Callable[[URIRef], list[URIRef]], stand_ins: bool = True
) -> Plan:
    """The checks of every targeted shape of ``shapes``.

    ``subclasses(C)`` lists C and its subclasses in the data graph (``rdfs:subClassOf*``),
    which SHACL uses for ``sh:targetClass``, implicit class targets and ``sh:class``.
    ``stand_ins=False`` says that the data holds no stand-in of a literal (see
    :func:`csi_graph.literals.encode`): the queries then need not decode them.
    """
    compiler = _Compiler(shapes, subclasses, stand_ins)
    checks = compiler.checks()
    node_sets = tuple((name, tuple(nodes)) for name, nodes in compiler.node_sets.items())
    return Plan(tuple(checks), node_sets, compiler.needs_shapes_graph)


@dataclass(frozen=True)
class _Nodes:
    """A pattern binding the nodes under test, and the variables it binds (last: the node)."""

    pattern: str
    variables: tuple[str, ...]

    def then(self, pattern: str, variable: str) -> _Nodes:
        return _Nodes(f"{self.pattern} {pattern}", (*self.variables, variable))

    def distinct(self, pattern: str) -> str:
        """``pattern`` reduced to one row per node under test (joins stay small)."""
        return f"{{ SELECT DISTINCT {' '.join(self.variables)} WHERE {{ {pattern} }} }}"


@dataclass(frozen=True)
class _Failing:
    """A pattern whose solutions are the failures of one constraint component."""

    component: Node
    pattern: str
    value: str | None = None  # the variable holding the failing value, if reported
    path: str | None = None  # the variable holding a predicate (closed shapes)
    extra: str = ""  # more selected variables (one result per solution)
    condition: str | None = None  # for ``base FILTER (condition)``: the two parts, to merge checks
    base: str | None = None


@dataclass(frozen=True)
class _Focus:
    """Builds a pattern binding a variable to each focus node of a shape.

    Focus nodes reached through a property shape's values are listed once per path from the
    targets (``ancestors`` names the variables of the nodes they were reached from), since
    SHACL validates them once for each.
    """

    build: Callable[[str], str]
    ancestors: tuple[str, ...] = ()

    def __call__(self, var: str) -> str:
        return self.build(var)


class _Compiler:
    def __init__(
        self, shapes: Graph, subclasses: Callable[[URIRef], list[URIRef]], stand_ins: bool = True
    ) -> None:
        self.g = shapes
        self.stand_ins = stand_ins
        self.subclasses = subclasses
        self.counter = itertools.count()
        self.node_sets: dict[str, list[Node]] = {}
        self.needs_shapes_graph = False
        self.expanding: list[Node] = []  # shapes being expanded, to catch recursion
        self._components = self._sparql_components()

    # -- shapes and targets ----------------------------------------------------------

    def checks(self) -> list[Check]:
        found: list[Check] = []
        for shape in sorted(self._targeted(), key=_order):
            focus = self._target_focus(shape)
            found += self._emit(shape, focus, ())
        return found

    def _targeted(self) -> set[Node]:
        shapes = {s for p in _TARGETS for s in self.g.subjects(p, None)}
        shapes |= self._implicit_classes()
        return {s for s in shapes if not self._deactivated(s)}

    def _implicit_classes(self) -> set[Node]:
        """Shapes that are also classes (SHACL 2.1.3.3): their instances are focus nodes."""
        classes = self._instances(RDFS.Class)
        shapes = self._instances(SH.NodeShape) | self._instances(SH.PropertyShape)
        return classes & shapes

    def _instances(self, cls: URIRef) -> set[Node]:
        """SHACL instances of ``cls`` in the shapes graph (rdf:type/rdfs:subClassOf*)."""
        classes = set(self.g.transitive_subjects(RDFS.subClassOf, cls))
        return {s for c in classes for s in self.g.subjects(RDF.type, c)}

    def _target_focus(self, shape: Node) -> _Focus:
        if (shape, SH.target, None) in self.g:
            raise Unsupported("SPARQL-based targets (sh:target) are SHACL Advanced Features")
        classes = set(self.g.objects(shape, SH.targetClass))
        if shape in self._implicit_classes():
            classes.add(shape)
        members = sorted({c for t in classes for c in self._subclasses(t)}, key=str)
        if len(members) == 1 and not any((shape, p, None) in self.g for p in _TARGETS[1:]):
            cls = _iri(members[0])  # one class, no subclass: each focus node once, no DISTINCT needed
            return _Focus(lambda var: f"{var} a {cls} .")
        nodes = sorted(self.g.objects(shape, SH.targetNode), key=_order)
        # Blank nodes cannot be named in a query: a set of them lives in a graph of its own.
        node_set = self._node_set(nodes) if any(isinstance(n, BNode) for n in nodes) else None
        listed = " ".join(_term(n) for n in nodes) if nodes and node_set is None else None
        subjects_of = sorted(self.g.objects(shape, SH.targetSubjectsOf), key=str)
        objects_of = sorted(self.g.objects(shape, SH.targetObjectsOf), key=str)

        def focus(var: str) -> str:
            parts = []
            if members:
                c = self._fresh("class")
                parts.append(f"{{ {var} a {c} . VALUES {c} {{ {' '.join(map(_iri, members))} }} }}")
            if node_set:
                parts.append(f"{{ {self._members(node_set, var)} }}")
            if listed:
                parts.append(f"{{ VALUES {var} {{ {listed} }} }}")
            for predicate in subjects_of:
                parts.append(f"{{ {var} {_iri(predicate)} {self._fresh('o')} }}")
            for predicate in objects_of:
                parts.append(f"{{ {self._fresh('s')} {_iri(predicate)} {var} }}")
            if not parts:
                return f"{{ SELECT {var} WHERE {{ FILTER (false) }} }}"
            return f"{{ SELECT DISTINCT {var} WHERE {{ {' UNION '.join(parts)} }} }}"

        return _Focus(focus)

    def _node_set(self, nodes: Iterable[Node]) -> str:
        """A named graph of the store listing ``nodes`` (any terms: IRIs, literals, blank nodes)."""
        name = f"{_NODE_SETS}{len(self.node_sets)}"
        self.node_sets[name] = list(nodes)
        return name

    def _members(self, node_set: str, var: str) -> str:
        return f"GRAPH <{node_set}> {{ <{node_set}> <{_MEMBER}> {var} }}"

    def _subclasses(self, cls: Node) -> list[URIRef]:
        if not isinstance(cls, URIRef):
            raise Unsupported(f"class {cls} is a blank node")
        return self.subclasses(cls)

    def _emit(self, shape: Node, focus: _Focus, parents: tuple[Node, ...]) -> list[Check]:
        """The checks of ``shape`` on ``focus``, then of its property shapes (SHACL 4.5.1)."""
        if self._deactivated(shape):
            return []
        if shape in parents:
            raise Unsupported(f"recursive shapes ({_name(shape)} contains itself through sh:property)")
        found = self._shape_checks(shape, focus)
        path = self._path_of(shape)
        for child in sorted(self.g.objects(shape, SH.property), key=_order):
            if path is None:
                found += self._emit(child, focus, (*parents, shape))
            else:  # the values of a property shape are the focus nodes of its property shapes
                found += self._emit(child, self._values_focus(focus, path), (*parents, shape))
        return found

    def _values_focus(self, focus: _Focus, path: str) -> _Focus:
        parent = f"?_up{len(focus.ancestors)}"
        chain = " ".join(focus.ancestors)

        def values(var: str) -> str:
            return f"{{ SELECT DISTINCT {chain} {parent} {var} WHERE {{ {focus(parent)} {parent} {path} {var} }} }}"

        return _Focus(values, (*focus.ancestors, parent))

    def _source(self, shape: Node, component: Node, **more) -> Source:
        severity = self.g.value(shape, SH.severity) or SH.Violation
        if not isinstance(severity, URIRef):
            raise ShapesError(f"the severity of {_name(shape)} is not an IRI")
        messages = tuple(m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal))
        return Source(shape, component, severity, self.g.value(shape, SH.path), messages=messages, **more)

    def _shape_checks(self, shape: Node, focus: _Focus) -> list[Check]:
        """One query per constraint component of ``shape``, on the focus nodes."""
        is_property = self._is_property(shape)
        nodes = _Nodes(focus("?this"), ("?this", *focus.ancestors))
        checks = []
        failing = self._failing(shape, nodes, "?this", top=True)
        simple = [f for f in failing if f.condition is not None]
        if len(simple) > 1:  # one scan of the values for all of them: a flag per failing component
            failing = [f for f in failing if f.condition is None]
            flags = ", ".join(f'IF(COALESCE({f.condition}, false), "{i} ", "")' for i, f in enumerate(simple))
            value = simple[0].value
            selected = " ".join(v for v in ("?this", *focus.ancestors, value) if v)
            query = (
                f"SELECT DISTINCT {selected} ?_failed WHERE {{ {simple[0].base} "
                f'BIND (CONCAT({flags}) AS ?_failed) FILTER (?_failed != "") }}'
            )
            sources = tuple(
                self._source(shape, _COMPONENT[f.component], value_is_focus=not is_property) for f in simple
            )
            checks.append(Check(query, sources[0], merged=sources))
        for one in failing:
            selected = " ".join(v for v in ("?this", *focus.ancestors, one.value, one.path) if v)
            selected += one.extra
            query = f"SELECT DISTINCT {selected} WHERE {{ {one.pattern} }}"
            value_is_focus = not is_property and one.component in _VALUE_COMPONENTS
            source = self._source(shape, _COMPONENT[one.component], value_is_focus=value_is_focus)
            checks.append(Check(query, source))
        for constraint in sorted(self.g.objects(shape, SH.sparql), key=_order):
            if not self._deactivated(constraint):
                checks.append(self._sparql_check(shape, constraint, focus))
        checks += self._component_checks(shape, focus)
        return checks

    # -- SPARQL-based constraints and constraint components -----------------------------

    def _prologue(self, node: Node) -> str:
        """PREFIX declarations from the node's sh:prefixes, following owl:imports (SHACL 5.2.1)."""
        declared: dict[str, str] = {}
        seen: set[Node] = set()
        todo = list(self.g.objects(node, SH.prefixes))
        while todo:
            source = todo.pop()
            if source in seen:
                continue
            seen.add(source)
            todo += list(self.g.objects(source, OWL.imports))
            for declaration in self.g.objects(source, SH.declare):
                prefix = self.g.value(declaration, SH.prefix)
                namespace = self.g.value(declaration, SH.namespace)
                if prefix is None or namespace is None:
                    raise ShapesError(
                        f"a prefix declaration of {_name(source)} lacks sh:prefix or sh:namespace"
                    )
                if declared.get(str(prefix), str(namespace)) != str(namespace):
                    raise ShapesError(f"prefix {prefix!s} is declared twice with different namespaces")
                declared[str(prefix)] = str(namespace)
        return "".join(f"PREFIX {p}: {_iri(URIRef(n))}\n" for p, n in sorted(declared.items()))

    def _query_text(self, node: Node, predicate: URIRef, shape: Node) -> str:
        text = self.g.value(node, predicate)
        if not isinstance(text, Literal):
            raise ShapesError(f"{_name(node)} has no {predicate.n3(self.g.namespace_manager)} query")
        body = str(text)
        path = self.g.value(shape, SH.path)
        if path is not None:
            body = _PATH.sub(lambda _: self._path(path), body)
        elif _PATH.search(body):
            raise ShapesError(f"{_name(node)} uses $PATH on a node shape")
        query = self._prologue(node) + body
        _check_safety(query)
        return query

    def _sparql_check(self, shape: Node, constraint: Node, focus: _Focus) -> Check:
        """A sh:sparql constraint (SHACL 5.3): its SELECT query with $this pre-bound."""
        query = self._query_text(constraint, SH.select, shape)
        messages = tuple(m for m in self.g.objects(constraint, SH.message) if isinstance(m, Literal))
        source = self._source(shape, SH.SPARQLConstraintComponent, constraint=constraint)
        source = Source(
            source.shape,
            source.component,
            source.severity,
            source.path,
            constraint,
            messages or source.messages,
            not self._is_property(shape),
        )
        return self._select_check(query, shape, focus, source, ())

    def _select_check(
        self, query: str, shape: Node, focus: _Focus, source: Source, parameters: tuple[tuple[str, Node], ...]
    ) -> Check:
        constants = {"currentShape": shape, "shapesGraph": URIRef(SHAPES_GRAPH), **dict(parameters)}
        analysis = analyse(query, ("this",), constants)
        if analysis.form != "SELECT":
            raise ShapesError(f"the query of {_name(source.constraint or shape)} is not a SELECT query")
        if "this" not in analysis.projected:
            raise ShapesError(f"the query of {_name(source.constraint or shape)} does not select $this")
        used = {name: value for name, value in constants.items() if name in analysis.mentioned}
        self.needs_shapes_graph |= "shapesGraph" in used
        block = _values_block(used)
        if analysis.joinable:
            return Check(_insert(query, f"{focus('?this')} {block}"), source)
        if analysis.tests_bound:
            return self._rdflib_check(
                f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} }}", source, query, used
            )
        return Check(
            f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} }}",
            source,
            per_node=_insert(query, block) if block else query,
        )

    def _sparql_components(self) -> list[tuple[Node, list[tuple[URIRef, bool]]]]:
        """SPARQL-based constraint components (SHACL 6): each with its parameters (path, optional)."""
        found = []
        for component in sorted(self._instances(SH.ConstraintComponent), key=_order):
            parameters = []
            for parameter in self.g.objects(component, SH.parameter):
                path = self.g.value(parameter, SH.path)
                if not isinstance(path, URIRef):
                    raise ShapesError(f"a parameter of {_name(component)} has no IRI sh:path")
                optional = self.g.value(parameter, SH.optional) == Literal(True)
                parameters.append((path, optional))
            found.append((component, sorted(parameters, key=lambda p: str(p[0]))))
        return found

    def _component_checks(self, shape: Node, focus: _Focus) -> list[Check]:
        checks = []
        is_property = self._is_property(shape)
        for component, parameters in self._components:
            mandatory = [path for path, optional in parameters if not optional]
            if not mandatory or any((shape, path, None) not in self.g for path in mandatory):
                continue
            specific = SH.propertyValidator if is_property else SH.nodeValidator
            validator = self.g.value(component, specific) or self.g.value(component, SH.validator)
            if validator is None:
                continue  # the component does not apply to this kind of shape
            values = [
                [(_local_name(path), value) for value in sorted(self.g.objects(shape, path), key=_order)]
                for path, _ in parameters
                if (shape, path, None) in self.g
            ]
            for combination in itertools.product(*values):
                checks.append(self._validator_check(shape, component, validator, combination, focus))
        return checks

    def _validator_check(
        self, shape: Node, component: Node, validator: Node, parameters: tuple, focus: _Focus
    ) -> Check:
        messages = tuple(m for m in self.g.objects(validator, SH.message) if isinstance(m, Literal))
        messages = messages or tuple(
            m for m in self.g.objects(component, SH.message) if isinstance(m, Literal)
        )
        base = self._source(shape, component)
        source = Source(
            shape,
            component,
            base.severity,
            base.path,
            None,
            messages or base.messages,
            not self._is_property(shape),
            tuple(parameters),
        )
        if (validator, SH.select, None) in self.g:
            if self.g.value(component, SH.validator) == validator:
                raise ShapesError(f"the sh:validator of {_name(component)} must be an ASK query")
            query = self._query_text(validator, SH.select, shape)
            return self._select_check(query, shape, focus, source, parameters)
        query = self._query_text(validator, SH.ask, shape)
        constants = {"currentShape": shape, "shapesGraph": URIRef(SHAPES_GRAPH), **dict(parameters)}
        analysis = analyse(query, ("this", "value"), constants)
        if analysis.form != "ASK":
            raise ShapesError(f"the sh:validator of {_name(component)} must be an ASK query")
        used = {name: value for name, value in constants.items() if name in analysis.mentioned}
        self.needs_shapes_graph |= "shapesGraph" in used
        select = _ask_as_select(query, ("this", "value", *used))
        path = self._path_of(shape)
        pairs = (
            f"{{ SELECT DISTINCT ?this ?value WHERE {{ {focus('?this')} ?this {path} ?value }} }}"
            if path is not None
            else f"{focus('?this')} BIND (?this AS ?value)"
        )
        candidates = f"SELECT DISTINCT ?this ?value WHERE {{ {pairs} }}"
        if analysis.joinable and all(isinstance(v, URIRef | Literal) for v in used.values()):
            return Check(candidates, source, negated=_insert(select, f"{pairs} {_values_block(used)}"))
        if analysis.tests_bound:
            return self._rdflib_check(candidates, source, query, used, ("this", "value"))
        return Check(
            candidates,
            source,
            per_node=select,
            per_node_variables=("this", "value"),
            constants=tuple(used.items()),
        )

    def _rdflib_check(
        self, nodes: str, source: Source, query: str, used: dict, variables: tuple[str, ...] = ("this",)
    ) -> Check:
        if "shapesGraph" in used:
            raise Unsupported("$shapesGraph together with BOUND() of a pre-bound variable")
        return Check(
            nodes,
            source,
            per_node=query,
            per_node_variables=variables,
            constants=tuple(used.items()),
            evaluator="rdflib",
        )

    # -- failing patterns --------------------------------------------------------------

    def _violations(self, shape: Node, nodes: _Nodes, x: str) -> str:
        """A pattern with a solution for each node ``x`` (bound by ``nodes``) that fails ``shape``."""
        if self._deactivated(shape):
            return "{ FILTER (false) }"
        if shape in self.expanding:
            raise Unsupported(f"recursive shapes ({_name(shape)} refers to itself)")
        if (shape, SH.sparql, None) in self.g or self._uses_components(shape):
            raise Unsupported(
                "SPARQL constraints inside sh:node, sh:not, sh:and, sh:or, sh:xone or a qualified shape"
            )
        self.expanding.append(shape)
        try:
            groups = [f"{{ {f.pattern} }}" for f in self._failing(shape, nodes, x, top=False)]
            path = self._path_of(shape)
            for child in sorted(self.g.objects(shape, SH.property), key=_order):
                if path is None:
                    groups.append(f"{{ {self._violations(child, nodes, x)} }}")
                else:
                    v = self._fresh("v")
                    values = nodes.then(f"{x} {path} {v} .", v)
                    groups.append(f"{{ {values.distinct(self._violations(child, values, v))} }}")
        finally:
            self.expanding.pop()
        return " UNION ".join(groups) if groups else "{ FILTER (false) }"

    def _uses_components(self, shape: Node) -> bool:
        return any(
            all((shape, path, None) in self.g for path, optional in parameters if not optional)
            and any(not optional for _, optional in parameters)
            for _, parameters in self._components
        )

    def _failing(self, shape: Node, nodes: _Nodes, x: str, top: bool) -> list[_Failing]:
        """The failures of each core constraint component of ``shape`` (but sh:property)."""
        path = self._path_of(shape)
        found: list[_Failing] = []
        for component in _VALUE_COMPONENTS:
            for parameter in sorted(self.g.objects(shape, component), key=_order):
                if path is not None:
                    v = "?value" if top else self._fresh("v")
                    values = nodes.then(f"{x} {path} {v} .", v)
                else:
                    v, values = x, nodes
                condition = self._simple_failure(shape, component, parameter, v)
                if condition is not None:
                    pattern = f"{values.pattern} FILTER ({condition})"
                    found.append(
                        _Failing(
                            component,
                            pattern,
                            v if path is not None else None,
                            condition=condition,
                            base=values.pattern,
                        )
                    )
                    continue
                pattern = self._value_failures(shape, component, parameter, values, v)
                if pattern is not None:
                    found.append(_Failing(component, pattern, v if path is not None else None))
        if path is not None:
            found += self._counts(shape, nodes, x, path)
        for has_value in sorted(self.g.objects(shape, SH.hasValue), key=_order):
            test = (
                f"FILTER NOT EXISTS {{ {x} {path} {_term(has_value)} }}"
                if path is not None
                else f"FILTER (!sameTerm({x}, {_term(has_value)}))"
            )
            found.append(_Failing(SH.hasValue, f"{nodes.pattern} {test}"))
        if path is not None and (shape, SH.uniqueLang, Literal(True)) in self.g:
            a, b, lang = self._fresh("a"), self._fresh("b"), "?lang" if top else self._fresh("lang")
            pattern = (
                f"{nodes.pattern} {x} {path} {a} . {x} {path} {b} . FILTER (isLiteral({a}) && lang({a}) != '' && "
                f"!sameTerm({a}, {b}) && LCASE(lang({a})) = LCASE(lang({b}))) BIND (LCASE(lang({a})) AS {lang})"
            )
            found.append(_Failing(SH.uniqueLang, pattern, extra=" ?lang" if top else ""))
        for component in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in sorted(self.g.objects(shape, component), key=_order):
                if not isinstance(other, URIRef):
                    raise ShapesError(f"the value of {component} on {_name(shape)} is not an IRI")
                if path is None and component in (SH.lessThan, SH.lessThanOrEquals):
                    raise ShapesError(f"{_name(shape)}: {component.n3()} is for property shapes only")
                v = "?value" if top else self._fresh("v")
                w = "?other" if top else self._fresh("w")  # sh:lessThan: one result per pair
                pattern = self._pair(component, nodes, path, x, _iri(other), v, w)
                extra = " ?other" if top and component in (SH.lessThan, SH.lessThanOrEquals) else ""
                found.append(_Failing(component, pattern, v, extra=extra))
        if (shape, SH.closed, Literal(True)) in self.g:
            if path is not None:
                v = self._fresh("v")
                closed_nodes, subject = nodes.then(f"{x} {path} {v} .", v), v
            else:
                closed_nodes, subject = nodes, x
            p, o = ("?path", "?value") if top else (self._fresh("p"), self._fresh("o"))
            pattern = f"{closed_nodes.pattern} {subject} {p} {o} . FILTER ({self._unexpected(p, shape)})"
            found.append(_Failing(SH.closed, pattern, o, p))
        return found

    def _simple_failure(self, shape: Node, component: Node, parameter: Node, v: str) -> str | None:
        """An expression true when value ``v`` fails ``component``, if one expression says it."""
        condition = self._condition(shape, component, parameter, v)
        if condition is not None or component not in _LOGICAL:
            return condition
        members = [parameter] if component in (SH.node, SH["not"]) else self._list(parameter)
        tests = [self._expression(member, v) for member in members]
        return None if None in tests else _combine(component, tests)

    def _value_failures(
        self, shape: Node, component: Node, parameter: Node, values: _Nodes, v: str
    ) -> str | None:
        """A pattern with a solution for each value ``v`` (bound by ``values``) failing ``component``."""
        condition = self._condition(shape, component, parameter, v)
        if condition is not None:
            return f"{values.pattern} FILTER ({condition})"
        if component not in _LOGICAL:
            return None  # nothing can fail (sh:minLength 0)
        members = [parameter] if component in (SH.node, SH["not"]) else self._list(parameter)
        tests = [self._expression(member, v) for member in members]
        if None not in tests:  # simple members: one FILTER, no join
            return f"{values.pattern} FILTER ({_combine(component, tests)})"
        if component == SH.node:
            return self._violations(parameter, values, v)
        if component == SH["not"]:
            return f"{{ {values.pattern} }} MINUS {{ {self._violations(parameter, values, v)} }}"
        if component == SH["and"]:
            return " UNION ".join(f"{{ {self._violations(m, values, v)} }}" for m in members)
        if component == SH["or"]:  # every member fails: simple ones in a FILTER, the others joined
            simple = [t for t in tests if t is not None]
            joined = [
                values.distinct(self._violations(m, values, v))
                for m, t in zip(members, tests, strict=True)
                if t is None
            ]
            if not members:
                return values.pattern
            return " ".join(joined) + (f" FILTER ({' && '.join(simple)})" if simple else "")
        # sh:xone: the number of members that conform is not one
        flags = []
        joins = []
        for member in members:
            flag = self._fresh("conforms")
            conforming = f"{{ {values.pattern} }} MINUS {{ {self._violations(member, values, v)} }}"
            joins.append(
                f"OPTIONAL {{ SELECT DISTINCT {' '.join(values.variables)} (1 AS {flag}) WHERE {{ {conforming} }} }}"
            )
            flags.append(f"IF(BOUND({flag}), 1, 0)")
        return f"{values.pattern} {' '.join(joins)} FILTER (({' + '.join(flags) or '0'}) != 1)"

    def _expression(self, shape: Node, v: str, inside_exists: bool = False) -> str | None:
        """An expression true when node ``v`` fails ``shape``, if the shape is simple enough.

        Simple means: an ``EXISTS`` holds only a basic pattern and plain filters. Oxigraph
        evaluates such an expression per node with its indexes; anything more complex
        (``None`` here) is joined as a pattern instead. ``inside_exists`` forbids ``EXISTS``.
        """
        if self._deactivated(shape):
            return "false"
        if shape in self.expanding:
            raise Unsupported(f"recursive shapes ({_name(shape)} refers to itself)")
        complex_components = (
            SH.sparql,
            SH.closed,
            SH.equals,
            SH.disjoint,
            SH.lessThan,
            SH.lessThanOrEquals,
            SH.uniqueLang,
            SH.qualifiedValueShape,
            SH.target,
        )
        if any((shape, predicate, None) in self.g for predicate in complex_components):
            return None
        if self._uses_components(shape):
            return None
        self.expanding.append(shape)
        try:
            return self._simple_expression(shape, v, inside_exists)
        finally:
            self.expanding.pop()

    def _simple_expression(self, shape: Node, v: str, inside_exists: bool) -> str | None:
        tests: list[str] = []
        if self._is_property(shape):
            if inside_exists or (shape, SH.property, None) in self.g:
                return None
            path = self._path(self.g.value(shape, SH.path))
            w = self._fresh("w")
            for component in _VALUE_COMPONENTS:
                for parameter in self.g.objects(shape, component):
                    test = self._plain(shape, component, parameter, w)
                    if test is None:
                        return None
                    tests.append(f"EXISTS {{ {v} {path} {w} . FILTER ({test}) }}")
            for minimum in self.g.objects(shape, SH.minCount):
                if int(minimum) > 1:
                    return None
                if int(minimum) == 1:
                    tests.append(f"NOT EXISTS {{ {v} {path} {w} }}")
            for maximum in self.g.objects(shape, SH.maxCount):
                if int(maximum) > 1:
                    return None
                other = self._fresh("w")
                different = f" FILTER (!sameTerm({w}, {other}))" if int(maximum) == 1 else ""
                tests.append(f"EXISTS {{ {v} {path} {w} . {v} {path} {other} .{different} }}")
            for has_value in self.g.objects(shape, SH.hasValue):
                tests.append(f"NOT EXISTS {{ {v} {path} {_term(has_value)} }}")
        else:
            for component in _VALUE_COMPONENTS:
                for parameter in self.g.objects(shape, component):
                    test = (
                        self._condition(shape, component, parameter, v)
                        if component == SH["class"] and not inside_exists
                        else self._plain(shape, component, parameter, v, inside_exists)
                    )
                    if test is None:
                        return None
                    tests.append(test)
            for has_value in self.g.objects(shape, SH.hasValue):
                tests.append(f"!sameTerm({v}, {_term(has_value)})")
            for child in self.g.objects(shape, SH.property):
                test = self._expression(child, v, inside_exists)
                if test is None:
                    return None
                tests.append(test)
        return " || ".join(f"({t})" for t in tests) or "false"

    def _plain(
        self, shape: Node, component: Node, parameter: Node, v: str, inside_exists: bool = True
    ) -> str | None:
        """``_condition`` for a value inside an ``EXISTS``: no ``EXISTS`` of its own."""
        if component == SH["class"]:
            return None
        test = self._condition(shape, component, parameter, v)
        if test is not None or component not in _LOGICAL:
            return test or "false"
        members = [parameter] if component in (SH.node, SH["not"]) else self._list(parameter)
        tests = [self._expression(member, v, inside_exists=True) for member in members]
        return None if None in tests else _combine(component, tests)

    def _condition(self, shape: Node, component: Node, parameter: Node, v: str) -> str | None:
        """A SPARQL expression true when value ``v`` fails a component that needs no other shape."""
        if component == SH["class"]:
            cls = self._fresh("class")
            members = " ".join(map(_iri, self._subclasses(parameter)))
            return f"NOT EXISTS {{ {v} a {cls} . VALUES {cls} {{ {members} }} }}"
        if component == SH.datatype:
            if not isinstance(parameter, URIRef):
                raise ShapesError(f"the sh:datatype of {_name(shape)} is not an IRI")
            return f"!({_datatype_test(parameter, v, self.stand_ins)})"
        if component == SH.nodeKind:
            if parameter not in _NODE_KINDS:
                raise ShapesError(f"unknown sh:nodeKind {parameter} on {_name(shape)}")
            return _NODE_KINDS[parameter].format(v=v)
        if component in _COMPARISONS:
            if not isinstance(parameter, Literal):
                raise ShapesError(f"{component.n3()} of {_name(shape)} is not a literal")
            value = self._decoded(v)
            return f"!COALESCE({value} {_COMPARISONS[component]} {_value(parameter)}, false)"
        if component in (SH.minLength, SH.maxLength):
            bound = _integer(parameter, component, shape)
            if component == SH.minLength:
                return None if bound == 0 else f"isBlank({v}) || STRLEN(STR({v})) < {bound}"
            return f"isBlank({v}) || STRLEN(STR({v})) > {bound}"
        if component == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            _check_regex(str(parameter), None if flags is None else str(flags))
            arguments = f"STR({v}), {_value(Literal(str(parameter)))}"
            if flags is not None:
                arguments += f", {_value(Literal(str(flags)))}"
            return f"isBlank({v}) || !REGEX({arguments})"
        if component == SH.languageIn:
            tags = [str(t) for t in self._list(parameter)]
            matches = " || ".join(f"langMatches(lang({v}), {_value(Literal(t))})" for t in tags)
            return f"!isLiteral({v}) || !({matches or 'false'})"
        if component == SH["in"]:
            members = self._list(parameter)
            return (
                "!(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")" if members else "true"
            )
        return None  # sh:node, sh:not, sh:and, sh:or, sh:xone need patterns

    def _counts(self, shape: Node, nodes: _Nodes, x: str, path: str) -> list[_Failing]:
        """Cardinality failures: one row per node, counted with GROUP BY."""
        found = []
        group = " ".join(nodes.variables)

        def counted(values: str, having: str, optional: bool) -> str:
            body = f"{nodes.pattern} OPTIONAL {{ {values} }}" if optional else values
            return f"{{ SELECT {group} WHERE {{ {body} }} GROUP BY {group} HAVING ({having}) }}"

        w = self._fresh("w")
        for minimum in self.g.objects(shape, SH.minCount):
            n = _integer(minimum, SH.minCount, shape)
            if n == 1:
                found.append(_Failing(SH.minCount, f"{nodes.pattern} FILTER NOT EXISTS {{ {x} {path} {w} }}"))
            elif n > 1:
                found.append(
                    _Failing(SH.minCount, counted(f"{x} {path} {w}", f"COUNT(DISTINCT {w}) < {n}", True))
                )
        for maximum in self.g.objects(shape, SH.maxCount):
            n = _integer(maximum, SH.maxCount, shape)
            found.append(_Failing(SH.maxCount, self._at_most(n, nodes, x, path, w, lambda _: "true")))
        qualified = self.g.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            values = nodes.then(f"{x} {path} {w} .", w)
            simple = self._qualified_test(shape, qualified)
            conforming = (
                f"{values.pattern} FILTER ({simple(w)})"
                if simple is not None
                else self._qualified_conforming(shape, qualified, values, w)
            )
            for bound in self.g.objects(shape, SH.qualifiedMinCount):
                n = _integer(bound, SH.qualifiedMinCount, shape)
                if n == 1 and simple is not None:  # no conforming value: no need to count them
                    pattern = f"{nodes.pattern} FILTER NOT EXISTS {{ {x} {path} {w} . FILTER ({simple(w)}) }}"
                else:
                    pattern = counted(conforming, f"COUNT(DISTINCT {w}) < {n}", True)
                found.append(_Failing(SH.qualifiedMinCount, pattern))
            for bound in self.g.objects(shape, SH.qualifiedMaxCount):
                n = _integer(bound, SH.qualifiedMaxCount, shape)
                if n <= 1 and simple is not None:
                    pattern = self._at_most(n, nodes, x, path, w, simple)
                else:
                    pattern = counted(conforming, f"COUNT(DISTINCT {w}) > {n}", False)
                found.append(_Failing(SH.qualifiedMaxCount, pattern))
        return found

    def _at_most(self, n: int, nodes: _Nodes, x: str, path: str, w: str, test: Callable[[str], str]) -> str:
        """Nodes with more than ``n`` values passing ``test``: a join for 0 and 1, else GROUP BY
        (a self-join finds a second value faster than counting every node's values)."""
        if n == 0:
            return f"{nodes.pattern} FILTER EXISTS {{ {x} {path} {w} . FILTER ({test(w)}) }}"
        if n == 1:
            other = self._fresh("w")
            return (
                f"{nodes.pattern} {x} {path} {w} . FILTER ({test(w)}) {x} {path} {other} . "
                f"FILTER (!sameTerm({w}, {other}) && ({test(other)}))"
            )
        group = " ".join(nodes.variables)
        values = f"{nodes.pattern} {x} {path} {w} . FILTER ({test(w)})"
        return (
            f"{{ SELECT {group} WHERE {{ {values} }} GROUP BY {group} HAVING (COUNT(DISTINCT {w}) > {n}) }}"
        )

    def _qualified_test(self, shape: Node, qualified: Node) -> Callable[[str], str] | None:
        """An expression true when a value conforms to the qualified shape (and to no sibling's
        shape, if disjoint), when one expression says it; else None."""
        shapes = self._qualified_shapes(shape, qualified)
        probe = [self._expression(s, "?_probe") for s in shapes]
        if None in probe:
            return None

        def test(v: str) -> str:
            first, *others = [self._expression(s, v) for s in shapes]
            return f"!({first})" + "".join(f" && ({t})" for t in others)

        return test

    def _qualified_shapes(self, shape: Node, qualified: Node) -> list[Node]:
        """The qualified shape, then (if disjoint) its siblings' qualified shapes (SHACL 4.7.3)."""
        shapes = [qualified]
        if (shape, SH.qualifiedValueShapesDisjoint, Literal(True)) in self.g:
            siblings = {
                other
                for parent in self.g.subjects(SH.property, shape)
                for sibling in self.g.objects(parent, SH.property)
                if sibling != shape
                for other in self.g.objects(sibling, SH.qualifiedValueShape)
            }
            shapes += sorted(siblings - {qualified}, key=_order)
        return shapes

    def _qualified_conforming(self, shape: Node, qualified: Node, values: _Nodes, w: str) -> str:
        """The values that conform to the qualified shape (and, if disjoint, to no sibling's)."""
        shapes = self._qualified_shapes(shape, qualified)
        pattern = f"{{ {values.pattern} }} MINUS {{ {self._violations(qualified, values, w)} }}"
        for sibling in shapes[1:]:  # conforming to a sibling's shape disqualifies a value
            conforming = f"{{ {values.pattern} }} MINUS {{ {self._violations(sibling, values, w)} }}"
            pattern = f"{{ {pattern} }} MINUS {{ {conforming} }}"
        return pattern

    def _pair(
        self, component: Node, nodes: _Nodes, path: str | None, x: str, other: str, v: str, w: str
    ) -> str:
        """Values of ``path`` (or ``x`` itself) compared with the values of predicate ``other``."""
        n = nodes.pattern
        if component == SH.disjoint:
            return (
                f"{n} {x} {path} {v} . {x} {other} {v} ."
                if path
                else f"{n} {x} {other} {x} . BIND ({x} AS {v})"
            )
        if component in (SH.lessThan, SH.lessThanOrEquals):
            operator = "<" if component == SH.lessThan else "<="
            left, right = self._decoded(v), self._decoded(w)
            return (
                f"{n} {x} {path} {v} . {x} {other} {w} . FILTER (!COALESCE({left} {operator} {right}, false))"
            )
        if path is None:
            return (
                f"{{ {n} BIND ({x} AS {v}) FILTER NOT EXISTS {{ {x} {other} {x} }} }} UNION "
                f"{{ {n} {x} {other} {v} . FILTER (!sameTerm({v}, {x})) }}"
            )
        return (
            f"{{ {n} {x} {path} {v} . FILTER NOT EXISTS {{ {x} {other} {v} }} }} UNION "
            f"{{ {n} {x} {other} {v} . FILTER NOT EXISTS {{ {x} {path} {v} }} }}"
        )

    def _unexpected(self, p: str, shape: Node) -> str:
        """True for a predicate that a closed shape does not allow."""
        allowed = {
            path for child in self.g.objects(shape, SH.property) for path in self.g.objects(child, SH.path)
        }
        ignored = self.g.value(shape, SH.ignoredProperties)
        if ignored is not None:
            allowed |= set(self._list(ignored))
        names = sorted((a for a in allowed if isinstance(a, URIRef)), key=str)
        return f"!({p} IN ({', '.join(map(_iri, names))}))" if names else "true"

    # -- helpers -------------------------------------------------------------------

    def _decoded(self, v: str) -> str:
        """The value a variable holds, a stand-in read back as the literal it stands for."""
        return literals.sparql_decoded(v) if self.stand_ins else v

    def _is_property(self, shape: Node) -> bool:
        return (shape, SH.path, None) in self.g

    def _path_of(self, shape: Node) -> str | None:
        path = self.g.value(shape, SH.path)
        return None if path is None else self._path(path)

    def _deactivated(self, node: Node) -> bool:
        return (node, SH.deactivated, Literal(True)) in self.g

    def _list(self, head: Node) -> list[Node]:
        if head != RDF.nil and (head, RDF.first, None) not in self.g:
            raise ShapesError(f"{_name(head)} is not an RDF list")
        return list(Collection(self.g, head))

    def _fresh(self, name: str) -> str:
        return f"?_{name}{next(self.counter)}"

    def _path(self, path: Node, depth: int = 0) -> str:
        """A SHACL property path as a SPARQL property path."""
        if depth > 50:
            raise ShapesError("a property path nests more than 50 levels (a cycle?)")
        if isinstance(path, URIRef):
            return _iri(path)
        if (path, RDF.first, None) in self.g:
            steps = [self._path(step, depth + 1) for step in self._list(path)]
            return "(" + "/".join(steps) + ")"
        for predicate, template in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = self.g.value(path, predicate)
            if inner is not None:
                return template.format(self._path(inner, depth + 1))
        alternatives = self.g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self._path(step, depth + 1) for step in self._list(alternatives)) + ")"
        raise ShapesError(f"{_name(path)} is not a SHACL property path")


def _combine(component: Node, tests: list[str]) -> str:
    """Members' failure tests combined: true when the logical component fails."""
    if component == SH.node:
        return tests[0]
    if component == SH["not"]:
        return f"!({tests[0]})"
    if component == SH["and"]:
        return " || ".join(f"({t})" for t in tests) or "false"
    if component == SH["or"]:
        return " && ".join(f"({t})" for t in tests) or "true"
    conforming = " + ".join(f"IF({t}, 0, 1)" for t in tests) or "0"  # sh:xone
    return f"({conforming}) != 1"


def _datatype_test(datatype: URIRef, v: str, stand_ins: bool = True) -> str:
    """True when ``v`` is a well-formed literal of ``datatype``, as written (SHACL 4.2.2)."""
    if str(datatype) == literals.RDF_LANG_STRING:
        return f"isLiteral({v}) && lang({v}) != ''"
    names = [_iri(datatype)]
    if stand_ins and str(datatype) in literals.NORMALISED:
        names.append(_iri(URIRef(literals.WRITTEN + str(datatype))))
    same = " || ".join(f"sameTerm(DATATYPE({v}), {name})" for name in names)
    test = f"isLiteral({v}) && ({same})"
    if literals.known(str(datatype)) and str(datatype) != literals.XSD_STRING:
        fast = literals.FAST_WELL_FORMED.get(str(datatype))
        checked = f"<{_WELL_FORMED}>({v})"  # a call back into Python: only where the fast path fails
        test += f" && (REGEX(STR({v}), {_value(Literal(fast))}) || {checked})" if fast else f" && {checked}"
    return test


def _integer(node: Node, component: Node, shape: Node) -> int:
    try:
        value = int(str(node))
    except ValueError:
        raise ShapesError(f"{component.n3()} of {_name(shape)} is not an integer: {node}") from None
    if value < 0:
        raise ShapesError(f"{component.n3()} of {_name(shape)} is negative")
    return value


def _ox(term: Node):
    """An rdflib term as an Oxigraph term, literals exactly as written."""
    if isinstance(term, URIRef):
        try:
            return ox.NamedNode(str(term))
        except ValueError:
            raise ShapesError(f"not a valid IRI: {str(term)!r}") from None
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise TypeError(f"not an RDF term: {term!r}")


def _iri(term: Node) -> str:
    return str(_ox(term))


def _term(term: Node) -> str:
    """A constant compared by identity: an exact stand-in if the store would change it."""
    if isinstance(term, BNode):
        raise Unsupported("a blank node as a constraint parameter")
    converted = _ox(term)
    return str(literals.encode(converted) if isinstance(converted, ox.Literal) else converted)


def _value(term: Node) -> str:
    """A constant compared by value (the store's normal form is what SPARQL compares)."""
    if isinstance(term, BNode):
        raise Unsupported("a blank node as a constraint parameter")
    return str(_ox(term))


def _values_block(constants: dict[str, Node]) -> str:
    """A VALUES row binding the constants (IRIs and literals only: SPARQL has no blank-node constants)."""
    if not constants:
        return ""
    for name, value in constants.items():
        if isinstance(value, BNode):
            raise Unsupported(f"${name} is a blank node, which a query cannot name")
    names = " ".join(f"?{name}" for name in constants)
    row = " ".join(_term(value) for value in constants.values())
    return f"VALUES ({names}) {{ ({row}) }}"


def _insert(query: str, block: str) -> str:
    """``block`` first in the query's WHERE group (the project's own placement of bindings)."""
    from csi_graph.sparql import insert_in_where

    return insert_in_where(query, block)


def _ask_as_select(query: str, variables: Iterable[str]) -> str:
    """An ASK validator as a SELECT of the pre-bound variables (checked on the parse tree)."""
    from rdflib.plugins.sparql.parser import parseQuery

    keyword = re.compile(
        r"^((?:\s|#[^\n]*\n)*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)(?:\s|#[^\n]*\n)*)*)ASK\b", re.I
    )
    projection = " ".join(f"?{v}" for v in variables)
    select, count = keyword.subn(lambda m: f"{m.group(1)}SELECT DISTINCT {projection}", query, count=1)
    if count != 1 or str(parseQuery(select)[1].where) != str(parseQuery(query)[1].where):
        raise Unsupported("an ASK validator that cannot be read as a SELECT query")
    return select


def _check_safety(query: str) -> None:
    """The safety policy of ``csi-graph query``: no update, no SERVICE, no remote FROM."""
    from csi_graph.sparql import QueryError, check_query

    try:
        check_query(query, (), allow_remote=False)
    except QueryError as error:
        raise ShapesError(f"a SPARQL query in the shapes is refused: {error}") from None


_REGEX_CHECKED: dict[tuple[str, str | None], bool] = {}


def _check_regex(pattern: str, flags: str | None) -> None:
    """Refuse a sh:pattern that Oxigraph cannot compile (it would otherwise never fail), or
    that it would read otherwise than XPath does (character class subtraction)."""
    if _subtracts_classes(pattern):
        raise Unsupported(
            f"sh:pattern {pattern!r} subtracts character classes ([a-z-[aeiou]]), which Oxigraph reads otherwise"
        )
    key = (pattern, flags)
    if key not in _REGEX_CHECKED:
        arguments = f'"", {_value(Literal(pattern))}' + (
            f", {_value(Literal(flags))}" if flags is not None else ""
        )
        row = next(iter(ox.Store().query(f"SELECT (REGEX({arguments}) AS ?ok) WHERE {{}}")))
        _REGEX_CHECKED[key] = row["ok"] is not None
    if not _REGEX_CHECKED[key]:
        raise Unsupported(
            f"sh:pattern {pattern!r} (flags {flags!r}) is not a regular expression Oxigraph compiles"
        )


def _subtracts_classes(pattern: str) -> bool:
    """Whether an XPath regular expression uses character class subtraction (``[a-z-[aeiou]]``)."""
    depth, escaped, previous = 0, False, ""
    for char in pattern:
        if escaped:
            escaped, previous = False, ""
            continue
        if char == "\\":
            escaped = True
        elif char == "[":
            if depth and previous == "-":
                return True
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        previous = char
    return False


def _local_name(iri: URIRef) -> str:
    text = str(iri)
    for separator in ("#", "/", ":"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ShapesError(f"parameter path {iri} has no local name usable as a SPARQL variable")
    return text


def _name(node: Node) -> str:
    return (
        f"<{node}>"
        if isinstance(node, URIRef)
        else f"_:{node}"
        if isinstance(node, BNode)
        else repr(str(node))
    )


def _order(node: Node) -> tuple[int, str]:
    return (0 if isinstance(node, URIRef) else 1 if isinstance(node, Literal) else 2, str(node))


# -- plans reused within a process ---------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    """A plan, and all it was compiled from besides ``stand_ins``: the shapes (their
    canonical form, which also gives the colour of each blank node) and the data's answers to
    the compiler's ``subclasses(C)`` questions."""

    plan: Plan
    shapes: Canonical
    asked: tuple[tuple[URIRef, tuple[URIRef, ...]], ...]


class Plans:
    """The plans compiled in this process: the ``size`` most recently used (:attr:`kept`).

    Compiling the shipped shapes takes longer than running them on the shipped data, and a
    process often validates with the same shapes again (the test suite, a library user, the
    server): :meth:`plan` gives the earlier plan when it is provably the one a new compile
    would give (the same up to the order of its checks and the names of its variables):

    * the shapes are the same graph up to blank-node labels (:func:`canonical`); the plan is
      carried over to the new labels, which the shapes graph added to the store and the
      reported shapes and paths use;
    * ``stand_ins`` is the same;
    * the data gives the same answer to each ``subclasses(C)`` question the compiler asked
      (``rdfs:subClassOf*`` in the data graph): cheap queries, asked again each time.

    Otherwise the shapes are compiled again and the new plan replaces the old one. Shapes with
    no canonical form (see :func:`canonical`) are compiled each time.
    """

    def __init__(self, size: int = 8) -> None:
        self.kept: Recent[_Compiled] = Recent(size)

    def plan(
        self,
        shapes: Graph,
        subclasses: Callable[[URIRef], list[URIRef]],
        stand_ins: bool,
        form: Canonical | None = None,
    ) -> Plan:
        """The plan of ``shapes``: see :func:`compile_shapes` and the class's docstring.

        ``form``: the canonical form of ``shapes``, computed here if not given.
        """
        form = form or canonical(shapes)
        if form is None:
            return compile_shapes(shapes, subclasses, stand_ins)
        key = (form.digest, stand_ins)
        earlier = self.kept.get(key)
        if earlier is not None and all(tuple(subclasses(c)) == answer for c, answer in earlier.asked):
            return _relabelled(earlier.plan, form.relabelling(earlier.shapes))
        asked: dict[URIRef, tuple[URIRef, ...]] = {}

        def asking(cls: URIRef) -> list[URIRef]:
            answer = subclasses(cls)
            asked[cls] = tuple(answer)
            return answer

        plan = compile_shapes(shapes, asking, stand_ins)
        if not _names_blank_nodes(plan, form):
            self.kept.put(key, _Compiled(plan, form, tuple(asked.items())))
        return plan


PLANS = Plans()


def _relabelled(value, labels: dict[str, str]):
    """``value`` (a plan, or a part of one) with each blank node ``b`` renamed ``labels[b]``."""
    if not labels:
        return value
    if isinstance(value, BNode):
        return BNode(labels.get(str(value), str(value)))
    if isinstance(value, str | int | bool | None):  # IRIs and literals are strings
        return value
    if isinstance(value, tuple):
        return tuple(_relabelled(item, labels) for item in value)
    if dataclasses.is_dataclass(value):
        changes = {f.name: _relabelled(getattr(value, f.name), labels) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    raise TypeError(f"cannot carry {type(value).__name__} over to new blank nodes")


def _names_blank_nodes(plan: Plan, shapes: Canonical) -> bool:
    """Whether a query of ``plan`` names a blank node of the shapes (no renaming could carry it over)."""
    texts = [text for check in plan.checks for text in (check.query, check.per_node, check.negated) if text]
    return any(f"_:{label}" in text for text in texts if "_:" in text for label in shapes.colours)


# -- running ---------------------------------------------------------------------------------


def prepare_store(store: ox.Store, shapes: Graph, plan: Plan) -> None:
    """Add what the plan reads besides the data graph: node sets and the shapes graph."""
    quads = []
    for name, nodes in plan.node_sets:
        graph = ox.NamedNode(name)
        for node in nodes:
            term = _ox(node)
            quads.append(
                ox.Quad(
                    graph,
                    ox.NamedNode(_MEMBER),
                    literals.encode(term) if isinstance(term, ox.Literal) else term,
                    graph,
                )
            )
    if plan.needs_shapes_graph:
        graph = ox.NamedNode(SHAPES_GRAPH)
        quads += [ox.Quad(_ox(s), _ox(p), _ox(o), graph) for s, p, o in shapes]
    store.extend(literals.exact_quads(quads))


def _well_formed_function(term) -> ox.Literal:
    ok = False
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.startswith(literals.WRITTEN):
            datatype = datatype[len(literals.WRITTEN) :]
        ok = literals.well_formed(term.value, datatype) is not False
    return ox.Literal("true" if ok else "false", datatype=ox.NamedNode(str(XSD.boolean)))


_FUNCTIONS = {ox.NamedNode(_WELL_FORMED): _well_formed_function}

# Statements from which checks run on threads, one per core. Below, handing ~300 checks to
# threads and back costs more than they gain: on one contract with the ontology (5,000
# statements), a validation takes 55 ms of CPU in one thread, 94 ms (77 ms of waiting) in four;
# at 30,000 statements four threads take 0.35 s of waiting where one takes 0.5 s.
PARALLEL_FROM = 10_000


@dataclass
class DataGraph:
    """The data graph: the default graph of ``store``, literals as written (see
    :func:`csi_graph.literals.exact_quads`); the engine adds named graphs of its own."""

    store: ox.Store

    def query(self, text: str, **options):
        try:
            return self.store.query(text, custom_functions=_FUNCTIONS, **options)
        except SyntaxError as error:
            raise ShapesError(f"a SPARQL query of the shapes does not parse: {error}") from None

    def triples(self) -> Iterator[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, ox.DefaultGraph())


def failures(
    store: ox.Store, shapes: Graph, stand_ins: bool = True, form: Canonical | None = None
) -> Iterator[Failure]:
    """Run every check of ``shapes`` over the default graph of ``store`` (the data graph).

    ``store`` holds the data graph in its default graph, literals as written (see
    :func:`csi_graph.literals.exact_quads`; ``stand_ins=False`` if no literal needed a
    stand-in); the engine adds named graphs of its own. ``form``: the canonical form of
    ``shapes`` (:func:`csi_graph.canonical.canonical`), if the caller has it.
    """
    small = len(store) < PARALLEL_FROM
    data = DataGraph(store)
    known: dict[URIRef, list[URIRef]] = {}

    def subclasses(cls: URIRef) -> list[URIRef]:
        if cls not in known:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c {_iri(RDFS.subClassOf)}* {_iri(cls)} }}"
            found = {_rdflib(row["c"]) for row in data.query(query)}
            known[cls] = sorted({cls} | {c for c in found if isinstance(c, URIRef)}, key=str)
        return known[cls]

    plan = PLANS.plan(shapes, subclasses, stand_ins, form)
    prepare_store(store, shapes, plan)
    if small:
        for check in plan.checks:
            yield from _run(data, check)
        return
    # Oxigraph evaluates queries without Python's lock: checks run side by side, one per core.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for found in pool.map(lambda check: list(_run(data, check)), plan.checks):
            yield from found


def _run(data: DataGraph, check: Check) -> Iterator[Failure]:
    source = check.source
    if check.negated is not None:
        passing = {(row["this"], row["value"]) for row in data.query(check.negated)}
        for row in data.query(check.query):
            if (row["this"], row["value"]) not in passing:
                yield _failure(source, {"this": row["this"], "value": row["value"]})
        return
    if check.per_node is not None and check.evaluator == "rdflib":
        yield from _run_rdflib(data, check)
        return
    if check.per_node is not None:
        constants = {
            ox.Variable(name): literals.encode(_ox(v)) if isinstance(v, Literal) else _ox(v)
            for name, v in check.constants
        }
        for row in data.query(check.query):
            bound = {ox.Variable(name): row[name] for name in check.per_node_variables}
            solutions = data.query(check.per_node, substitutions={**bound, **constants})
            if check.per_node_variables == ("this", "value"):  # an ASK validator: no row, a failure
                if next(iter(solutions), None) is None:
                    yield _failure(source, {name: row[name] for name in check.per_node_variables})
            else:
                yield from _rows(source, solutions)
        return
    yield from _rows(source, data.query(check.query), check.merged)


def _run_rdflib(data: DataGraph, check: Check) -> Iterator[Failure]:
    """Per-node runs with rdflib's pre-binding (its initBindings bind the variables everywhere)."""
    from rdflib.term import Variable

    from csi_graph.validation import graph_from_quads

    graph = graph_from_quads(data.triples())
    constants = dict(check.constants)
    for row in data.query(check.query):
        bound = {name: _rdflib(literals.decode(row[name])) for name in check.per_node_variables}
        answer = graph.query(
            check.per_node, initBindings={Variable(k): v for k, v in {**bound, **constants}.items()}
        )
        if answer.type == "ASK":
            if not answer.askAnswer:
                yield _failure(check.source, {name: row[name] for name in check.per_node_variables})
            continue
        for solution in answer:
            terms = {str(var): solution[var] for var in answer.vars if solution[var] is not None}
            if str(terms.get("failure")) == "true":
                raise ShapesError(
                    f"the SPARQL constraint {_name(check.source.constraint or check.source.shape)} reported a failure"
                )
            terms.setdefault("this", bound["this"])
            yield _failure(check.source, {k: _ox(v) for k, v in terms.items()})


def _rows(source: Source, solutions, merged: tuple[Source, ...] = ()) -> Iterator[Failure]:
    names = [variable.value for variable in solutions.variables]
    for row in solutions:
        bindings = {name: row[name] for name in names if row[name] is not None}
        if merged:
            for index in bindings.pop("_failed").value.split():
                yield _failure(merged[int(index)], bindings)
            continue
        failure = bindings.get("failure")
        if failure is not None and failure == ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean))):
            raise ShapesError(
                f"the SPARQL constraint {_name(source.constraint or source.shape)} reported a failure"
            )
        if "this" in bindings:
            yield _failure(source, bindings)


def _failure(source: Source, bindings: dict) -> Failure:
    terms = {name: _rdflib(literals.decode(term)) for name, term in bindings.items() if term is not None}
    focus = terms["this"]
    value = terms.get("value")
    if value is None and source.value_is_focus:
        value = focus
    path = terms.get("path") if isinstance(terms.get("path"), URIRef) else None
    return Failure(source, focus, value, path, terms)


def _rdflib(term) -> Node:
    """An Oxigraph term as an rdflib term, literals exactly as written (no rdflib normalisation)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"not an RDF term: {term!r}")


def count_triples(store: ox.Store) -> int:
    """The triples of the default graph of ``store``."""
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
