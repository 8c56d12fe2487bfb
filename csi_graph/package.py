"""``csi-graph package``: a complete open-data package, ready to upload or to be harvested.

The package is built in a temporary folder next to the target and moved into place only
when every file is written and the catalogue conforms to DCAT-AP: a failure, Ctrl-C or a
kill leaves the previous package exactly as it was (files inside the temporary folder
need no atomic writes of their own: the folder as a whole is the unit that appears).
A non-empty folder that is not a previous package is never replaced without ``force``.

Layout::

    README.md            what the data is, each table's columns, licence, sources (fr + en)
    catalog.ttl, catalog.jsonld   the DCAT-AP 3.0.1 catalogue record (what portals harvest)
    csi-graph.ttl, .nt, .jsonld   all the data; ontology.ttl the vocabulary and SKOS schemes
    context.jsonld       the JSON-LD context, to reuse
    contracts/<id>.ttl, .nt, .jsonld   one contract and everything it refers to
    tables/<name>.csv, tables/<name>.schema.json   CSV tables and their Table Schemas
    datapackage.json     the tables as a Frictionless Data Package (with foreign keys)
    manifest.json, SHA256SUMS     every file with its size and SHA-256 checksum
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from csi_graph import __version__
from csi_graph.catalog import (
    CATALOG_PREFIXES,
    ONTOLOGY,
    ContractInfo,
    PackageFile,
    PublishSettings,
    build_catalog,
    catalog_context,
    check_catalog,
    contract_infos,
)
from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.export import FORMATS, Selection, canonical, graph_quads, serialize
from csi_graph.files import build_folder, install_folder, refuse_to_replace, remove_stale_builds, write_error
from csi_graph.jsonld import compact, context_document, dumps
from csi_graph.namespaces import PREFIXES
from csi_graph.queries import contracts as contract_index
from csi_graph.readme import package_readme
from csi_graph.tables import LICENCE_DESCRIPTOR, TABLES, Table, TableData, build_tables, table_schema
from csi_graph.terms import rdflib_to_ox

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
GENERATOR = "csi-graph"
DATA_FORMATS = ("turtle", "nt", "jsonld")

Progress = Callable[[int, int, str], None]


class InvalidDataError(CsiError):
    """The data does not conform to the SHACL shapes: it is not packaged."""

    exit_code = 1


class CatalogError(CsiError):
    """The catalogue record does not conform to DCAT-AP (a bug: nothing is written)."""

    exit_code = 1


@dataclass(frozen=True)
class PackageReport:
    """What was written: the folder, its files, the contracts, the catalogue check."""

    path: Path
    files: list[PackageFile]
    contracts: list[str]
    catalog_triples: int
    seconds: float

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    def summary(self) -> str:
        return (
            f"Wrote {self.path}: {len(self.files)} files, {self.size:,} bytes, {len(self.contracts)} "
            f"contract{'s' * (len(self.contracts) != 1)} ({', '.join(self.contracts) or 'none'}); "
            f"catalogue conforms to DCAT-AP 3.0.1 ({self.catalog_triples} triples); {self.seconds:.1f} s"
        )


def build_package(
    dataset: Dataset,
    outdir: str | Path,
    settings: PublishSettings | None = None,
    *,
    force: bool = False,
    validate_data: bool = True,
    progress: Progress | None = None,
) -> PackageReport:
    """Write the open-data package of ``dataset`` to ``outdir``, replacing a previous package.

    ``validate_data`` refuses data with SHACL violations (warnings are allowed: they are
    the publisher's call), so that nothing invalid is published by mistake.
    """
    started = time.monotonic()
    settings = (settings or PublishSettings()).checked()
    target = Path(outdir)
    remove_stale_builds(target)
    previous = check_target(target, dataset, force=force)
    if settings.issued is None and previous is not None and previous.get("issued"):
        settings = _with_previous_issue(settings, previous["issued"])
    building = build_folder(target)
    try:
        writer = _Writer(dataset, building, settings, progress, validate_data)
        files, contracts, triples = writer.write_all()
        install_folder(building, target)
    except OSError as error:  # a full or read-only disk...: the previous package is untouched
        shutil.rmtree(building, ignore_errors=True)
        raise write_error(target, error) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return PackageReport(target, files, contracts, triples, time.monotonic() - started)


def _check_data(dataset: Dataset) -> None:
    from csi_graph.validation import validate

    report = validate(dataset, allow_warnings=True)
    if not report.valid:
        raise InvalidDataError(
            f"the data does not conform; nothing was written (fix it, or pass --no-validate):\n"
            f"{report.to_text()}"
        )


def read_manifest(folder: Path) -> dict | None:
    """The manifest of a previous csi-graph package in ``folder``, or ``None``."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("generator") == GENERATOR else None


def check_target(target: Path, dataset: Dataset, *, force: bool) -> dict | None:
    """Refuse a target that is a file, holds the input, or is a non-empty folder of something else.

    Returns the previous package's manifest, if the target is one.
    """
    if target.exists() and not target.is_dir():
        raise CsiError(f"{target} is a file; give the folder to write the package to")
    resolved = target.resolve()
    if Path.cwd().resolve().is_relative_to(resolved):
        raise CsiError(
            f"{target} is the current folder or contains it; give a sub-folder to write the package to"
        )
    for info in dataset.graphs:
        if info.path is not None and info.path.resolve().is_relative_to(resolved):
            raise CsiError(f"{target} contains the input file {info.display}; write the package elsewhere")
    if not target.exists() or not any(target.iterdir()):
        return None
    previous = read_manifest(target)
    if previous is None and not force:
        raise CsiError(
            f"{target} is not empty and is not a csi-graph package (no {MANIFEST}); "
            "choose a new or empty folder, or add --force to replace its contents"
        )
    if previous is None:
        refuse_to_replace(target)
    return previous


def _with_previous_issue(settings: PublishSettings, issued: str) -> PublishSettings:
    """Keep the first publication date of the package being replaced."""
    try:
        day = datetime.date.fromisoformat(issued)
    except ValueError:
        return settings
    return replace(settings, issued=day) if day <= settings.date else settings


class _Writer:
    """Writes every file of a package into a (temporary) folder, reporting progress."""

    def __init__(
        self,
        dataset: Dataset,
        folder: Path,
        settings: PublishSettings,
        progress: Progress | None,
        validate_data: bool,
    ) -> None:
        self.dataset = dataset
        self.folder = folder
        self.settings = settings
        self.progress = progress
        self.validate_data = validate_data
        self.files: list[PackageFile] = []
        self.done = 0
        self.total = 0

    def step(self, label: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, label)

    def write(
        self,
        path: str,
        content: bytes,
        media_type: str,
        titles: tuple[str, str],
        descriptions: tuple[str, str] = ("", ""),
        *,
        dataset: str | None = None,
        distribution: bool = False,
        conforms: tuple[str, str] | None = None,
    ) -> None:
        """Write one file and remember what the catalogue and the manifest say of it."""
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.files.append(
            PackageFile(
                path,
                media_type,
                *titles,
                dataset=dataset,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                conforms_to=conforms[0] if conforms else None,
                conforms_title=conforms[1] if conforms else None,
                distribution=distribution,
                description_fr=descriptions[0],
                description_en=descriptions[1],
            )
        )

    def write_all(self) -> tuple[list[PackageFile], list[str], int]:
        count = sum(1 for key, iri in contract_index(self.dataset).items() if key != iri)  # identifiers
        self.total = 6 + self.validate_data + len(TABLES) + len(DATA_FORMATS) * (1 + count)
        if self.validate_data:
            self.step("validating the data (SHACL)")
            _check_data(self.dataset)
        self.step("reading the tables")
        tables = build_tables(self.dataset)
        contracts = contract_infos(self.dataset, tables)
        for table in TABLES:
            self.step(f"writing {table.file}")
            self._table(table, tables[table.name])
        self.write("datapackage.json", self._datapackage(), "application/json", DATAPACKAGE_TITLES)
        self._data_files(contracts)
        self.step("writing README.md")
        readme = package_readme(contracts, tables, self.files, self.settings)
        self.write("README.md", readme.encode("utf-8"), "text/markdown", ("Lisez-moi", "Read me"))
        self.step("checking the catalogue against DCAT-AP 3.0.1")
        catalog = build_catalog(contracts, self.files, self.settings)
        check = check_catalog(catalog)
        if not check.conforms:
            raise CatalogError(
                f"the catalogue record does not conform to DCAT-AP 3.0.1; nothing was written:\n{check.text}"
            )
        self.step("writing catalog.ttl and catalog.jsonld")
        quads = [ox.Quad(rdflib_to_ox(s), rdflib_to_ox(p), rdflib_to_ox(o)) for s, p, o in catalog]
        turtle = serialize(quads, "turtle", {**PREFIXES, **CATALOG_PREFIXES})
        self.write("catalog.ttl", turtle, "text/turtle", CATALOG_TITLES)
        self.write(
            "catalog.jsonld",
            dumps(compact(canonical(quads), catalog_context())),
            "application/ld+json",
            CATALOG_TITLES,
        )
        self.step(f"writing {MANIFEST} and {CHECKSUMS}")
        identifiers = [c.identifier for c in contracts]
        self._manifests(identifiers)
        return self.files, identifiers, len(catalog)

    def _table(self, table: Table, data: TableData) -> None:
        schema = table_schema(table, **self._schema_settings())
        self.write(
            table.schema_file,
            _json(schema),
            "application/json",
            (f"Table Schema : {table.title}", f"Table Schema: {table.title_en}"),
        )
        self.write(
            table.file,
            data.to_csv().encode("utf-8"),
            "text/csv",
            (f"Table : {table.title} (CSV)", f"Table: {table.title_en} (CSV)"),
            (table.description_fr, table.description_en),
            distribution=True,
            conforms=(self.settings.base_url + table.schema_file, f"Table Schema : {table.title}"),
        )

    def _schema_settings(self) -> dict[str, str]:
        s = self.settings
        return {
            "base_url": s.base_url,
            "publisher": s.publisher_name,
            "created": s.first_issued.isoformat(),
            "modified": s.date.isoformat(),
        }

    def _datapackage(self) -> bytes:
        """The tables as a Frictionless Data Package, whose schemas add the foreign keys."""
        package = {
            "name": "csi-graph",
            "title": self.settings.title_fr,
            "description": self.settings.title_en,
            "licenses": [LICENCE_DESCRIPTOR],
            "resources": [
                {
                    "name": table.name,
                    "title": table.title,
                    "path": table.file,
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": table_schema(table, **self._schema_settings(), foreign_keys=True),
                }
                for table in TABLES
            ],
        }
        return _json(package)

    def _data_files(self, contracts: list[ContractInfo]) -> None:
        selection = Selection(self.dataset)
        ontology = (str(ONTOLOGY), "Ontologie des contrats de sécurité intégrée")
        for fmt in DATA_FORMATS:
            path = "csi-graph" + FORMATS[fmt].extension
            self.step(f"writing {path}")
            name = FORMATS[fmt].title
            self.write(
                path,
                serialize(selection.quads, fmt),
                FORMATS[fmt].media_type,
                (f"Toutes les données ({name})", f"All the data ({name})"),
                _data_descriptions("all", fmt),
                distribution=True,
                conforms=ontology,
            )
        self.step("writing ontology.ttl and context.jsonld")
        self.write(
            "ontology.ttl",
            serialize(graph_quads(self.dataset, {"ontology"}), "turtle"),
            "text/turtle",
            ("Vocabulaire et thésaurus (Turtle)", "Vocabulary and SKOS schemes (Turtle)"),
            _data_descriptions("ontology", "turtle"),
            distribution=True,
        )
        self.write(
            "context.jsonld",
            context_document().encode("utf-8"),
            "application/ld+json",
            ("Contexte JSON-LD", "JSON-LD context"),
        )
        for contract in contracts:
            for fmt in DATA_FORMATS:
                path = f"contracts/{_file_name(contract.identifier)}{FORMATS[fmt].extension}"
                self.step(f"writing {path}")
                name = FORMATS[fmt].title
                self.write(
                    path,
                    serialize(selection.contract(contract.identifier), fmt),
                    FORMATS[fmt].media_type,
                    (f"{contract.title_fr} ({name})", f"{contract.title_en} ({name})"),
                    _data_descriptions("contract", fmt),
                    dataset=contract.identifier,
                    distribution=True,
                    conforms=ontology,
                )

    def _manifests(self, contracts: list[str]) -> None:
        s = self.settings
        files = sorted(self.files, key=lambda f: f.path)
        manifest = {
            "generator": GENERATOR,
            "version": __version__,
            "date": s.date.isoformat(),
            "issued": s.first_issued.isoformat(),
            "base_url": s.base_url,
            "contracts": contracts,
            "files": [
                {
                    "path": f.path,
                    "bytes": f.size,
                    "sha256": f.sha256,
                    "media_type": f.media_type,
                    "title": {"fr": f.title_fr, "en": f.title_en},
                }
                for f in files
            ],
        }
        self.write(
            MANIFEST, _json(manifest), "application/json", ("Manifeste des fichiers", "Manifest of the files")
        )
        sums = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(self.files, key=lambda f: f.path))
        self.write(CHECKSUMS, sums.encode("utf-8"), "text/plain", ("Sommes SHA-256", "SHA-256 sums"))


def _json(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


DATAPACKAGE_TITLES = ("Paquet de données Frictionless des tables", "Frictionless Data Package of the tables")
CATALOG_TITLES = ("Catalogue DCAT-AP", "DCAT-AP catalogue")
_CONTENT = {
    "all": (
        "Toutes les données : contrats, parties, signatures, engagements, quantités, suivi, instances, "
        "organisations, postes, territoires et sources",
        "All the data: contracts, parties, signatures, commitments, quantities, follow-up, bodies, "
        "organisations, posts, territories and sources",
    ),
    "contract": (
        "Un contrat et tout ce à quoi il renvoie : parties, signatures, engagements, suivi, sources",
        "One contract and everything it refers to: parties, signatures, commitments, follow-up, sources",
    ),
    "ontology": (
        "L'ontologie csi-graph et ses thésaurus SKOS (thèmes, types d'engagement, statuts...), en français "
        "et en anglais",
        "The csi-graph ontology and its SKOS schemes (themes, commitment types, statuses...), in French and "
        "English",
    ),
}


def _data_descriptions(kind: str, fmt: str) -> tuple[str, str]:
    fr, en = _CONTENT[kind]
    if fmt == "jsonld":
        return (
            f"{fr}, en JSON-LD aux clés lisibles (contexte : context.jsonld).",
            f"{en}, as JSON-LD with readable keys (context: context.jsonld).",
        )
    name = FORMATS[fmt].title
    return f"{fr}, en RDF ({name}).", f"{en}, as RDF ({name})."


def _file_name(identifier: str) -> str:
    """A contract identifier as a file name (identifiers are slugs; anything else is replaced)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", identifier).strip(".-")
    if not name:
        raise CsiError(f"the contract identifier {identifier!r} cannot be used as a file name")
    return name
