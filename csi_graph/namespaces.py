"""The IRIs of csi-graph and the prefixes it writes them with.

Ontology terms are hash IRIs under ``https://w3id.org/csi-graph/ontology#``; SKOS concepts
have one slash namespace per scheme; data resources live under the data base
``https://w3id.org/csi-graph/id/`` (``contract/chambery-2021``,
``commitment/chambery-2021/state-01``...). Named graphs of shipped files are under
``https://w3id.org/csi-graph/graph/``.
"""

from __future__ import annotations

from functools import lru_cache

BASE = "https://w3id.org/csi-graph/"
ONTOLOGY = BASE + "ontology#"
SHAPES = BASE + "shapes#"
DATA_BASE = BASE + "id/"
GRAPH_BASE = BASE + "graph/"

CSI = ONTOLOGY

# Prefixes used for display and serialisation, most specific first.
PREFIXES: dict[str, str] = {
    "csi": ONTOLOGY,
    "csish": SHAPES,
    "scheme": BASE + "scheme/",
    "theme": BASE + "theme/",
    "ctype": BASE + "commitment-type/",
    "status": BASE + "status/",
    "cstatus": BASE + "contract-status/",
    "actor": BASE + "actor-kind/",
    "role": BASE + "role/",
    "unit": BASE + "unit/",
    "qkind": BASE + "quantity-kind/",
    "qbasis": BASE + "quantity-basis/",
    "rel": BASE + "reliability/",
    "capacity": BASE + "signature-capacity/",
    "qual": BASE + "value-qualifier/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "http://schema.org/",
    "igeo": "http://rdf.insee.fr/def/geo#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "sh": "http://www.w3.org/ns/shacl#",
    "time": "http://www.w3.org/2006/time#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "fibo": "https://spec.edmcouncil.org/fibo/ontology/FND/Agreements/Contracts/",
    "epo": "http://data.europa.eu/a4g/ontology#",
    "cv": "http://data.europa.eu/m8g/",
    "frapo": "http://purl.org/cerif/frapo/",
    "adms": "http://www.w3.org/ns/adms#",
    "sosa": "http://www.w3.org/ns/sosa/",
    "dqv": "http://www.w3.org/ns/dqv#",
    "eutheme": "http://publications.europa.eu/resource/authority/data-theme/",
}

_LOCAL_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@lru_cache(maxsize=1 << 16)
def shorten(iri: str) -> str:
    """Write an IRI the way the project's Turtle files do (remembered: a site asks 100,000 times).

    ``csi:Commitment`` for a known prefix, ``<commitment/chambery-2021/state-01>`` for a
    data resource (relative to the data base, as in the data files), ``<iri>`` otherwise.
    """
    if iri.startswith(DATA_BASE):
        return f"<{iri[len(DATA_BASE) :]}>"
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and set(local) <= _LOCAL_NAME_CHARS and local[0] != "-":
                return f"{prefix}:{local}"
    return f"<{iri}>"
