"""The one way csi-graph names a resource for people, in one language.

Every page, table, comparison and summary labels a resource with :meth:`Labels.label`, so
a resource has the same name everywhere. The rule (documented in ``docs/queries.md``):

1. the label predicates, in this order: ``skos:prefLabel``, ``rdfs:label``, ``dct:title``,
   ``foaf:name``;
2. the language: the one asked for, else French (the language of the sources), else
   English, else a literal without a language tag, else any other language;
3. the language decides first, then the predicate; ties go to the smallest text;
4. a resource without a label is written as its short IRI (``<contract/chambery-2021>``,
   ``csi:Commitment``), the form a query accepts back.

Labels are looked up in the store's indexes, resource by resource, and remembered: no
query reads every label of a million-triple graph to print a dozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from csi_graph.namespaces import PREFIXES, shorten

if TYPE_CHECKING:
    from csi_graph.dataset import Dataset
    from csi_graph.store import Store

LABEL_PREDICATES = tuple(
    PREFIXES[prefix] + local
    for prefix, local in (("skos", "prefLabel"), ("rdfs", "label"), ("dct", "title"), ("foaf", "name"))
)


def language_order(lang: str) -> tuple[str | None, ...]:
    """The languages tried for ``lang``: it, French, English, then untagged (``None``)."""
    return tuple(dict.fromkeys((lang, "fr", "en", None)))


class Labels:
    """Labels and texts of resources, with the fallback rule above."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple[str, tuple[str, ...], str], str | None] = {}

    @classmethod
    def read(cls, dataset: Dataset) -> Labels:
        return cls(dataset.store)

    def label(self, iri: str | None, lang: str = "en") -> str:
        """The label of ``iri`` in ``lang`` (see the rule above); its short IRI if it has none."""
        if iri is None:
            return ""
        found = self.text(iri, LABEL_PREDICATES, lang)
        return found if found is not None else shorten(iri)

    def has_label(self, iri: str) -> bool:
        return self.text(iri, LABEL_PREDICATES, "en") is not None

    def text(self, iri: str, predicates: Sequence[str], lang: str = "en") -> str | None:
        """The value of the first of ``predicates`` that has one, in ``lang`` by the same fallback.

        The language decides first: a French ``rdfs:label`` beats an untagged ``skos:prefLabel``
        when English is asked for and missing.
        """
        key = (iri, tuple(predicates), lang)
        if key not in self._cache:
            self._cache[key] = self._choose(iri, predicates, lang)
        return self._cache[key]

    def _choose(self, iri: str, predicates: Sequence[str], lang: str) -> str | None:
        candidates: list[tuple[int, str | None, str]] = []
        for rank, predicate in enumerate(predicates):
            for value in self.store.objects(iri, predicate):
                if _is_literal(value):
                    candidates.append((rank, value.language, value.value))
        if not candidates:
            return None
        for wanted in language_order(lang):
            chosen = sorted((rank, text) for rank, language, text in candidates if language == wanted)
            if chosen:
                return chosen[0][1]
        return min((rank, language or "", text) for rank, language, text in candidates)[2]


def _is_literal(term: Any) -> bool:
    return hasattr(term, "datatype")
