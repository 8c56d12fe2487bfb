"""Content negotiation: which representation a client asked for, by ``Accept`` header or extension."""

from __future__ import annotations

# Extension -> (media type, csi_graph.export format) of the documents every resource has.
DOCUMENTS: dict[str, tuple[str, str | None]] = {
    "html": ("text/html", None),
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "jsonld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "rdfxml"),
}
# Media types clients also send for the same documents.
DOCUMENT_ALIASES = {
    "application/xhtml+xml": "html",
    "application/x-turtle": "ttl",
    "application/json": "jsonld",
    "text/plain": "nt",
    "application/xml": "rdf",
}

# SPARQL results of SELECT and ASK: format name -> media type, and the media types accepted for each.
RESULTS: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RESULT_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "tsv",
}
# CONSTRUCT and DESCRIBE results: format name -> (media type, QueryResult.serialize format).
GRAPHS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "jsonld"),
}
GRAPH_ALIASES = {"application/json": "jsonld", "text/plain": "nt", "application/x-turtle": "ttl"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality, best first (stable for ties)."""
    ranges = []
    for index, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((index, media, quality))
    ranges.sort(key=lambda r: (-r[2], r[0]))
    return [(media, quality) for _, media, quality in ranges]


def choose(header: str | None, offers: dict[str, str], default: str) -> str | None:
    """The offered name that best matches ``header``; ``offers`` maps media types to names.

    No header (or ``*/*`` first) gives ``default``; None means nothing offered is acceptable (406).
    """
    ranges = parse_accept(header)
    if not ranges:
        return default
    for media, quality in ranges:
        if quality <= 0:
            continue
        if media == "*/*":
            return default
        if media in offers:
            return offers[media]
        if media.endswith("/*"):
            family = media[:-1]
            for offered, name in offers.items():
                if offered.startswith(family):
                    return name
    return None


def document_offers() -> dict[str, str]:
    offers = {media: ext for ext, (media, _) in DOCUMENTS.items()}
    return {**offers, **DOCUMENT_ALIASES}


def result_offers(form: str) -> dict[str, str]:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return {**{media: name for name, (media, _) in GRAPHS.items()}, **GRAPH_ALIASES}
    return {**{media: name for name, media in RESULTS.items()}, **RESULT_ALIASES}


def preferred_language(query_lang: str | None, accept_language: str | None, languages=("en", "fr")) -> str:
    """``?lang=`` if given, else the first of ``languages`` in Accept-Language, else the first."""
    if query_lang in languages:
        return query_lang
    for media, quality in parse_accept(accept_language):
        primary = media.split("-", 1)[0]
        if quality > 0 and primary in languages:
            return primary
    return languages[0]
