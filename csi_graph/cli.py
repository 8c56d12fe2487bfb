"""The ``csi-graph`` command line: a thin layer over the library.

Each command parses its options, calls a library function, formats the result and maps
errors to exit codes. Heavy modules are imported inside the commands so that
``csi-graph --help`` starts fast.
"""

from __future__ import annotations

import sys

import click

from csi_graph import __version__
from csi_graph.compare import SECTIONS  # plain names: no heavy import at start-up
from csi_graph.errors import EXIT_USAGE, CsiError
from csi_graph.report import FORMATS

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


@cli.command()
@click.argument("city", required=False)
@click.option("--year", type=int, help="Year of the contract, added to its id (lyon-2025).")
@click.option("--id", "identifier", help="The contract's id, if not CITY-YEAR in lower case.")
@click.option(
    "--from",
    "from_contract",
    metavar="CONTRACT",
    help="Export this loaded contract (e.g. chambery-2021) instead.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: ID.yaml; - for stdout)."
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def new(
    city: str | None,
    year: int | None,
    identifier: str | None,
    from_contract: str | None,
    output: str | None,
    force: bool,
) -> None:
    """Start an authoring file (YAML) for a city's contract, or export an existing one.

    The file lists the parties, signatures, commitments and sources to fill in, with
    comments, TODOs where a fact is needed, and at its end every allowed theme, type,
    kind, role, unit, status and grade, read from the ontology's SKOS schemes. Build it
    with csi-graph build.

    \b
    Exit codes: 0 written, 2 usage error (no CITY, file exists, unknown contract).

    \b
    Examples:
      csi-graph new Lyon --year 2025            # writes lyon-2025.yaml
      csi-graph new --from chambery-2021        # writes chambery-2021.yaml
    """
    from pathlib import Path

    from csi_graph.errors import CsiError
    from csi_graph.loader import load
    from csi_graph.vocabulary import read_vocabulary

    if from_contract:
        from csi_graph.authoring.exporter import export_contract

        dataset = load()
        identifier = identifier or from_contract
        text = export_contract(dataset, from_contract, read_vocabulary(dataset))
    else:
        from csi_graph.authoring.scaffold import scaffold, slug

        if not city:
            raise CsiError(
                "name the city (csi-graph new Lyon --year 2025), or export one with --from CONTRACT"
            )
        identifier = identifier or slug(f"{city} {year}" if year else city)
        text = scaffold(city, identifier, read_vocabulary(load(contracts=False)))
    if output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output or f"{identifier}.yaml")
    if target.exists() and not force:
        raise CsiError(f"{target}: exists; choose another file with -o, or use --force to replace it")
    from csi_graph.files import write_atomic

    write_atomic(target, text)
    verb = "edit it" if from_contract else "fill it in"
    click.echo(f"wrote {target}: {verb}, then run csi-graph build {target}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False),
    help="Where to write ID.ttl (default: data/contracts/ of a checkout, else the current directory).",
)
@click.option("--check", is_flag=True, help="Write nothing; fail if a Turtle file is missing or out of date.")
@click.option(
    "--allow-warnings", is_flag=True, help="Build even when there are warnings (violations still fail)."
)
@click.option("--force", is_flag=True, help="Replace Turtle files that csi-graph build did not make.")
@LANG_OPTION
@click.pass_context
def build(
    ctx: click.Context,
    files: tuple[str, ...],
    output_dir: str | None,
    check: bool,
    allow_warnings: bool,
    force: bool,
    lang: str,
) -> None:
    """Compile authoring files (YAML) to Turtle, validate them, and write them.

    FILES are authoring files or folders of them. Each is checked (every mistake is
    reported with its line, column and key), compiled, and validated with the SHACL
    shapes together with the other shipped contracts; only if all conform is each
    contract written, atomically, to OUTPUT_DIR/ID.ttl. A Turtle file that csi-graph
    build did not make is never replaced without --force.

    \b
    Exit codes: 0 built (or, with --check, up to date); 1 violations, warnings without
    --allow-warnings, or a stale file with --check; 2 mistakes in a file (nothing written).

    \b
    Examples:
      csi-graph build lyon-2025.yaml
      csi-graph build data/authoring/ --check
    """
    from pathlib import Path

    from csi_graph.authoring import build as run_build

    paths = []
    for given in files:
        path = Path(given)
        paths += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    report = run_build(
        paths,
        Path(output_dir) if output_dir else None,
        check=check,
        allow_warnings=allow_warnings,
        force=force,
    )
    click.echo(report.to_text(lang))
    ctx.exit(0 if report.conforms and not report.stale else 1)


@cli.command()
@click.argument("contracts", nargs=-1)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Aligned text tables, CSV (one section), JSON, Markdown, or a standalone HTML page with the chart.",
)
@click.option(
    "-s",
    "--section",
    "sections",
    multiple=True,
    type=click.Choice(SECTIONS),
    help="Show only this section (repeatable); CSV takes one, themes by default.",
)
@click.option(
    "--chart", type=click.Path(dir_okay=False), help="Also write a heatmap of themes × contracts (SVG)."
)
@click.option(
    "-d", "--data", "paths", multiple=True, type=click.Path(path_type=str), help="Add RDF files or folders."
)
@click.option(
    "--store",
    type=click.Choice(["rdflib", "oxigraph"]),
    default="rdflib",
    show_default=True,
    help="Query engine.",
)
@LANG_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of stdout.")
def compare(
    contracts: tuple[str, ...],
    fmt: str,
    sections: tuple[str, ...],
    chart: str | None,
    paths: tuple[str, ...],
    store: str,
    lang: str,
    output: str | None,
) -> None:
    """Compare contracts side by side: themes, parties, targets, signatories, durations.

    CONTRACTS are contract ids (csi-graph info lists them); all loaded contracts by
    default. Sections: overview, themes (commitments per volet of the circular, finer
    themes rolled up), parties (commitments per party), targets (quantified targets with
    units and source grades), signatories (posts), durations, similarity (cosine of
    commitment counts per theme) and realisations (dated status records).

    \b
    Exit codes: 0 success; 2 unknown contract, bad option or unwritable file.

    \b
    Examples:
      csi-graph compare
      csi-graph compare toulouse-2020 nantes-2021 dijon-2021 --section targets
      csi-graph compare -f csv --section themes -o themes.csv
      csi-graph compare -f html -o compare.html --chart themes.svg --lang fr
    """
    from csi_graph.compare import compare as run_compare
    from csi_graph.errors import CsiError
    from csi_graph.heatmap import heatmap_svg
    from csi_graph.loader import load
    from csi_graph.report import render

    if chart and not chart.lower().endswith(".svg"):
        raise CsiError(f"{chart}: the chart is an SVG image; give a file name ending in .svg")
    chosen = sections or (("themes",) if fmt == "csv" else SECTIONS)
    comparison = run_compare(load(paths, store=store), contracts, lang)
    svg = heatmap_svg(comparison, comparison.read_on) if chart or fmt == "html" else None
    if chart:
        from csi_graph.files import write_atomic

        write_atomic(chart, svg)
    _output(render(comparison, fmt, chosen, svg if fmt == "html" else None).rstrip("\n"), output)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="csi-graph")
    sys.exit(0)
