"""SPARQL queries found in a shapes graph: the rules they must follow, read on a real parser.

A SHACL-SPARQL constraint or validator is a query that the shapes' author wrote and the
validator runs; it meets three sets of rules, all decided on the parse tree of rdflib's
SPARQL parser (never by scanning the text):

* **The project's safety policy**, the same as for ``csi-graph query``:
  :func:`csi_graph.sparql.check_query` refuses SPARQL Update, ``LOAD``, ``SERVICE`` and
  ``FROM`` of graphs that are not loaded; :func:`analyse` refuses ``SERVICE`` a second time.
* **SHACL 1.0, section 5.2.1 (pre-binding)**: no ``MINUS``, no ``VALUES``, no federated
  query, no ``AS ?x`` for a pre-bound variable, and every sub-query projects every
  pre-bound variable (``$shapesGraph`` and ``$currentShape`` excepted).
* **Whether pre-binding may be evaluated as a join.** SHACL pre-binds ``$this`` (and
  ``$value``…) by substitution. The fast way to check a million focus nodes is one query
  that joins them at the top of the ``WHERE`` group; that gives the same answers exactly
  when every expression that reads a pre-bound variable sees it bound (a ``FILTER`` in a
  group of its own, or a ``BIND`` before anything binds it, would not). :func:`analyse`
  says which; the engine runs the other queries once per focus node, with Oxigraph's
  substitution (SEP-0007).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from csi_graph.errors import CsiError


class Unsupported(CsiError):
    """The shapes use something this engine does not run; pySHACL, the reference, may."""


class ShapesError(CsiError):
    """The shapes graph is ill-formed, or asks for something refused (no engine runs it)."""


# This module's own source, part of each remembered verdict's key (see analyse()).
_SOURCE_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
# Variables whose projection SHACL does not require of sub-queries.
OPTIONAL_IN_SUBQUERIES = frozenset({"currentShape", "shapesGraph"})


@dataclass(frozen=True)
class Analysis:
    """What the engine needs to know about one query."""

    form: str  # "SELECT" or "ASK"
    joinable: bool  # pre-binding of the per-node variables may be a join at the top
    projected: frozenset[str]  # names of the variables a SELECT projects (empty for ASK)
    mentioned: frozenset[str]  # the pre-bound variables the query mentions
    tests_bound: bool  # BOUND() of a pre-bound variable: Oxigraph's substitution leaves it false


def analyse(text: str, per_node: Iterable[str], constants: Iterable[str] = ()) -> Analysis:
    """See :func:`_analyse`.

    The verdict is remembered, in the process and in the cache folder (see
    :func:`csi_graph.cache.cache_root`), keyed by the query, the variables, rdflib's version
    and this module's source: parsing costs tens of milliseconds per query (a third of
    ``csi-graph validate`` on the shipped data), and the same text always gets the same verdict.
    """
    per_node, constants = frozenset(per_node), frozenset(constants)
    key = _key(text, per_node, constants)
    known = _remembered().get(key)
    if known is not None:
        if "error" in known:
            raise (ShapesError if known["error"] == "ShapesError" else Unsupported)(known["message"])
        return Analysis(
            known["form"],
            known["joinable"],
            frozenset(known["projected"]),
            frozenset(known["mentioned"]),
            known["tests_bound"],
        )
    try:
        found = _analyse(text, per_node, constants)
    except (ShapesError, Unsupported) as error:
        _remember(key, {"error": type(error).__name__, "message": str(error)})
        raise
    _remember(
        key,
        {
            "form": found.form,
            "joinable": found.joinable,
            "projected": sorted(found.projected),
            "mentioned": sorted(found.mentioned),
            "tests_bound": found.tests_bound,
        },
    )
    return found


_MEMORY: dict[str, dict] | None = None


def _key(text: str, per_node: frozenset[str], constants: frozenset[str]) -> str:
    from importlib.metadata import version

    digest = hashlib.sha256(_SOURCE_DIGEST.encode())
    digest.update(version("rdflib").encode())
    digest.update(f"\0{sorted(per_node)}\0{sorted(constants)}\0{text}".encode())
    return digest.hexdigest()


def _file():
    from csi_graph.cache import cache_root

    return cache_root() / "shacl-queries.json"


def _remembered() -> dict[str, dict]:
    global _MEMORY
    if _MEMORY is None:
        import json

        try:
            _MEMORY = json.loads(_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _MEMORY = {}
    return _MEMORY


def _remember(key: str, verdict: dict) -> None:
    import json

    from csi_graph.files import write_atomic

    known = _remembered()
    known[key] = verdict
    with contextlib.suppress(OSError):  # no cache folder: remembered for this process only
        write_atomic(_file(), json.dumps(known))


@functools.lru_cache(maxsize=512)
def _analyse(text: str, per_node: frozenset[str], constants: frozenset[str]) -> Analysis:
    """Check a constraint's query against the rules above and say how it may run.

    ``per_node`` are the variables pre-bound to each focus (or value) node (``this``,
    ``value``), ``constants`` those pre-bound to one value for the whole constraint
    (``currentShape``, ``shapesGraph``, a component's parameters). Raises
    :class:`ShapesError` for a query SHACL forbids and :class:`Unsupported` when a constant
    is read where a join would not pre-bind it.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    prebound = per_node | constants
    try:
        parsed = parseQuery(text)
    except Exception as error:  # pyparsing's ParseException and friends
        raise ShapesError(f"the query does not parse: {_first_line(error)}") from None
    query = parsed[1]
    form = {"SelectQuery": "SELECT", "AskQuery": "ASK"}.get(query.name)
    if form is None:
        raise ShapesError(f"a SHACL constraint must be a SELECT or ASK query, not {query.name}")
    _forbid(query, prebound, top=True)
    if _field(query, "valuesClause"):
        raise ShapesError("VALUES is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
    mentioned = frozenset(v for v in _variables(query) if v in prebound)
    unsafe = _unsafe(query, prebound, top=True)
    if unsafe & constants:
        names = ", ".join(f"${v}" for v in sorted(unsafe & constants))
        raise Unsupported(f"{names} is read where a join at the top of the query would not bind it")
    joinable = not unsafe and not _needs_one_run_per_node(query, per_node & mentioned)
    projected = frozenset(_projection(query)) if form == "SELECT" else frozenset()
    tests_bound = any(node.name == "Builtin_BOUND" and str(node.arg) in prebound for node in _nodes(query))
    return Analysis(form, joinable, projected, mentioned, tests_bound)


def _field(node, name: str):
    """A field of a parse-tree node, or None (CompValue.get returns the key itself when missing)."""
    return node[name] if node is not None and name in node else None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


# -- the parse tree ------------------------------------------------------------------------


def _nodes(node) -> Iterator:
    """Every CompValue under ``node`` (itself included), depth first."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for item in node:
            yield from _nodes(item)


def _variables(node) -> Iterator[str]:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if isinstance(node, Variable):
        yield str(node)
    elif isinstance(node, CompValue):
        for value in node.values():
            yield from _variables(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for item in node:
            yield from _variables(item)


def _forbid(query, prebound: frozenset[str], top: bool) -> None:
    """Raise ShapesError for what SHACL 5.2.1 forbids anywhere in the query."""
    for node in _nodes(query):
        name = node.name
        if name == "MinusGraphPattern":
            raise ShapesError("MINUS is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
        if name in ("InlineData", "ValuesClause"):
            raise ShapesError("VALUES is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
        if name == "ServiceGraphPattern":
            raise ShapesError(
                "SERVICE is refused: a federated query is not allowed in a SHACL-SPARQL query "
                "(SHACL 5.2.1), and validation never contacts another server"
            )
        if name == "Bind" and str(node.var) in prebound:
            raise ShapesError(f"BIND (... AS ${node.var}) assigns a pre-bound variable (SHACL 5.2.1)")
        if name in ("SelectQuery", "SubSelect"):
            for item in _field(node, "projection") or []:
                if _field(item, "evar") is not None and str(item.evar) in prebound:
                    raise ShapesError(f"(... AS ${item.evar}) assigns a pre-bound variable (SHACL 5.2.1)")
            for condition in _field(_field(node, "groupby"), "condition") or []:
                if getattr(condition, "name", None) == "GroupAs" and str(condition.var) in prebound:
                    raise ShapesError(
                        f"GROUP BY (... AS ${condition.var}) assigns a pre-bound variable (SHACL 5.2.1)"
                    )
        if name == "SubSelect":
            required = prebound - OPTIONAL_IN_SUBQUERIES
            missing = required - set(_projection(node))
            if missing:
                names = ", ".join(f"${v}" for v in sorted(missing))
                raise ShapesError(
                    f"a sub-query must return every pre-bound variable; this one does not return {names} "
                    "(SHACL 5.2.1)"
                )


def _projection(select) -> list[str]:
    """The variables a SELECT (or sub-SELECT) projects; for ``SELECT *``, those in scope."""
    items = _field(select, "projection")
    if items:
        return [str(_field(item, "var") if _field(item, "var") is not None else item.evar) for item in items]
    return sorted(_in_scope(select.where))


def _in_scope(group) -> set[str]:
    """The variables in scope in a group graph pattern (SPARQL 1.1, section 18.2.1)."""
    if group is None:
        return set()
    if group.name == "SubSelect":
        return set(_projection(group))
    found: set[str] = set()
    for part in _field(group, "part") or []:
        name = part.name
        if name == "TriplesBlock":
            found |= set(_variables(part))
        elif name == "Bind":
            found.add(str(part.var))
        elif name in ("OptionalGraphPattern", "GraphGraphPattern"):
            found |= _in_scope(part.graph)
            if name == "GraphGraphPattern":
                found |= set(_variables(part.term))
        elif name == "GroupOrUnionGraphPattern":
            for branch in part.graph:
                found |= _in_scope(branch)
    return found


# -- may pre-binding be a join? --------------------------------------------------------------


def _unsafe(query, prebound: frozenset[str], top: bool) -> set[str]:
    """Pre-bound variables that some expression reads while a top-level join leaves them unbound."""
    outer = prebound if top else frozenset()
    found = _unsafe_in_group(query.where, prebound, outer)
    # Expressions after grouping (SELECT expressions, HAVING, ORDER BY) read what the
    # group binds; at the top, the joined pre-bound variables too.
    bound = _certain(query.where) | outer
    for section in ("projection", "having", "orderby"):
        found |= _unsafe_in_expression(_field(query, section), prebound, bound)
    return found


def _unsafe_in_group(group, prebound: frozenset[str], outer: frozenset[str]) -> set[str]:
    """Pre-bound variables read unbound in ``group``, evaluated with ``outer`` already bound."""
    if group is None:
        return set()
    if group.name == "SubSelect":
        return _unsafe(group, prebound, top=False)
    found: set[str] = set()
    bound = set(outer)
    everything = _certain(group) | outer  # what the group's FILTERs see: all its parts
    for part in _field(group, "part") or []:
        name = part.name
        if name == "TriplesBlock":
            bound |= set(_variables(part))
        elif name == "Filter":
            found |= _unsafe_in_expression(part.expr, prebound, everything)
        elif name == "Bind":
            found |= _unsafe_in_expression(part.expr, prebound, bound)
            bound.add(str(part.var))
        elif name == "OptionalGraphPattern":
            # Its own FILTERs become the left join's condition: they see both sides.
            found |= _unsafe_in_optional(part.graph, prebound, frozenset(bound))
        elif name == "GraphGraphPattern":
            found |= _unsafe_in_group(part.graph, prebound, frozenset())
            bound |= set(_variables(part.term)) | _certain(part.graph)
        elif name == "GroupOrUnionGraphPattern":
            for branch in part.graph:
                found |= _unsafe_in_group(branch, prebound, frozenset())
            bound |= _certain(part)
    return found


def _unsafe_in_optional(group, prebound: frozenset[str], left: frozenset[str]) -> set[str]:
    found: set[str] = set()
    inner = [p for p in _field(group, "part") or [] if p.name != "Filter"]
    from rdflib.plugins.sparql.parserutils import CompValue

    body = CompValue("GroupGraphPatternSub", part=inner)
    found |= _unsafe_in_group(body, prebound, frozenset())
    seen = _certain(body) | left
    for part in _field(group, "part") or []:
        if part.name == "Filter":
            found |= _unsafe_in_expression(part.expr, prebound, seen)
    return found


def _unsafe_in_expression(expression, prebound: frozenset[str], bound) -> set[str]:
    """Pre-bound variables an expression reads that are not in ``bound``; EXISTS looks inside."""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    found: set[str] = set()
    if expression is None:
        return found
    if isinstance(expression, Variable):
        if str(expression) in prebound and str(expression) not in bound:
            found.add(str(expression))
        return found
    if isinstance(expression, CompValue):
        if expression.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            # EXISTS substitutes the solution's bindings into its pattern.
            return _unsafe_in_group(expression.graph, prebound, frozenset(bound))
        for value in expression.values():
            found |= _unsafe_in_expression(value, prebound, bound)
        return found
    if isinstance(expression, list | tuple) or type(expression).__name__ == "ParseResults":
        for item in expression:
            found |= _unsafe_in_expression(item, prebound, bound)
    return found


def _certain(group) -> set[str]:
    """Variables that every solution of ``group`` binds (a safe under-estimate)."""
    if group is None:
        return set()
    if group.name == "SubSelect":
        return _certain(group.where) & set(_projection(group))
    if group.name == "GroupOrUnionGraphPattern":
        branches = [_certain(branch) for branch in group.graph]
        return set.intersection(*branches) if branches else set()
    found: set[str] = set()
    for part in _field(group, "part") or []:
        if part.name == "TriplesBlock":
            found |= set(_variables(part))
        elif part.name == "GraphGraphPattern":
            found |= set(_variables(part.term)) | _certain(part.graph)
        elif part.name == "GroupOrUnionGraphPattern":
            found |= _certain(part)
    return found


def _needs_one_run_per_node(query, per_node: frozenset[str]) -> bool:
    """Solution modifiers that a join over all nodes would apply across nodes."""
    if _field(query, "limitoffset"):
        return True
    grouped = _field(query, "groupby") is not None or any(
        node.name.startswith("Aggregate_") for node in _nodes(_field(query, "projection"))
    )
    if grouped:
        keys = {str(c) for c in _field(_field(query, "groupby"), "condition") or [] if not hasattr(c, "name")}
        return not per_node <= keys
    return False
