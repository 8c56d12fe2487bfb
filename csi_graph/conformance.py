"""The W3C SHACL test suite, run with both validation engines, and the implementation report.

``python -m csi_graph.conformance`` reads the suite's manifests (``tests/w3c-shacl`` in a
checkout, or the folder given), validates each test's data graph against its shapes graph
with the SPARQL engine and with pySHACL, compares each report with the expected one result
for result — focus node, path, value, source constraint component, severity, source shape
and, where the test states it, source constraint — and ``sh:conforms``, and writes the
implementation report (``docs/shacl-conformance.md``). ``--check`` fails when the written
report differs from a fresh run, which is how CI keeps it from drifting.

Each test ends as one of:

* ``pass``: the expected report (or, for a test expecting ``sht:Failure``, a refusal);
* ``wrong``: a report that differs from the expected one — what must never happen silently;
* ``refused``: the engine said it does not run these shapes (:class:`Unsupported`);
* ``crash``: any other error.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
ENGINES = ("sparql", "pyshacl")
ORIGIN = "w3c/data-shapes, commit ff9edb9 (data-shapes-test-suite/tests)"
REPORT = Path("docs") / "shacl-conformance.md"
STATUSES = ("pass", "wrong", "refused", "crash")
# Tests an engine is known not to pass, with the status it ends in and why. The tests check
# this list both ways (a listed test that passes fails them too), so it cannot go stale.
KNOWN_FAILURES: dict[str, dict[str, tuple[str, str]]] = {
    "sparql": {},
    "pyshacl": {
        "core/property/uniqueLang-002": (
            "wrong",
            'pySHACL reads sh:uniqueLang by its Python value, and "1"^^xsd:boolean is True in '
            "Python; SHACL activates the constraint with the literal true only",
        ),
        "sparql/node/prefixes-001": (
            "crash",
            "pySHACL does not follow owl:imports to collect the sh:declare prefixes (SHACL 5.2.1), "
            "so ex: is unknown to it (it finds it only in the @prefix lines of a Turtle file "
            "parsed by rdflib, which are not part of the graph)",
        ),
        "sparql/pre-binding/shapesGraph-001": ("crash", "pySHACL does not support $shapesGraph"),
    },
}


@dataclass(frozen=True)
class Case:
    """One test of the suite."""

    name: str  # e.g. "core/node/class-001"
    label: str
    data: Path
    shapes: Path
    manifest: Path
    failure_expected: bool
    expected: tuple[tuple, ...]  # result keys (see _key); empty when none or a failure is expected
    conforms: bool | None
    status: str  # mf:status, e.g. "approved"


@dataclass(frozen=True)
class Outcome:
    case: Case
    engine: str
    status: str  # one of STATUSES
    detail: str = ""


def default_suite() -> Path:
    """The suite's folder in a checkout: ``tests/w3c-shacl`` beside the package."""
    return Path(__file__).resolve().parent.parent / "tests" / "w3c-shacl"


@cache
def _graph(path: Path) -> Graph:
    """A file of the suite as an rdflib graph, parsed by Oxigraph (literals exactly as written)."""
    import pyoxigraph as ox

    from csi_graph.validation import graph_from_quads

    return graph_from_quads(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))


def cases(root: Path | None = None) -> list[Case]:
    """Every test of the suite under ``root``, in manifest order."""
    root = (root or default_suite()).resolve()
    found: list[Case] = []
    _read_manifest(root / "manifest.ttl", root, found)
    return found


def unlisted_cases(root: Path | None = None) -> list[Case]:
    """Tests in the suite's files that no manifest includes (run too, reported apart)."""
    root = (root or default_suite()).resolve()
    listed = {c.name for c in cases(root)}
    found: list[Case] = []
    for path in sorted(root.rglob("*.ttl")):
        graph = _graph(path)
        for entries in graph.objects(URIRef(path.as_uri()), MF.entries):
            for entry in Collection(graph, entries):
                case = _case(graph, entry, path, root)
                if case.name not in listed:
                    found.append(case)
    return found


def _read_manifest(path: Path, root: Path, found: list[Case]) -> None:
    graph = _graph(path)
    manifest = URIRef(path.as_uri())
    for included in graph.objects(manifest, MF.include):
        _read_manifest(_file(included), root, found)
    for entries in graph.objects(manifest, MF.entries):
        for entry in Collection(graph, entries):
            found.append(_case(graph, entry, path, root))


def _file(iri: Node) -> Path:
    return Path(str(iri).removeprefix("file://"))


def _case(graph: Graph, entry: Node, manifest: Path, root: Path) -> Case:
    action = graph.value(entry, MF.action)
    data, shapes = _file(graph.value(action, SHT.dataGraph)), _file(graph.value(action, SHT.shapesGraph))
    result = graph.value(entry, MF.result)
    name = str(entry).removeprefix(root.as_uri() + "/")
    status = str(graph.value(entry, MF.status) or "").rsplit("#", 1)[-1]
    if result == SHT.Failure:
        return Case(
            name, str(graph.value(entry, RDFS.label) or ""), data, shapes, manifest, True, (), None, status
        )
    conforms = graph.value(result, SH.conforms)
    context = [graph, _graph(data), _graph(shapes)]
    expected = tuple(
        sorted((_expected_key(graph, node, context) for node in graph.objects(result, SH.result)), key=str)
    )
    return Case(
        name,
        str(graph.value(entry, RDFS.label) or ""),
        data,
        shapes,
        manifest,
        False,
        expected,
        None if conforms is None else str(conforms) == "true",
        status,
    )


_ANY = "any blank node"


def _expected_key(graph: Graph, node: Node, context: list[Graph]) -> tuple:
    from csi_graph.validation import path_key

    def term(value: Node | None):
        # A blank node that no graph of the test mentions elsewhere stands for any blank node.
        if isinstance(value, BNode) and not any(
            (value, None, None) in g or (None, None, value) in g for g in context[1:]
        ):
            return _ANY
        return value

    path = graph.value(node, SH.resultPath)
    constraint = graph.value(node, SH.sourceConstraint)
    return (
        term(graph.value(node, SH.focusNode)),
        path_key(graph, path) if path is not None else None,
        term(graph.value(node, SH.value)),
        graph.value(node, SH.sourceConstraintComponent),
        graph.value(node, SH.resultSeverity),
        term(graph.value(node, SH.sourceShape)),
        term(constraint) if constraint is not None else None,
    )


def _result_key(result, with_constraint: bool) -> tuple:
    return (
        result.focus,
        result.path,
        result.value,
        result.component,
        result.severity,
        result.shape,
        result.constraint if with_constraint else None,
    )


def _matches(expected: tuple, actual: tuple) -> bool:
    return all(e == a or (e == _ANY and isinstance(a, BNode)) for e, a in zip(expected, actual, strict=True))


def run(case: Case, engine: str) -> Outcome:
    """Validate one test with one engine and judge the report."""
    from csi_graph.shacl_queries import ShapesError, Unsupported
    from csi_graph.validation import PyshaclError, validate_graph

    data, shapes = _graph(case.data), _graph(case.shapes)
    try:
        results = validate_graph(data, shapes, engine)
    except PyshaclError as error:  # pySHACL's own stop: a refusal where one is expected
        return Outcome(case, engine, "pass" if case.failure_expected else "crash", str(error))
    except (ShapesError, Unsupported) as error:
        if case.failure_expected:
            return Outcome(case, engine, "pass", f"refused: {error}")
        status = "refused" if isinstance(error, Unsupported) else "wrong"
        return Outcome(case, engine, status, str(error))
    except Exception as error:  # an engine's own failure
        return Outcome(case, engine, "crash", f"{type(error).__name__}: {_first_line(error)}")
    if case.failure_expected:
        return Outcome(case, engine, "wrong", f"ran shapes that must be refused ({len(results)} results)")
    return _judge(case, engine, results)


def _judge(case: Case, engine: str, results: list) -> Outcome:
    conforms = not results
    if case.conforms is not None and conforms != case.conforms:
        return Outcome(
            case,
            engine,
            "wrong",
            f"sh:conforms {str(conforms).lower()}, expected {str(case.conforms).lower()}",
        )
    remaining = list(case.expected)
    unexpected = []
    for actual in Counter(_result_key(r, True) for r in results).elements():
        match = next(
            (e for e in remaining if _matches(e, actual if e[6] is not None else (*actual[:6], None))), None
        )
        if match is None:
            unexpected.append(actual)
        else:
            remaining.remove(match)
    if unexpected or remaining:
        parts = []
        if remaining:
            parts.append(
                f"{len(remaining)} expected result(s) missing: " + "; ".join(_show(k) for k in remaining[:3])
            )
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected: " + "; ".join(_show(k) for k in unexpected[:3]))
        return Outcome(case, engine, "wrong", " / ".join(parts))
    return Outcome(case, engine, "pass")


def _show(key: tuple) -> str:
    from csi_graph.validation import render_path_key

    focus, path, value, component, *_ = key
    bits = [f"focus {_n(focus)}"]
    if path is not None:
        bits.append(f"path {render_path_key(path)}")
    if value is not None:
        bits.append(f"value {_n(value)}")
    bits.append(str(component).rsplit("#", 1)[-1])
    return " ".join(bits)


def _n(term) -> str:
    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>" if isinstance(term, URIRef) else "[]"


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [""])[0][:200]


# -- the implementation report ------------------------------------------------------------------

_CORE = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "property",
    "qualifiedValueShape",
    "closed",
    "hasValue",
    "in",
]


def components(case: Case) -> list[str]:
    """The constraint components a test's shapes use (core by parameter; SPARQL-based ones)."""
    shapes = _graph(case.shapes)
    used = [name for name in _CORE if (None, SH[name], None) in shapes]
    if (None, SH.sparql, None) in shapes:
        used.append("sparql")
    if (None, SH.parameter, None) in shapes:
        used.append("SPARQL-based components")
    return used


def run_all(
    root: Path | None = None, engines: Iterable[str] = ENGINES
) -> tuple[list[Outcome], list[Outcome]]:
    """The outcomes of the suite's tests, and of the tests its manifests leave out."""
    listed = [run(case, engine) for case in cases(root) for engine in engines]
    unlisted = [run(case, engine) for case in unlisted_cases(root) for engine in engines]
    return listed, unlisted


def markdown(outcomes: list[Outcome], unlisted: list[Outcome] = ()) -> str:
    """The implementation report: totals, per component, per test, with the reason of every non-pass."""
    import pyoxigraph
    import pyshacl

    engines = [e for e in ENGINES if any(o.engine == e for o in outcomes)]
    by_case: dict[str, dict[str, Outcome]] = {}
    for outcome in outcomes:
        by_case.setdefault(outcome.case.name, {})[outcome.engine] = outcome
    names = {"sparql": "csi-graph SPARQL engine", "pyshacl": f"pySHACL {pyshacl.__version__}"}
    lines = [
        "# SHACL conformance: the W3C test suite",
        "",
        "<!-- Generated by `python -m csi_graph.conformance -o docs/shacl-conformance.md`; "
        "do not edit: the tests fail when this file differs from a fresh run. -->",
        "",
        f"The W3C SHACL test suite (core and SPARQL; {ORIGIN}; a copy is in `tests/w3c-shacl/`), "
        f"run with the csi-graph SPARQL engine (pyoxigraph {pyoxigraph.__version__}) and with pySHACL. "
        "A test passes when the report has exactly the expected results (focus node, path, value, "
        "source constraint component, severity, source shape and, where the test names it, source "
        "constraint) and `sh:conforms`; a test that expects `sht:Failure` passes when the engine refuses "
        "the shapes. *Wrong* is a report that differs from the expected one; *refused*, an engine that "
        "says it does not run the shapes; *crash*, any other error. How to run it and what the engines "
        "support: [validation](validation.md).",
        "",
        "| engine | " + " | ".join(STATUSES) + " | tests |",
        "|---|" + "---|" * (len(STATUSES) + 1),
    ]
    for engine in engines:
        counts = Counter(o.status for o in outcomes if o.engine == engine)
        lines.append(
            f"| {names[engine]} | "
            + " | ".join(str(counts[s]) for s in STATUSES)
            + f" | {sum(counts.values())} |"
        )
    for case_name in sorted({o.case.name for o in unlisted}):
        found = {o.engine: o for o in unlisted if o.case.name == case_name}
        status = ", ".join(f"{names[e]}: {found[e].status}" for e in engines if e in found)
        lines += [
            "",
            f"Also run, though no manifest of the suite includes it (status *{found[engines[0]].case.status}*): `{case_name}` ({status}).",
        ]
    lines += ["", "Known failures (checked by the tests, so that this list cannot go stale):", ""]
    for engine in engines:
        known = KNOWN_FAILURES.get(engine, {})
        if not known:
            lines.append(f"- {names[engine]}: none.")
        for name, (status, reason) in sorted(known.items()):
            lines.append(f"- {names[engine]}, `{name}` ({status}): {reason}.")
    lines += ["", "## Per constraint component", ""]
    lines.append("| component | tests | " + " | ".join(f"{names[e]} passes" for e in engines) + " |")
    lines.append("|---|---|" + "---|" * len(engines))
    table: dict[str, list[str]] = {}
    for name, row in by_case.items():
        for component in components(next(iter(row.values())).case):
            table.setdefault(component, []).append(name)
    for component in [*_CORE, "sparql", "SPARQL-based components"]:
        tests = table.get(component, [])
        if not tests:
            continue
        cells = [str(sum(by_case[t][e].status == "pass" for t in tests)) for e in engines]
        label = f"`sh:{component}`" if component in _CORE or component == "sparql" else component
        lines.append(f"| {label} | {len(tests)} | " + " | ".join(cells) + " |")
    lines += ["", "## Per test", ""]
    lines.append("| test | " + " | ".join(names[e] for e in engines) + " |")
    lines.append("|---|" + "---|" * len(engines))
    for name, row in by_case.items():
        cells = []
        for engine in engines:
            outcome = row[engine]
            cell = outcome.status
            if outcome.status != "pass" and outcome.detail:
                cell += ": " + outcome.detail.replace("|", "\\|")
            cells.append(cell)
        label = row[engines[0]].case.label.replace("|", "\\|")
        lines.append(f"| `{name}` {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m csi_graph.conformance", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("suite", nargs="?", type=Path, help="the suite's folder (default: tests/w3c-shacl)")
    parser.add_argument("-o", "--output", type=Path, help=f"write the report there (e.g. {REPORT})")
    parser.add_argument("--check", action="store_true", help="fail if --output differs from a fresh run")
    args = parser.parse_args(argv)
    text = markdown(*run_all(args.suite))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(
                f"{args.output} is out of date: run python -m csi_graph.conformance -o {args.output}",
                file=sys.stderr,
            )
            return 1
        return 0
    from csi_graph.files import write_atomic

    write_atomic(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
