"""The README of an open-data package, in French and in English.

It tells a reader who has only the folder what the data is, what each file and each
table column holds, the licence, where the facts come from and how to query them. The
column documentation comes from the same :class:`~csi_graph.tables.Column` descriptions
as the Table Schemas, so the two never disagree.
"""

from __future__ import annotations

from csi_graph import __version__
from csi_graph.catalog import ContractInfo, PackageFile, PublishSettings
from csi_graph.tables import TABLES, TableData

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
MAX_LISTED_SOURCES = 60


def package_readme(
    contracts: list[ContractInfo],
    tables: dict[str, TableData],
    files: list[PackageFile],
    settings: PublishSettings,
) -> str:
    """The README.md of a package holding ``contracts``, ``tables`` and ``files``."""
    parts = [
        f"# {settings.title_fr}\n\n*{settings.title_en}*\n\n",
        f"Publié par / published by **{settings.publisher_name}** — {settings.date.isoformat()} — "
        f"csi-graph {__version__}. Licence : [Licence Ouverte / Open Licence 2.0]({LICENCE_URL}).\n\n",
        _french(contracts, tables, settings),
        _english(contracts, tables, settings),
        _files(files),
        _columns(),
        _sources(tables),
    ]
    return "".join(parts).rstrip("\n") + "\n"


def _contract_lines(contracts: list[ContractInfo], tables: dict[str, TableData], lang: str) -> str:
    counts = {row["contract"]: row["commitments"] for row in tables["contracts"].rows}
    lines = []
    for c in contracts:
        title = c.title_fr if lang == "fr" else c.title_en
        places = ", ".join(f"{name} ({code})" if code else name for _, code, name in c.territories if name)
        period = " – ".join(str(d) for d in (c.start, c.end) if d is not None)
        n = counts.get(c.identifier, "0")  # empty: the sources say the commitments are not known
        if n:
            what = f"{n} engagements" if lang == "fr" else f"{n} commitments"
        else:
            what = "engagements inconnus" if lang == "fr" else "commitments not known"
        lines.append(
            f"- `{c.identifier}` — {title}" + "".join(f" — {x}" for x in (places, period, what) if x)
        )
    return (
        "\n".join(lines) + "\n\n" if lines else ("Aucun contrat.\n\n" if lang == "fr" else "No contract.\n\n")
    )


def _french(contracts, tables, settings) -> str:
    return f"""## En français

Ce jeu de données décrit des **contrats de sécurité intégrée** (CSI) : des contrats par lesquels
l'État (le préfet), le parquet (le procureur de la République) et une commune (le maire) prennent
des engagements réciproques pour la sécurité publique, dans le cadre de la circulaire n°6258/SG du
16 avril 2021. Pour chaque contrat : ses parties, ses signataires et leur poste, chaque engagement
(avec son libellé exact ou, quand aucune source n'en donne le texte, une reformulation, ses thèmes, ses quantités cibles, les instances qu'il crée ou maintient),
le suivi daté de sa réalisation, et les **sources** publiques de chaque fait, avec leur fiabilité
et la date à laquelle elles ont été lues. Un fait qu'aucune source ne donne est laissé de côté.
Les thèmes et types d'engagement sont une classification éditoriale du projet csi-graph.

Contrats ({len(contracts)}) :

{_contract_lines(contracts, tables, "fr")}Les mêmes données existent sous plusieurs formes (voir « Fichiers ») : des graphes RDF (Turtle,
N-Triples, JSON-LD lisible sans connaître RDF, avec le contexte `context.jsonld`), des tables CSV
documentées par un Table Schema chacune (`tables/*.schema.json`, validables avec
`frictionless validate --schema tables/commitments.schema.json tables/commitments.csv`), et un
fichier par contrat dans `contracts/`. `catalog.ttl` et `catalog.jsonld` sont la fiche DCAT-AP 3.0.1
du jeu de données, que data.gouv.fr et les autres portails moissonnent. `SHA256SUMS` permet de
vérifier les fichiers : `sha256sum -c SHA256SUMS`.

**Licence.** Licence Ouverte / Open Licence version 2.0 (Etalab, `etalab-2.0`) : {LICENCE_URL}.
Réutilisation libre, y compris commerciale, à condition de mentionner la source (« csi-graph,
{settings.publisher_name} ») et la date de mise à jour ({settings.date.isoformat()}).

**Interroger les données.** Les tables s'ouvrent dans un tableur (UTF-8, séparateur virgule).
En SPARQL, avec csi-graph (`pip install csi-graph`) :

```python
from csi_graph import load

ds = load(["csi-graph.ttl"], contracts=False)
for row in ds.query(\"\"\"
    PREFIX csi: <https://w3id.org/csi-graph/ontology#>
    PREFIX dct: <http://purl.org/dc/terms/>
    SELECT ?contract ?commitment ?text WHERE {{
        ?c a csi:Commitment ; csi:inContract/dct:identifier ?contract ;
           dct:identifier ?commitment ; csi:wording|csi:paraphrase ?text }}
    ORDER BY ?contract ?commitment\"\"\"):
    print(row["contract"], row["commitment"], row["text"])
```

ou avec n'importe quel outil RDF (rdflib, Apache Jena, Oxigraph, GraphDB...) qui charge
`csi-graph.ttl`. L'ontologie (`ontology.ttl`) donne les libellés et définitions en français et en
anglais de chaque classe, propriété et thème.

"""


def _english(contracts, tables, settings) -> str:
    return f"""## In English

This dataset describes French **integrated security contracts** (*contrats de sécurité intégrée*,
CSI): contracts in which the State (the prefect), the public prosecutor and a city (the mayor) take
reciprocal commitments on public safety, under circular no. 6258/SG of 16 April 2021. For each
contract: its parties, its signatories and their posts, every commitment (its exact French wording or,
when no source gives its text, a paraphrase, themes, target quantities, the bodies it creates or keeps), the dated follow-up of its
realisation, and the public **sources** of each fact, with their reliability and the date they were
read. A fact no source gives is left out. Themes and commitment types are the csi-graph project's
editorial classification.

Contracts ({len(contracts)}):

{_contract_lines(contracts, tables, "en")}The same data comes in several forms (see "Files"): RDF graphs (Turtle, N-Triples, and JSON-LD
readable without knowing RDF, with its context `context.jsonld`), CSV tables each documented by a
Table Schema (`tables/*.schema.json`, checkable with `frictionless validate`), and one file per
contract in `contracts/`. `catalog.ttl` and `catalog.jsonld` are the dataset's DCAT-AP 3.0.1 record,
which data.gouv.fr and other portals harvest. Check the files with `sha256sum -c SHA256SUMS`.

**Licence.** Licence Ouverte / Open Licence version 2.0 (Etalab, `etalab-2.0`): {LICENCE_URL}.
Free reuse, commercial included, provided the source ("csi-graph, {settings.publisher_name}") and
the date of the last update ({settings.date.isoformat()}) are mentioned.

**Querying.** The tables open in any spreadsheet (UTF-8, comma-separated). For SPARQL, load
`csi-graph.ttl` with csi-graph (the Python example above) or any RDF tool. `ontology.ttl` gives the
French and English labels and definitions of every class, property and theme.

"""


def _files(files: list[PackageFile]) -> str:
    lines = [
        "## Fichiers / Files\n\n",
        "| fichier / file | contenu / content | octets / bytes |\n|---|---|---:|\n",
    ]
    for f in sorted(files, key=lambda f: f.path):
        lines.append(f"| `{f.path}` | {f.title_fr} / {f.title_en} | {f.size:,} |\n".replace(",", "\u202f"))
    lines.append(
        "| `README.md`, `catalog.ttl`, `catalog.jsonld`, `manifest.json`, `SHA256SUMS` | "
        "ce fichier, la fiche DCAT-AP, le manifeste et les sommes de contrôle / this file, the "
        "DCAT-AP record, the manifest and the checksums | |\n\n"
    )
    return "".join(lines)


def _columns() -> str:
    out = [
        "## Colonnes des tables / Table columns\n\n",
        "Plusieurs valeurs dans une cellule sont séparées par une espace (adresses, codes) ; les dates "
        "gardent la précision de la source (`2021-09-22`, `2026-02` ou `2026`) ; les concepts des "
        "thésaurus de csi-graph sont donnés par leur code, dernier segment de leur IRI "
        "(`video-protection` = `https://w3id.org/csi-graph/theme/video-protection`). / Several values in a "
        "cell are separated by a space; dates keep the source's precision; concepts are given by their "
        "code, the last segment of their IRI.\n\n",
    ]
    for table in TABLES:
        out.append(f"### `{table.file}` — {table.title}\n\n{table.description}\n\n")
        out.append("| colonne / column | type | description |\n|---|---|---|\n")
        for column in table.columns:
            required = " (obligatoire / required)" if column.required else ""
            out.append(
                f"| `{column.name}` | {column.type} | {column.title}{required} : {column.description} |\n"
            )
        out.append("\n")
    return "".join(out)


def _sources(tables: dict[str, TableData]) -> str:
    rows = tables["sources"].rows
    head = (
        "## Sources\n\n"
        f"{len(rows)} sources publiques, chacune avec sa fiabilité (A officielle … C/D non confirmée) et la "
        f"date de lecture, sont dans `tables/sources.csv`. / {len(rows)} public sources, each with its "
        "reliability grade and the date it was read, are in `tables/sources.csv`.\n\n"
    )
    if len(rows) > MAX_LISTED_SOURCES:
        return head
    lines = [
        f"- {row['label_fr'] or row['iri']} ({row['publisher'] or '?'}, fiabilité / reliability "
        f"{row['reliability'].upper()}) — <{row['iri']}>\n"
        for row in rows
    ]
    return head + "".join(lines) + "\n"
