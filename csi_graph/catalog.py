"""The DCAT-AP 3.0.1 catalogue record of a package, the way data.gouv.fr harvests it.

One ``dcat:Catalog`` lists a dataset for the whole package and one per contract; each
file of the package is a ``dcat:Distribution`` with its download address (under the
configurable base URL), IANA media type, EU file type, byte size, SPDX checksum and
licence (Licence Ouverte 2.0, under the exact address data.gouv.fr knows it by); each
CSV distribution ``dct:conformsTo`` its Table Schema.

The record is checked against the official DCAT-AP 3.0.1 SHACL shapes (vendored in
``csi_graph/vendor/``, used offline) before a package is written: a package never ships
a catalogue that does not conform. ``sh:class`` constraints need the type of every
linked resource, so the record types them (``dct:LicenseDocument``, ``dct:MediaType``,
``skos:Concept``...) and labels the concepts it uses.

What it does not do: give a geometry. data.gouv.fr reads only geometry literals in
``dct:spatial``; no source gives csi-graph a geometry and none is invented, so the
spatial coverage is the territory with its INSEE code, and the portal will not show a
map until someone sets the coverage by hand (see the README).
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, XSD

from csi_graph import __version__
from csi_graph.errors import CsiError, InputError
from csi_graph.namespaces import BASE, PREFIXES
from csi_graph.tables import THEME_NS, TableData, temporal_literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence")
ONTOLOGY = URIRef(BASE + "ontology")
THEME_SCHEME = URIRef(BASE + "scheme/themes")
DATA_THEME_SCHEME = URIRef(EU + "data-theme")
JUSTICE = URIRef(EU + "data-theme/JUST")
FRANCE = URIRef(EU + "country/FRA")
ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
PROJECT_HOME = "https://w3id.org/csi-graph"
DEFAULT_BASE_URL = PROJECT_HOME + "/package/"

CATALOG_PREFIXES = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "spdx": str(SPDX),
    "xsd": str(XSD),
    "rdfs": str(RDFS),
    "igeo": str(IGEO),
}

# EU file types (publications.europa.eu authority table) by media type.
FILE_TYPES = {
    "text/turtle": "RDF_TURTLE",
    "application/n-triples": "RDF_N_TRIPLES",
    "application/n-quads": "RDF_N_QUADS",
    "application/trig": "RDF_TRIG",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
    "text/csv": "CSV",
    "application/json": "JSON",
}

# What every CSI is about, in both languages; each dataset adds its territories' names.
KEYWORDS = (
    ("contrat de sécurité intégrée", "integrated security contract"),
    ("sécurité publique", "public safety"),
    ("prévention de la délinquance", "crime prevention"),
    ("collectivités territoriales", "local authorities"),
)


@dataclass(frozen=True)
class PublishSettings:
    """Who publishes the package, where it will be downloaded from, and its dates."""

    base_url: str = DEFAULT_BASE_URL
    publisher_name: str = "csi-graph contributors"
    publisher_url: str | None = PROJECT_HOME
    contact_name: str = "csi-graph contributors"
    contact_email: str | None = None
    contact_url: str | None = PROJECT_HOME
    date: datetime.date = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).date())
    issued: datetime.date | None = None
    title_fr: str = "Contrats de sécurité intégrée : engagements, signataires et suivi"
    title_en: str = "Integrated security contracts: commitments, signatories and follow-up"

    @property
    def catalog_iri(self) -> str:
        return self.base_url + "catalog"

    @property
    def first_issued(self) -> datetime.date:
        return self.issued or self.date

    def checked(self) -> PublishSettings:
        """These settings, normalised, or a :class:`CsiError` saying which one is wrong."""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        for name, url in (
            ("base URL", base),
            ("publisher URL", self.publisher_url),
            ("contact URL", self.contact_url),
        ):
            if url is not None and not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url):
                raise CsiError(f"the {name} must be an http(s) address, not {url!r}")
        if self.contact_email is not None and not re.fullmatch(
            r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", self.contact_email
        ):
            raise CsiError(f"the contact e-mail {self.contact_email!r} is not an e-mail address")
        if not self.publisher_name.strip():
            raise CsiError("the publisher's name is empty")
        if self.issued is not None and self.issued > self.date:
            raise CsiError(f"the first issue date {self.issued} is after the package date {self.date}")
        return replace(self, base_url=base)


CONFIG_KEYS = {
    ("base_url",): "base_url",
    ("date",): "date",
    ("issued",): "issued",
    ("title_fr",): "title_fr",
    ("title_en",): "title_en",
    ("publisher", "name"): "publisher_name",
    ("publisher", "url"): "publisher_url",
    ("contact", "name"): "contact_name",
    ("contact", "email"): "contact_email",
    ("contact", "url"): "contact_url",
}


def load_settings(
    config: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> PublishSettings:
    """Settings from the defaults, then a TOML ``config`` file, then ``overrides`` (options)."""
    values: dict[str, Any] = {}
    if config is not None:
        values.update(_read_config(Path(config)))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for key in ("date", "issued"):
        if isinstance(values.get(key), str):
            try:
                values[key] = datetime.date.fromisoformat(values[key])
            except ValueError:
                raise CsiError(f"{key} must be a date written YYYY-MM-DD, not {values[key]!r}") from None
    return PublishSettings(**values).checked()


def _read_config(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(str(path), f"cannot read the configuration: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(str(path), f"not a valid TOML file: {error}") from None
    values: dict[str, Any] = {}
    known = {".".join(k) for k in CONFIG_KEYS}
    for section, content in document.items():
        items = content.items() if isinstance(content, dict) else [(None, content)]
        for key, value in items:
            path_key = (section,) if key is None else (section, key)
            if path_key not in CONFIG_KEYS:
                raise InputError(
                    str(path),
                    f"unknown setting {'.'.join(path_key)!r}; known settings: {', '.join(sorted(known))}",
                )
            if isinstance(value, datetime.date):
                value = value.isoformat()
            if not isinstance(value, str):
                raise InputError(str(path), f"{'.'.join(path_key)} must be a string")
            values[CONFIG_KEYS[path_key]] = value
    return values


@dataclass(frozen=True)
class PackageFile:
    """A file of the package, as the catalogue describes it."""

    path: str  # relative, with forward slashes
    media_type: str
    title_fr: str
    title_en: str
    dataset: str | None  # a contract identifier, None for the whole package
    size: int
    sha256: str
    conforms_to: str | None = None  # the IRI of the standard the file follows
    conforms_title: str | None = None
    distribution: bool = True  # False for documentation (README, schemas, context...)
    description_fr: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class ContractInfo:
    """What the catalogue says about one contract's dataset."""

    identifier: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    start: Literal | None
    end: Literal | None
    territories: list[tuple[str, str, str]]  # (IRI, INSEE code, name)
    volets: list[tuple[str, str, str]]  # (concept IRI, label fr, label en)


def build_catalog(
    contracts: list[ContractInfo], files: list[PackageFile], settings: PublishSettings
) -> Graph:
    """The DCAT-AP graph of a package made of ``files``, for ``contracts``."""
    return _CatalogBuilder(settings).build(contracts, files)


class _CatalogBuilder:
    def __init__(self, settings: PublishSettings) -> None:
        self.s = settings
        self.g = Graph()
        for prefix, namespace in CATALOG_PREFIXES.items():
            self.g.bind(prefix, namespace)
        self.catalog = URIRef(settings.catalog_iri)

    def node(self, name: str) -> URIRef:
        return URIRef(f"{self.s.catalog_iri}#{name}")

    def add(self, subject, predicate, *objects) -> None:
        for obj in objects:
            if obj is not None:
                self.g.add((subject, predicate, obj))

    def texts(self, subject, predicate, fr: str, en: str) -> None:
        self.add(subject, predicate, Literal(fr, lang="fr"), Literal(en, lang="en"))

    def build(self, contracts: list[ContractInfo], files: list[PackageFile]) -> Graph:
        s, g = self.s, self.g
        publisher, contact = self._agents()
        self._shared_resources()
        g.add((self.catalog, RDF.type, DCAT.Catalog))
        self.texts(self.catalog, DCTERMS.title, f"Catalogue : {s.title_fr}", f"Catalogue: {s.title_en}")
        self.texts(
            self.catalog,
            DCTERMS.description,
            "Catalogue des jeux de données produits par csi-graph : le paquet complet et un jeu par contrat.",
            "Catalogue of the datasets made by csi-graph: the whole package and one dataset per contract.",
        )
        self.add(self.catalog, DCTERMS.publisher, publisher)
        self.add(self.catalog, DCTERMS.license, LICENCE)
        self.add(self.catalog, DCTERMS.language, URIRef(EU + "language/FRA"), URIRef(EU + "language/ENG"))
        self.add(self.catalog, DCTERMS.issued, _date(s.first_issued))
        self.add(self.catalog, DCTERMS.modified, _date(s.date))
        self.add(self.catalog, DCAT.themeTaxonomy, DATA_THEME_SCHEME, THEME_SCHEME)
        self.add(self.catalog, DCTERMS.spatial, FRANCE)
        for contract in contracts:
            for iri, _, _ in contract.territories:
                self.add(self.catalog, DCTERMS.spatial, URIRef(iri))

        whole = self.node("dataset")
        self._dataset(
            whole,
            s.title_fr,
            s.title_en,
            _whole_description_fr(contracts),
            _whole_description_en(contracts),
            contracts,
            publisher,
            contact,
        )
        for contract in contracts:
            dataset = self.node(f"dataset-{contract.identifier}")
            self._dataset(
                dataset,
                contract.title_fr,
                contract.title_en,
                contract.description_fr,
                contract.description_en,
                [contract],
                publisher,
                contact,
            )
            self.add(dataset, DCTERMS.relation, whole)
            self.add(whole, DCTERMS.relation, dataset)
        readme = next((f for f in files if f.path == "README.md"), None)
        for file in files:
            if not file.distribution:
                continue
            dataset = whole if file.dataset is None else self.node(f"dataset-{file.dataset}")
            self.add(dataset, DCAT.distribution, self._distribution(file))
        if readme is not None:
            page = URIRef(s.base_url + readme.path)
            self.add(page, RDF.type, FOAF.Document)
            self.add(self.catalog, FOAF.homepage, page)
            for dataset in list(self.g.subjects(RDF.type, DCAT.Dataset)):
                self.add(dataset, FOAF.page, page)
        return g

    def _agents(self) -> tuple[URIRef, URIRef]:
        s = self.s
        publisher = self.node("publisher")
        self.add(publisher, RDF.type, FOAF.Agent)
        self.add(publisher, FOAF.name, Literal(s.publisher_name))
        if s.publisher_url:
            self.add(publisher, FOAF.homepage, URIRef(s.publisher_url))
            self.add(URIRef(s.publisher_url), RDF.type, FOAF.Document)
        contact = self.node("contact")
        self.add(contact, RDF.type, VCARD.Kind, VCARD.Organization)
        self.add(contact, VCARD.fn, Literal(s.contact_name))
        if s.contact_email:
            self.add(contact, VCARD.hasEmail, URIRef("mailto:" + s.contact_email))
        if s.contact_url:
            self.add(contact, VCARD.hasURL, URIRef(s.contact_url))
        return publisher, contact

    def _shared_resources(self) -> None:
        """Types and labels of the resources the record points to (``sh:class`` needs them)."""
        self.add(LICENCE, RDF.type, DCTERMS.LicenseDocument)
        self.add(LICENCE, RDFS.label, Literal("Licence Ouverte / Open Licence version 2.0", lang="fr"))
        self.add(LICENCE, DCTERMS.identifier, Literal("etalab-2.0"))
        self.add(LICENCE, RDFS.seeAlso, URIRef("https://spdx.org/licenses/etalab-2.0.html"))
        self.add(LICENCE, DCTERMS.type, ATTRIBUTION)  # reuse is free provided the source is named
        self.add(ATTRIBUTION, RDF.type, SKOS.Concept)
        self.add(ATTRIBUTION, SKOS.inScheme, URIRef("http://purl.org/adms/licencetype/1.0"))
        self.add(ATTRIBUTION, SKOS.prefLabel, Literal("Attribution", lang="en"))
        for code in ("FRA", "ENG"):
            self.add(URIRef(EU + f"language/{code}"), RDF.type, DCTERMS.LinguisticSystem)
            self.add(URIRef(EU + f"language/{code}"), SKOS.inScheme, URIRef(EU + "language"))
        self.add(URIRef(EU + "frequency/IRREG"), RDF.type, DCTERMS.Frequency)
        self.add(URIRef(EU + "frequency/IRREG"), SKOS.inScheme, URIRef(EU + "frequency"))
        self.add(FRANCE, RDF.type, DCTERMS.Location)
        self.add(FRANCE, SKOS.inScheme, URIRef(EU + "country"))
        self.texts(FRANCE, SKOS.prefLabel, "France", "France")
        self.add(DATA_THEME_SCHEME, RDF.type, SKOS.ConceptScheme)
        self.texts(DATA_THEME_SCHEME, DCTERMS.title, "Thèmes des données (UE)", "Data theme (EU)")
        self.add(JUSTICE, RDF.type, SKOS.Concept)
        self.add(JUSTICE, SKOS.inScheme, DATA_THEME_SCHEME)
        self.texts(
            JUSTICE,
            SKOS.prefLabel,
            "Justice, système juridique et sécurité publique",
            "Justice, legal system and public safety",
        )
        self.add(THEME_SCHEME, RDF.type, SKOS.ConceptScheme)
        self.texts(
            THEME_SCHEME,
            DCTERMS.title,
            "Thèmes des contrats de sécurité intégrée",
            "Themes of integrated security contracts",
        )
        self.add(SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm)
        self.add(ONTOLOGY, RDF.type, DCTERMS.Standard)
        self.texts(
            ONTOLOGY,
            DCTERMS.title,
            "Ontologie des contrats de sécurité intégrée",
            "Integrated security contracts ontology",
        )
        provenance = self.node("provenance")
        self.add(provenance, RDF.type, DCTERMS.ProvenanceStatement)
        self.texts(
            provenance,
            RDFS.label,
            "Chaque fait vient d'une source publique citée (prov:wasDerivedFrom), avec sa fiabilité et la "
            "date de lecture ; un fait qu'aucune source ne donne est laissé de côté. Thèmes et types "
            "d'engagement sont une classification éditoriale de csi-graph.",
            "Every fact comes from a cited public source (prov:wasDerivedFrom), with its reliability and "
            "the date it was read; a fact no source gives is left out. Themes and commitment types are "
            "csi-graph's editorial classification.",
        )

    def _dataset(
        self, node, title_fr, title_en, description_fr, description_en, contracts, publisher, contact
    ):
        s = self.s
        self.add(self.catalog, DCAT.dataset, node)
        self.add(node, RDF.type, DCAT.Dataset)
        self.texts(node, DCTERMS.title, title_fr, title_en)
        self.texts(node, DCTERMS.description, description_fr, description_en)
        self.add(node, DCTERMS.identifier, Literal(str(node)))
        self.add(node, DCTERMS.publisher, publisher)
        self.add(node, DCAT.contactPoint, contact)
        self.add(node, DCTERMS.license, LICENCE)
        self.add(node, DCTERMS.language, URIRef(EU + "language/FRA"), URIRef(EU + "language/ENG"))
        self.add(node, DCTERMS.issued, _date(s.first_issued))
        self.add(node, DCTERMS.modified, _date(s.date))
        self.add(node, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/IRREG"))
        self.add(node, DCTERMS.provenance, self.node("provenance"))
        self.add(node, DCTERMS.conformsTo, ONTOLOGY)
        self.add(node, DCAT.theme, JUSTICE)
        self.add(node, DCTERMS.spatial, FRANCE)
        for fr, en in KEYWORDS:
            self.texts(node, DCAT.keyword, fr, en)
        for contract in contracts:
            for iri, label_fr, label_en in contract.volets:
                concept = URIRef(iri)
                self.add(node, DCAT.theme, concept)
                self.add(concept, RDF.type, SKOS.Concept)
                self.add(concept, SKOS.inScheme, THEME_SCHEME)
                self.texts(concept, SKOS.prefLabel, label_fr, label_en)
            for iri, code, name in contract.territories:
                place = URIRef(iri)
                self.add(node, DCTERMS.spatial, place)
                self.add(place, RDF.type, DCTERMS.Location)
                if name:
                    self.add(place, SKOS.prefLabel, Literal(name, lang="fr"))
                    self.texts(node, DCAT.keyword, name, name)
                if code:
                    self.add(place, IGEO.codeINSEE, Literal(code))
                    self.add(place, DCTERMS.identifier, Literal(code))
        self._temporal(node, contracts)

    def _temporal(self, node, contracts: list[ContractInfo]) -> None:
        starts = [c.start for c in contracts if c.start is not None]
        ends = [c.end for c in contracts if c.end is not None]
        if not starts and not ends:
            return
        period = URIRef(f"{node}-period")
        self.add(node, DCTERMS.temporal, period)
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        # ISO dates of any precision sort as text: the earliest start, the latest end.
        if starts:
            self.add(period, DCAT.startDate, min(starts, key=str))
        if ends:
            self.add(period, DCAT.endDate, max(ends, key=str))

    def _distribution(self, file: PackageFile) -> URIRef:
        s = self.s
        node = self.node("distribution-" + re.sub(r"[^A-Za-z0-9]+", "-", file.path).strip("-"))
        url = URIRef(s.base_url + file.path)
        self.add(node, RDF.type, DCAT.Distribution)
        self.texts(node, DCTERMS.title, file.title_fr, file.title_en)
        if file.description_fr:
            self.texts(
                node, DCTERMS.description, file.description_fr, file.description_en or file.description_fr
            )
        self.add(node, DCAT.downloadURL, url)
        self.add(node, DCAT.accessURL, url)
        media = URIRef(IANA + file.media_type)
        self.add(node, DCAT.mediaType, media)
        self.add(media, RDF.type, DCTERMS.MediaType)
        file_type = URIRef(EU + "file-type/" + FILE_TYPES[file.media_type])
        self.add(node, DCTERMS.format, file_type)
        self.add(file_type, RDF.type, DCTERMS.MediaTypeOrExtent)
        self.add(file_type, SKOS.inScheme, URIRef(EU + "file-type"))
        self.add(node, DCAT.byteSize, Literal(str(file.size), datatype=XSD.nonNegativeInteger))
        checksum = URIRef(f"{node}-checksum")
        self.add(node, SPDX.checksum, checksum)
        self.add(checksum, RDF.type, SPDX.Checksum)
        self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        self.add(checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary))
        self.add(node, DCTERMS.license, LICENCE)
        self.add(node, DCTERMS.issued, _date(s.first_issued))
        self.add(node, DCTERMS.modified, _date(s.date))
        if file.conforms_to:
            standard = URIRef(file.conforms_to)
            self.add(node, DCTERMS.conformsTo, standard)
            self.add(standard, RDF.type, DCTERMS.Standard)
            if file.conforms_title:
                self.add(standard, DCTERMS.title, Literal(file.conforms_title, lang="fr"))
        return node


def _date(day: datetime.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def _whole_description_fr(contracts: list[ContractInfo]) -> str:
    titles = " ; ".join(c.title_fr for c in contracts) or "aucun contrat"
    return (
        "Contrats de sécurité intégrée (CSI) entre l'État (préfet), le parquet et une commune, signés dans le "
        "cadre de la circulaire n°6258/SG du 16 avril 2021 : parties, signataires, engagements (libellé exact, "
        "thèmes, quantités cibles), suivi de leur réalisation et sources. Chaque fait cite sa source publique. "
        f"Contrats ({len(contracts)}) : {titles}. Données en Turtle, N-Triples, JSON-LD et tables CSV "
        f"documentées ; produites par csi-graph {__version__}."
    )


def _whole_description_en(contracts: list[ContractInfo]) -> str:
    titles = "; ".join(c.title_en for c in contracts) or "no contract"
    return (
        "Integrated security contracts (CSI) between the French State (the prefect), the public prosecutor "
        "and a city, signed under circular no. 6258/SG of 16 April 2021: parties, signatories, commitments "
        "(exact wording, themes, target quantities), follow-up of their realisation, and sources. Every fact "
        f"cites its public source. Contracts ({len(contracts)}): {titles}. Data in Turtle, N-Triples, JSON-LD "
        f"and documented CSV tables; made by csi-graph {__version__}."
    )


def catalog_context() -> dict[str, str]:
    """The JSON-LD context of ``catalog.jsonld``: prefixes only, inline (harvesters never fetch it)."""
    return dict(sorted({**CATALOG_PREFIXES, "csi": PREFIXES["csi"]}.items()))


# What the catalogue says about each contract, read from the data ------------------------


def contract_infos(dataset, tables: Mapping[str, TableData]) -> list[ContractInfo]:
    """Title, description, period, territories and volets of each contract, from its table rows.

    Territories are read apart (one row each), so that each code stays with its territory.
    """
    territories: dict[str, list[tuple[str, str, str]]] = {}
    for row in dataset.query("internal/catalog/territories"):
        territories.setdefault(row["id"], []).append((row["territory"], row["code"] or "", row["name"] or ""))
    volets: dict[str, set[tuple[str, str, str]]] = {}
    for row in tables["themes"].rows:
        if row["volet"]:
            iri = row["volet"] if ":" in row["volet"] else THEME_NS + row["volet"]
            labels = (
                row["volet_label_fr"] or row["volet"],
                row["volet_label_en"] or row["volet_label_fr"] or row["volet"],
            )
            volets.setdefault(row["contract"], set()).add((iri, *labels))
    infos = []
    for row in tables["contracts"].rows:
        identifier = row["contract"]
        title_fr = row["title_fr"] or row["title_en"] or identifier
        title_en = row["title_en"] or title_fr
        infos.append(
            ContractInfo(
                identifier=identifier,
                title_fr=title_fr,
                title_en=title_en,
                description_fr=row["description_fr"]
                or f"{title_fr} : parties, signataires, engagements et suivi, chaque fait avec sa source publique.",
                description_en=row["description_en"]
                or f"{title_en}: parties, signatories, commitments and follow-up, every fact with its public source.",
                start=temporal_literal(row["start_date"]) if row["start_date"] else None,
                end=temporal_literal(row["end_date"]) if row["end_date"] else None,
                territories=territories.get(identifier, []),
                volets=sorted(volets.get(identifier, ())),
            )
        )
    return infos


# Conformance to DCAT-AP 3.0.1 -----------------------------------------------------------

DCAT_AP_SHAPES = Path(__file__).resolve().parent / "vendor" / "dcat-ap-3.0.1" / "dcat-ap-SHACL.ttl"


@dataclass(frozen=True)
class CatalogCheck:
    """The result of validating a catalogue record against the official DCAT-AP shapes."""

    conforms: bool
    results: int
    text: str


@cache
def dcat_ap_shapes() -> Graph:
    """The official DCAT-AP 3.0.1 shapes, parsed once (callers only read them)."""
    return Graph().parse(DCAT_AP_SHAPES, format="turtle")


def check_catalog(catalog: Graph, engine: str = "auto") -> CatalogCheck:
    """Validate ``catalog`` with the official DCAT-AP 3.0.1 shapes, offline (no ``owl:imports``).

    By the SPARQL engine unless ``engine`` says otherwise (as ``validate`` does: pySHACL if it
    refused the shapes): 0.2 s where pySHACL takes 1.2 s. The tests check that both report the
    same on the catalogue and on broken copies of it. Any result, whatever its severity, means
    the record does not conform.
    """
    from csi_graph.namespaces import shorten
    from csi_graph.validation import render_path_key, validate_graph

    found = validate_graph(catalog, dcat_ap_shapes(), engine)

    def line(r) -> str:
        where = f" {render_path_key(r.path)}" if r.path is not None else ""
        value = f" = {r.value.n3()}" if r.value is not None else ""
        said = f": {r.messages[0]}" if r.messages else ""
        return f"- {shorten(str(r.severity))} on {r.focus.n3()}{where}{value} ({shorten(str(r.component))}){said}"

    text = "\n".join(sorted(line(r) for r in found))
    return CatalogCheck(not found, len(found), text)
