"""Official territory codes, SIREN and populations, from a pinned Etalab package.

``data/reference/territories.ttl`` describes every commune, intercommunality (EPCI) and
département the data names: INSEE code (Code officiel géographique), SIREN, population with
its year, and each commune's département. Nothing in it is typed by hand: ``csi-graph
territories --package FILE.tgz`` reads the pinned version of Etalab's npm package
``@etalab/decoupage-administratif`` (INSEE's COG and legal populations, DGCL's EPCI list)
and finds each territory by the name the authoring files and contracts give it, so that
codes come from the official list and names from the sources.

The same resolution serves the YAML compiler: a territory ``kind: commune, name: {fr:
Toulouse}`` becomes ``<territory/commune/31555>``, the IRI of the official record.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import tarfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV

from csi_graph.errors import CsiError, InputError
from csi_graph.namespaces import CSI, DATA_BASE, PREFIXES

# The pinned package. Its data are INSEE's Code officiel géographique 2026 and, for the
# communes, INSEE's legal populations of reference year 2023 ("population municipale",
# in force from 1 January 2026): the package's README cites INSEE page 8680726 and its
# commit "Update pop 2023" (datagouv/decoupage-administratif f50febe, 2026-01-19) loaded them.
PIN = {
    "package": "@etalab/decoupage-administratif",
    "version": "6.0.0",
    "integrity": "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ==",
    "tarball": "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz",
    "population_year": "2023",
    "read_on": "2026-12-02",
}
COG = "https://www.insee.fr/fr/information/2560452"
POPULATIONS = "https://www.insee.fr/fr/statistiques/8680726"
LICENCE_DATA = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
KINDS = ("commune", "intercommunality", "departement")
CLASSES = {"commune": "Commune", "intercommunality": "Intercommunality", "departement": "Departement"}
SCHEMA = PREFIXES["schema"]
IGEO = PREFIXES["igeo"]


def C(name: str) -> URIRef:
    return URIRef(CSI + name)


@dataclass(frozen=True)
class Official:
    """One official territory: its IRI, names, codes and population."""

    kind: str
    iri: str
    name: str
    departement: str | None = None  # the département's name, for a commune
    departement_code: str | None = None
    code: str | None = None  # INSEE code (communes, départements)
    siren: str | None = None
    population: int | None = None


@dataclass
class Index:
    """Official territories by kind and normalised name."""

    by_name: dict[tuple[str, str], list[Official]] = field(default_factory=dict)

    def add(self, official: Official) -> None:
        found = self.by_name.setdefault((official.kind, normalise(official.name)), [])
        if all(o.iri != official.iri for o in found):
            found.append(official)

    def names(self, kind: str) -> list[str]:
        return sorted({o.name for (k, _), found in self.by_name.items() if k == kind for o in found})


def normalise(name: str) -> str:
    """``Saint-Étienne`` and ``saint etienne`` match: no case, accents, hyphens or apostrophes."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[-'’ ]+", " ", text).split())


def resolve(
    index: Index, kind: str, name: str, departement: str | None = None
) -> tuple[Official | None, str]:
    """The official territory ``name`` stands for, or ``(None, what to do)``."""
    found = index.by_name.get((kind, normalise(name)), [])
    if departement is not None:
        found = [o for o in found if o.departement and normalise(o.departement) == normalise(departement)]
    if len(found) == 1:
        return found[0], ""
    noun = {"commune": "commune", "intercommunality": "intercommunality", "departement": "département"}[kind]
    if not found:
        import difflib

        close = difflib.get_close_matches(name, index.names(kind), n=3, cutoff=0.75)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        where = f" in the département {departement}" if departement else ""
        return None, (
            f"no {noun} named '{name}'{where} among the official territories{hint} "
            f"(a new one is added by csi-graph territories; an intercommunality may need official_name:)"
        )
    choices = ", ".join(f"{o.name} ({o.departement or o.code})" for o in found)
    return (
        None,
        f"several {noun}s are named '{name}': {choices}; add departement: with the département's name",
    )


# ---------------------------------------------------------------------- the package


@dataclass
class Package:
    version: str
    communes: list[dict]
    epci: list[dict]
    departements: list[dict]

    def index(self) -> Index:
        departements = {d["code"]: d["nom"] for d in self.departements}
        population: dict[str, int] = {}
        index = Index()
        for c in self.communes:
            if c.get("type") != "commune-actuelle":
                continue
            dep = c.get("departement")
            if dep and c.get("population") is not None:
                population[dep] = population.get(dep, 0) + c["population"]
            index.add(
                Official(
                    "commune",
                    f"{DATA_BASE}territory/commune/{c['code']}",
                    c["nom"],
                    departements.get(dep),
                    dep,
                    c["code"],
                    c.get("siren"),
                    c.get("population"),
                )
            )
        communes = {c["code"]: c for c in self.communes if c.get("type") == "commune-actuelle"}
        for e in self.epci:
            members = [communes.get(m["code"], {}).get("population") for m in e.get("membres", [])]
            index.add(
                Official(
                    "intercommunality",
                    f"{DATA_BASE}territory/intercommunality/{e['code']}",
                    e["nom"],
                    siren=e["code"],
                    population=sum(members) if members and None not in members else None,
                )
            )
        for d in self.departements:
            index.add(
                Official(
                    "departement",
                    f"{DATA_BASE}territory/departement/{d['code']}",
                    d["nom"],
                    code=d["code"],
                    population=population.get(d["code"]),
                )
            )
        return index


def read_package(path: Path, pin: dict = PIN) -> Package:
    """The pinned package's data, from its npm tarball (``npm pack``) or an unpacked folder."""
    path = Path(path)
    if not path.exists():
        raise InputError(
            str(path), f"no such file: fetch it with `npm pack {pin['package']}@{pin['version']}`"
        )
    files: dict[str, bytes] = {}
    if path.is_dir():
        for name in ("package.json", "data/communes.json", "data/epci.json", "data/departements.json"):
            if (path / name).exists():
                files[name] = (path / name).read_bytes()
    else:
        digest = "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
        if pin.get("integrity") and digest != pin["integrity"]:
            raise InputError(
                str(path),
                f"this is not the pinned {pin['package']}@{pin['version']} (its sha512 differs from the "
                f"npm registry's {pin['integrity'][:20]}...): fetch it again with npm pack",
            )
        try:
            with tarfile.open(path, "r:gz") as archive:
                for member in archive.getmembers():
                    name = member.name.removeprefix("package/")
                    if member.isfile() and name in (
                        "package.json",
                        "data/communes.json",
                        "data/epci.json",
                        "data/departements.json",
                    ):
                        files[name] = archive.extractfile(member).read()
        except (tarfile.TarError, OSError) as error:
            raise InputError(str(path), f"not a readable npm tarball: {error}") from None
    missing = {"package.json", "data/communes.json", "data/epci.json", "data/departements.json"} - set(files)
    if missing:
        raise InputError(str(path), f"not the {pin['package']} package: {', '.join(sorted(missing))} missing")
    meta = json.loads(files["package.json"])
    if (meta.get("name"), meta.get("version")) != (pin["package"], pin["version"]):
        raise InputError(
            str(path),
            f"this is {meta.get('name')}@{meta.get('version')}, not the pinned {pin['package']}@{pin['version']}",
        )
    return Package(
        meta["version"],
        json.loads(files["data/communes.json"]),
        json.loads(files["data/epci.json"]),
        json.loads(files["data/departements.json"]),
    )


# ---------------------------------------------------------------------- what the data names


@dataclass(frozen=True)
class Request:
    """A territory the data names: its kind, the name to look up, a département to tell homonyms apart."""

    kind: str
    name: str
    departement: str | None
    where: str  # file:line, for messages


def requests_from_yaml(paths: list[Path]) -> list[Request]:
    """The communes, intercommunalities and départements the authoring files describe."""
    from csi_graph.authoring.yamlfile import Mapping, Scalar, read_yaml

    found = []
    for path in paths:
        root, _ = read_yaml(Path(path), str(path))
        territories = root.get("territories") if isinstance(root, Mapping) else None
        if not isinstance(territories, Mapping):
            continue
        for _key, (key_node, entry) in territories.entries.items():
            if not isinstance(entry, Mapping):
                continue
            values = {
                k: (v.text.strip() if isinstance(v, Scalar) else v) for k, (_, v) in entry.entries.items()
            }
            if values.get("kind") not in KINDS:
                continue
            name = values.get("official_name")
            if not isinstance(name, str):
                names = values.get("name")
                name = (
                    names.get("fr").text.strip() if isinstance(names, Mapping) and names.get("fr") else names
                )
            departement = values.get("departement") if isinstance(values.get("departement"), str) else None
            if isinstance(name, str):
                found.append(Request(values["kind"], name, departement, f"{path}:{key_node.line}"))
    return found


def requests_from_turtle(paths: list[Path]) -> list[Request]:
    """The official territories that hand-written contract files (not made by build) describe."""
    import pyoxigraph as ox

    from csi_graph.loader import read_quads

    found = []
    query = _internal("hand-written-territories")  # declares its own prefixes
    for path in paths:
        store = ox.Store()  # the file alone: the reference data would answer too
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in read_quads(path, str(path)))
        for kind, name in store.query(query):
            found.append(Request(kind.value, name.value, None, str(path)))
    return found


# ---------------------------------------------------------------------- the reference file


def reference_graph(package: Package, requests: list[Request], pin: dict = PIN) -> Graph:
    """The graph of ``data/reference/territories.ttl`` for these requests (and communes' départements)."""
    index = package.index()
    problems, chosen = [], {}
    for request in requests:
        official, message = resolve(index, request.kind, request.name, request.departement)
        if official is None:
            problems.append(f"{request.where}: {message}")
            continue
        chosen[official.iri] = official
        if official.kind == "commune" and official.departement:
            parent, _ = resolve(index, "departement", official.departement)
            if parent is not None:
                chosen[parent.iri] = parent
    if problems:
        raise CsiError("\n".join(problems))
    graph = Graph()
    source = URIRef(pin["tarball"])
    year = Literal(pin["population_year"], datatype=XSD.gYear)
    for official in sorted(chosen.values(), key=lambda o: o.iri):
        iri = URIRef(official.iri)
        graph.add((iri, RDF.type, C(CLASSES[official.kind])))
        graph.add((iri, RDFS.label, Literal(official.name, lang="fr")))
        if official.code:
            graph.add((iri, URIRef(IGEO + "codeINSEE"), Literal(official.code)))
        if official.siren:
            graph.add((iri, C("siren"), Literal(official.siren)))
        if official.kind == "commune" and official.departement_code:
            parent = URIRef(f"{DATA_BASE}territory/departement/{official.departement_code}")
            graph.add((iri, URIRef(SCHEMA + "containedInPlace"), parent))
        graph.add((iri, PROV.wasDerivedFrom, source))
        if official.population is not None:
            node = URIRef(
                f"{DATA_BASE}population/{official.iri[len(DATA_BASE) + len('territory/') :]}/{pin['population_year']}"
            )
            graph.add((iri, C("population"), node))
            graph.add((node, RDF.type, C("Population")))
            graph.add((node, URIRef(SCHEMA + "value"), Literal(official.population)))
            graph.add((node, DCTERMS.date, year))
            how = (
                "population municipale"
                if official.kind == "commune"
                else "somme des populations municipales de ses communes"
            )
            how_en = (
                "municipal population"
                if official.kind == "commune"
                else "sum of its communes' municipal populations"
            )
            graph.add((node, RDFS.label, Literal(f"{how} {pin['population_year']} (INSEE)", lang="fr")))
            graph.add((node, RDFS.label, Literal(f"{how_en} {pin['population_year']} (INSEE)", lang="en")))
            graph.add((node, PROV.wasDerivedFrom, source))
            graph.add((node, PROV.hadPrimarySource, URIRef(POPULATIONS)))
    graph.add((source, RDF.type, C("Source")))
    graph.add(
        (
            source,
            RDFS.label,
            Literal(
                f"Etalab, {pin['package']} {pin['version']} (registre npm) : découpage administratif",
                lang="fr",
            ),
        )
    )
    graph.add(
        (
            source,
            RDFS.label,
            Literal(
                f"Etalab, {pin['package']} {pin['version']} (npm registry): French administrative divisions",
                lang="en",
            ),
        )
    )
    graph.add((source, C("publisherName"), Literal("Etalab (data.gouv.fr)")))
    graph.add((source, C("reliability"), URIRef(f"{PREFIXES['rel']}a")))
    graph.add((source, C("readOn"), Literal(pin["read_on"], datatype=XSD.date)))
    graph.add((source, OWL.versionInfo, Literal(pin["version"])))
    graph.add((source, DCTERMS.license, URIRef(LICENCE_DATA)))
    graph.add((source, PROV.hadPrimarySource, URIRef(COG)))
    graph.add((source, PROV.hadPrimarySource, URIRef(POPULATIONS)))
    graph.add(
        (
            source,
            RDFS.comment,
            Literal(
                "npm package of Etalab (MIT-licensed code; data under the Licence Ouverte) built from INSEE's "
                f"Code officiel géographique, INSEE's legal populations of reference year {pin['population_year']} "
                "and DGCL's list of EPCI; read with its sha512 integrity checked against the npm registry's.",
                lang="en",
            ),
        )
    )
    return graph


def reference_text(package: Package, requests: list[Request], pin: dict = PIN) -> str:
    from csi_graph.turtle import serialize

    graph = reference_graph(package, requests, pin)
    kinds = [C(CLASSES[k]) for k in KINDS]
    places = [s for k in kinds for s in sorted(graph.subjects(RDF.type, k), key=str)]
    populations = sorted(graph.subjects(RDF.type, C("Population")), key=str)
    header = (
        "Official territories the data names: INSEE code, SIREN, population with its year.\n"
        f"Generated by `csi-graph territories` from {pin['package']} {pin['version']} ({pin['tarball']}),\n"
        "Etalab's package of INSEE's Code officiel géographique (data: Licence Ouverte; code: MIT).\n"
        f"Populations: INSEE population municipale, reference year {pin['population_year']}; an intercommunality's\n"
        "and a département's are the sums of their communes'. Do not edit: run csi-graph territories."
    )
    return serialize(
        graph,
        [
            ("Territories", places),
            ("Populations", populations),
            ("Source", [URIRef(pin["tarball"])]),
        ],
        header,
    )


def default_requests() -> list[Request]:
    """What the shipped data names: the authoring files, and contracts build did not make."""
    from csi_graph.authoring.build import GENERATED
    from csi_graph.resources import data_dir

    yaml_files = sorted((data_dir() / "authoring").glob("*.yaml"))
    hand_written = [
        p
        for p in sorted((data_dir() / "contracts").glob("*.ttl"))
        if GENERATED not in p.read_text(encoding="utf-8").split("\n", 1)[0]
    ]
    return requests_from_yaml(yaml_files) + requests_from_turtle(hand_written)


# ---------------------------------------------------------------------- for the compiler


def official_index(dataset) -> Index:
    """The official territories of the loaded reference data, for the YAML compiler."""
    index = Index()
    for row in dataset.query("internal/official-territories").rows:
        kind, iri, name, departement = row
        index.add(Official(kind.value, iri.value, name.value, departement.value if departement else None))
    return index


def _internal(name: str) -> str:
    from csi_graph.resources import queries_dir

    return (queries_dir() / "internal" / f"{name}.rq").read_text(encoding="utf-8")


__all__ = [
    "PIN",
    "Index",
    "Official",
    "Package",
    "Request",
    "default_requests",
    "normalise",
    "official_index",
    "read_package",
    "reference_graph",
    "reference_text",
    "requests_from_turtle",
    "requests_from_yaml",
    "resolve",
]
