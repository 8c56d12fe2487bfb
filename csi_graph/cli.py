"""The ``csi-graph`` command line: a thin layer over the library.

Each command parses its options, calls a library function, formats the result and maps
errors to exit codes. Heavy modules are imported inside the commands so that
``csi-graph --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator

import click

from csi_graph import __version__, limits
from csi_graph.compare import SECTIONS  # plain names: no heavy import at start-up
from csi_graph.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, CsiError
from csi_graph.register import LEVELS  # plain names: no heavy import at start-up
from csi_graph.report import FORMATS

ISSUES = "https://w3id.org/csi-graph"  # the project's home, where its issue tracker is linked
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
        except BrokenPipeError:  # the reader went away (csi-graph ... | head): stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as error:  # a bug, not the user's fault: say so without a traceback
            if ctx.meta.get("csi_graph.debug"):
                raise
            click.echo(
                f"Error: internal error ({type(error).__name__}: {error}). This is a bug in csi-graph: "
                f"please report it ({ISSUES}) with the command you ran (--debug shows the traceback)",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=CsiGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="csi-graph")
@click.option("--debug", is_flag=True, help="Show a traceback on unexpected errors.")
@click.option(
    "--cache/--no-cache",
    default=True,
    show_default=True,
    envvar="CSI_GRAPH_CACHE",
    help="For more than 1 MB of input, keep the loaded store on disk ($CSI_GRAPH_CACHE_DIR, else "
    "~/.cache/csi-graph), keyed by the files' content, so the next command does not parse again.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, cache: bool) -> None:
    """csi-graph: the knowledge graph of French integrated security contracts (CSI).

    \b
    Exit codes:
      0    success (for validate: the data conforms)
      1    the data is invalid (SHACL violations) or a check failed
      2    usage or input error (bad option, unreadable file, malformed RDF or SPARQL,
           a limit reached)
      70   internal error: a bug in csi-graph, to report
      130  interrupted (Ctrl-C)
    """
    ctx.meta["csi_graph.debug"] = debug
    ctx.obj = {"cache": cache}
    # rdflib logs a traceback for each literal it cannot convert (an integer of 5,000 digits):
    # such a value stays as written, and validation reports ill-typed ones properly.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def _load(paths=(), *, contracts: bool = True, cache: bool = True):
    """The one loader, with the global --cache option: every command loads through it.

    A command that scans the whole graph many times passes ``cache=False``: queries run
    3–5× faster on an in-memory store than on the on-disk cache (see BENCHMARKS.md), while
    a command that runs a few queries on more than a megabyte of input gains the seconds
    that parsing would take. Below that, parsing is faster than opening the cache.
    """
    from csi_graph.loader import CACHE_FROM_BYTES, input_size, load, source_files

    settings = click.get_current_context().find_root().obj or {}
    if cache and settings.get("cache", True):
        files = source_files(paths, contracts=contracts)
        cache = input_size(path for path, _ in files) > CACHE_FROM_BYTES
    dataset = load(paths, contracts=contracts, cache=bool(cache) and settings.get("cache", True))
    _warn_changed_literals(dataset)
    return dataset


def _warn_changed_literals(dataset, shown: int = 10) -> None:
    """Say which literals of the files the store keeps in another form (when the load parsed them)."""
    from csi_graph.literals import changes_in

    found = changes_in(dataset, scan=False)
    for change in found[:shown]:
        click.echo(
            f"Warning: {change}: validate judges it as written, queries and exports give the "
            "stored form (write it in that form to keep them alike)",
            err=True,
        )
    if len(found) > shown:
        click.echo(f"Warning: {len(found) - shown} more literals are stored in another form", err=True)


def _output(text: str, output: str | None) -> None:
    if output:
        from csi_graph.files import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text, nl=not text.endswith("\n"))


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
    "--allow-warnings", is_flag=True, help="Exit 0 even when there are warnings (violations still fail)."
)
@click.option("--show-info", is_flag=True, help="List the information results too (text and table formats).")
@LANG_OPTION
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file instead of stdout."
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "sparql"]),
    default="auto",
    show_default=True,
    help="sparql: SHACL compiled to SPARQL queries on Oxigraph (fast; passes the W3C SHACL test "
    "suite); pyshacl: the reference implementation; auto: sparql, and pySHACL where sparql "
    "refuses the shapes (said on stderr).",
)
@click.option(
    "--shapes",
    "shape_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="Also check the SHACL shapes of this file (repeatable). Shapes come only from the "
    "ontology and these files: a data file that declares or deactivates one is a violation.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar on a terminal.")
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    allow_warnings: bool,
    show_info: bool,
    lang: str,
    output: str | None,
    engine: str,
    shape_files: tuple[str, ...],
    quiet: bool,
) -> None:
    """Validate the shipped data, or the given files, against the SHACL shapes.

    PATHS are Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML files, or folders of
    them; without PATHS the shipped contracts are validated. The ontology, the SKOS
    schemes, the shapes and the national reference data are always loaded. The first line
    is the verdict with the number of results of each severity; information results are
    counted, and listed with --show-info. JSON and Turtle hold every result, and sh:conforms
    as SHACL defines it (false when there is any result, information included).

    \b
    Exit codes: 0 valid (no violation, and no warning unless --allow-warnings; information
    results never fail), 1 invalid, 2 could not run (unreadable or malformed input, shapes
    refused: a SPARQL query in them that SHACL or the safety policy forbids, or, with
    --engine sparql, shapes the SPARQL engine does not run).

    \b
    Examples:
      csi-graph validate
      csi-graph validate my-city-2022.ttl --lang fr
      csi-graph validate data/ -f json -o report.json
    """
    from csi_graph.validation import read_shapes
    from csi_graph.validation import validate as run_validation

    with _Progress.shown("Validating", quiet, plain=False) as progress:
        _step(progress, 0, 2, "loading the data")
        dataset = _load(paths, contracts=not paths, cache=False)  # hundreds of whole-graph queries: in memory
        extra = read_shapes(list(shape_files)) if shape_files else None
        _step(progress, 1, 2, "checking the SHACL shapes")
        report = run_validation(dataset, allow_warnings=allow_warnings, engine=engine, extra_shapes=extra)
        _step(progress, 2, 2, "done")
    for note in report.notes:
        click.echo(f"Note: {note}", err=True)
    _output(report.render(fmt, lang, show_info), output)
    ctx.exit(0 if report.valid else 1)


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


@cli.command()
@click.argument("query", required=False)
@click.option("-e", "--expr", "expression", help="SPARQL text to run (instead of QUERY).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries with their descriptions.")
@click.option(
    "-p",
    "--param",
    "params",
    type=(str, str),
    multiple=True,
    metavar="NAME VALUE",
    help="Bind a parameter (repeatable). Values are bound as RDF terms, never pasted into the query.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "md", "turtle", "nt", "jsonld", "rdfxml"]),
    help="Output format: table (default), csv, tsv, json, xml, md for SELECT; turtle (default), nt, jsonld, "
    "rdfxml for CONSTRUCT/DESCRIBE.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the result to a file.")
@LANG_OPTION
@click.option(
    "--endpoint", metavar="URL", help="Run on a remote SPARQL 1.1 endpoint instead of the local data."
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 86_400),
    default=None,
    help="Seconds the query may run, locally or on an endpoint [default: 60, or $CSI_GRAPH_QUERY_TIMEOUT].",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow SERVICE and FROM of graphs that are not loaded (the engine may then contact other hosts).",
)
@click.option(
    "--data", "paths", multiple=True, type=click.Path(path_type=str), help="Add an RDF file or folder."
)
@click.pass_context
def query(
    ctx: click.Context,
    query: str | None,
    expression: str | None,
    list_queries: bool,
    params: tuple[tuple[str, str], ...],
    fmt: str | None,
    output: str | None,
    lang: str,
    endpoint: str | None,
    timeout: float | None,
    allow_remote: bool,
    paths: tuple[str, ...],
) -> None:
    """Run a named query, a query file, standard input (-) or SPARQL text (-e).

    \b
    An ASK query prints true or false and exits 0 or 1. SPARQL Update is refused;
    SERVICE, LOAD and FROM of graphs that are not loaded are refused (exit 2) unless
    --allow-remote. --lang binds the query's lang parameter. A local query runs in a
    process of its own, without network unless --allow-remote, stopped at --timeout or
    by Ctrl-C.

    \b
    Examples:
      csi-graph query --list
      csi-graph query commitments-by-party -p contract chambery-2021 --lang fr
      csi-graph query theme-matrix -f csv -o themes.csv
      csi-graph query -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
      csi-graph query search -p text vidéo --endpoint http://127.0.0.1:7878/query
    """
    from csi_graph.queries import library

    if list_queries:
        for name, named in library().items():
            params_doc = ", ".join(
                f"{p.name}={p.default}" if p.default is not None else p.name for p in named.parameters
            )
            click.echo(f"{name}  {named.title(lang)}" + (f"  [{params_doc}]" if params_doc else ""))
            click.echo(f"    {named.description(lang)}")
        return
    text = _query_text(query, expression)
    bound = dict(params)
    from csi_graph.queries import resolve
    from csi_graph.sparql import declared_variables

    named = resolve(text)
    if "lang" not in bound and (
        named.parameter("lang") or (not named.parameters and "lang" in declared_variables(named.text))
    ):
        bound["lang"] = lang
    from csi_graph.limits import limit

    timeout = timeout or float(limit("QUERY_TIMEOUT"))
    if endpoint:
        from csi_graph.remote import Endpoint

        result = Endpoint(endpoint, timeout=timeout).query(text, allow_remote=allow_remote, **bound)
    else:
        from csi_graph.isolation import run_isolated

        dataset = _load(paths)
        result = run_isolated(
            lambda: dataset.query(named, allow_remote=allow_remote, **bound),
            timeout=timeout,
            network=allow_remote,
            what=f"the query (--timeout {timeout:g})",
        )
    if result.form == "ASK":
        _output(result.serialize(fmt if fmt in ("json", "xml") else "table"), output)
        ctx.exit(0 if result.boolean else 1)
    fmt = fmt or ("table" if result.form == "SELECT" else "turtle")
    if named.pivot and fmt in ("table", "md"):
        result = result.pivot(*named.pivot)
    _output(result.serialize(fmt), output)


def _query_text(query: str | None, expression: str | None) -> str:
    from csi_graph.errors import CsiError

    if expression and query:
        raise CsiError("give either QUERY or -e SPARQL, not both")
    if expression:
        return expression
    if query == "-":
        return sys.stdin.read().removeprefix("\ufeff")  # a byte-order mark is not part of the query
    if not query:
        raise CsiError("no query: give a name (see --list), a .rq file, - for standard input, or -e 'SPARQL'")
    return query


@cli.command()
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="Graph Store Protocol endpoint (e.g. http://127.0.0.1:7878/store), or the SPARQL Update "
    "endpoint with --update.",
)
@click.option("--graph", metavar="IRI", help="Put everything into this one named graph instead.")
@click.option(
    "--update", "use_update", is_flag=True, help="Use SPARQL Update (DROP + INSERT DATA) instead of PUT."
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 86_400),
    default=300.0,
    show_default=True,
    help="Seconds for each HTTP request and its whole answer.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
def publish(
    endpoint: str, graph: str | None, use_update: bool, timeout: float, quiet: bool, paths: tuple[str, ...]
) -> None:
    """Load the dataset into a SPARQL 1.1 server, replacing each named graph.

    Every named graph (one per source file) is replaced, and the default graph receives
    the merge of all files, so the named queries run unchanged on the server. Publishing
    twice leaves exactly the same data. PATHS are added to the shipped data.

    \b
    Examples:
      csi-graph publish --endpoint http://127.0.0.1:7878/store
      csi-graph publish --endpoint http://127.0.0.1:3030/ds/update --update
    """
    from csi_graph.remote import publish as publish_dataset

    def report(label: str, triples: int) -> None:
        if not quiet:
            click.echo(f"{label}: {triples} triples")

    sent = publish_dataset(
        _load(paths),
        endpoint,
        graph=graph,
        protocol="update" if use_update else "gsp",
        timeout=timeout,
        progress=report,
    )
    if not quiet:
        click.echo(f"Published {len(sent)} graphs to {endpoint}")


@cli.command()
@click.option(
    "-o",
    "--output",
    "folder",
    default="docs",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder to write reference.md, reference.fr.md and authoring-keys.md into.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the files differ from the ontology.")
@click.pass_context
def docs(ctx: click.Context, folder: str, check: bool) -> None:
    """Generate the ontology reference (English and French) from the ontology and the shapes.

    \b
    Every class with the properties its shapes expect, every csi: property with domain,
    range and alignments, every concept scheme, with example triples from the data.

    \b
    Examples:
      csi-graph docs
      csi-graph docs --check
    """
    from pathlib import Path

    from csi_graph import reference
    from csi_graph.authoring.keys import reference_markdown
    from csi_graph.files import write_atomic

    dataset = _load()
    keys, keys_text = Path(folder) / "authoring-keys.md", reference_markdown()  # the YAML format's keys
    if check:
        outdated = reference.stale(dataset, Path(folder))
        if not keys.exists() or keys.read_text(encoding="utf-8") != keys_text:
            outdated.append(keys)
        for path in outdated:
            click.echo(f"{path} is out of date: run csi-graph docs", err=True)
        ctx.exit(1 if outdated else 0)
    for path in reference.write(dataset, Path(folder)):
        click.echo(f"wrote {path}")
    write_atomic(keys, keys_text)
    click.echo(f"wrote {keys}")


DATA_BASE_OPTION = click.option(
    "--data-base",
    default=None,
    metavar="IRI",
    help="Base of the data IRIs, served under /id/ [default: https://w3id.org/csi-graph/id/].",
)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free port)."
)
@click.option(
    "--time-limit",
    default=limits.SERVE_TIME_LIMIT,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds a SPARQL query may run before it is stopped.",
)
@click.option(
    "--max-rows",
    default=limits.SERVE_MAX_ROWS,
    show_default=True,
    type=click.IntRange(1),
    help="Rows (or triples) a query returns at most.",
)
@click.option(
    "--max-body",
    default=limits.SERVE_MAX_BODY,
    show_default=True,
    type=click.IntRange(1024),
    help="Bytes a request body or query text may hold.",
)
@click.option(
    "--query-workers",
    default=limits.SERVE_WORKERS,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes that run SPARQL queries.",
)
@click.option(
    "--queries",
    "queries_dir",
    type=click.Path(file_okay=False, exists=True, path_type=str),
    help="Folder of named queries (.rq) shown as examples [default: the shipped library].",
)
@click.option(
    "--max-connections",
    default=limits.SERVE_MAX_CONNECTIONS,
    show_default=True,
    type=click.IntRange(1),
    help="Open connections at most; more get 503 at once.",
)
@click.option(
    "--max-connections-per-client",
    default=limits.SERVE_MAX_PER_CLIENT,
    show_default=True,
    type=click.IntRange(0),
    help="Open connections from one address at most (0: no limit; keep 0 behind a proxy).",
)
@click.option(
    "--client-timeout",
    default=limits.SERVE_CLIENT_TIMEOUT,
    show_default=True,
    type=click.FloatRange(0.5, 300),
    help="Seconds a client has to send a request's headers, then again its body (idle connections "
    "are closed).",
)
@click.option(
    "--max-header",
    default=limits.SERVE_MAX_HEADER,
    show_default=True,
    type=click.IntRange(4096),
    help="Bytes of request line and headers at most (longer queries: POST).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Origin whose pages may read answers (repeatable); default any (*), 'none' for no CORS.",
)
@DATA_BASE_OPTION
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request.")
def serve(
    paths: tuple[str, ...],
    host: str,
    port: int,
    time_limit: float,
    max_rows: int,
    max_body: int,
    query_workers: int,
    queries_dir: str | None,
    max_connections: int,
    max_connections_per_client: int,
    client_timeout: float,
    max_header: int,
    cors_origins: tuple[str, ...],
    data_base: str | None,
    access_log: bool,
) -> None:
    """Serve the data on the web: pages, dereferenceable IRIs and a read-only SPARQL endpoint.

    PATHS are added to the shipped data. Every data IRI is served under /id/ (303 to its
    HTML, Turtle, JSON-LD, N-Triples or RDF/XML document), the vocabulary from the root
    (/ontology, /theme/...), the SPARQL 1.1 Protocol at /sparql and a query page at /query.
    Queries are read-only and bounded: SPARQL Update, SERVICE, LOAD and FROM of other graphs
    are refused; each query runs in a worker process without network, stopped at
    --time-limit. See docs/security.md for every limit.

    \b
    Examples:
      csi-graph serve
      csi-graph serve my-city-2022.ttl --port 8080 --time-limit 5
    """
    from pathlib import Path

    from csi_graph.namespaces import DATA_BASE
    from csi_graph.queries import library
    from csi_graph.web.app import Settings
    from csi_graph.web.http import ConnectionLimits
    from csi_graph.web.server import serve as run_server

    dataset = _load(paths, cache=False)  # many queries: in memory
    settings = Settings(
        time_limit=time_limit,
        max_rows=max_rows,
        max_body=max_body,
        workers=query_workers,
        data_base=data_base or DATA_BASE,
        queries=library(Path(queries_dir)) if queries_dir else None,
        cors_origins=() if cors_origins == ("none",) else (cors_origins or ("*",)),
        body_timeout=client_timeout,
    )
    bounds = ConnectionLimits(max_connections, max_connections_per_client, client_timeout, max_header)
    run_server(dataset, settings, bounds, host=host, port=port, access_log=access_log, say=click.echo)


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=str))
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@DATA_BASE_OPTION
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary (errors still shown).")
def site(outdir: str, paths: tuple[str, ...], data_base: str | None, quiet: bool) -> None:
    """Write the web pages and data documents of `serve` as a static site in OUTDIR.

    PATHS are added to the shipped data. OUTDIR must be new, empty, or a site written
    before by this command; it is replaced as a whole (built aside, then swapped in).

    \b
    Example:
      csi-graph site public/
    """
    from csi_graph.namespaces import DATA_BASE
    from csi_graph.web.site import write_site

    dataset = _load(paths, cache=False)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the build folder
    with _Progress.shown("Writing the site", quiet) as progress:
        report = write_site(dataset, outdir, data_base or DATA_BASE, progress=progress)
    if not quiet:
        click.echo(f"Wrote {report.pages} pages and {report.documents} data documents to {outdir}")
    for iri in report.skipped:
        click.echo(f"Skipped <{iri}>: its path cannot be a file name", err=True)


EXPORT_FORMATS = (
    "turtle",
    "nt",
    "nq",
    "trig",
    "jsonld",
    "rdfxml",
)  # csi_graph.export.FORMATS (a test checks)


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
def export(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    contract: str | None,
    ontology: bool,
    shapes: bool,
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

    content = run_export(
        _load(paths, contracts=not paths),
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
    """Progress of long work on stderr: a bar on a terminal; otherwise, with ``plain``, lines.

    ``progress(done, total, what)`` says that ``done`` of ``total`` steps are finished and
    ``what`` is the step under way. Plain lines: every step when there are at most 100,
    else one a tenth of the way (a site has thousands of pages). Commands whose output is
    a report (validate, build) pass ``plain=False``: off a terminal their stderr keeps only
    what a script must read (errors, notes).
    """

    def __init__(self, label: str, *, plain: bool = True) -> None:
        self.label = label
        self.plain = plain
        self.bar = None
        self.tty = sys.stderr.isatty()
        self.tenth = -1

    def __call__(self, done: int, total: int, what: str) -> None:
        if not self.tty:
            tenth = done * 10 // max(total, 1)
            if self.plain and (total <= 100 or tenth != self.tenth or done == total):
                self.tenth = tenth
                click.echo(f"[{done}/{total}] {what}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.label = f"{what[:48]:<48}"
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    @classmethod
    @contextlib.contextmanager
    def shown(cls, label: str, quiet: bool = False, *, plain: bool = True) -> Iterator[_Progress | None]:
        """A progress writer for the ``with`` block (None with ``quiet``), closed however it ends."""
        progress = None if quiet else cls(label, plain=plain)
        try:
            yield progress
        finally:
            if progress is not None:
                progress.close()


def _step(progress: _Progress | None, done: int, total: int, what: str) -> None:
    if progress is not None:
        progress(done, total, what)


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
def package(
    outdir: str,
    paths: tuple[str, ...],
    config: str | None,
    force: bool,
    no_validate: bool,
    quiet: bool,
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
    from csi_graph.package import build_package

    settings = load_settings(config, options)
    dataset = _load(paths, contracts=not paths, cache=False)  # validates: in memory
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the temporary folder
    with _Progress.shown("Packaging", quiet) as progress:
        report = build_package(
            dataset, outdir, settings, force=force, validate_data=not no_validate, progress=progress
        )
    if not quiet:
        click.echo(report.summary())
        if settings.base_url == DEFAULT_BASE_URL:
            click.echo(
                f"Note: download addresses use the default base URL {DEFAULT_BASE_URL}; pass --base-url "
                "(or base_url in --config) with the address where the files will be published.",
                err=True,
            )


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
    from csi_graph.vocabulary import read_vocabulary

    if from_contract:
        from csi_graph.authoring.exporter import export_contract

        dataset = _load()
        identifier = identifier or from_contract
        text = export_contract(dataset, from_contract, read_vocabulary(dataset))
    else:
        from csi_graph.authoring.scaffold import scaffold, slug

        if not city:
            raise CsiError(
                "name the city (csi-graph new Lyon --year 2025), or export one with --from CONTRACT"
            )
        identifier = identifier or slug(f"{city} {year}" if year else city)
        text = scaffold(city, identifier, read_vocabulary(_load(contracts=False)))
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
@click.option(
    "--force",
    is_flag=True,
    help="Replace Turtle files that csi-graph build did not make, or another file's contract of the same id.",
)
@click.option(
    "--reference",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    help="More reference data (RDF), such as official territories written by csi-graph territories -o.",
)
@LANG_OPTION
@click.option("-q", "--quiet", is_flag=True, help="No progress bar on a terminal.")
@click.pass_context
def build(
    ctx: click.Context,
    files: tuple[str, ...],
    output_dir: str | None,
    check: bool,
    allow_warnings: bool,
    force: bool,
    reference: tuple[str, ...],
    lang: str,
    quiet: bool,
) -> None:
    """Compile authoring files (YAML) to Turtle, validate them, and write them.

    FILES are authoring files or folders of them. Each is checked (every mistake is
    reported with its line, column and key), compiled, and validated with the SHACL
    shapes together with the other shipped contracts; only if all conform is each
    contract written, atomically, to OUTPUT_DIR/ID.ttl. A Turtle file that csi-graph
    build did not make is never replaced without --force.

    \b
    Exit codes: 0 built (or, with --check, up to date); 1 violations, warnings without
    --allow-warnings, a stale file with --check, or a contract id that another file
    already describes (without --force); 2 mistakes in a file (nothing written).

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
    with _Progress.shown("Building", quiet, plain=False) as progress:
        _step(progress, 0, 1, f"compiling and validating {len(paths)} file{'s' if len(paths) != 1 else ''}")
        report = run_build(
            paths,
            Path(output_dir) if output_dir else None,
            check=check,
            allow_warnings=allow_warnings,
            force=force,
            reference=[Path(r) for r in reference],
        )
        _step(progress, 1, 1, "done")
    click.echo(report.to_text(lang))
    ctx.exit(0 if report.conforms and not report.stale else 1)


@cli.command()
@click.option(
    "--package",
    "package_path",
    required=True,
    type=click.Path(path_type=str),
    help="The pinned npm tarball of @etalab/decoupage-administratif (npm pack fetches it), or its folder.",
)
@click.argument("files", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write (default: data/reference/territories.ttl).",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 if the file differs from what the package gives."
)
@click.pass_context
def territories(
    ctx: click.Context, package_path: str, files: tuple[str, ...], output: str | None, check: bool
) -> None:
    """Write the official codes, SIREN and populations of the territories the data names.

    Every commune, intercommunality and département of the authoring files (and of the
    contracts csi-graph build did not make) is looked up by name in the pinned package of
    Etalab, built from INSEE's Code officiel géographique; FILES add authoring files
    (YAML) of your own. No code is typed by hand.

    \b
    Exit codes: 0 written (or up to date with --check); 1 out of date with --check;
    2 a package that is not the pinned one, or a territory not found or ambiguous.

    \b
    Examples:
      npm pack @etalab/decoupage-administratif@6.0.0
      csi-graph territories --package etalab-decoupage-administratif-6.0.0.tgz
    """
    from pathlib import Path

    from csi_graph import territories as t
    from csi_graph.files import write_atomic
    from csi_graph.resources import data_dir

    requests = t.default_requests() + t.requests_from_yaml([Path(f) for f in files])
    text = t.reference_text(t.read_package(Path(package_path)), requests)
    target = Path(output) if output else data_dir() / "reference" / "territories.ttl"
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if check:
        click.echo(
            f"{target}: {'up to date' if current == text else 'out of date: run csi-graph territories'}"
        )
        ctx.exit(0 if current == text else 1)
    if current != text:
        write_atomic(target, text)
    click.echo(
        f"{'wrote' if current != text else 'unchanged'}: {target} ({t.PIN['package']} {t.PIN['version']})"
    )


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
    "--completeness",
    type=click.Choice(LEVELS),
    help="Keep only the contracts documented at this level of the register or more (listed < signatories "
    "< commitments < follow-up), in the tables and the chart.",
)
@click.option(
    "-d", "--data", "paths", multiple=True, type=click.Path(path_type=str), help="Add RDF files or folders."
)
@LANG_OPTION
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of stdout.")
def compare(
    contracts: tuple[str, ...],
    fmt: str,
    sections: tuple[str, ...],
    chart: str | None,
    completeness: str | None,
    paths: tuple[str, ...],
    lang: str,
    output: str | None,
) -> None:
    """Compare contracts side by side: themes, parties, targets, signatories, durations.

    CONTRACTS are contract ids (csi-graph info lists them); all loaded contracts by
    default. Sections: overview, themes (commitments per volet of the circular, finer
    themes rolled up), parties (commitments per party), targets (quantified targets with
    units and source grades), signatories (posts), durations, similarity (cosine of
    commitment counts per theme), realisations (dated status records) and per-capita (posts
    and cameras added per 10,000 inhabitants, with the population's year). In themes, "0 ◆"
    marks a volet a source says the contract covers with no commitment known, "–" a contract
    with no commitment known.

    \b
    Exit codes: 0 success; 2 unknown contract, bad option or unwritable file.

    \b
    Examples:
      csi-graph compare
      csi-graph compare toulouse-2020 nantes-2021 dijon-2021 --section targets
      csi-graph compare -f csv --section themes -o themes.csv
      csi-graph compare -f html -o compare.html --chart themes.svg --lang fr
      csi-graph compare --completeness commitments --chart themes.svg
    """
    from csi_graph.compare import compare as run_compare
    from csi_graph.errors import CsiError
    from csi_graph.heatmap import heatmap_svg
    from csi_graph.report import render

    if chart and not chart.lower().endswith(".svg"):
        raise CsiError(f"{chart}: the chart is an SVG image; give a file name ending in .svg")
    chosen = sections or (("themes",) if fmt == "csv" else SECTIONS)
    comparison = run_compare(_load(paths), contracts, lang, completeness)
    svg = heatmap_svg(comparison, comparison.read_on) if chart or fmt == "html" else None
    if chart:
        from csi_graph.files import write_atomic

        write_atomic(chart, svg)
    _output(render(comparison, fmt, chosen, svg if fmt == "html" else None).rstrip("\n"), output)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--chart", type=click.Path(dir_okay=False), help="Also draw them as a bar chart (SVG).")
@LANG_OPTION
def signatures(paths: tuple[str, ...], chart: str | None, lang: str) -> None:
    """Count the contracts signed per quarter (queries/signatures-by-quarter.rq); --chart draws them.

    PATHS are added to the shipped data. A contract whose date is known only to the year is
    counted apart for its year, one with no known date apart too: none is put in a quarter
    the sources do not give.

    \b
    Exit codes: 0 success; 2 bad option or unwritable file.

    \b
    Example:
      csi-graph signatures --chart docs/charts/signatures-by-quarter.svg
    """
    from csi_graph.register import signings

    if chart and not chart.lower().endswith(".svg"):
        raise CsiError(f"{chart}: the chart is an SVG image; give a file name ending in .svg")
    counts = signings(_load(paths))
    if chart:
        from csi_graph.barchart import quarters_svg
        from csi_graph.files import write_atomic

        write_atomic(chart, quarters_svg(counts, lang))
    click.echo(counts.to_text())


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="csi-graph")
    sys.exit(0)
