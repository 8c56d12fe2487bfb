"""Between IRIs and the paths that serve them.

Data IRIs live under the data base (``https://w3id.org/csi-graph/id/``, configurable so a
city can publish under its own domain) and are served under ``/id/``; the vocabulary
(ontology, shapes, SKOS schemes and concepts) lives under ``https://w3id.org/csi-graph/``
and is served from the root. Slash IRIs name things and answer with a 303 redirect to a
document about the thing (``/id/contract/chambery-2021`` → ``….en.html``, ``….ttl``...);
hash IRIs (``…/ontology#Commitment``) are parts of one document (``/ontology``).
"""

from __future__ import annotations

from csi_graph.namespaces import BASE, DATA_BASE

# Document extensions, in the order a page lists them.
RDF_EXTENSIONS = ("ttl", "jsonld", "nt", "rdf")
# Paths of the site itself, which no IRI may take.
RESERVED = ("static", "sparql", "query", "compare", "describe", "index", "dataset")


class IriMap:
    """Maps IRIs to served paths (no leading slash) and back, for one data base."""

    def __init__(self, data_base: str = DATA_BASE, vocabulary_base: str = BASE) -> None:
        # Most specific mount first: a path under id/ is a data IRI when the data base knows it.
        self.mounts = [("id/", data_base), ("", vocabulary_base)]
        if data_base != DATA_BASE:  # shipped reference data keeps the project's own base
            self.mounts.insert(1, ("id/", DATA_BASE))

    def path(self, iri: str) -> str | None:
        """The served path of an IRI, with its ``#fragment`` if any; None if not served here."""
        for path, base in self.mounts:
            if iri.startswith(base) and len(iri) > len(base):
                rest = iri[len(base) :]
                if path or rest.split("/", 1)[0].split("#", 1)[0] not in (*RESERVED, "id"):
                    return path + rest
        return None

    def candidates(self, path: str) -> list[str]:
        """The IRIs a served path may stand for, most specific first."""
        found = []
        for mount, base in self.mounts:
            if path.startswith(mount) and len(path) > len(mount):
                iri = base + path[len(mount) :]
                if iri not in found:
                    found.append(iri)
        return found


def document(iri: str) -> str:
    """The IRI of the document describing ``iri``: itself, or the part before ``#``."""
    return iri.split("#", 1)[0]


def html_path(path: str, lang: str) -> str:
    """The HTML page of a served path in one language (``id/contract/x`` → ``id/contract/x.en.html``)."""
    doc, sep, fragment = path.partition("#")
    return f"{doc}.{lang}.html" + (f"#{fragment}" if sep else "")
