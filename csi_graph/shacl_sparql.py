"""SHACL validation as whole-graph SPARQL queries, run by Oxigraph.

pySHACL walks the focus nodes one by one in Python and re-parses a SPARQL-based
constraint for each of them; on a million triples that takes hours. Here every constraint
component of every shape becomes one SPARQL query over the whole data graph that returns
its failing focus nodes (and values), so the engine's indexes and joins do the work: a
million triples validate in seconds.

The translation covers the SHACL-Core and SHACL-SPARQL features the project's shapes use
(targets, cardinalities, value types, strings, ranges, ``sh:in``, ``sh:hasValue``,
``sh:node``, ``sh:or`` / ``sh:and`` / ``sh:not`` / ``sh:xone``, qualified value shapes,
``sh:equals`` / ``sh:disjoint``, closed shapes, property paths, SPARQL constraints) and
follows pySHACL's reading of each, so both engines report the same results; tests compare
them on every counter-example and mutation. A shape using anything else raises
:class:`Unsupported`, and :func:`csi_graph.validation.validate` falls back to pySHACL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from csi_graph.errors import CsiError
from csi_graph.sparql import insert_in_where
from csi_graph.terms import ox_to_rdflib, to_ntriples

# Datatypes whose lexical form pySHACL checks (through rdflib); other datatypes only
# need the right datatype IRI.
_CHECKED_DATATYPES = {
    XSD.integer,
    XSD.decimal,
    XSD.float,
    XSD.double,
    XSD.boolean,
    XSD.date,
    XSD.dateTime,
    XSD.time,
}
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
_UNSUPPORTED = (SH.lessThan, SH.lessThanOrEquals, SH.target, SH.qualifiedValueShapesDisjoint)
_COMPONENT_NAMES = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.equals: "EqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH.closed: "ClosedConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
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


class Unsupported(CsiError):
    """The shapes use a SHACL feature this engine does not translate (pySHACL still runs them)."""


@dataclass(frozen=True)
class Check:
    """One query listing the failures of one constraint component of one shape.

    The query selects ``?this`` (the focus node) and, when the component reports them,
    ``?value`` and ``?path`` (a predicate, for closed shapes and SPARQL constraints).
    """

    query: str
    shape: Node
    component: str
    severity: str
    path: Node | None = None
    value_is_focus: bool = False
    constraint: Node | None = None
    focus: str = ""  # the pattern binding the focus nodes, to skip checks that have none


def compile_shapes(shapes: Graph, subclasses: Callable[[URIRef], list[URIRef]]) -> list[Check]:
    """The checks for every targeted shape of ``shapes``.

    ``subclasses(C)`` lists C and its subclasses in the data graph (``rdfs:subClassOf*``),
    which SHACL uses both for ``sh:targetClass`` and for ``sh:class``.
    """
    return _Compiler(shapes, subclasses).checks()


@dataclass(frozen=True)
class _Nodes:
    """A pattern that binds the nodes under test, and the variables it binds.

    Every pattern the compiler builds starts from one of these, so each pattern can be
    evaluated on its own, bottom-up: Oxigraph then joins sets of nodes with its indexes
    instead of re-running a correlated ``EXISTS`` for each node (which is quadratic when
    the ``EXISTS`` holds more than a basic pattern).
    """

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


class _Compiler:
    def __init__(self, shapes: Graph, subclasses: Callable[[URIRef], list[URIRef]]) -> None:
        self.g = shapes
        self.subclasses = subclasses
        self.counter = itertools.count()

    # -- what to check ---------------------------------------------------------------

    def checks(self) -> list[Check]:
        for cls in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):
            for shape in self.g.subjects(RDF.type, cls):
                if (shape, RDF.type, SH.NodeShape) in self.g or (shape, RDF.type, SH.PropertyShape) in self.g:
                    raise Unsupported(f"implicit class target on {shape}")
        found: list[Check] = []
        for shape in sorted(self._targeted(), key=str):
            focus = _Nodes(self._targets(shape), ("?this",))
            found += self._shape_checks(shape, focus)
            if not self._is_property(shape):
                for child in self.g.objects(shape, SH.property):
                    if not self._deactivated(child):
                        found += self._shape_checks(child, focus)
        return found

    def _targeted(self) -> set[Node]:
        predicates = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
        return {s for p in predicates for s in self.g.subjects(p, None) if not self._deactivated(s)}

    def _targets(self, shape: Node) -> str:
        """A sub-SELECT binding ``?this`` to each focus node of ``shape``, once."""
        if (shape, SH.target, None) in self.g:
            raise Unsupported("SPARQL-based targets (sh:target) need SHACL Advanced Features")
        parts = []
        classes = sorted(
            {c for t in self.g.objects(shape, SH.targetClass) for c in self._subclasses(t)}, key=str
        )
        if classes:
            parts.append(f"{{ ?this a ?_class . VALUES ?_class {{ {' '.join(map(_term, classes))} }} }}")
        nodes = list(self.g.objects(shape, SH.targetNode))
        if nodes:
            parts.append(f"{{ VALUES ?this {{ {' '.join(map(_term, nodes))} }} }}")
        for predicate in self.g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {_term(predicate)} ?_object }}")
        for predicate in self.g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ ?_subject {_term(predicate)} ?this }}")
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"

    def _subclasses(self, cls: Node) -> list[URIRef]:
        if not isinstance(cls, URIRef):
            raise Unsupported(f"sh:class or sh:targetClass {cls} is not an IRI")
        return self.subclasses(cls)

    def _shape_checks(self, shape: Node, focus: _Nodes) -> list[Check]:
        """One query per constraint component of ``shape``, on the focus nodes."""
        severity = str(self.g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        is_property = self._is_property(shape)
        path = self.g.value(shape, SH.path) if is_property else None
        checks = []
        for failing in self._failing(shape, focus, "?this", top=True):
            selected = " ".join(v for v in ("?this", failing.value, failing.path) if v)
            if failing.component == SH.uniqueLang:
                selected += " ?lang"  # one result per repeated language
            query = f"SELECT DISTINCT {selected} WHERE {{ {failing.pattern} }}"
            value_is_focus = not is_property and failing.component in _VALUE_COMPONENTS
            checks.append(
                Check(
                    query,
                    shape,
                    _COMPONENT_NAMES[failing.component],
                    severity,
                    path,
                    value_is_focus,
                    focus=focus.pattern,
                )
            )
        for constraint in self.g.objects(shape, SH.sparql):
            if self._deactivated(constraint):
                continue
            if is_property:
                raise Unsupported("SPARQL constraints on property shapes ($PATH)")
            checks.append(
                Check(
                    self._sparql(constraint, focus.pattern),
                    shape,
                    _COMPONENT_NAMES[SH.sparql],
                    severity,
                    None,
                    True,
                    constraint,
                    focus=focus.pattern,
                )
            )
        return checks

    def _sparql(self, constraint: Node, focus: str) -> str:
        """The constraint's query with the focus nodes joined first, as pySHACL pre-binds ``$this``."""
        select = self.g.value(constraint, SH.select)
        if select is None:
            raise Unsupported(f"SPARQL constraint {constraint} has no sh:select")
        prefixes = []
        for declarer in self.g.objects(constraint, SH.prefixes):
            for declaration in self.g.objects(declarer, SH.declare):
                prefix = self.g.value(declaration, SH.prefix)
                namespace = self.g.value(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(prefixes) + "\n" + insert_in_where(str(select), focus)

    # -- failing patterns --------------------------------------------------------------

    def _violations(self, shape: Node, nodes: _Nodes, x: str) -> str:
        """A pattern with a solution for each node ``x`` (bound by ``nodes``) that fails ``shape``."""
        if self._deactivated(shape):
            return "{ FILTER (false) }"
        if (shape, SH.sparql, None) in self.g:
            raise Unsupported("SPARQL constraints inside sh:node, sh:or, sh:and, sh:not or sh:xone")
        groups = [f"{{ {f.pattern} }}" for f in self._failing(shape, nodes, x, top=False)]
        if not self._is_property(shape):
            groups += [
                f"{{ {self._violations(child, nodes, x)} }}" for child in self.g.objects(shape, SH.property)
            ]
        elif (shape, SH.property, None) in self.g:
            raise Unsupported("sh:property inside a property shape")
        return " UNION ".join(groups) if groups else "{ FILTER (false) }"

    def _failing(self, shape: Node, nodes: _Nodes, x: str, top: bool) -> list[_Failing]:
        """The failures of each constraint component of ``shape`` (but sh:property and sh:sparql)."""
        for predicate in _UNSUPPORTED:
            for value in self.g.objects(shape, predicate):
                if predicate != SH.qualifiedValueShapesDisjoint or value == Literal(True):
                    raise Unsupported(f"{predicate} on {shape}")
        is_property = self._is_property(shape)
        path = self._path(self.g.value(shape, SH.path)) if is_property else None
        found: list[_Failing] = []
        for component in _VALUE_COMPONENTS:
            for parameter in self.g.objects(shape, component):
                if is_property:
                    v = "?value" if top else self._fresh("v")
                    values = nodes.then(f"{x} {path} {v} .", v)
                else:
                    v, values = x, nodes
                pattern = self._value_failures(shape, component, parameter, values, v)
                if pattern is not None:
                    found.append(_Failing(component, pattern, v if is_property else None))
        if is_property:
            found += self._counts(shape, nodes, x, path)
        for has_value in self.g.objects(shape, SH.hasValue):
            test = (
                f"FILTER NOT EXISTS {{ {x} {path} {_term(has_value)} }}"
                if is_property
                else f"FILTER (!sameTerm({x}, {_term(has_value)}))"
            )
            found.append(_Failing(SH.hasValue, f"{nodes.pattern} {test}"))
        if is_property and (shape, SH.uniqueLang, Literal(True)) in self.g:
            a, b, lang = self._fresh("a"), self._fresh("b"), "?lang" if top else self._fresh("lang")
            pattern = (
                f"{nodes.pattern} {x} {path} {a} . {x} {path} {b} . FILTER (isLiteral({a}) && lang({a}) != '' && "
                f"!sameTerm({a}, {b}) && LCASE(lang({a})) = LCASE(lang({b}))) BIND (LCASE(lang({a})) AS {lang})"
            )
            found.append(_Failing(SH.uniqueLang, pattern))
        for component in (SH.equals, SH.disjoint):
            for other in self.g.objects(shape, component):
                v = "?value" if top else self._fresh("v")
                found.append(_Failing(component, self._pair(component, nodes, path, x, _term(other), v), v))
        if (shape, SH.closed, Literal(True)) in self.g:
            if is_property:
                raise Unsupported("sh:closed on a property shape")
            p, o = ("?path", "?value") if top else (self._fresh("p"), self._fresh("o"))
            pattern = f"{nodes.pattern} {x} {p} {o} . FILTER ({self._unexpected(p, o, shape)})"
            found.append(_Failing(SH.closed, pattern, o, p))
        return found

    def _value_failures(
        self, shape: Node, component: Node, parameter: Node, values: _Nodes, v: str
    ) -> str | None:
        """A pattern with a solution for each value ``v`` (bound by ``values``) failing ``component``."""
        condition = self._condition(shape, component, parameter, v)
        if condition is not None:
            return f"{values.pattern} FILTER ({condition})"
        if component == SH.minLength:  # sh:minLength 0: nothing fails
            return None
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
        return f"{values.pattern} {' '.join(joins)} FILTER (({' + '.join(flags)}) != 1)"

    def _expression(self, shape: Node, v: str, inside_exists: bool = False) -> str | None:
        """An expression true when node ``v`` fails ``shape``, if the shape is simple enough.

        Simple means: an ``EXISTS`` holds only a basic pattern and plain filters. Oxigraph
        evaluates such an expression per node with its indexes; anything more complex
        (``None`` here) is joined as a pattern instead. ``inside_exists`` forbids ``EXISTS``.
        """
        if self._deactivated(shape):
            return "false"
        complex_components = (
            SH.sparql,
            SH.closed,
            SH.equals,
            SH.disjoint,
            SH.uniqueLang,
            SH.qualifiedValueShape,
            *_UNSUPPORTED,
        )
        if any((shape, predicate, None) in self.g for predicate in complex_components):
            return None
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
        if test is not None or component == SH.minLength:
            return test or "false"
        members = [parameter] if component in (SH.node, SH["not"]) else self._list(parameter)
        tests = [self._expression(member, v, inside_exists=True) for member in members]
        return None if None in tests else _combine(component, tests)

    def _condition(self, shape: Node, component: Node, parameter: Node, v: str) -> str | None:
        """A SPARQL expression true when value ``v`` fails a component that needs no other shape."""
        if component == SH["class"]:
            cls = self._fresh("class")
            members = " ".join(map(_term, self._subclasses(parameter)))
            return f"NOT EXISTS {{ {v} a {cls} . VALUES {cls} {{ {members} }} }}"
        if component == SH.datatype:
            return f"!({_datatype_test(parameter, v)})"
        if component == SH.nodeKind:
            if parameter not in _NODE_KINDS:
                raise Unsupported(f"unknown sh:nodeKind {parameter}")
            return _NODE_KINDS[parameter].format(v=v)
        if component in _COMPARISONS:
            return f"!COALESCE({v} {_COMPARISONS[component]} {_term(parameter)}, false)"
        if component == SH.minLength:
            return None if int(parameter) == 0 else f"isBlank({v}) || STRLEN(STR({v})) < {int(parameter)}"
        if component == SH.maxLength:
            return f"isBlank({v}) || STRLEN(STR({v})) > {int(parameter)}"
        if component == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            arguments = f"STR({v}), {_term(Literal(str(parameter)))}"
            if flags is not None:
                arguments += f", {_term(Literal(str(flags)))}"
            return f"isBlank({v}) || !REGEX({arguments})"
        if component == SH.languageIn:
            tags = [str(t).lower() for t in self._list(parameter)]
            if "*" in tags:
                return f"!isLiteral({v}) || lang({v}) = ''"
            allowed = ", ".join(_term(Literal(t)) for t in tags)
            first = f"LCASE(STRBEFORE(CONCAT(lang({v}), '-'), '-'))"
            return f"!isLiteral({v}) || lang({v}) = '' || !(LCASE(lang({v})) IN ({allowed}) || {first} IN ({allowed}))"
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
            n = int(minimum)
            if n == 1:
                found.append(_Failing(SH.minCount, f"{nodes.pattern} FILTER NOT EXISTS {{ {x} {path} {w} }}"))
            elif n > 1:
                found.append(
                    _Failing(SH.minCount, counted(f"{x} {path} {w}", f"COUNT(DISTINCT {w}) < {n}", True))
                )
        for maximum in self.g.objects(shape, SH.maxCount):
            values = f"{nodes.pattern} {x} {path} {w} ."
            found.append(
                _Failing(SH.maxCount, counted(values, f"COUNT(DISTINCT {w}) > {int(maximum)}", False))
            )
        qualified = self.g.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            values = nodes.then(f"{x} {path} {w} .", w)
            test = self._expression(qualified, w)
            conforming = (
                f"{values.pattern} FILTER (!({test}))"
                if test is not None
                else f"{{ {values.pattern} }} MINUS {{ {self._violations(qualified, values, w)} }}"
            )
            for bound in self.g.objects(shape, SH.qualifiedMinCount):
                having = f"COUNT(DISTINCT {w}) < {int(bound)}"
                found.append(_Failing(SH.qualifiedMinCount, counted(conforming, having, True)))
            for bound in self.g.objects(shape, SH.qualifiedMaxCount):
                having = f"COUNT(DISTINCT {w}) > {int(bound)}"
                found.append(_Failing(SH.qualifiedMaxCount, counted(conforming, having, False)))
        return found

    def _pair(self, component: Node, nodes: _Nodes, path: str | None, x: str, other: str, v: str) -> str:
        """Values of ``path`` (or ``x`` itself) compared with the values of predicate ``other``."""
        n = nodes.pattern
        if component == SH.disjoint:
            return (
                f"{n} {x} {path} {v} . {x} {other} {v} ."
                if path
                else f"{n} {x} {other} {x} . BIND ({x} AS {v})"
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

    def _unexpected(self, p: str, o: str, shape: Node) -> str:
        """True for a triple a closed shape does not allow (pySHACL always allows ``a rdfs:Resource``)."""
        allowed = {
            path for child in self.g.objects(shape, SH.property) for path in self.g.objects(child, SH.path)
        }
        ignored = self.g.value(shape, SH.ignoredProperties)
        if ignored is not None:
            allowed |= set(self._list(ignored))
        names = [a for a in allowed if isinstance(a, URIRef)]
        test = f"!({p} IN ({', '.join(map(_term, sorted(names, key=str)))}))" if names else "true"
        return f"{test} && !(sameTerm({p}, {_term(RDF.type)}) && sameTerm({o}, {_term(RDFS.Resource)}))"

    # -- helpers -------------------------------------------------------------------

    def _is_property(self, shape: Node) -> bool:
        return (shape, SH.path, None) in self.g

    def _deactivated(self, node: Node) -> bool:
        return (node, SH.deactivated, Literal(True)) in self.g

    def _list(self, head: Node) -> list[Node]:
        return list(Collection(self.g, head))

    def _fresh(self, name: str) -> str:
        return f"?_{name}{next(self.counter)}"

    def _path(self, path: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(path, URIRef):
            return _term(path)
        if (path, RDF.first, None) in self.g:
            return "(" + "/".join(self._path(step) for step in self._list(path)) + ")"
        for predicate, template in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = self.g.value(path, predicate)
            if inner is not None:
                return template.format(self._path(inner))
        alternatives = self.g.value(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self._path(step) for step in self._list(alternatives)) + ")"
        raise Unsupported(f"unknown property path {path}")


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


def _datatype_test(datatype: Node, v: str) -> str:
    """True when ``v`` is a literal of ``datatype`` with a valid lexical form (as rdflib checks it)."""
    if datatype == RDF.langString:
        return f"isLiteral({v}) && lang({v}) != ''"
    test = f"isLiteral({v}) && datatype({v}) = {_term(datatype)}"
    if datatype == XSD.string:
        return test + f" && lang({v}) = ''"
    if datatype in _CHECKED_DATATYPES:
        test += f" && COALESCE(isLiteral({_term(datatype)}(STR({v}))), false)"
    return test


def _term(term: Node) -> str:
    if isinstance(term, BNode):
        raise Unsupported("a blank node as a constraint parameter")
    return to_ntriples(term)


@dataclass(frozen=True)
class Failure:
    """One row of a check: a focus node that fails, with the value and path when reported."""

    check: Check
    focus: Node
    value: Node | None = None
    path: Node | None = None


def failures(store: ox.Store, shapes: Graph) -> Iterator[Failure]:
    """Run every check of ``shapes`` over the default graph of ``store`` (the data graph)."""
    known: dict[URIRef, list[URIRef]] = {}

    def subclasses(cls: URIRef) -> list[URIRef]:
        if cls not in known:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c {_term(RDFS.subClassOf)}* {_term(cls)} }}"
            found = {ox_to_rdflib(row["c"]) for row in store.query(query)}
            known[cls] = sorted({cls} | {c for c in found if isinstance(c, URIRef)}, key=str)
        return known[cls]

    has_focus: dict[str, bool] = {}
    for check in compile_shapes(shapes, subclasses):
        if check.focus not in has_focus:
            has_focus[check.focus] = bool(store.query(f"ASK {{ {check.focus} }}"))
        if not has_focus[check.focus]:
            continue
        solutions = store.query(check.query)
        names = {variable.value for variable in solutions.variables}
        for row in solutions:
            yield Failure(
                check,
                ox_to_rdflib(row["this"]),
                ox_to_rdflib(row["value"]) if "value" in names else None,
                ox_to_rdflib(row["path"]) if "path" in names else None,
            )


def count_triples(store: ox.Store) -> int:
    """The triples of the default graph of ``store``."""
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
