"""The web application through its test client: content negotiation, 303 redirects, pages,
the SPARQL protocol, the safety policy, limits and the error shape."""

from __future__ import annotations

import csv
import io
import json
import time
import warnings
import xml.dom.minidom

import pytest
from rdflib import Graph, URIRef

from csi_graph.loader import load
from csi_graph.queries import library
from csi_graph.web.app import Settings, create_app
from csi_graph.web.negotiation import choose, parse_accept, preferred_language

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from liveserver import FIXTURE_QUERIES

ID = "https://w3id.org/csi-graph/id/"
CONTRACT = ID + "contract/chambery-2021"
SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIME_LIMIT = 2.0
MAX_ROWS = 50


@pytest.fixture(scope="module")
def dataset():
    return load(store="oxigraph")


@pytest.fixture(scope="module")
def client(dataset):
    settings = Settings(
        time_limit=TIME_LIMIT, max_rows=MAX_ROWS, max_body=4096, workers=2, queries=library(FIXTURE_QUERIES)
    )
    with TestClient(create_app(dataset, settings)) as test_client:
        yield test_client


def get(client, url: str, accept: str | None = None, **headers: str):
    if accept is not None:
        headers["Accept"] = accept
    return client.get(url, headers=headers, follow_redirects=False)


def error_of(response, status: int, code: str) -> str:
    """Check the one JSON error shape; return its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]["message"]


# Content negotiation and Cool URIs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "language", "location"),
    [
        ("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", None, "chambery-2021.en.html"),
        ("text/html", "fr-FR,fr;q=0.9,en;q=0.5", "chambery-2021.fr.html"),
        ("text/turtle", None, "chambery-2021.ttl"),
        ("application/ld+json", None, "chambery-2021.jsonld"),
        ("application/n-triples", None, "chambery-2021.nt"),
        ("application/rdf+xml", None, "chambery-2021.rdf"),
        ("text/turtle;q=0.5, application/ld+json", None, "chambery-2021.jsonld"),
        (None, None, "chambery-2021.en.html"),
    ],
)
def test_a_data_iri_answers_303_to_the_document_the_client_accepts(client, accept, language, location):
    headers = {"Accept-Language": language} if language else {}
    response = get(client, "/id/contract/chambery-2021", accept, **headers)
    assert response.status_code == 303
    assert response.headers["location"] == location
    assert "Accept" in response.headers["vary"]


def test_an_iri_refuses_a_format_it_cannot_give(client):
    message = error_of(get(client, "/id/contract/chambery-2021", "image/png"), 406, "not-acceptable")
    assert "text/turtle" in message


@pytest.mark.parametrize(
    ("ext", "media", "rdflib_format"),
    [
        ("ttl", "text/turtle", "turtle"),
        ("jsonld", "application/ld+json", "json-ld"),
        ("nt", "application/n-triples", "nt"),
        ("rdf", "application/rdf+xml", "xml"),
    ],
)
def test_each_document_parses_and_describes_the_contract(client, ext, media, rdflib_format):
    response = get(client, f"/id/contract/chambery-2021.{ext}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    contract = URIRef(CONTRACT)
    assert (contract, URIRef("http://purl.org/dc/terms/identifier"), None) in graph
    # The document also says what points to the contract: its parties and commitments.
    assert (URIRef(ID + "party/chambery-2021/state"), None, contract) in graph


def test_the_ontology_uses_hash_iris_and_answers_directly(client):
    response = get(client, "/ontology", "text/turtle")
    assert response.status_code == 200
    assert response.headers["content-location"] == "ontology.ttl"
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef("https://w3id.org/csi-graph/ontology#Commitment"), None, None) in graph
    page = get(client, "/ontology", "text/html")
    assert page.status_code == 200
    assert 'id="Commitment"' in page.text and 'id="committedBy"' in page.text


def sample(resources: list[str], site) -> list[str]:
    """The first and the last served IRI of each kind (``id/commitment``, ``theme``...)."""
    kinds: dict[str, list[str]] = {}
    for iri in resources:
        segments = site.iris.path(iri).split("/")
        kinds.setdefault("/".join(segments[: 2 if segments[0] == "id" else 1]), []).append(iri)
    return sorted({iri for found in kinds.values() for iri in (found[0], found[-1])})


# Every served IRI (6,400 requests, 9 s of CPU) in CI; the first and last of each kind locally.
@pytest.mark.parametrize("every", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["sample", "all"])
def test_every_served_iri_dereferences(client, every):
    """Each served IRI answers a browser and a program, directly or by a 303 to a document.

    The requests go to the same application through an asynchronous client in one event loop:
    the test client hands each request to another thread and back, which took half the time.
    """
    import anyio
    import httpx

    site = client.app.state.site
    resources = site.pages.served_resources()
    assert len(resources) > 100
    assert CONTRACT in resources
    if not every:
        resources = sample(resources, site)
        assert 20 < len(resources) < 100

    async def dereference_all() -> None:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            for iri in resources:
                path = site.iris.path(iri)
                for accept in ("text/html", "text/turtle"):
                    response = await http.get("/" + path, headers={"Accept": accept})
                    assert response.status_code in (200, 303), (iri, response.text)
                    if response.status_code == 303:
                        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
                        document = await http.get("/" + folder + response.headers["location"])
                        assert document.status_code == 200, iri
                        assert document.content

    anyio.run(dereference_all)


def test_unknown_paths_are_404_in_json_for_programs_and_html_for_people(client):
    error_of(get(client, "/id/contract/nowhere-1999"), 404, "not-found")
    page = get(client, "/id/contract/nowhere-1999", "text/html")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "nowhere-1999" in page.text and "<!DOCTYPE html>" in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/..%2F..%2Fweb%2Fapp.py",
        "/static/%2e%2e/%2e%2e/cli.py",
        "/id/../../etc/passwd",
        "/id/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
    ],
)
def test_no_path_leaves_the_site(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text and "root:" not in response.text


def test_static_files_are_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert "body" in response.text


# Pages --------------------------------------------------------------------------------------------


def test_the_home_page_lists_the_contracts_in_both_languages(client, dataset):
    english = get(client, "/", "text/html")
    assert english.status_code == 200 and english.headers["content-language"] == "en"
    assert "First integrated security contract of Chambéry" in english.text
    assert 'href="id/contract/chambery-2021.en.html"' in english.text
    french = get(client, "/?lang=fr", "text/html")
    assert french.headers["content-language"] == "fr"
    assert "Premier contrat de sécurité intégrée de Chambéry" in french.text
    assert 'href="index.en.html"' in french.text  # the language switcher
    by_header = get(client, "/", "text/html", **{"Accept-Language": "fr"})
    assert "Premier contrat" in by_header.text
    contracts = dataset.query(
        "SELECT ?c WHERE { ?c a <https://w3id.org/csi-graph/ontology#IntegratedSecurityContract> }"
    )
    assert english.text.count('class="contract-link"') == len(contracts)


def test_the_contract_page_shows_parties_signatories_commitments_realisations_and_sources(client, dataset):
    page = get(client, "/id/contract/chambery-2021.en.html").text
    for expected in (
        "State",
        "Public prosecutor",
        "City of Chambéry",
        "Pascal Bolot",
        "Prefect of Savoie",
        "Thierry Repentin",
        "Mayor of Chambéry",
        "Pierre-Yves Michau",
        "Commitments by party",
        "Commitments by theme",
        "Internal security",
        "Follow-up and realisations",
        "Partially realised",
        "Le Petit Reporter du 73",
    ):
        assert expected in page, expected
    labels = dataset.query(
        """SELECT ?label WHERE { ?c a <https://w3id.org/csi-graph/ontology#Commitment> ; <https://w3id.org/csi-graph/ontology#inContract> ?k ;
             <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = "en") }""",
        k=URIRef(CONTRACT),
    )
    assert len(labels) == 16
    for row in labels:
        assert row["label"].replace('"', "&#34;") in page, row["label"]
    french = get(client, "/id/contract/chambery-2021.fr.html").text
    assert "Engagements par partie" in french and "État" in french and "Préfet de la Savoie" in french


def test_party_commitment_theme_and_term_pages(client):
    party = get(client, "/id/party/chambery-2021/state.en.html").text
    assert "Creation of 10 additional national police officer posts" in party and "Pascal Bolot" in party
    commitment = get(client, "/id/commitment/chambery-2021/parquet-01.fr.html").text
    assert "Mise en œuvre de la justice de proximité (accélération des procédures judiciaires" in commitment
    assert "accélération des procédures judiciaires" in commitment
    theme = get(client, "/theme/internal-security.en.html").text
    assert "Internal security" in theme and "Creation of 10 additional national police officer posts" in theme
    term = get(client, "/ontology.en.html").text
    assert "contract party" in term and 'href="#ContractParty"' in term


def test_the_comparison_page_puts_contracts_side_by_side(client):
    page = get(client, "/compare", "text/html")
    assert page.status_code == 200
    assert "Contracts compared" in page.text and "Internal security" in page.text
    assert 'href="id/contract/chambery-2021.en.html"' in page.text
    assert "Comparaison des contrats" in get(client, "/compare.fr.html").text


# The SPARQL protocol -------------------------------------------------------------------------------


def test_sparql_get_post_form_and_direct_body_give_the_same_results(client):
    query = (
        "SELECT ?c WHERE { ?c a <https://w3id.org/csi-graph/ontology#Commitment> ; "
        "<https://w3id.org/csi-graph/ontology#inContract> <https://w3id.org/csi-graph/id/contract/chambery-2021> } ORDER BY ?c"
    )
    by_get = client.get("/sparql", params={"query": query})
    by_form = client.post("/sparql", data={"query": query})
    by_body = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        assert len(response.json()["results"]["bindings"]) == 16
    assert by_get.json() == by_form.json() == by_body.json()


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_results_by_accept_header(client, accept, media):
    query = (
        "SELECT ?id WHERE { ?c <http://purl.org/dc/terms/identifier> ?id ; "
        "<https://w3id.org/csi-graph/ontology#inContract> <https://w3id.org/csi-graph/id/contract/chambery-2021> "
        'FILTER(?id = "state-01") }'
    )
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    if media.endswith("json"):
        assert response.json()["results"]["bindings"] == [{"id": {"type": "literal", "value": "state-01"}}]
    elif media.endswith("xml"):
        document = xml.dom.minidom.parseString(response.content)
        assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == ["state-01"]
    elif media == "text/csv":
        assert list(csv.reader(io.StringIO(response.text))) == [["id"], ["state-01"]]
    else:
        assert response.text == '?id\n"state-01"\n'


def test_format_parameter_ask_and_construct(client):
    csv_text = client.get("/sparql", params={"query": "SELECT ?x WHERE { VALUES ?x { 1 } }", "format": "csv"})
    assert csv_text.headers["content-type"].startswith("text/csv") and csv_text.text == "x\r\n1\r\n"
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ask.json() == {"head": {}, "boolean": True}
    ask_xml = client.get(
        "/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert "<boolean>true</boolean>" in ask_xml.text
    construct = client.get(
        "/sparql",
        params={"query": f"CONSTRUCT WHERE {{ <{CONTRACT}> ?p ?o }}"},
        headers={"Accept": "application/n-triples"},
    )
    assert construct.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=construct.text, format="nt")) > 10
    error_of(client.get("/sparql", params={"query": "ASK {}", "format": "ttl"}), 400, "bad-request")
    error_of(
        client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}),
        406,
        "not-acceptable",
    )


def test_sparql_protocol_errors(client):
    error_of(client.get("/sparql"), 400, "bad-request")
    error_of(client.get("/sparql?query=ASK{}&query=ASK{}"), 400, "bad-request")
    error_of(
        client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "http://x/"}),
        400,
        "bad-request",
    )
    error_of(
        client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
    )
    error_of(client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x "}), 400, "malformed-query")
    error_of(client.delete("/sparql"), 405, "method-not-allowed")
    assert get(client, "/sparql", "text/html").status_code == 303  # a browser without a query: the query page


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "DROP ALL",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/graph.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:9/graph.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_updates_service_load_and_remote_from_are_refused(client, query):
    error_of(client.get("/sparql", params={"query": query}), 403, "refused")
    error_of(client.post("/sparql", data={"query": query}), 403, "refused")


def test_update_operations_of_the_protocol_are_refused(client, dataset):
    update = "DELETE WHERE { ?s ?p ?o }"
    error_of(client.post("/sparql", data={"update": update}), 403, "refused")
    error_of(
        client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
        403,
        "refused",
    )
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_from_a_local_graph_is_allowed(client, dataset):
    graph = next(g.name for g in dataset.graphs if g.display.endswith("chambery-2021.ttl"))
    response = client.get(
        "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"}
    )
    assert response.status_code == 200


def test_results_are_capped_and_say_so(client):
    response = client.get("/sparql", params={"query": SELECT_ALL})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    assert response.headers["x-sparql-maxrows"] == str(MAX_ROWS)
    small = client.get("/sparql", params={"query": SELECT_ALL + " LIMIT 3"})
    assert "x-sparql-maxrows" not in small.headers
    triples = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(triples.text.strip().splitlines()) == MAX_ROWS


def test_oversized_requests_are_refused(client):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    error_of(
        client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}),
        413,
        "too-large",
    )
    error_of(client.get("/sparql", params={"query": big}), 413, "too-large")

    def chunks():  # no Content-Length: the body is counted while it arrives
        for _ in range(10):
            yield b"#" + b"x" * 1000

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    error_of(response, 413, "too-large")


def test_a_query_past_the_time_limit_is_stopped_and_the_service_goes_on(client):
    started = time.monotonic()
    message = error_of(client.get("/sparql", params={"query": CROSS_JOIN}), 503, "timeout")
    elapsed = time.monotonic() - started
    assert f"{TIME_LIMIT:g} s" in message
    assert elapsed < TIME_LIMIT + 2
    for _ in range(3):  # the killed worker was replaced
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


# The query page -------------------------------------------------------------------------------------


def test_the_query_page_offers_the_named_queries_and_shows_results(client):
    page = get(client, "/query", "text/html")
    assert page.status_code == 200
    assert "Commitments of a contract (test fixture)" in page.text
    example = get(client, "/query?example=commitments-of-contract&lang=fr").text
    assert "VALUES" in example and "chambery-2021" in example and "&#34;fr&#34;" in example
    named = library(FIXTURE_QUERIES)["commitments-of-contract"]
    from csi_graph.web.app import _example_text

    results = client.get("/query", params={"query": _example_text(named, "en")})
    assert results.status_code == 200
    assert 'id="results-table"' in results.text
    assert "Creation of 10 additional national police officer posts" in results.text
    assert "16 rows" in results.text
    assert "sparql?query=" in results.text and "format=csv" in results.text
    assert get(client, "/query?example=nothing-such").status_code == 404


def test_the_query_page_shows_refusals_and_timeouts_to_people(client):
    refused = client.get("/query", params={"query": "DROP ALL"})
    assert refused.status_code == 403 and 'id="query-error"' in refused.text
    browser = client.get("/sparql", params={"query": "DROP ALL"}, headers={"Accept": "text/html"})
    assert browser.status_code == 403 and browser.headers["content-type"].startswith("text/html")


def test_the_whole_dataset_downloads_as_trig_and_nquads(client, dataset):
    from rdflib import Dataset as RdflibDataset

    for fmt, rdflib_format in (("trig", "trig"), ("nq", "nquads")):
        response = client.get(f"/dataset.{fmt}")
        assert response.status_code == 200
        whole = RdflibDataset().parse(data=response.content, format=rdflib_format)
        assert len(list(whole.quads())) == len(dataset)  # every triple of every named graph


# Negotiation helpers -----------------------------------------------------------------------------


def test_accept_parsing_and_choice():
    assert parse_accept("text/html;q=0.5, text/turtle") == [("text/turtle", 1.0), ("text/html", 0.5)]
    offers = {"text/turtle": "ttl", "text/html": "html"}
    assert choose("text/*;q=0.9, application/json;q=0.1", offers, "html") == "ttl"
    assert choose("text/turtle;q=0", offers, "html") is None
    assert choose("", offers, "html") == "html"
    assert preferred_language(None, "de-DE, fr;q=0.8, en;q=0.5") == "fr"
    assert preferred_language("en", "fr") == "en"
    assert preferred_language("xx", None) == "en"
    json.dumps(offers)


def test_a_city_publishing_under_its_own_base(tmp_path):
    city = tmp_path / "own-base.ttl"  # synthetic: an invented city, for this test only
    city.write_text(
        "@base <https://data.example.org/csi/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<thing/one> rdfs:label "An invented resource"@en ; rdfs:seeAlso <https://w3id.org/csi-graph/id/fund/fipd> .\n'
    )
    settings = Settings(time_limit=TIME_LIMIT, workers=1, data_base="https://data.example.org/csi/id/")
    with TestClient(create_app(load([city], contracts=False, store="oxigraph"), settings)) as own:
        assert get(own, "/id/thing/one", "text/turtle").headers["location"] == "one.ttl"
        graph = Graph().parse(data=get(own, "/id/thing/one.ttl").content, format="turtle")
        assert (URIRef("https://data.example.org/csi/id/thing/one"), None, None) in graph
        page = get(own, "/id/thing/one.en.html").text
        assert "An invented resource" in page
        assert 'href="../fund/fipd.en.html"' in page  # the project's reference data is still served
        assert get(own, "/id/fund/fipd", "text/html").status_code == 303


def test_the_rdflib_store_serves_and_stops_queries_too(shipped):
    settings = Settings(time_limit=TIME_LIMIT, workers=1)
    with TestClient(create_app(shipped, settings)) as reference:
        assert "Chambéry" in get(reference, "/id/contract/chambery-2021.fr.html").text
        query = (
            "SELECT ?c WHERE { ?c a <https://w3id.org/csi-graph/ontology#Commitment> ; "
            "<https://w3id.org/csi-graph/ontology#inContract> <https://w3id.org/csi-graph/id/contract/chambery-2021> }"
        )
        assert len(reference.get("/sparql", params={"query": query}).json()["results"]["bindings"]) == 16
        started = time.monotonic()
        error_of(reference.get("/sparql", params={"query": CROSS_JOIN}), 503, "timeout")
        assert time.monotonic() - started < TIME_LIMIT + 2
