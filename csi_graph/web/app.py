"""The web face of csi-graph: dereferenceable IRIs, HTML pages and a read-only SPARQL endpoint.

A Starlette application (ASGI, served by uvicorn). What it answers:

* ``/sparql`` — the SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``);
  results as JSON, XML, CSV or TSV (graphs as Turtle, N-Triples or JSON-LD) by ``Accept``
  or ``?format=``. Every query is checked by :func:`csi_graph.sparql.check_query` (no Update,
  SERVICE, LOAD or remote FROM), then run in a worker process that is killed at the time
  limit (:mod:`csi_graph.web.pool`), with at most ``max_rows`` rows.
* ``/query`` — a query page with the named queries as examples and the results as a table.
* every IRI under the data base (``/id/…``) and the vocabulary (``/ontology``, ``/theme/…``…):
  a slash IRI answers ``303 See Other`` to its HTML, Turtle, JSON-LD, N-Triples or RDF/XML
  document, chosen by ``Accept`` (and ``Accept-Language`` or ``?lang=`` for HTML); a hash
  document (``/ontology``) answers directly. ``….ttl``, ``….en.html``... name a document.
* ``/``, ``/compare`` and ``/register`` — the contracts, the contracts side by side, and the
  register (state, date, rank, completeness of every contract); French and English.

Errors have one JSON shape for programs, ``{"error": {"status", "code", "message"}}``, and a
plain HTML page for browsers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from csi_graph import limits
from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.namespaces import DATA_BASE
from csi_graph.queries import NamedQuery, bindings_for, library
from csi_graph.results import QueryResult, display
from csi_graph.sparql import QueryError, QueryRefused, bind_values, query_form, screen
from csi_graph.terms import to_ntriples
from csi_graph.web.iris import RDF_EXTENSIONS, IriMap, html_path
from csi_graph.web.negotiation import (
    DOCUMENTS,
    GRAPHS,
    RESULTS,
    choose,
    document_offers,
    preferred_language,
    result_offers,
)
from csi_graph.web.pages import LANGUAGES, Pages, dump
from csi_graph.web.pool import PoolError, WorkerPool
from csi_graph.web.render import CONTENT_SECURITY_POLICY, HERE, Renderer, as_path

SITE_PAGES = ("index", "compare", "register", "query")


@dataclass
class Settings:
    """The limits and addresses of a server (all configurable from ``csi-graph serve``)."""

    time_limit: float = limits.SERVE_TIME_LIMIT  # seconds a query may run before its worker is killed
    max_rows: int = limits.SERVE_MAX_ROWS  # rows (or triples) a query returns at most
    max_body: int = limits.SERVE_MAX_BODY  # bytes of a request body or query text
    body_timeout: float = limits.SERVE_CLIENT_TIMEOUT  # seconds to receive a request body
    workers: int = limits.SERVE_WORKERS  # query worker processes
    data_base: str = DATA_BASE
    queries: dict[str, NamedQuery] | None = field(default=None, repr=False)  # default: the named queries
    # Origins allowed to read answers from scripts in their pages (CORS): any ("*"), as
    # public read-only SPARQL endpoints do (the data is open and no cookie is used), some
    # (their URLs), or none (an empty tuple: no CORS header at all).
    cors_origins: tuple[str, ...] = ("*",)
    isolate: bool = True  # query workers without network (csi_graph.isolation)


class HttpError(Exception):
    """An error answered with ``status`` and a stable ``code`` (see the module docstring)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass(frozen=True)
class QueryRequest:
    """What a worker runs: SPARQL text (checked there, where no network is reachable), the
    row cap, the format to write (None: the result), and the form the format was chosen for."""

    text: str
    max_rows: int
    fmt: str | None
    form: str


@dataclass
class Answer:
    form: str
    truncated: bool
    body: str | None = None
    result: QueryResult | None = None


def run_query(dataset: Dataset, request: QueryRequest) -> Answer:
    """Run in a worker process: the query through the library (same safety policy), then its serialisation.

    The text is only ever SPARQL (never the name of a named query or of a file), and the
    form the parser reads must be the one the server chose the output format for.
    """
    from csi_graph.queries import NamedQuery, run

    result = run(dataset, NamedQuery("query", Path("query.rq"), request.text), {}, max_rows=request.max_rows)
    if result.form != request.form:
        raise QueryError(
            f"the query reads as a {result.form} to the parser but as a {request.form} otherwise"
        )
    if request.fmt is None:
        return Answer(result.form, result.truncated, result=result)
    writer = GRAPHS[request.fmt][1] if result.form in ("CONSTRUCT", "DESCRIBE") else request.fmt
    return Answer(result.form, result.truncated, body=result.serialize(writer))


class Site:
    """The application's state: the dataset, its pages, the templates and the query workers."""

    def __init__(self, dataset: Dataset, settings: Settings) -> None:
        self.dataset = dataset
        self.settings = settings
        self.iris = IriMap(settings.data_base)
        self.pages = Pages(dataset, self.iris)
        self.renderer = Renderer(
            self.pages,
            live=True,
            limits={"time_limit": f"{settings.time_limit:g}", "max_rows": settings.max_rows},
        )
        self.queries = settings.queries if settings.queries is not None else library()
        # Forked now, before the server starts any thread (see csi_graph.web.pool).
        self.pool = WorkerPool(
            dataset, run_query, settings.workers, settings.time_limit, isolate=settings.isolate
        )
        # Queries running or waiting for a worker, each holding a thread: a few per worker.
        self.query_threads = anyio.Semaphore(settings.workers * 4)
        self.document = lru_cache(maxsize=4096)(self._document)

    # Documents of resources ---------------------------------------------------------------

    def _document(self, iri: str, path: str, ext: str, lang: str) -> bytes:
        """One document about ``iri``: its HTML page in ``lang``, or its RDF in ``ext``."""
        if ext != "html":
            return self.pages.document(iri, DOCUMENTS[ext][1])
        page = html_path(path, lang)
        alternates = {code: _leaf(html_path(path, code)) for code in LANGUAGES}
        return render_resource(self.renderer, self.pages, iri, page, lang, alternates).encode()

    def site_page(self, name: str, lang: str) -> bytes:
        return self._site_page(name, lang)

    @lru_cache(maxsize=16)  # noqa: B019 - one Site per application, alive as long as it
    def _site_page(self, name: str, lang: str) -> bytes:
        page = f"{name}.{lang}.html"
        alternates = {code: f"{name}.{code}.html" for code in LANGUAGES}
        return render_site_page(self.renderer, self.pages, name, page, lang, alternates).encode()

    @lru_cache(maxsize=2)  # noqa: B019
    def dump(self, fmt: str) -> bytes:
        return dump(self.dataset, fmt)


def render_resource(
    renderer: Renderer, pages: Pages, iri: str, page: str, lang: str, alternates: dict[str, str]
) -> str:
    """The HTML page of a resource, by its kind (shared with the static site)."""
    kind = pages.kind(iri)
    context: dict[str, Any] = {"iri": iri, "definition": pages.definition(iri, lang)}
    if kind == "document":
        context |= {"terms": pages.document_terms(iri, lang), "properties": pages.described(iri, lang)}
    else:
        context |= {
            "properties": pages.properties(iri, lang),
            "incoming": pages.incoming(iri, lang),
            "types": sorted(pages.types.get(iri, ())),
        }
        if kind in ("contract", "party", "commitment", "concept"):
            context["data"] = getattr(pages, kind)(iri, lang)
    return renderer.render(f"{kind}.html", page, lang, alternates, **context)


def render_site_page(
    renderer: Renderer, pages: Pages, name: str, page: str, lang: str, alternates: dict[str, str]
) -> str:
    """The home page, the comparison or the register (shared with the static site)."""
    if name == "index":
        return renderer.render("index.html", page, lang, alternates, contracts=pages.contracts(lang))
    if name == "register":
        return renderer.render("register.html", page, lang, alternates, data=pages.register(lang))
    return renderer.render("compare.html", page, lang, alternates, data=pages.comparison(lang))


def create_app(dataset: Dataset, settings: Settings | None = None) -> Starlette:
    """The web application over a loaded dataset; starts the query workers at once."""
    site = Site(dataset, settings or Settings())

    async def sparql(request: Request) -> Response:
        text = await _protocol_query(request, site.settings.max_body, site.settings.body_timeout)
        if text is None:
            if _wants_html(request):
                return RedirectResponse(f"query?lang={_lang(request)}", status_code=303)
            raise HttpError(400, "bad-request", "no query: send the SPARQL text in the 'query' parameter")
        form = _check(site, text)
        fmt = request.query_params.get("format")
        offers = result_offers(form)
        if fmt is None:
            fmt = choose(
                request.headers.get("accept"), {"text/html": "html", **offers}, _default_format(form)
            )
        elif fmt not in offers.values():
            raise HttpError(
                400,
                "bad-request",
                f"unknown format {fmt!r} for a {form}: use {', '.join(sorted(set(offers.values())))}",
            )
        if fmt is None:
            raise HttpError(
                406, "not-acceptable", f"a {form} result is available as {', '.join(sorted(set(offers)))}"
            )
        if fmt == "html":
            return await query_page(request, text)
        answer = await _run(site, QueryRequest(text, site.settings.max_rows, fmt, form))
        media = GRAPHS[fmt][0] if form in ("CONSTRUCT", "DESCRIBE") else RESULTS[fmt]
        headers = {"Vary": "Accept"}
        if answer.truncated:
            headers["X-SPARQL-MaxRows"] = str(site.settings.max_rows)
        return Response(answer.body, media_type=_with_charset(media), headers=headers)

    async def query_page(request: Request, text: str | None = None) -> Response:
        lang = _lang(request)
        example = request.query_params.get("example")
        if text is None:
            text = request.query_params.get("query")
        result, error, status = None, None, 200
        if text is None and example is not None:
            if example not in site.queries:
                raise HttpError(404, "not-found", f"no named query {example!r}")
            text = _example_text(site.queries[example], lang)
        elif text is not None:
            try:
                if len(text.encode()) > site.settings.max_body:
                    raise HttpError(
                        413, "too-large", f"the query is longer than {site.settings.max_body} bytes"
                    )
                form = _check(site, text)
                result = (await _run(site, QueryRequest(text, site.settings.max_rows, None, form))).result
            except HttpError as failure:
                error, status = failure.message, failure.status
        page = "query"
        context = {
            "query": text if text is not None else _default_query(site),
            "examples": list(site.queries.values()),
            "result": result,
            "error": error,
        }
        if result is not None:
            context |= _result_view(site, result, text or "", page, lang)
        alternates = {
            code: "query?" + urlencode({"lang": code, **({"query": text} if text else {})})
            for code in LANGUAGES
        }
        html = site.renderer.render("query.html", page, lang, alternates, **context)
        return HTMLResponse(html, status_code=status, headers={"Content-Language": lang})

    async def dereference(request: Request) -> Response:
        path = request.path_params.get("path", "")
        return await run_in_threadpool(_dereference, site, request, path)

    async def dataset_dump(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        media = DUMPS.get(fmt)
        if media is None:
            raise HttpError(
                404,
                "not-found",
                f"no document /dataset.{fmt}: the dataset is offered as "
                + " and ".join(f"/dataset.{name}" for name in DUMPS),
            )
        body = await run_in_threadpool(site.dump, fmt)
        return Response(body, media_type=_with_charset(media))

    async def on_error(request: Request, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            codes = {404: "not-found", 405: "method-not-allowed"}
            error = HttpError(error.status_code, codes.get(error.status_code, "error"), str(error.detail))
        return error_response(site, request, error)

    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", query_page, methods=["GET"]),
        Route("/query.{lang:str}.html", query_page, methods=["GET"]),
        Route("/dataset.{fmt:str}", dataset_dump, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Route("/{path:path}", dereference, methods=["GET"]),
    ]
    middleware = [Middleware(_Guard, site=site), Middleware(_SecurityHeaders)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Accept-Language", "Content-Type"],
                max_age=86400,
            )
        )
    app = Starlette(
        routes=routes,
        exception_handlers={HttpError: on_error, HTTPException: on_error},
        middleware=middleware,
        lifespan=_closing(site.pool),
    )
    app.state.site = site
    return app


DUMPS = {"trig": "application/trig", "nq": "application/n-quads"}
log = logging.getLogger("csi_graph.web")


class _SecurityHeaders:
    """Headers every answer carries: a Content-Security-Policy (pages load no script), no MIME
    sniffing, no framing, and a referrer that leaves the query text behind."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Guard:
    """The last net: an exception no handler turned into an answer becomes a 500 in the usual
    error shape and one line in the log, not a traceback that any visitor could make the
    server write again and again."""

    def __init__(self, app, site: Site) -> None:
        self.app, self.site = app, site

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            log.error(
                "internal error on %s %s: %s: %s",
                scope.get("method"),
                scope.get("path"),
                type(error).__name__,
                error,
            )
            if started:
                return
            failure = HttpError(500, "internal", "an internal error occurred; it has been logged")
            await error_response(self.site, Request(scope), failure)(scope, receive, send)


def _closing(pool: WorkerPool):
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pool.close()

    return lifespan


# Dereferencing -------------------------------------------------------------------------------


def _dereference(site: Site, request: Request, path: str) -> Response:
    """A site page, a resource (303 to a document) or one of its documents; else 404."""
    lang_in_path, ext, base = _split(path)
    lang = lang_in_path or _lang(request)
    if base in ("", "index") or (base in SITE_PAGES and ext == "html"):
        if base == "query":
            return RedirectResponse(f"query?lang={lang}", status_code=303)
        name = base or "index"
        if ext not in (None, "html"):
            raise HttpError(404, "not-found", f"no document /{path}")
        return _html(site.site_page(name, lang), lang, vary=lang_in_path is None)
    if base in ("compare", "register") and ext is None:
        return _html(site.site_page(base, lang), lang, vary=True)
    # A path with a dot may be an IRI of its own; else it names a document of an IRI.
    iri = _known(site, path) if ext is not None else None
    if iri is not None:
        lang_in_path, ext, base = None, None, path
    else:
        iri = _known(site, base)
    if iri is None:
        raise HttpError(404, "not-found", f"nothing is known about /{path} here")
    if ext is not None:
        return _document_response(site, iri, base, ext, lang, vary=lang_in_path is None and ext == "html")
    chosen = choose(request.headers.get("accept"), document_offers(), "html")
    if chosen is None:
        offered = ", ".join(media for media, _ in DOCUMENTS.values())
        raise HttpError(406, "not-acceptable", f"{iri} is described as {offered}")
    if iri in site.pages.documents:  # hash IRIs: the document answers directly
        response = _document_response(site, iri, base, chosen, lang, vary=True)
        response.headers["Content-Location"] = _leaf(
            html_path(base, lang) if chosen == "html" else f"{base}.{chosen}"
        )
        return response
    target = html_path(base, lang) if chosen == "html" else f"{base}.{chosen}"
    return RedirectResponse(_leaf(target), status_code=303, headers={"Vary": "Accept, Accept-Language"})


def _split(path: str) -> tuple[str | None, str | None, str]:
    """(language, extension, path without them) of a served path."""
    for ext in ("html", *RDF_EXTENSIONS):
        if path.endswith("." + ext):
            stem = path[: -len(ext) - 1]
            for lang in LANGUAGES:
                if ext == "html" and stem.endswith("." + lang):
                    return lang, ext, stem[: -len(lang) - 1]
            return None, ext, stem
    return None, None, path


def _known(site: Site, path: str) -> str | None:
    return next((iri for iri in site.iris.candidates(path) if site.pages.exists(iri)), None)


def _leaf(target: str) -> str:
    """A redirect target relative to the request's folder (works behind any path prefix)."""
    return as_path(target.rsplit("/", 1)[-1])


def _document_response(site: Site, iri: str, path: str, ext: str, lang: str, vary: bool) -> Response:
    body = site.document(iri, path, ext, lang)
    if ext == "html":
        return _html(body, lang, vary)
    return Response(
        body,
        media_type=_with_charset(DOCUMENTS[ext][0]),
        headers={"Vary": "Accept"},
    )


def _html(body: bytes, lang: str, vary: bool) -> Response:
    headers = {"Content-Language": lang}
    if vary:
        headers["Vary"] = "Accept-Language"
    return HTMLResponse(body, headers=headers)


# The SPARQL protocol ---------------------------------------------------------------------------


async def _protocol_query(request: Request, max_body: int, body_timeout: float) -> str | None:
    """The query text of a SPARQL Protocol request (refusing updates and dataset descriptions)."""
    if request.method == "GET":
        params = parse_qs(request.url.query, keep_blank_values=True)
    else:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _read_body(request, max_body, body_timeout)
        if media == "application/sparql-update":
            raise _update_refused()
        if media == "application/sparql-query":
            return _decode(body)
        if media != "application/x-www-form-urlencoded":
            raise HttpError(
                415,
                "unsupported-media-type",
                "send the query as application/x-www-form-urlencoded (query=...) or application/sparql-query",
            )
        params = parse_qs(_decode(body), keep_blank_values=True)
        params = {**parse_qs(request.url.query), **params}
    if "update" in params:
        raise _update_refused()
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise HttpError(
            400,
            "bad-request",
            "default-graph-uri and named-graph-uri are not supported: the default graph is the union of "
            "all graphs; use GRAPH <name> { ... } in the query",
        )
    queries = params.get("query", [])
    if len(queries) > 1:
        raise HttpError(400, "bad-request", "give exactly one 'query' parameter")
    if queries and len(queries[0].encode()) > max_body:
        raise HttpError(413, "too-large", f"the query is longer than {max_body} bytes")
    return queries[0] if queries else None


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, refusing (413) more than ``limit`` bytes before reading them all, and
    (408) a body that takes more than ``timeout`` seconds to arrive."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, "too-large", f"the request body is larger than {limit} bytes")
    chunks, size = [], 0
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise HttpError(413, "too-large", f"the request body is larger than {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise HttpError(
            408, "timeout", f"the request body did not arrive within {timeout:g} s", {"Connection": "close"}
        ) from None
    return b"".join(chunks)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "bad-request", "the request body is not UTF-8") from None


def _update_refused() -> HttpError:
    return HttpError(403, "refused", "SPARQL Update is refused: this endpoint only reads the data")


def _check(site: Site, text: str) -> str:
    """The query form, read quickly to choose the output format: refusals are 403, malformed
    or unreadable text 400. The safety check, which parses the query (10-100 ms of CPU), runs
    in the worker, which has no network and is killed at the time limit."""
    try:
        screen(text)
        return query_form(text)
    except QueryRefused as error:
        raise HttpError(403, "refused", _server_message(error)) from None
    except QueryError as error:
        raise HttpError(400, "malformed-query", str(error)) from None


def _server_message(error: Exception) -> str:
    """The library's message without its command-line hint (no option opens a server to the network)."""
    return str(error).split("; use --allow-remote")[0]


async def _run(site: Site, request: QueryRequest) -> Answer:
    """Run a query in the pool, from threads of its own: queries waiting for a worker never
    take the threads that render pages, however many arrive at once."""
    try:
        with anyio.fail_after(site.settings.time_limit):  # waiting for a thread, not running
            await site.query_threads.acquire()
    except TimeoutError:
        raise HttpError(503, "busy", _BUSY) from None
    try:
        return await anyio.to_thread.run_sync(site.pool.call, request, limiter=_UNLIMITED)
    except PoolError as error:
        status = 500 if error.code == "crashed" else 503
        raise HttpError(status, error.code, str(error)) from None
    except QueryRefused as error:
        raise HttpError(403, "refused", _server_message(error)) from None
    except QueryError as error:
        raise HttpError(400, "malformed-query", str(error)) from None
    except CsiError as error:
        raise HttpError(400, "bad-request", str(error)) from None
    finally:
        site.query_threads.release()


_BUSY = "every query worker is busy with other queries; try again in a moment"
# Threads of queries are bounded by Site.query_threads, not by anyio's default limiter.
_UNLIMITED = anyio.CapacityLimiter(10_000)


def _default_format(form: str) -> str:
    return "ttl" if form in ("CONSTRUCT", "DESCRIBE") else "json"


def _with_charset(media: str) -> str:
    return (
        media
        if media in ("application/ld+json", "application/sparql-results+json")
        else f"{media}; charset=utf-8"
    )


# The query page -------------------------------------------------------------------------------


def _example_text(named: NamedQuery, lang: str) -> str:
    """A named query with its parameters bound as a visible VALUES block (language ones to the page's)."""
    params = {p.name: lang for p in named.parameters if p.type == "lang"}
    bindings = bindings_for(named, params)
    return bind_values(named.text, {name: to_ntriples(term) for name, term in bindings.items()})


def _default_query(site: Site) -> str:
    return (
        "PREFIX csi: <https://w3id.org/csi-graph/ontology#>\n"
        "PREFIX dct: <http://purl.org/dc/terms/>\n\n"
        "SELECT ?contract ?title WHERE {\n"
        "  ?contract a csi:IntegratedSecurityContract ; dct:title ?title .\n"
        '  FILTER(lang(?title) = "en")\n'
        "}\n"
    )


def _result_view(site: Site, result: QueryResult, text: str, page: str, lang: str) -> dict[str, Any]:
    """Cells of a SELECT (linked where an IRI has a page here), download links, or a graph as Turtle."""
    from csi_graph.web.render import Linker

    linker = Linker(site.pages, page, lang, live=True)
    graph_form = result.form in ("CONSTRUCT", "DESCRIBE")
    formats = GRAPHS if graph_form else RESULTS
    downloads = [(name.upper(), "sparql?" + urlencode({"query": text, "format": name})) for name in formats]
    view: dict[str, Any] = {"downloads": downloads}
    if result.form == "SELECT":
        view["cells"] = [
            [
                {"text": "", "href": None}
                if value is None
                else {"text": display(value), "href": linker.href(value.value)}
                if _is_iri(value)
                else {"text": display(value), "href": None}
                for value in row
            ]
            for row in result.rows
        ]
    elif graph_form:
        view["graph_text"] = result.serialize("turtle")
    return view


def _is_iri(value: Any) -> bool:
    import pyoxigraph

    return isinstance(value, pyoxigraph.NamedNode)


# Errors ------------------------------------------------------------------------------------------

_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    408: "Request Timeout",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def error_response(site: Site, request: Request, error: HttpError) -> Response:
    """The error as JSON for programs, as a plain page for browsers (who ask for text/html first)."""
    headers = {**error.headers, "Vary": "Accept"}
    if _wants_html(request):
        lang = _lang(request)
        page = request.url.path.lstrip("/") or "index"
        html = site.renderer.render(
            "error.html",
            page,
            lang,
            {},
            status=error.status,
            reason=_REASONS.get(error.status, "Error"),
            message=error.message,
        )
        return HTMLResponse(html, status_code=error.status, headers=headers)
    body = {"error": {"status": error.status, "code": error.code, "message": error.message}}
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=error.status,
        media_type="application/json",
        headers=headers,
    )


def _wants_html(request: Request) -> bool:
    return (
        choose(request.headers.get("accept"), {"text/html": "html", "application/json": "json"}, "json")
        == "html"
    )


def _lang(request: Request) -> str:
    return preferred_language(
        request.path_params.get("lang") or request.query_params.get("lang"),
        request.headers.get("accept-language"),
        LANGUAGES,
    )
