"""Reading an authoring file as YAML nodes that remember their line and column, and writing one.

Every scalar is kept as the text the author typed (no YAML guessing: ``no`` stays ``no``,
``2021-09-22`` stays a string until the compiler reads it as a date), so that every error can
name the file, line, column and key, and say what to write instead.

A YAML file can be small and still huge: aliases (``*name``) repeat a whole subtree, and
nine lines of them make a billion values. Size, nesting and the number of values counted
with each alias expanded are bounded (``YAML_MAX_BYTES``, ``YAML_MAX_DEPTH``,
``YAML_MAX_NODES`` in :mod:`csi_graph.limits`), before anything is built.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from csi_graph.errors import CsiError
from csi_graph.limits import described, limit


@dataclass(frozen=True)
class Problem:
    """One mistake in an authoring file: where it is and what to do about it."""

    file: str
    line: int
    column: int
    where: str
    message: str

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.file}:{self.line}:{self.column}:{where} {self.message}"


class AuthoringError(CsiError):
    """An authoring file has mistakes: one line per problem, then what happened (exit code 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        problems = sorted(problems, key=lambda p: (p.file, p.line, p.column))
        self.problems = problems
        files = sorted({p.file for p in problems})
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        lines = [str(p) for p in problems]
        lines.append(f"{count} in {', '.join(files)}: nothing was written")
        super().__init__("\n".join(lines))


@dataclass(eq=False)
class Node:
    line: int
    column: int


@dataclass(eq=False)
class Scalar(Node):
    text: str
    null: bool = False


@dataclass(eq=False)
class Sequence(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Mapping(Node):
    # key -> (line and column of the key, value)
    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def keys(self) -> list[str]:
        return list(self.entries)


def read_yaml(path: Path, display: str) -> tuple[Node, list[Problem]]:
    """Parse a YAML file into positioned nodes; YAML syntax errors raise :class:`AuthoringError`."""
    from csi_graph.files import check_readable

    check_readable(path, display)
    size = path.stat().st_size
    if size > limit("YAML_MAX_BYTES"):
        raise CsiError(
            f"{display}: {size:,} bytes is too large for an authoring file{described('YAML_MAX_BYTES')}"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark, as some editors write, is fine
    except (OSError, UnicodeDecodeError) as error:
        raise CsiError(f"{display}: cannot read the file: {error}") from None
    return read_yaml_text(text, display)


# libyaml's parser where PyYAML was built with it: 7 times faster than PyYAML's own, which
# still reads a file libyaml refuses, for the error messages the hints below are written for.
_FAST: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _too_deep(text: str, display: str, loader: type) -> Problem | None:
    """Where the text nests past ``YAML_MAX_DEPTH``, read from the event stream (which, unlike
    composing, does not recurse)."""
    deepest, depth = limit("YAML_MAX_DEPTH"), 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > deepest:
                mark = event.start_mark
                return Problem(
                    display,
                    mark.line + 1,
                    mark.column + 1,
                    "",
                    f"nested more than {deepest} levels deep{described('YAML_MAX_DEPTH')}",
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


def _compose(text: str, display: str, loader: type) -> yaml.Node | None:
    deep = _too_deep(text, display, loader)
    if deep is not None:
        raise AuthoringError([deep])
    return yaml.compose(text, Loader=loader)


def read_yaml_text(text: str, display: str) -> tuple[Node, list[Problem]]:
    """Parse YAML text into positioned nodes, with the problems found (duplicate keys...)."""
    try:
        try:
            root = _compose(text, display, _FAST)
        except yaml.YAMLError:
            if _FAST is yaml.SafeLoader:
                raise
            root = _compose(text, display, yaml.SafeLoader)  # PyYAML's words for the error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (error.problem or str(error)).strip()
        raise AuthoringError(
            [Problem(display, line, column, "", f"not valid YAML: {problem}: {syntax_hint(error)}")]
        ) from None
    except yaml.YAMLError as error:
        raise AuthoringError([Problem(display, 1, 1, "", f"not valid YAML: {error}")]) from None
    if root is None:
        return Mapping(1, 1), []
    problems: list[Problem] = []
    budget = _Budget(limit("YAML_MAX_NODES"), limit("YAML_MAX_DEPTH"), display)
    return _convert(root, display, problems, budget), problems


# What usually causes a YAML error, by a fragment of PyYAML's message.
_HINTS = (
    ("character '\\t'", "indent with spaces, not tabs"),
    (
        "mapping values are not allowed",
        'quote a value that contains ": ", for example label: "Ville : centre"',
    ),
    ("could not find expected ':'", 'a key needs ": " after it; check this line and the one before'),
    ("undefined alias", "a *name refers to an &name anchor defined above it"),
    ("expected ',' or ']'", "close the list with ] and quote the items that contain a comma"),
    ("expected ',' or '}'", "close the mapping with } and quote the values that contain a comma"),
    ("end of stream", "a quote or a bracket opened above is not closed"),
    ("did not find expected key", "align this key with the keys above it, or quote the value before it"),
)


def syntax_hint(error: yaml.MarkedYAMLError) -> str:
    """A hint to fix a YAML syntax error, from what PyYAML says."""
    said = f"{error.context or ''} {error.problem or ''}"
    for fragment, hint in _HINTS:
        if fragment in said:
            return hint
    return "check the indentation and the quotes on this line and the one before"


class _Budget:
    """Values left to convert and nesting: an alias expands its subtree again each time it is used."""

    def __init__(self, nodes: int, depth: int, display: str) -> None:
        self.left, self.depth, self.display, self.level = nodes, depth, display, 0

    def spend(self, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0 or self.level > self.depth:
            mark = node.start_mark
            what = (
                f"more than {limit('YAML_MAX_NODES'):,} values once its aliases (*name) are expanded"
                f"{described('YAML_MAX_NODES')}"
                if self.left < 0
                else f"an alias (*name) nests it more than {self.depth} levels deep{described('YAML_MAX_DEPTH')}"
            )
            raise AuthoringError([Problem(self.display, mark.line + 1, mark.column + 1, "", what)])


def _convert(node: yaml.Node, display: str, problems: list[Problem], budget: _Budget) -> Node:
    budget.spend(node)
    budget.level += 1
    try:
        return _converted(node, display, problems, budget)
    finally:
        budget.level -= 1


def _converted(node: yaml.Node, display: str, problems: list[Problem], budget: _Budget) -> Node:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode):
        # A plain scalar's style is None for PyYAML, "" for libyaml.
        null = node.tag == "tag:yaml.org,2002:null" and not node.style
        return Scalar(line, column, node.value, null)
    if isinstance(node, yaml.SequenceNode):
        return Sequence(line, column, [_convert(item, display, problems, budget) for item in node.value])
    mapping = Mapping(line, column)
    for key_node, value_node in node.value:
        key = _convert(key_node, display, problems, budget)
        if not isinstance(key, Scalar):
            problems.append(Problem(display, key.line, key.column, "", "a key must be a plain word"))
            continue
        if key.text in mapping.entries:
            first = mapping.entries[key.text][0]
            problems.append(
                Problem(
                    display,
                    key.line,
                    key.column,
                    "",
                    f"key '{key.text}' appears twice (first at line {first.line}); keep one",
                )
            )
            continue
        mapping.entries[key.text] = (key, _convert(value_node, display, problems, budget))
    return mapping


# ---------------------------------------------------------------------- writing

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./+-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def dump_yaml(document: dict) -> str:
    """Block-style YAML of nested dicts, lists and strings, quoting only what needs it."""
    lines: list[str] = []
    for i, (key, value) in enumerate(document.items()):
        if i:
            lines.append("")
        lines += _emit_entry(key, value, 0)
    return "\n".join(lines) + "\n"


def quote(text: str) -> str:
    """A YAML scalar for ``text``: plain when safe, else a double-quoted (JSON) string."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _emit_entry(key: str, value, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, str):
        return [f"{pad}{key}: {quote(value)}"]
    if isinstance(value, list) and all(isinstance(v, str) and _PLAIN.match(v) for v in value):
        flow = f"{pad}{key}: [{', '.join(value)}]"
        if len(flow) <= 100:
            return [flow]
    return [f"{pad}{key}:", *_emit(value, indent + 2)]


def _emit(value, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        return [line for key, item in value.items() for line in _emit_entry(key, item, indent)]
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict):
                inner = _emit(item, indent + 2)
                lines += [f"{pad}- {inner[0][indent + 2 :]}", *inner[1:]]
            else:
                lines.append(f"{pad}- {quote(item)}")
        return lines
    return [f"{pad}{quote(value)}"]
