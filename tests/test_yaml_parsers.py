"""Authoring files are read by libyaml's parser when PyYAML has it, and by PyYAML's own parser
for the error messages: both must give the same positioned nodes, on every file the project
ships and on generated documents (csi_graph/authoring/yamlfile.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csi_graph.authoring import yamlfile
from csi_graph.authoring.yamlfile import AuthoringError, Mapping, Scalar, Sequence, read_yaml_text

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*(ROOT / "data" / "authoring").glob("*.yaml"), *(ROOT / "tests" / "fixtures").glob("*.yaml")])


def shape(node) -> tuple:
    """A node as nested tuples: what it is, where it is, what it holds."""
    where = (type(node).__name__, node.line, node.column)
    if isinstance(node, Scalar):
        return (*where, node.text, node.null)
    if isinstance(node, Sequence):
        return (*where, tuple(shape(item) for item in node.items))
    assert isinstance(node, Mapping)
    return (*where, tuple((k, shape(key), shape(v)) for k, (key, v) in node.entries.items()))


def read_with(loader: type, text: str, monkeypatch) -> tuple:
    monkeypatch.setattr(yamlfile, "_FAST", loader)
    try:
        root, problems = read_yaml_text(text, "f.yaml")
    except AuthoringError as error:
        return ("error", str(error))
    return shape(root), [str(p) for p in problems]


def test_libyaml_is_there():
    """CI installs PyYAML's wheel, which has libyaml: the fast path is the one tested below."""
    assert yamlfile._FAST is yaml.CSafeLoader


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_both_parsers_read_each_shipped_file_alike(path, monkeypatch):
    assert len(FILES) > 10
    text = path.read_text(encoding="utf-8-sig")
    fast = read_with(yaml.CSafeLoader, text, monkeypatch)
    assert fast[0] != "error", fast
    assert fast == read_with(yaml.SafeLoader, text, monkeypatch)


@pytest.mark.parametrize(
    "text",
    [
        "base: &b\n  kind: commune\nother: *b\nmerged:\n  <<: *b\n  name: x\n",  # anchors, merge key
        "text: |\n  two\n  lines\nfolded: >-\n  one\n  line\n",  # block scalars
        "a: 1\r\nb:\r\n  - x\r\n  - 'y'\r\n",  # Windows line ends
        "# a comment\na: 'x' # another\nb: \"\\u00e9\\U0001F600\"\nc: 🙂 été\n",  # comments, escapes, astral
        "a: !!str 2021\nb: ~\nc: ''\nd: null\ne: 2021-06-01\n",  # tags, nulls, a date
        "[1, {a: b}, [c]]\n",  # flow style at the top
        "--- \na: 1\n...\n",  # document markers
        "",  # empty
    ],
)
def test_both_parsers_read_written_documents_alike(text, monkeypatch):
    fast = read_with(yaml.CSafeLoader, text, monkeypatch)
    assert fast == read_with(yaml.SafeLoader, text, monkeypatch)


scalars = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    document=documents,
    flow=st.sampled_from([None, True, False]),
    unicode=st.booleans(),
    width=st.sampled_from([20, 80, 1000]),
)
def test_both_parsers_read_generated_documents_alike(document, flow, unicode, width, monkeypatch):
    text = yaml.safe_dump({"root": document}, default_flow_style=flow, allow_unicode=unicode, width=width)
    assert read_with(yaml.CSafeLoader, text, monkeypatch) == read_with(yaml.SafeLoader, text, monkeypatch)


@pytest.mark.parametrize(
    "text",
    [
        "contract:\n\tlabel: x\n",  # a tab
        "a: b: c\n",
        "a: [1, 2\n",
        'a: "open\n',
        "a: *nowhere\n",
        "- a\nb: c\n",
    ],
)
def test_a_refused_file_gets_pyyamls_message_either_way(text, monkeypatch):
    """libyaml words its errors differently; the message is PyYAML's, whose the hints match."""
    fast = read_with(yaml.CSafeLoader, text, monkeypatch)
    assert fast[0] == "error"
    assert fast == read_with(yaml.SafeLoader, text, monkeypatch)
