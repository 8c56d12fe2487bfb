"""`csi-graph query`: every way to give a query, every format, exit codes, and no network."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading

import pytest

from csi_graph.cli import cli


def test_list_shows_titles_and_parameters(runner):
    result = runner.invoke(cli, ["query", "--list", "--lang", "fr"])
    assert result.exit_code == 0
    assert (
        "commitments-by-party  Engagements d'un contrat, par partie  [contract=chambery-2021, lang=en]"
        in result.stdout
    )


def test_table_is_the_default_for_select(runner):
    result = runner.invoke(cli, ["query", "signatories", "-p", "contract", "chambery-2021"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["identifier", "signatory", "post", "role", "party", "date"]
    assert lines[-1] == "(3 rows)"


def test_pivoted_theme_matrix(runner):
    lines = runner.invoke(cli, ["query", "theme-matrix", "--lang", "fr"]).stdout.splitlines()
    header = lines[0].split()
    assert header[0] == "theme" and "chambery-2021" in header
    column = header.index("chambery-2021") + 1  # "Sécurité intérieure" takes two words
    assert lines[2].split()[:2] == ["Sécurité", "intérieure"] and lines[2].split()[column] == "6"


def test_w3c_csv_and_tsv(runner):
    out = runner.invoke(
        cli, ["query", "signatories", "-p", "contract", "chambery-2021", "-f", "csv"]
    ).stdout_bytes.decode()
    assert out.startswith("identifier,signatory,post,role,party,date\r\n")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["signatory"] for r in rows} == {"Pascal Bolot", "Pierre-Yves Michau", "Thierry Repentin"}
    tsv = runner.invoke(
        cli, ["query", "signatories", "-p", "contract", "chambery-2021", "-f", "tsv"]
    ).stdout.splitlines()
    assert tsv[0] == "?identifier\t?signatory\t?post\t?role\t?party\t?date"
    assert '"2021-09-22"^^<http://www.w3.org/2001/XMLSchema#date>' in tsv[1]


def test_w3c_json(runner):
    document = json.loads(runner.invoke(cli, ["query", "commitment-counts", "-f", "json"]).stdout)
    assert document["head"]["vars"] == ["contract", "party", "kind", "commitments"]
    first = next(b for b in document["results"]["bindings"] if b["contract"]["value"] == "chambery-2021")
    assert first["party"] == {"type": "literal", "value": "State", "xml:lang": "en"}
    assert first["commitments"] == {
        "type": "literal",
        "value": "8",
        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
    }


def test_markdown(runner):
    lines = runner.invoke(cli, ["query", "commitment-counts", "-f", "md", "--lang", "fr"]).stdout.splitlines()
    assert lines[0] == "| contract | party | kind | commitments |"
    assert lines[1] == "|---|---|---|---|"
    assert "| chambery-2021 | État | État | 8 |" in lines


def test_construct_formats(runner):
    turtle = runner.invoke(cli, ["query", "commitment-graph"]).stdout
    assert "csi:committedBy" in turtle
    nt = runner.invoke(cli, ["query", "commitment-graph", "-f", "nt"]).stdout
    assert (
        len(nt.strip().splitlines()) == 21
    )  # Chambéry state-01 and its figure (now with its basis, « supplémentaires »)
    document = json.loads(runner.invoke(cli, ["query", "commitment-graph", "-f", "jsonld"]).stdout)
    assert isinstance(document, (list, dict))


def test_ask_exit_codes(runner, shipped):
    from test_queries import realised_contracts

    yes = runner.invoke(cli, ["query", "has-realisation"])
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    without = sorted(
        {r["identifier"] for r in shipped.query("contracts-overview")} - realised_contracts(shipped)
    )
    no = runner.invoke(cli, ["query", "has-realisation", "-p", "contract", without[0]])
    assert (no.exit_code, no.stdout) == (1, "false\n")


def test_an_unknown_contract_exits_2_and_says_which_are_loaded(runner):
    result = runner.invoke(cli, ["query", "has-realisation", "-p", "contract", "nowhere-2030"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: no contract 'nowhere-2030' is loaded; the loaded contracts are: ")
    assert "chambery-2021" in result.stderr


@pytest.mark.parametrize("character", ["\x00", "\x1f", "\x7f"])
def test_a_parameter_with_a_control_character_exits_2_and_names_it(runner, character):
    result = runner.invoke(cli, ["query", "search", "-p", "text", f"vid{character}eo"])
    assert result.exit_code == 2, result.output
    assert f"cannot hold the control character U+{ord(character):04X}" in result.stderr
    # the ones N-Triples escapes briefly are bound as any other character
    assert runner.invoke(cli, ["query", "search", "-p", "text", "vid\teo"]).exit_code == 0


def test_query_from_file_stdin_and_expression(runner, tmp_path):
    text = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/csi-graph/ontology#Commitment> ; "
        "<https://w3id.org/csi-graph/ontology#inContract> <https://w3id.org/csi-graph/id/contract/chambery-2021> }"
    )
    path = tmp_path / "count.rq"
    path.write_text(text)
    for args, stdin in (([str(path)], None), (["-"], text), (["-e", text], None)):
        result = runner.invoke(cli, ["query", *args, "-f", "csv"], input=stdin)
        assert result.stdout_bytes == b"n\r\n16\r\n", args


def test_parameters_and_output_file(runner, tmp_path):
    out = tmp_path / "hits.csv"
    result = runner.invoke(
        cli, ["query", "search", "-p", "text", "Groupe Locale", "-f", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().strip().splitlines()[1].startswith("chambery-2021,Public prosecutor,")


def test_format_mismatch_is_a_usage_error(runner):
    result = runner.invoke(cli, ["query", "commitment-counts", "-f", "turtle"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: format 'turtle' is for graphs")


def test_errors_exit_2_without_traceback(runner):
    cases = {
        ("query", "nope"): "Error: no named query 'nope'; see csi-graph query --list\n",
        (
            "query",
        ): "Error: no query: give a name (see --list), a .rq file, - for standard input, or -e 'SPARQL'\n",
        (
            "query",
            "-e",
            "DELETE WHERE { ?s ?p ?o }",
        ): "Error: SPARQL Update (DELETE) is refused: queries only read the data\n",
        (
            "query",
            "commitments-by-party",
            "-p",
            "city",
            "x",
        ): "Error: query 'commitments-by-party' has no parameter 'city' (its parameters: contract, lang)\n",
    }
    for args, message in cases.items():
        result = runner.invoke(cli, list(args))
        assert (result.exit_code, result.stderr) == (2, message), args
    malformed = runner.invoke(cli, ["query", "-e", "SELECT * WHERE { ?s ?p }"])
    assert malformed.exit_code == 2 and malformed.stderr.startswith("Error: malformed SPARQL")


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                connections.append(conn)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", connections
    stop.set()
    thread.join()
    server.close()


def test_remote_access_is_refused_and_nothing_connects(runner, listener, tmp_path):
    url, connections = listener
    context = tmp_path / "remote-context.jsonld"
    context.write_text(
        json.dumps({"@context": f"{url}/context.jsonld", "@id": "http://ex/a", "http://ex/p": "x"})
    )
    attempts = [
        ["query", "-e", f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"],
        ["query", "-e", f"SELECT * FROM <{url}/graph> WHERE {{ ?s ?p ?o }}"],
        ["query", "-e", f"SELECT * FROM NAMED <{url}/graph> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"],
        ["query", "-e", f"LOAD <{url}/data.ttl>"],
        ["query", "-e", f"PREFIX x: <{url}/> select * where {{ service x:sparql {{ ?s ?p ?o }} }}"],
        ["validate", str(context)],
    ]
    for args in attempts:
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("Error: "), result.stderr
    assert connections == []


def test_allow_remote_still_never_fetches_from_graphs(runner, listener):
    url, connections = listener
    result = runner.invoke(
        cli, ["query", "--allow-remote", "-e", f"SELECT * FROM <{url}/graph> WHERE {{ ?s ?p ?o }}"]
    )
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("(0 rows)")
    assert connections == []


TRICKY = r"""SELECT ?text ?french ?number ?missing WHERE {
    BIND("line 1\r\nline 2\ttab \"quoted\" \\ back" AS ?text) BIND("été"@fr AS ?french) BIND(1.50 AS ?number) }"""


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_w3c_formats_are_written_by_oxigraph_and_read_back(runner, shipped, fmt):
    """Each W3C format parses back (with Oxigraph's parsers) to the terms of the result; TSV and
    CSV keep a carriage return inside the value instead of breaking the line."""
    import pyoxigraph as ox

    result = runner.invoke(cli, ["query", "-e", TRICKY, "-f", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "tsv":
        assert result.stdout_bytes.count(b"\r") == 0 and len(result.stdout.splitlines()) == 2
    formats = {
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
        "tsv": ox.QueryResultsFormat.TSV,
    }
    if fmt == "csv":  # CSV keeps only the text (SPARQL 1.1 CSV): a CSV reader sees one row
        rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
        assert rows[1][0] == 'line 1\r\nline 2\ttab "quoted" \\ back' and rows[1][3] == ""
        return
    (row,) = list(ox.parse_query_results(result.stdout_bytes, format=formats[fmt]))
    expected = shipped.query(TRICKY).rows[0]
    assert [row[v] for v in ("text", "french", "number", "missing")] == list(expected)


def test_csv_quotes_what_needs_quoting_in_every_named_query_on_the_shipped_data(shipped):
    """Read back with a CSV parser, every cell is the value the JSON results give.

    The shipped sources hold an address with commas (Les Petites Affiches); Oxigraph 0.5's CSV
    writer left such IRIs unquoted and the row split into too many cells.
    """
    from csi_graph.queries import library, run

    for name, named in library().items():
        result = run(shipped, named, {})
        if result.form != "SELECT":
            continue
        rows = list(csv.reader(io.StringIO(result.to_w3c("csv").decode("utf-8"), newline="")))
        document = json.loads(result.to_w3c("json"))
        assert rows[0] == document["head"]["vars"], name
        variables = document["head"]["vars"]
        expected = [[_csv_cell(b.get(v)) for v in variables] for b in document["results"]["bindings"]]
        assert rows[1:] == expected, name


def _csv_cell(term: dict | None) -> str:
    """A JSON results term as the SPARQL 1.1 CSV format writes it."""
    if term is None:
        return ""
    return "_:" + term["value"] if term["type"] == "bnode" else term["value"]


def test_csv_of_awkward_terms():
    """An IRI with commas, a literal with a quote and a line break, a blank node, an unbound cell."""
    import pyoxigraph as ox

    from csi_graph.results import QueryResult

    rows = [(ox.NamedNode("http://example.org/a,b,c"), ox.Literal('x "y"\nz'), ox.BlankNode("b0"), None)]
    result = QueryResult("SELECT", ["iri", "text", "node", "none"], rows)
    assert result.to_w3c("csv") == b'iri,text,node,none\r\n"http://example.org/a,b,c","x ""y""\nz",_:b0,\r\n'
