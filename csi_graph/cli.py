"""The ``csi-graph`` command line: a thin layer over the library.

Each command parses its options, calls a library function, formats the result and maps
errors to exit codes. Heavy modules are imported inside the commands so that
``csi-graph --help`` starts fast.
"""

from __future__ import annotations

import signal
import sys

import click

from csi_graph import __version__
from csi_graph.errors import EXIT_USAGE, CsiError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of labels and messages.",
)


class CsiGroup(click.Group):
    """A group that turns library errors into ``Error: ...`` lines and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CsiError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:  # a bug, not the user's fault: say so without a traceback
            if ctx.meta.get("csi_graph.debug"):
                raise
            click.echo(
                f"Error: unexpected {type(error).__name__}: {error} (run with --debug for the traceback)",
                err=True,
            )
            ctx.exit(EXIT_USAGE)


@click.group(cls=CsiGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="csi-graph")
@click.option("--debug", is_flag=True, help="Show a traceback on unexpected errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """csi-graph: the knowledge graph of French integrated security contracts (CSI).

    \b
    Exit codes:
      0  success (for validate: the data conforms)
      1  the data is invalid (SHACL violations) or a check failed
      2  usage or input error (bad option, unreadable file, malformed RDF or SPARQL)
    """
    ctx.meta["csi_graph.debug"] = debug


def _output(text: str, output: str | None) -> None:
    if output:
        from csi_graph.files import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "table", "turtle", "json"]),
    default="text",
    show_default=True,
    help="Report format: one line per result, a table, the SHACL report graph, or JSON.",
)
@click.option(
    "--allow-warnings", is_flag=True, help="Conform even when there are warnings (violations still fail)."
)
@LANG_OPTION
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout."
)
@click.pass_context
def validate(
    ctx: click.Context, paths: tuple[str, ...], fmt: str, allow_warnings: bool, lang: str, output: str | None
) -> None:
    """Validate the shipped data, or the given files, against the SHACL shapes.

    PATHS are Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML files, or folders of
    them; without PATHS the shipped contracts are validated. The ontology, the SKOS
    schemes, the shapes and the national reference data are always loaded.

    \b
    Exit codes: 0 conforms, 1 violations (or warnings without --allow-warnings),
    2 could not run (unreadable or malformed input).

    \b
    Examples:
      csi-graph validate
      csi-graph validate my-city-2022.ttl --lang fr
      csi-graph validate data/ -f json -o report.json
    """
    from csi_graph.loader import load
    from csi_graph.validation import validate as run_validation

    dataset = load(paths, contracts=not paths)
    report = run_validation(dataset, allow_warnings=allow_warnings)
    _output(report.render(fmt, lang), output)
    ctx.exit(0 if report.conforms else 1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
def info(paths: tuple[str, ...], fmt: str, lang: str) -> None:
    """Show what is loaded: contracts, parties, commitments per party, triples per graph.

    PATHS are added to the shipped data.

    \b
    Example:
      csi-graph info --lang fr
    """
    from csi_graph.info import summarise
    from csi_graph.loader import load

    summary = summarise(load(paths), lang=lang)
    click.echo(summary.to_json() if fmt == "json" else summary.to_text())


EXPORT_FORMATS = (
    "turtle",
    "nt",
    "nq",
    "trig",
    "jsonld",
    "rdfxml",
)  # csi_graph.export.FORMATS (a test checks)
STORE_OPTION = click.option(
    "--store",
    type=click.Choice(["rdflib", "oxigraph"]),
    default="rdflib",
    show_default=True,
    help="Triple store to load into (oxigraph is faster on large data; the output is the same).",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="turtle",
    show_default=True,
    help="Turtle, N-Triples, N-Quads, TriG, JSON-LD (compacted, readable keys) or RDF/XML.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to a file (atomically) instead of stdout."
)
@click.option(
    "--contract", metavar="ID", help="Export one contract (identifier or IRI) and what it refers to."
)
@click.option("--ontology", is_flag=True, help="Add the vocabulary and the SKOS schemes.")
@click.option("--shapes", is_flag=True, help="Add the SHACL shapes.")
@STORE_OPTION
def export(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    contract: str | None,
    ontology: bool,
    shapes: bool,
    store: str,
) -> None:
    """Export the data as RDF, byte for byte the same for the same data.

    Without PATHS the shipped contracts are exported; with PATHS, only those files (the
    national reference data they point to is always included). The data graphs are
    exported, not the ontology or the shapes, unless --ontology or --shapes is given.
    Blank nodes get canonical labels (RDFC-1.0), statements are sorted and prefixes are
    fixed, so a diff of two exports shows changes of the data and nothing else. nq and
    trig keep one named graph per source file; the other formats merge them.

    \b
    Exit codes: 0 written, 2 bad option, unknown contract, unreadable or malformed input.

    \b
    Examples:
      csi-graph export -f turtle -o csi.ttl
      csi-graph export --contract chambery-2021 -f jsonld
      csi-graph export my-city-2022.ttl -f nt --ontology
    """
    from csi_graph.export import export as run_export
    from csi_graph.loader import load

    content = run_export(
        load(paths, contracts=not paths, store=store),
        fmt,
        contract=contract,
        ontology=ontology,
        shapes=shapes,
    )
    if output:
        from csi_graph.files import write_atomic

        write_atomic(output, content)
    else:
        click.echo(content, nl=False)


class _Progress:
    """Progress of long work: a bar on a terminal, plain lines otherwise (on stderr)."""

    def __init__(self) -> None:
        self.bar = None
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.tty:
            click.echo(f"[{done}/{total}] {label}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Packaging", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.label = f"{label[:48]:<48}"
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=str))
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--base-url", metavar="URL", help="Address the files will be downloaded from (ends with /).")
@click.option("--publisher", "publisher_name", metavar="NAME", help="Who publishes the data (foaf:name).")
@click.option("--publisher-url", metavar="URL", help="The publisher's web site.")
@click.option("--contact-name", metavar="NAME", help="Contact point's name.")
@click.option("--contact-email", metavar="EMAIL", help="Contact point's e-mail address.")
@click.option("--contact-url", metavar="URL", help="Contact point's web page.")
@click.option(
    "--date", metavar="YYYY-MM-DD", help="Date of this version (dct:modified); default today (UTC)."
)
@click.option("--issued", metavar="YYYY-MM-DD", help="Date of the first publication (dct:issued).")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=str),
    help="TOML file with the same settings (options override it).",
)
@click.option("--force", is_flag=True, help="Replace OUTDIR even if it is not a previous package.")
@click.option("--no-validate", is_flag=True, help="Do not refuse data that SHACL validation rejects.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
@STORE_OPTION
def package(
    outdir: str,
    paths: tuple[str, ...],
    config: str | None,
    force: bool,
    no_validate: bool,
    quiet: bool,
    store: str,
    **options: str | None,
) -> None:
    """Write a complete open-data package to OUTDIR, ready for data.gouv.fr.

    OUTDIR gets the data in Turtle, N-Triples and JSON-LD (whole and per contract), CSV
    tables with their Table Schemas, a DCAT-AP 3.0.1 catalogue record (catalog.ttl,
    catalog.jsonld) checked against the official shapes, a README in French and English
    and a manifest with SHA-256 checksums. Without PATHS the shipped contracts are
    packaged; with PATHS, only those files. The data is validated first: violations stop
    the package (exit 1) unless --no-validate.

    The package is built in a temporary folder and moved into place at the end: a
    failure or a kill leaves the previous package intact. A non-empty OUTDIR that is not
    a previous package is refused unless --force.

    \b
    Exit codes: 0 written; 1 the data does not conform (nothing written);
    2 bad option or configuration, OUTDIR refused, unreadable or malformed input.

    \b
    Examples:
      csi-graph package out/ --base-url https://data.example.fr/csi/
      csi-graph package out/ my-city-2022.ttl --config publish.toml
    """
    from csi_graph.catalog import DEFAULT_BASE_URL, load_settings
    from csi_graph.loader import load
    from csi_graph.package import build_package

    settings = load_settings(config, options)
    dataset = load(paths, contracts=not paths, store=store)
    progress = None if quiet else _Progress()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the temporary folder
    try:
        report = build_package(
            dataset, outdir, settings, force=force, validate_data=not no_validate, progress=progress
        )
    finally:
        if progress is not None:
            progress.close()
    if not quiet:
        click.echo(report.summary())
        if settings.base_url == DEFAULT_BASE_URL:
            click.echo(
                f"Note: download addresses use the default base URL {DEFAULT_BASE_URL}; pass --base-url "
                "(or base_url in --config) with the address where the files will be published.",
                err=True,
            )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="csi-graph")
    sys.exit(0)
