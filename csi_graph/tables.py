"""CSV tables for people who do not use RDF, each with a Table Schema.

Each :class:`Table` is one SPARQL query over the loaded dataset
(``queries/internal/tables/NAME.rq``, run with ``Dataset.query``) and the description of its
columns. The same description gives the
CSV header, the Table Schema (``*.schema.json``, following schema.data.gouv.fr's
conventions) and, for the commitments, parties and signatories, the way back from CSV to
RDF (:func:`read_back`), which the tests use to prove that these three tables lose nothing.

Conventions, for every table:

- UTF-8, comma-separated, a header row, one row per resource, rows sorted by key;
- resources are given by their full IRI (``iri``); contracts also by identifier
  (``contract``); concepts of csi-graph's SKOS schemes by their code, the last segment of
  their IRI (``theme`` ``video-protection`` is ``https://w3id.org/csi-graph/theme/video-protection``);
- several values in one cell are separated by one space (IRIs and codes contain none),
  several texts by `` ; ``;
- dates keep the precision of the source: ``2021-09-22``, ``2026-02`` or ``2026``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from csi_graph import __version__
from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError, InputError
from csi_graph.namespaces import BASE, CSI

XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
TEMPORAL_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
IRIS_PATTERN = r"^[a-z][a-z0-9+.-]*:[^ ]+( [a-z][a-z0-9+.-]*:[^ ]+)*$"
CODES_PATTERN = r"^[^ ]+( [^ ]+)*$"
MULTI_TEXT = " ; "

LICENCE_DESCRIPTOR = {
    "title": "Licence Ouverte / Open Licence version 2.0",
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
}


@dataclass(frozen=True)
class Column:
    """A column: its Table Schema description and, optionally, how it reads back into RDF.

    ``value`` says how a cell maps to RDF objects of ``predicate``: ``iri``, ``iris``
    (space-separated), ``code``/``codes`` (concepts of the scheme namespace ``scheme``),
    ``fr``/``en`` (a text in that language), ``string``, ``integer``, ``boolean``, ``temporal`` (a date,
    year-month or year, typed by its precision) or ``subject`` (the row's resource).
    """

    name: str
    type: str
    title: str
    description: str
    example: str
    required: bool = False
    unique: bool = False
    pattern: str | None = None
    predicate: str | None = None
    value: str = "string"
    scheme: str | None = None
    variable: str | None = None  # the query variable it reads, when not its name

    @property
    def source(self) -> str:
        return self.variable or self.name

    def schema(self) -> dict[str, Any]:
        field_: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "example": self.example,
            "type": self.type,
        }
        if self.value in ("iri", "subject"):
            field_["format"] = "uri"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        pattern = self.pattern or {
            "iris": IRIS_PATTERN,
            "codes": CODES_PATTERN,
            "temporal": TEMPORAL_PATTERN,
        }.get(self.value)
        if pattern:
            constraints["pattern"] = pattern
        if constraints:
            field_["constraints"] = constraints
        return field_


@dataclass(frozen=True)
class Table:
    """A CSV table: its file name, titles, the query that fills it and its columns."""

    name: str
    title: str
    title_en: str
    description_fr: str
    description_en: str
    query: str  # the name of its query (queries/internal/tables/NAME.rq, or a named query)
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rdf_class: str | None = None  # set for the tables that read back into RDF
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, table, column)

    @property
    def description(self) -> str:
        return f"{self.description_fr} / {self.description_en}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def file(self) -> str:
        return f"tables/{self.name}.csv"

    @property
    def schema_file(self) -> str:
        return f"tables/{self.name}.schema.json"


# Columns shared by several tables ------------------------------------------------------


def _iri(title: str, description: str, example: str) -> Column:
    return Column("iri", "string", title, description, example, required=True, unique=True, value="subject")


def _contract(example: str = "chambery-2021") -> Column:
    return Column(
        "contract",
        "string",
        "Contrat",
        "Identifiant du contrat (dct:identifier). / Identifier of the contract.",
        example,
        required=True,
    )


def _contract_iri() -> Column:
    return Column(
        "contract_iri",
        "string",
        "IRI du contrat",
        "IRI du contrat (csi:inContract). / IRI of the contract.",
        "https://w3id.org/csi-graph/id/contract/chambery-2021",
        required=True,
        predicate=CSI + "inContract",
        value="iri",
    )


def _commitment(example: str) -> Column:
    return Column(
        "commitment",
        "string",
        "Engagement",
        "IRI de l'engagement. / IRI of the commitment.",
        f"https://w3id.org/csi-graph/id/commitment/chambery-2021/{example}",
        required=True,
        value="iri",
    )


def _commitment_identifier(example: str) -> Column:
    return Column(
        "commitment_identifier",
        "string",
        "Engagement (identifiant)",
        "Identifiant de l'engagement dans son contrat. / Identifier of the commitment within its contract.",
        example,
    )


def _text(
    name: str, title: str, description: str, example: str, predicate: str | None, lang: str, **kw
) -> Column:
    return Column(name, "string", title, description, example, predicate=predicate, value=lang, **kw)


def _comments(example_fr: str, example_en: str) -> tuple[Column, Column]:
    """A note on the resource (rdfs:comment): what the sources say that no other column holds."""
    return tuple(
        _text(
            f"comment_{lang}",
            title,
            f"Remarque ({lang}) : ce que disent les sources et qu'aucune autre colonne ne porte. "
            f"/ Note ({lang}): what the sources say that no other column holds.",
            example,
            RDFS_COMMENT,
            lang,
        )
        for lang, title, example in (("fr", "Remarque", example_fr), ("en", "Remarque (anglais)", example_en))
    )


def _sources(example: str) -> Column:
    return Column(
        "sources",
        "string",
        "Sources",
        "Adresses web des sources publiques de ces faits (prov:wasDerivedFrom), séparées par une espace. "
        "/ Web addresses of the public sources of these facts, separated by a space.",
        example,
        required=True,
        predicate=PROV_DERIVED,
        value="iris",
    )


_CHAMBERY_SOURCE = (
    "https://www.chambery.fr/actualite/3934/140-la-ville-de-chambery-signe-avec-l-etat-et-le-parquet-"
    "le-premier-contrat-de-securite-integree-de-chambery.htm"
)
THEME_NS = BASE + "theme/"
TYPE_NS = BASE + "commitment-type/"
STATUS_NS = BASE + "status/"
ACTOR_NS = BASE + "actor-kind/"
ROLE_NS = BASE + "role/"
CAPACITY_NS = BASE + "signature-capacity/"
UNIT_NS = BASE + "unit/"
QKIND_NS = BASE + "quantity-kind/"
RELIABILITY_NS = BASE + "reliability/"
CSTATUS_NS = BASE + "contract-status/"


# The tables ----------------------------------------------------------------------------

CONTRACTS = Table(
    name="contracts",
    title="Contrats de sécurité intégrée",
    title_en="Integrated security contracts",
    description_fr="Un contrat de sécurité intégrée (CSI) par ligne : titre, territoire, période, statut, nombre de parties et d'engagements.",
    description_en="One integrated security contract per row: title, territory, period, status, number of parties and commitments.",
    query="internal/tables/contracts",
    columns=(
        Column(
            "contract",
            "string",
            "Identifiant",
            "Identifiant du contrat (dct:identifier), unique. / Identifier of the contract, unique.",
            "chambery-2021",
            required=True,
            unique=True,
        ),
        _iri(
            "IRI",
            "IRI du contrat. / IRI of the contract.",
            "https://w3id.org/csi-graph/id/contract/chambery-2021",
        ),
        _text(
            "title_fr",
            "Titre",
            "Titre en français. / Title in French.",
            "Premier contrat de sécurité intégrée de Chambéry",
            None,
            "fr",
            required=True,
        ),
        _text(
            "title_en",
            "Titre (anglais)",
            "Titre en anglais. / Title in English.",
            "First integrated security contract of Chambéry",
            None,
            "en",
        ),
        _text(
            "description_fr",
            "Description",
            "Description en français. / Description in French.",
            "Contrat tripartite entre l'État, le parquet et la ville de Chambéry…",
            None,
            "fr",
        ),
        _text(
            "description_en",
            "Description (anglais)",
            "Description en anglais. / Description in English.",
            "Three-party contract between the State, the public prosecutor and the city of Chambéry…",
            None,
            "en",
        ),
        Column(
            "status",
            "string",
            "Statut",
            "Statut du contrat (code du thésaurus contract-status : signed...). / Status of the contract (code).",
            "signed",
            value="code",
            scheme=CSTATUS_NS,
        ),
        Column(
            "territories",
            "string",
            "Territoires",
            "IRI des territoires couverts, séparées par une espace. / IRIs of the territories covered.",
            "https://w3id.org/csi-graph/id/territory/commune/73065",
            value="iris",
        ),
        Column(
            "territory_codes",
            "string",
            "Codes INSEE",
            "Codes officiels géographiques (INSEE) des territoires, séparés par une espace. / INSEE codes of the territories.",
            "73065",
            value="codes",
        ),
        Column(
            "territory_names",
            "string",
            "Territoires (noms)",
            "Noms des territoires, séparés par « ; ». / Names of the territories.",
            "Chambéry",
        ),
        Column(
            "start_date",
            "string",
            "Début",
            "Début de la période du contrat (AAAA-MM-JJ, AAAA-MM ou AAAA). / Start of the contract's period.",
            "2021-09-22",
            value="temporal",
        ),
        Column(
            "end_date",
            "string",
            "Fin",
            "Fin de la période du contrat (AAAA-MM-JJ, AAAA-MM ou AAAA). / End of the contract's period.",
            "2026",
            value="temporal",
        ),
        Column(
            "legal_basis",
            "string",
            "Base juridique",
            "IRI du texte qui fonde le contrat. / IRI of the legal basis.",
            "https://w3id.org/csi-graph/id/legal/circulaire-6258-sg-2021-04-16",
            value="iri",
        ),
        Column(
            "parties",
            "integer",
            "Parties",
            "Nombre de parties que donnent les sources ; vide quand elles n'en nomment aucune (contrat "
            "seulement listé). / Number of parties the sources give; empty when they name none (a "
            "contract only listed).",
            "3",
        ),
        Column(
            "commitments",
            "integer",
            "Engagements",
            "Nombre d'engagements que donnent les sources ; vide quand elles n'en donnent aucun et les disent "
            "inconnus (csi:commitmentsKnown false), ce qui n'est pas zéro ; un minimum quand les engagements "
            "d'une partie sont inconnus (parties.csv). / Number of commitments the sources give; empty when "
            "they give none and say they are not known, which is not zero; a lower bound when a party's "
            "commitments are not known (parties.csv).",
            "16",
        ),
        _sources(_CHAMBERY_SOURCE),
    ),
    primary_key=("contract",),
)

PARTIES = Table(
    name="parties",
    title="Parties des contrats",
    title_en="Parties of the contracts",
    description_fr="Une partie d'un contrat par ligne : l'État, le parquet, la commune... et l'organisation qui la représente.",
    description_en="One party of a contract per row: the State, the public prosecutor, the city... and the organisation that plays it.",
    query="internal/tables/parties",
    columns=(
        _iri(
            "IRI",
            "IRI de la partie. / IRI of the party.",
            "https://w3id.org/csi-graph/id/party/chambery-2021/state",
        ),
        _contract(),
        _contract_iri(),
        Column(
            "kind",
            "string",
            "Nature",
            "Nature de la partie (code du thésaurus actor-kind : state, prosecution, commune...). / Kind of party (code).",
            "state",
            required=True,
            predicate=CSI + "partyKind",
            value="code",
            scheme=ACTOR_NS,
        ),
        _text(
            "label_fr",
            "Nom",
            "Nom de la partie en français. / Name in French.",
            "État",
            RDFS_LABEL,
            "fr",
            required=True,
        ),
        _text(
            "label_en",
            "Nom (anglais)",
            "Nom de la partie en anglais. / Name in English.",
            "State",
            RDFS_LABEL,
            "en",
        ),
        Column(
            "organisation",
            "string",
            "Organisation",
            "IRI de l'organisation qui joue le rôle de la partie. / IRI of the organisation playing the party.",
            "https://w3id.org/csi-graph/id/organisation/prefecture/73",
            predicate=CSI + "organisation",
            value="iri",
        ),
        Column(
            "organisation_label_fr",
            "string",
            "Organisation (nom)",
            "Nom de l'organisation. / Name of the organisation.",
            "Préfecture de la Savoie",
        ),
        Column(
            "commitments",
            "integer",
            "Engagements",
            "Nombre d'engagements pris par la partie ; vide quand les sources les disent inconnus "
            "(csi:commitmentsKnown false), ce qui n'est pas zéro. / Number of commitments taken by the party; "
            "empty when the sources say they are not known, which is not zero.",
            "8",
        ),
        Column(
            "commitments_known",
            "boolean",
            "Engagements connus",
            "false quand les sources nomment la partie sans donner aucun de ses engagements "
            "(csi:commitmentsKnown) ; vide quand elles ne disent rien de tel. / false when the sources name "
            "the party without giving any of its commitments; empty otherwise.",
            "false",
            predicate=CSI + "commitmentsKnown",
            value="boolean",
        ),
        *_comments(
            "Le modèle n'a pas de sorte « région » : collectivité territoriale.",
            'The model has no "region" kind: local authority.',
        ),
        _sources(_CHAMBERY_SOURCE),
    ),
    primary_key=("iri",),
    rdf_class=CSI + "ContractParty",
    foreign_keys=(("contract", "contracts", "contract"),),
)

SIGNATORIES = Table(
    name="signatories",
    title="Signataires des contrats",
    title_en="Signatories of the contracts",
    description_fr="Une signature par ligne : qui a signé, au titre de quel poste, pour quelle partie, à quelle date.",
    description_en="One signature per row: who signed, holding which post, for which party, on which date.",
    query="internal/tables/signatories",
    columns=(
        _iri(
            "IRI",
            "IRI de la signature. / IRI of the signature.",
            "https://w3id.org/csi-graph/id/signature/chambery-2021/state-1",
        ),
        _contract(),
        _contract_iri(),
        Column(
            "party",
            "string",
            "Partie",
            "IRI de la partie pour laquelle la personne signe ; vide quand la source ne la nomme pas. "
            "/ IRI of the party signed for; empty when the source does not name it.",
            "https://w3id.org/csi-graph/id/party/chambery-2021/state",
            predicate=CSI + "signedFor",
            value="iri",
        ),
        Column("party_label_fr", "string", "Partie (nom)", "Nom de la partie. / Name of the party.", "État"),
        Column(
            "person",
            "string",
            "Signataire",
            "IRI de la personne qui signe. / IRI of the person who signs.",
            "https://w3id.org/csi-graph/id/person/pascal-bolot",
            predicate=CSI + "signatory",
            value="iri",
        ),
        Column(
            "person_name",
            "string",
            "Signataire (nom)",
            "Nom de la personne. / Name of the person.",
            "Pascal Bolot",
        ),
        Column(
            "post",
            "string",
            "Poste",
            "IRI du poste au titre duquel la personne signe. / IRI of the post held.",
            "https://w3id.org/csi-graph/id/post/prefet/73",
            predicate=CSI + "signatoryPost",
            value="iri",
        ),
        Column(
            "post_label_fr",
            "string",
            "Poste (nom)",
            "Intitulé du poste en français. / Post, in French.",
            "Préfet de la Savoie",
        ),
        Column(
            "post_label_en",
            "string",
            "Poste (anglais)",
            "Intitulé du poste en anglais. / Post, in English.",
            "Prefect of Savoie",
        ),
        Column(
            "role",
            "string",
            "Fonction",
            "Fonction du poste (code du thésaurus role : prefet, procureur, maire...). / Role of the post (code).",
            "prefet",
            value="code",
            scheme=ROLE_NS,
        ),
        Column(
            "date",
            "string",
            "Date",
            "Date de la signature (AAAA-MM-JJ, AAAA-MM ou AAAA). / Date of the signature.",
            "2021-09-22",
            predicate="http://purl.org/dc/terms/date",
            value="temporal",
        ),
        Column(
            "capacity",
            "string",
            "Qualité",
            "Qualité à la signature (code du thésaurus signature-capacity : signatory) ; une personne seulement "
            "présente n'est pas dans ce tableau. / Capacity at the signing (code); a person only present is not "
            "in this table.",
            "signatory",
            predicate=CSI + "capacity",
            value="code",
            scheme=CAPACITY_NS,
        ),
        *_comments(
            "Le préfet n'est pas nommé dans les sources lues.",
            "The prefect is not named in the sources read.",
        ),
        _sources(_CHAMBERY_SOURCE),
    ),
    primary_key=("iri",),
    rdf_class=CSI + "Signature",
    foreign_keys=(("contract", "contracts", "contract"), ("party", "parties", "iri")),
)

COMMITMENTS = Table(
    name="commitments",
    title="Engagements des contrats",
    title_en="Commitments of the contracts",
    description_fr="Un engagement par ligne : la partie qui le prend, son libellé exact, ses thèmes, ses types, ses cibles, les instruments qu'il crée, maintient ou met à jour, son dernier statut connu.",
    description_en="One commitment per row: the party that takes it, its exact wording, themes, types, targets, the instruments it creates, keeps or updates, and its latest known status.",
    query="internal/tables/commitments",
    columns=(
        _iri(
            "IRI",
            "IRI de l'engagement. / IRI of the commitment.",
            "https://w3id.org/csi-graph/id/commitment/chambery-2021/state-01",
        ),
        _contract(),
        _contract_iri(),
        Column(
            "identifier",
            "string",
            "Identifiant",
            "Identifiant de l'engagement dans son contrat. / Identifier of the commitment within its contract.",
            "state-01",
            required=True,
            predicate="http://purl.org/dc/terms/identifier",
            value="string",
        ),
        Column(
            "position",
            "integer",
            "Rang",
            "Rang de l'engagement parmi ceux de sa partie. / Rank among the party's commitments.",
            "1",
            predicate="http://schema.org/position",
            value="integer",
        ),
        Column(
            "party",
            "string",
            "Partie",
            "IRI de la partie qui prend l'engagement. / IRI of the committing party.",
            "https://w3id.org/csi-graph/id/party/chambery-2021/state",
            required=True,
            predicate=CSI + "committedBy",
            value="iri",
        ),
        Column("party_label_fr", "string", "Partie (nom)", "Nom de la partie. / Name of the party.", "État"),
        Column(
            "party_label_en",
            "string",
            "Partie (anglais)",
            "Nom de la partie en anglais. / Name of the party in English.",
            "State",
        ),
        _text(
            "wording_fr",
            "Libellé exact",
            "Libellé de l'engagement copié tel quel de la source (csi:wording) ; vide quand aucune source lue "
            "n'en donne le texte, l'engagement a alors une reformulation (paraphrase_fr). / Wording of the "
            "commitment copied as the source writes it; empty when no source read gives its text, and the "
            "commitment then has a paraphrase (paraphrase_fr).",
            "Création de 10 postes de fonctionnaires de la police nationale supplémentaires",
            CSI + "wording",
            "fr",
        ),
        _text(
            "paraphrase_fr",
            "Reformulation",
            "Résumé que csi-graph écrit d'un engagement dont aucune source lue ne donne le texte (csi:paraphrase), "
            "d'après ce qu'en disent les sources ; vide quand l'engagement a son libellé exact (wording_fr). "
            "Chaque engagement a l'un des deux, jamais les deux. / csi-graph's summary of a commitment whose text "
            "no source read gives, from what the sources say of it; empty when the commitment has its exact "
            "wording (wording_fr). Each commitment has one of the two, never both.",
            "Renfort des effectifs de police nationale",
            CSI + "paraphrase",
            "fr",
        ),
        _text(
            "label_fr",
            "Libellé court",
            "Libellé court en français. / Short label in French.",
            "Création de 10 postes de fonctionnaires de la police nationale supplémentaires",
            RDFS_LABEL,
            "fr",
        ),
        _text(
            "label_en",
            "Libellé (anglais)",
            "Libellé en anglais (traduction du projet). / Label in English (the project's translation).",
            "Creation of 10 additional national police officer posts",
            RDFS_LABEL,
            "en",
        ),
        Column(
            "themes",
            "string",
            "Thèmes",
            "Codes des thèmes (thésaurus theme, voir themes.csv), séparés par une espace. / Theme codes, separated by a space.",
            "national-police-staffing",
            required=True,
            predicate=CSI + "theme",
            value="codes",
            scheme=THEME_NS,
        ),
        Column(
            "types",
            "string",
            "Types",
            "Codes des types d'engagement (thésaurus commitment-type), séparés par une espace. / Commitment type codes.",
            "staffing",
            predicate=CSI + "commitmentType",
            value="codes",
            scheme=TYPE_NS,
        ),
        Column(
            "deadline",
            "string",
            "Échéance",
            "Échéance (AAAA-MM-JJ, AAAA-MM ou AAAA). / Deadline.",
            "2026",
            predicate=CSI + "deadline",
            value="temporal",
        ),
        Column(
            "quantities",
            "string",
            "Quantités cibles",
            "IRI des quantités cibles (voir quantities.csv). / IRIs of the target quantities.",
            "https://w3id.org/csi-graph/id/quantity/chambery-2021/state-01-1",
            predicate=CSI + "targetQuantity",
            value="iris",
        ),
        Column(
            "target_territories",
            "string",
            "Territoires ciblés",
            "IRI des territoires visés. / IRIs of the targeted territories.",
            "https://w3id.org/csi-graph/id/territory/neighbourhood/chambery-hauts-de-chambery",
            predicate=CSI + "targetTerritory",
            value="iris",
        ),
        Column(
            "funding",
            "string",
            "Financements",
            "IRI des fonds mobilisés. / IRIs of the funding instruments.",
            "https://w3id.org/csi-graph/id/fund/fipd",
            predicate=CSI + "fundingInstrument",
            value="iris",
        ),
        Column(
            "beneficiaries",
            "string",
            "Bénéficiaires",
            "IRI des organisations bénéficiaires. / IRIs of the beneficiary organisations.",
            "https://w3id.org/csi-graph/id/organisation/commune/73065",
            predicate=CSI + "beneficiary",
            value="iris",
        ),
        Column(
            "creates",
            "string",
            "Crée",
            "IRI des instances, plans ou accords que l'engagement crée. / IRIs of the bodies, plans or agreements it creates.",
            "https://w3id.org/csi-graph/id/instrument/chambery/clvss",
            predicate=CSI + "creates",
            value="iris",
        ),
        Column(
            "maintains",
            "string",
            "Maintient",
            "IRI de ce que l'engagement maintient. / IRIs of what it keeps running.",
            "https://w3id.org/csi-graph/id/instrument/chambery/gltd",
            predicate=CSI + "maintains",
            value="iris",
        ),
        Column(
            "updates",
            "string",
            "Met à jour",
            "IRI de ce que l'engagement met à jour. / IRIs of what it updates.",
            "https://w3id.org/csi-graph/id/instrument/chambery/stspd",
            predicate=CSI + "updates",
            value="iris",
        ),
        Column(
            "concerns",
            "string",
            "Concerne",
            "IRI des dispositifs que l'engagement concerne, sans dire s'il les crée, maintient ou met à jour "
            "(csi:concernsInstrument). / IRIs of the instruments the commitment is about, without saying "
            "whether it creates, keeps or updates them.",
            "https://w3id.org/csi-graph/id/instrument/avignon/poste-ble-de-lune",
            predicate=CSI + "concernsInstrument",
            value="iris",
        ),
        *_comments(
            "Les deux sources officielles ne donnent pas la même échéance.",
            "The two official sources do not give the same deadline.",
        ),
        Column(
            "latest_status",
            "string",
            "Dernier statut",
            "Code du statut le plus récent (voir realisations.csv). / Code of the latest status.",
            "realised",
        ),
        Column(
            "latest_status_date",
            "string",
            "Date du dernier statut",
            "Date du statut le plus récent. / Date of the latest status.",
            "2021-11-23",
            pattern=TEMPORAL_PATTERN,
        ),
        _sources(_CHAMBERY_SOURCE),
    ),
    primary_key=("iri",),
    rdf_class=CSI + "Commitment",
    foreign_keys=(("contract", "contracts", "contract"), ("party", "parties", "iri")),
)

THEMES = Table(
    name="themes",
    title="Thèmes des engagements",
    title_en="Themes of the commitments",
    description_fr="Un couple (engagement, thème) par ligne, avec le volet de la circulaire n°6258/SG auquel le thème appartient.",
    description_en="One (commitment, theme) pair per row, with the volet of circular no. 6258/SG the theme belongs to.",
    query="internal/tables/themes",
    columns=(
        _commitment("state-01"),
        _contract(),
        _commitment_identifier("state-01"),
        Column(
            "theme",
            "string",
            "Thème",
            "Code du thème (thésaurus theme). / Theme code.",
            "national-police-staffing",
            required=True,
            value="code",
            scheme=THEME_NS,
        ),
        Column(
            "theme_label_fr",
            "string",
            "Thème (libellé)",
            "Libellé du thème en français. / Theme, in French.",
            "Effectifs de la police nationale",
        ),
        Column(
            "theme_label_en",
            "string",
            "Thème (anglais)",
            "Libellé du thème en anglais. / Theme, in English.",
            "National police staffing",
        ),
        Column(
            "volet",
            "string",
            "Volet",
            "Code du volet de la circulaire dont relève le thème. / Code of the circular's volet.",
            "internal-security",
            value="code",
            scheme=THEME_NS,
        ),
        Column(
            "volet_label_fr",
            "string",
            "Volet (libellé)",
            "Volet, en français. / Volet, in French.",
            "Sécurité intérieure",
        ),
        Column(
            "volet_label_en",
            "string",
            "Volet (anglais)",
            "Volet, en anglais. / Volet, in English.",
            "Internal security",
        ),
    ),
    primary_key=("commitment", "theme"),
    foreign_keys=(("contract", "contracts", "contract"), ("commitment", "commitments", "iri")),
)

REALISATIONS = Table(
    name="realisations",
    title="Suivi des engagements",
    title_en="Follow-up of the commitments",
    description_fr="Un relevé de statut par ligne : à une date, ce qu'une source dit de la réalisation d'un engagement.",
    description_en="One status record per row: what a source says, at a date, about a commitment's realisation.",
    query="internal/tables/realisations",
    columns=(
        _iri(
            "IRI",
            "IRI du relevé de statut. / IRI of the status record.",
            "https://w3id.org/csi-graph/id/status-record/chambery-2021/city-06-1",
        ),
        _contract(),
        _commitment("city-06"),
        _commitment_identifier("city-06"),
        Column(
            "status",
            "string",
            "Statut",
            "Code du statut (thésaurus status : realised, partially-realised, reported...). / Status code.",
            "realised",
            required=True,
            value="code",
            scheme=STATUS_NS,
        ),
        Column(
            "status_label_fr",
            "string",
            "Statut (libellé)",
            "Statut, en français. / Status, in French.",
            "Réalisé",
        ),
        Column(
            "status_label_en",
            "string",
            "Statut (anglais)",
            "Statut, en anglais. / Status, in English.",
            "Realised",
        ),
        Column(
            "date",
            "string",
            "Date",
            "Date du constat (AAAA-MM-JJ, AAAA-MM ou AAAA). / Date of the record.",
            "2021-11-23",
            required=True,
            value="temporal",
        ),
        Column(
            "description_fr",
            "string",
            "Constat",
            "Ce que dit la source, en français. / What the source says, in French.",
            "Contrat local d'engagement contre les violences sexistes et sexuelles signé le 23 novembre 2021…",
        ),
        Column(
            "description_en",
            "string",
            "Constat (anglais)",
            "Ce que dit la source, en anglais. / What the source says, in English.",
            "Local commitment contract against sexist and sexual violence signed on 23 November 2021…",
        ),
        Column(
            "instruments",
            "string",
            "Instruments",
            "IRI des instances ou accords concernés. / IRIs of the instruments concerned.",
            "https://w3id.org/csi-graph/id/instrument/chambery/clvss",
            value="iris",
        ),
        _sources(
            "https://lepetitreporterdu73.com/2021/12/chambery-avec-savoie-de-femme-sensibiliser-ecouter-agir/"
        ),
    ),
    primary_key=("iri",),
    foreign_keys=(("contract", "contracts", "contract"), ("commitment", "commitments", "iri")),
)

QUANTITIES = Table(
    name="quantities",
    title="Quantités cibles des engagements",
    title_en="Target quantities of the commitments",
    description_fr="Une quantité cible par ligne : valeur, unité, nature, échéance, chacune avec sa source.",
    description_en="One target quantity per row: value, unit, kind, deadline, each with its source.",
    query="internal/tables/quantities",
    columns=(
        _iri(
            "IRI",
            "IRI de la quantité. / IRI of the quantity.",
            "https://w3id.org/csi-graph/id/quantity/chambery-2021/state-01-1",
        ),
        _contract(),
        _commitment("state-01"),
        _commitment_identifier("state-01"),
        Column(
            "value",
            "number",
            "Valeur",
            "Valeur visée ; vide quand la source n'en donne pas de chiffre (le libellé dit ce qu'elle en dit). "
            "/ Target value; empty when the source gives no figure (the label says what it says).",
            "10",
        ),
        Column(
            "unit",
            "string",
            "Unité",
            "Code de l'unité (thésaurus unit). / Unit code.",
            "post",
            value="code",
            scheme=UNIT_NS,
        ),
        Column(
            "unit_label_fr", "string", "Unité (libellé)", "Unité, en français. / Unit, in French.", "poste"
        ),
        Column(
            "kind",
            "string",
            "Nature",
            "Code de la nature de la quantité (thésaurus quantity-kind). / Quantity kind code.",
            "national-police-staff",
            value="code",
            scheme=QKIND_NS,
        ),
        Column(
            "deadline",
            "string",
            "Échéance",
            "Échéance (AAAA-MM-JJ, AAAA-MM ou AAAA). / Deadline.",
            "2026",
            value="temporal",
        ),
        Column(
            "label_fr",
            "string",
            "Libellé",
            "Libellé en français. / Label in French.",
            "10 postes de police nationale supplémentaires",
        ),
        Column(
            "label_en",
            "string",
            "Libellé (anglais)",
            "Libellé en anglais. / Label in English.",
            "10 additional national police posts",
        ),
        _sources(_CHAMBERY_SOURCE),
    ),
    primary_key=("iri",),
    foreign_keys=(("contract", "contracts", "contract"), ("commitment", "commitments", "iri")),
)

SOURCES = Table(
    name="sources",
    title="Sources",
    title_en="Sources",
    description_fr="Une source publique par ligne : son éditeur, sa date, sa fiabilité, la date de lecture et les contrats qu'elle documente.",
    description_en="One public source per row: publisher, date, reliability, date read and the contracts it documents.",
    query="internal/tables/sources",
    columns=(
        _iri("Adresse", "Adresse web de la source. / Web address of the source.", _CHAMBERY_SOURCE),
        Column(
            "label_fr",
            "string",
            "Titre",
            "Titre court en français. / Short title in French.",
            "Ville de Chambéry : annonce de la signature du premier CSI",
        ),
        Column(
            "label_en",
            "string",
            "Titre (anglais)",
            "Titre court en anglais. / Short title in English.",
            "City of Chambéry: announcement of the first CSI's signature",
        ),
        Column(
            "publisher",
            "string",
            "Éditeur",
            "Qui publie la source. / Who publishes the source.",
            "Ville de Chambéry",
        ),
        Column(
            "issued",
            "string",
            "Date de publication",
            "Date de publication, si connue, à la précision que donne la source (AAAA-MM-JJ, AAAA-MM ou AAAA). "
            "/ Publication date, if known, to the precision the source gives.",
            "2021-09-23",
            value="temporal",
        ),
        Column(
            "reliability",
            "string",
            "Fiabilité",
            "Code de la fiabilité (thésaurus reliability : a officiel, b presse, c agrégateur...). / Reliability grade code.",
            "a",
            required=True,
            value="code",
            scheme=RELIABILITY_NS,
        ),
        Column(
            "reliability_label_fr",
            "string",
            "Fiabilité (libellé)",
            "Fiabilité, en français. / Reliability, in French.",
            "A : officielle",
        ),
        Column(
            "read_on",
            "date",
            "Lu le",
            "Date à laquelle le fait a été lu. / Date the source was read.",
            "2026-11-30",
            required=True,
        ),
        Column(
            "contracts",
            "string",
            "Contrats",
            "Identifiants des contrats que la source documente, séparés par une espace. / Contracts the source documents.",
            "chambery-2021",
            value="codes",
        ),
    ),
    primary_key=("iri",),
)

REGISTER = Table(
    name="register",
    title="Registre des contrats de sécurité intégrée",
    title_en="Register of integrated security contracts",
    description_fr="Un contrat par ligne, tel que la requête queries/register.rq le donne : état, date à la précision de la source, rang, degré de complétude de la fiche (listé, signataires, engagements, suivi) et nombre de sources.",
    description_en="One contract per row, as queries/register.rq gives it: state, date at the source's precision, rank, how complete the record is (listed, signatories, commitments, follow-up) and number of sources.",
    query="register",
    columns=(
        Column(
            "contract",
            "string",
            "Identifiant",
            "Identifiant du contrat, comme dans contracts.csv. / Identifier of the contract, as in contracts.csv.",
            "chambery-2021",
            required=True,
            unique=True,
            variable="identifier",
        ),
        Column(
            "territory_names",
            "string",
            "Territoires",
            "Noms des territoires, séparés par « ; ». / Names of the territories, separated by « ; ».",
            "Chambéry",
            variable="territories",
        ),
        Column(
            "territory_codes",
            "string",
            "Codes INSEE",
            "Codes officiels géographiques des territoires, séparés par « ; ». / INSEE codes, separated by « ; ».",
            "73065",
            variable="codes",
        ),
        Column(
            "state",
            "string",
            "État",
            "État actuel du contrat, libellé anglais du thésaurus contract-status. / Current state (English label).",
            "Signed",
            required=True,
        ),
        Column(
            "date",
            "string",
            "Date",
            "Pour un contrat signé, sa plus ancienne date de signature, sinon la date du dernier état daté, "
            "à la précision de la source (AAAA-MM-JJ, AAAA-MM ou AAAA) ; vide si inconnue. / For a signed "
            "contract its earliest signature date, else the date of its latest dated state, at the source's "
            "precision; empty when unknown.",
            "2021-09-22",
            value="temporal",
        ),
        Column(
            "date_of",
            "string",
            "Date de l'état",
            "L'état dont la date est celle-ci (libellé anglais). / The state that date is of (English label).",
            "Signed",
            variable="dateOf",
        ),
        Column(
            "date_precision",
            "string",
            "Précision de la date",
            "day, month ou year, comme la source la donne ; vide si la date est inconnue. / day, month or year.",
            "day",
            pattern="^(day|month|year)$",
            variable="precision",
        ),
        Column(
            "rank",
            "integer",
            "Rang",
            "Rang que lui donne une source (« le 72e CSI »). / Rank a source gives it (“the 72nd CSI”).",
            "72",
        ),
        Column(
            "completeness",
            "string",
            "Complétude",
            "Ce que les données en savent, du moins au plus : listed, signatories, commitments, follow-up. / "
            "How complete the record is, from the least to the most.",
            "follow-up",
            required=True,
            pattern="^(listed|signatories|commitments|follow-up)$",
        ),
        Column(
            "sources",
            "integer",
            "Sources",
            "Nombre de sources citées par la fiche. / Number of sources the record cites.",
            "7",
            required=True,
        ),
    ),
    primary_key=("contract",),
    foreign_keys=(("contract", "contracts", "contract"),),
)

TABLES: tuple[Table, ...] = (
    CONTRACTS,
    PARTIES,
    SIGNATORIES,
    COMMITMENTS,
    THEMES,
    REALISATIONS,
    QUANTITIES,
    SOURCES,
    REGISTER,
)


# Building the rows -----------------------------------------------------------------------


@dataclass
class TableData:
    """The rows of one table, as the CSV cells (strings)."""

    table: Table
    rows: list[dict[str, str]] = field(default_factory=list)

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.table.column_names, lineterminator="\r\n")
        writer.writeheader()
        texts = [column.name for column in self.table.columns if column.value in _TEXT_VALUES]
        writer.writerows(
            {**row, **{name: spreadsheet_safe(row[name]) for name in texts}} for row in self.rows
        )
        return out.getvalue()


# A text cell a spreadsheet would run as a formula (=HYPERLINK(...), +1+1, @SUM...) gets a leading
# apostrophe, the spreadsheets' own mark for "this is text" (OWASP's advice on CSV injection);
# read_back takes it off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_VALUES = ("fr", "en", "string")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _from_spreadsheet(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def build_tables(dataset: Dataset) -> dict[str, TableData]:
    """Every table's rows, from SPARQL queries over ``dataset``."""
    tables = {table.name: TableData(table, _rows(dataset, table)) for table in TABLES}
    _add_latest_status(tables["commitments"].rows, tables["realisations"].rows)
    return tables


def _rows(dataset: Dataset, table: Table) -> list[dict[str, str]]:
    result = dataset.query(table.query)
    rows = []
    for values in result.rows:
        raw = dict(zip(result.variables, values, strict=True))
        rows.append({column.name: _cell(column, raw.get(column.source)) for column in table.columns})
    return sorted(rows, key=lambda row: tuple(row[key] for key in table.primary_key))


def _cell(column: Column, term: Any) -> str:
    if term is None:
        return ""
    text = term.value
    if column.value in ("codes", "iris"):
        values = sorted(set(text.split()))
        return " ".join(_code(v, column.scheme) for v in values)
    if column.value == "code":
        return _code(text, column.scheme)
    if column.name == "territory_names":
        return MULTI_TEXT.join(sorted(set(text.split(MULTI_TEXT))))
    return text


def _code(iri: str, scheme: str | None) -> str:
    """A concept's code when it is in ``scheme``; its full IRI otherwise (nothing is lost)."""
    if scheme and iri.startswith(scheme) and "/" not in iri[len(scheme) :]:
        return iri[len(scheme) :]
    return iri


def _add_latest_status(commitments: list[dict[str, str]], realisations: list[dict[str, str]]) -> None:
    """Each commitment's most recent status record (ISO dates of any precision sort as text)."""
    latest: dict[str, dict[str, str]] = {}
    for record in realisations:
        current = latest.get(record["commitment"])
        if current is None or (record["date"], record["iri"]) > (current["date"], current["iri"]):
            latest[record["commitment"]] = record
    for row in commitments:
        record = latest.get(row["iri"])
        row["latest_status"] = record["status"] if record else ""
        row["latest_status_date"] = record["date"] if record else ""


# Table Schemas ------------------------------------------------------------------------


def table_schema(
    table: Table, *, base_url: str, publisher: str, created: str, modified: str, foreign_keys: bool = False
) -> dict[str, Any]:
    """The Table Schema of ``table``, with the root keys schema.data.gouv.fr asks for.

    ``foreign_keys`` adds the links to the other tables; they only make sense inside the
    Data Package (``datapackage.json``), since a lone CSV cannot check them.
    """
    schema: dict[str, Any] = {
        "$schema": "https://specs.frictionlessdata.io/schemas/table-schema.json",
        "name": f"csi-graph-{table.name}",
        "title": table.title,
        "description": table.description,
        "keywords": ["contrat de sécurité intégrée", "sécurité", "prévention de la délinquance", "csi-graph"],
        "countryCode": "FR",
        "homepage": "https://w3id.org/csi-graph",
        "path": base_url + table.schema_file,
        "licenses": [LICENCE_DESCRIPTOR],
        "resources": [
            {"title": f"{table.title} (CSV)", "name": f"{table.name}-csv", "path": base_url + table.file}
        ],
        "sources": [
            {
                "title": "Circulaire n°6258/SG du 16 avril 2021 relative aux contrats de sécurité intégrée",
                "path": "https://securibase.com/securibase/public/fiche/28508/32686",
            }
        ],
        "created": created,
        "lastModified": modified,
        "version": __version__,
        "contributors": [
            {"title": publisher, "role": "author"},
            {"title": "csi-graph contributors", "role": "contributor"},
        ],
        "fields": [column.schema() for column in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if foreign_keys and table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": column, "reference": {"resource": target, "fields": target_column}}
            for column, target, target_column in table.foreign_keys
        ]
    return schema


# Back to RDF --------------------------------------------------------------------------

_PRECISION = {4: "gYear", 7: "gYearMonth", 10: "date"}


def temporal_literal(text: str) -> Literal:
    """A date of the precision written: ``2026`` (xsd:gYear), ``2026-02`` (gYearMonth), ``2026-02-11`` (date)."""
    if not re.fullmatch(TEMPORAL_PATTERN, text):
        raise CsiError(f"not a date, year-month or year: {text!r} (write YYYY-MM-DD, YYYY-MM or YYYY)")
    return Literal(text, datatype=URIRef(XSD + _PRECISION[len(text)]))


def read_back(folder: str | Path, tables: Iterable[Table] = (COMMITMENTS, PARTIES, SIGNATORIES)) -> Graph:
    """The RDF that the CSV files of ``tables`` in ``folder`` stand for.

    For the commitments, parties and signatories, every statement whose subject is one
    of them is rebuilt (its type, and each column that has a ``predicate``); the other
    columns (labels of linked resources, counts, latest status) are conveniences
    computed from other resources and are not read back.
    """
    graph = Graph()
    for table in tables:
        if table.rdf_class is None:
            raise ValueError(f"table {table.name} does not read back into RDF")
        path = Path(folder) / table.file
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            raise InputError(str(path), f"cannot read the table: {error.strerror or error}") from None
        for row in rows:
            subject = URIRef(row["iri"])
            graph.add((subject, RDF.type, URIRef(table.rdf_class)))
            for column in table.columns:
                if column.predicate and row.get(column.name):
                    for obj in _objects(column, row[column.name]):
                        graph.add((subject, URIRef(column.predicate), obj))
    return graph


def _objects(column: Column, cell: str) -> list[Node]:
    kind = column.value
    if kind in ("iri", "iris"):
        return [URIRef(v) for v in cell.split()]
    if kind in ("code", "codes"):
        return [URIRef(v if ":" in v else (column.scheme or "") + v) for v in cell.split()]
    if kind in _TEXT_VALUES:
        cell = _from_spreadsheet(cell)
    if kind in ("fr", "en"):
        return [Literal(cell, lang=kind)]
    if kind == "integer":
        return [Literal(cell, datatype=URIRef(XSD + "integer"))]
    if kind == "boolean":
        return [Literal(cell, datatype=URIRef(XSD + "boolean"))]
    if kind == "temporal":
        return [temporal_literal(cell)]
    return [Literal(cell)]
