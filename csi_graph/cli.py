"""The ``csi-graph`` command line: a thin layer over the library.

Each command parses its options, calls a library function, formats the result and maps
errors to exit codes. Heavy modules are imported inside the commands so that
``csi-graph --help`` starts fast.
"""

from __future__ import annotations

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
@click.option(
    "--store",
    type=click.Choice(["auto", "rdflib", "oxigraph"]),
    default="auto",
    show_default=True,
    envvar="CSI_GRAPH_STORE",
    help="Where the triples live: rdflib (reference, small data), Oxigraph (fast), or "
    "auto (Oxigraph above 1 MB of input).",
)
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    envvar="CSI_GRAPH_CACHE",
    help="With Oxigraph, keep the loaded store on disk ($CSI_GRAPH_CACHE_DIR, else "
    "~/.cache/csi-graph), keyed by the files' content, so the next command does not parse again.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, store: str, cache: bool) -> None:
    """csi-graph: the knowledge graph of French integrated security contracts (CSI).

    \b
    Exit codes:
      0  success (for validate: the data conforms)
      1  the data is invalid (SHACL violations) or a check failed
      2  usage or input error (bad option, unreadable file, malformed RDF or SPARQL)
    """
    ctx.meta["csi_graph.debug"] = debug
    ctx.obj = {"store": store, "cache": cache}


def _load(paths=(), **options):
    """The one loader, with the global --store and --cache options: every command loads through it.

    ``options`` override the global ones: a command that scans the whole graph many times
    passes ``cache=False``, since queries run 3–5× faster on an in-memory store than on
    the on-disk cache (see BENCHMARKS.md), while a command that runs a few queries gains
    the seconds that parsing would take.
    """
    from csi_graph.loader import load

    settings = {**(click.get_current_context().find_root().obj or {}), **options}
    return load(paths, **settings)


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
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "sparql"]),
    default="auto",
    show_default=True,
    help="pySHACL (reference), SPARQL queries on Oxigraph (fast, same results), or auto "
    "(SPARQL for large data).",
)
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    allow_warnings: bool,
    lang: str,
    output: str | None,
    engine: str,
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
    from csi_graph.validation import validate as run_validation

    dataset = _load(paths, contracts=not paths, cache=False)  # hundreds of whole-graph queries: in memory
    report = run_validation(dataset, allow_warnings=allow_warnings, engine=engine)
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

    summary = summarise(_load(paths), lang=lang)
    click.echo(summary.to_json() if fmt == "json" else summary.to_text())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="csi-graph")
    sys.exit(0)
