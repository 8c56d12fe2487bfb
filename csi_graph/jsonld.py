"""JSON-LD that a web developer reads without knowing RDF.

The published context (``context.jsonld``, shipped in the package) gives every class
and property a plain key (``"inContract"``, ``"wording"``, ``"theme"``), language maps for
texts (``"label": {"fr": ..., "en": ...}``), data IRIs relative to the data base
(``"contract/chambery-2021"``) and concept codes without namespace
(``"theme": ["video-protection"]``, ``"status": "realised"``). Compaction is done by
PyLD, the reference JSON-LD processor; nothing is ever fetched from the network.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import pyoxigraph as ox

from csi_graph.errors import CsiError
from csi_graph.recent import Recent

CONTEXT_FILE = "context.jsonld"


@cache
def _context_text() -> str:
    return resources.files("csi_graph").joinpath(CONTEXT_FILE).read_text(encoding="utf-8")


def context() -> dict[str, Any]:
    """The ``@context`` object of csi-graph's JSON-LD (a fresh copy)."""
    return json.loads(_context_text())["@context"]


def context_document() -> str:
    """The published context file, as text."""
    return _context_text()


# The bundled context as PyLD is given it: by this name, which only
# :func:`_no_remote_documents` answers (with the bundled file, never from the network). Given by
# name, the context is processed once per process and PyLD keeps the result (the loader tags it
# "static"); given inline, PyLD canonicalises the whole object on every call to find it in that
# cache again (a fifth of the time of the 1,607 documents of the static site).
CONTEXT_NAME = "urn:csi-graph:context"


def _no_remote_documents(url: str, options: dict | None = None) -> Any:
    if url == CONTEXT_NAME:
        return {"contextUrl": None, "documentUrl": url, "document": {"@context": context()}, "tag": "static"}
    raise CsiError(f"JSON-LD processing never fetches remote documents (asked for {url})")


def compact(quads: list[ox.Quad], ctx: dict[str, Any] | None = None) -> dict[str, Any]:
    """``quads`` as a compacted JSON-LD document with ``ctx`` inline, nodes sorted by ``id``.

    ``ctx`` defaults to csi-graph's context (:func:`context`). The quads should be sorted
    (see :func:`csi_graph.export.canonical`): PyLD keeps the order it is given, which makes
    the output deterministic.
    """
    nodes = _compacted(quads, CONTEXT_NAME if ctx is None else ctx)
    return {"@context": context() if ctx is None else ctx, "@graph": nodes}


# Compacted nodes, by their expanded form and the context. JSON-LD compacts a ``@graph`` array
# node by node, so a node compacts the same in whichever document holds it, and the documents
# csi-graph writes hold the same nodes again and again: each contract's nodes are also in the
# package's file of all the data, a resource's in the site's documents of its neighbours. Kept
# as JSON text, so that no caller can change a kept node; at most 10,000 (a few megabytes).
_NODES: Recent[str] = Recent(10_000)


def _compacted(quads: list[ox.Quad], ctx: dict[str, Any] | str) -> list[dict[str, Any]]:
    """PyLD's compaction of ``quads`` with ``ctx`` (inline or by name): the nodes of its ``@graph``."""
    from pyld import jsonld

    dataset = _rdf_dataset(quads)
    options = {"documentLoader": _no_remote_documents}
    try:
        expanded = jsonld.from_rdf(dataset, {**options, "useNativeTypes": True})
    except ValueError:  # an integer too long for Python to convert (4,300 digits): keep them all as text
        expanded = jsonld.from_rdf(dataset, {**options, "useNativeTypes": False})
    if ctx == CONTEXT_NAME:  # JSON-LD 1.1 ignores @base in a context given by IRI; PyLD 3.3 applies
        # it: the same base given as the document's keeps data IRIs relative either way.
        options["base"] = context()["@base"]
    options = {**options, "graph": True, "skipExpansion": True}
    scope = ctx if isinstance(ctx, str) else json.dumps(ctx, sort_keys=True)
    nodes: list[dict[str, Any]] = []
    for node in expanded:
        key = (scope, json.dumps(node, sort_keys=True))
        text = _NODES.get(key)
        if text is None:
            text = json.dumps(jsonld.compact([node], ctx, options)["@graph"], ensure_ascii=False)
            _NODES.put(key, text)
        nodes += json.loads(text)
    return nodes


_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "IRI", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "blank node", "value": "_:" + term.value}
    if term.language:
        return {
            "type": "literal",
            "value": term.value,
            "datatype": _RDF_LANGSTRING,
            "language": term.language,
        }
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def _rdf_dataset(quads: list[ox.Quad]) -> dict[str, list[dict]]:
    """``quads`` in PyLD's own RDF dataset form, in their order.

    Handing PyLD N-Quads text instead makes it parse them with a check for duplicates that
    compares each statement with every one before it in its graph: quadratic, 30 s of the
    package's time at 50 contracts. A set drops repeated statements in linear time instead.
    """
    dataset: dict[str, list[dict]] = {}
    for quad in dict.fromkeys(quads):
        name = "@default" if isinstance(quad.graph_name, ox.DefaultGraph) else _term(quad.graph_name)["value"]
        dataset.setdefault(name, []).append(
            {"subject": _term(quad.subject), "predicate": _term(quad.predicate), "object": _term(quad.object)}
        )
    return dataset


def dumps(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def compact_document(quads: list[ox.Quad]) -> bytes:
    """Sorted quads as csi-graph's readable JSON-LD, with the context inline."""
    return dumps(compact(quads))
