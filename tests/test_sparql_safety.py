"""The SPARQL safety check and its second line of defence, under the bypasses of the security
review (issue 11, finding 1) and a property test against the parser and the engine itself.

Every listener here is a real TCP socket on 127.0.0.1 that counts the connections it gets;
each test that expects none also shows that the same request, unchecked, does connect.
"""

from __future__ import annotations

import functools
import signal
import socket
import subprocess
import sys
from collections import Counter

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liveserver import Listener

from csi_graph.cli import cli
from csi_graph.isolation import deny_network, run_isolated
from csi_graph.sparql import QueryError, QueryRefused, QueryTooComplex, bind_values, check_query, parse
from csi_graph.web.pool import WorkerPool


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def bypasses(url: str) -> list[str]:
    """The review's bypasses of the old lexer, literally: a comment ended by CR, and Unicode
    spaces inside an IRI that made the lexer read the rest of the line as a string."""
    return [
        f"SELECT * WHERE {{ #\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
        *(
            f"SELECT * WHERE {{ ?s ?p <urn:a{space}'> . SERVICE <{url}> {{ ?s ?p ?o }} }} #'"
            for space in "\u00a0\u2003\u2028\u3000"
        ),
        # rdflib expands \u escapes everywhere before parsing, Oxigraph only inside strings:
        f'SELECT * WHERE {{ ?s ?p "a\\u0022 , " . SERVICE <{url}> {{ ?s ?p ?o }} }} #\\u0022 }}',
    ]


def engine_connects(text: str, listener: Listener) -> bool:
    """Whether Oxigraph, running ``text`` unchecked over data that matches, contacts the listener."""
    store = ox.Store()
    for space in "\u00a0\u2003\u2028\u3000":
        store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.NamedNode(f"urn:a{space}'")))
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal('a" , ')))
    before = listener.connections
    try:
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass
    # The engine waits for the listener's answer, and the listener counts a connection before it
    # closes it: a connection is counted by now (settle(0) only lets its thread run).
    return listener.settle(0) > before


def test_the_old_bypasses_are_real_and_now_refused(listener):
    for text in bypasses(listener.url):
        assert engine_connects(text, listener), f"not a bypass: {text!r}"
    listener.connections = 0
    for text in bypasses(listener.url):
        with pytest.raises(QueryError):
            check_query(text)
    assert listener.settle() == 0


def test_the_cli_refuses_the_bypasses_and_nothing_connects(runner, listener):
    for text in bypasses(listener.url):
        result = runner.invoke(cli, ["query", "-e", text])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Error: line 1, column"), result.stderr
    assert listener.settle() == 0


def test_a_plain_service_is_refused_by_name_after_the_prologue(runner, listener):
    """The pre-declared prefixes hold '#' IRIs, after which rdflib's parser misreads a SERVICE:
    the check reads the user's text, so the refusal names SERVICE (not "malformed")."""
    for text in (
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?c a csi:IntegratedSecurityContract . SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
    ):
        result = runner.invoke(cli, ["query", "-e", text])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("Error: SERVICE is refused"), result.stderr
    assert listener.settle() == 0


def test_the_check_decides_on_the_parse_tree():
    url = "http://127.0.0.1:9/sparql"
    for text in (
        f"select * where {{ sErViCe <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "ASK { { SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } } } }",
        f"PREFIX x: <{url}>\nSELECT * WHERE {{ SERVICE x: {{ ?s ?p ?o }} }}",
    ):
        with pytest.raises(QueryRefused, match="SERVICE is refused"):
            check_query(text)
        assert check_query(text, allow_remote=True) in ("SELECT", "ASK")
    # Keywords in strings, IRIs and comments are text, not clauses.
    for text in (
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s <http://example.org/service> ?o } # SERVICE <http://x/> {}",
        "SELECT ?from WHERE { ?from ?p ?o }",
    ):
        assert check_query(text) == "SELECT"
    with pytest.raises(QueryRefused, match=r"FROM NAMED <urn:other> is refused"):
        check_query("SELECT * FROM NAMED <urn:other> WHERE { ?s ?p ?o }", ["urn:g"])
    assert check_query("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", ["urn:g"]) == "SELECT"
    with pytest.raises(QueryRefused, match=r"SPARQL Update \(DELETE, INSERT\) is refused"):
        check_query("DELETE { ?s ?p ?o } INSERT { ?o ?p ?s } WHERE { SERVICE <urn:x> { ?s ?p ?o } }")
    with pytest.raises(QueryError, match=r"malformed SPARQL at line 2, column \d+"):
        check_query("SELECT * WHERE {\n SERVICE <urn:x> { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * WHERE { ?s ?p ?o }\r", "carriage return that is not followed by a line feed"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(?o = '\\U0001F600') }", r"\\U0001 escapes are refused"),
        ("SELECT * WHERE {\u200b?s ?p ?o }", r"U\+200B \(ZERO WIDTH SPACE\)"),
        ("\ufeffSELECT * WHERE { ?s ?p ?o }", r"line 1, column 1: the query holds U\+FEFF"),
        ("SELECT * WHERE { ?s ?p ?o }\x00", r"U\+0000"),
    ],
)
def test_characters_the_two_parsers_may_read_differently_are_refused(text, message):
    with pytest.raises(QueryError, match=message):
        check_query(text)


def test_line_endings_and_non_ascii_text_are_fine():
    assert check_query("SELECT * WHERE {\r\n  ?s ?p 'sécurité intégrée'  # é\r\n}\r\n") == "SELECT"
    assert check_query('SELECT * WHERE {\n\t?s ?p "vidéoprotection"@fr }') == "SELECT"


def test_nesting_and_length_are_bounded(runner, monkeypatch):
    deep = "SELECT * WHERE " + "{" * 20_000 + " ?s ?p ?o " + "}" * 20_000
    with pytest.raises(QueryTooComplex, match=r"nests .* 20000 levels deep .*QUERY_MAX_NESTING=100 levels"):
        check_query(deep)
    result = runner.invoke(cli, ["query", "-e", deep])  # used to crash the process
    assert result.exit_code == 2 and "CSI_GRAPH_QUERY_MAX_NESTING" in result.stderr
    monkeypatch.setenv("CSI_GRAPH_QUERY_MAX_CHARS", "100")
    with pytest.raises(QueryTooComplex, match="QUERY_MAX_CHARS=100 characters"):
        check_query("SELECT * WHERE { " + "?s ?p ?o . " * 20 + "}")


def test_long_flat_queries_neither_crash_the_parser_nor_the_engine():
    # 3,000 triple patterns: rdflib recurses per pattern, Oxigraph per operand of a long sum.
    text = "SELECT * WHERE { " + " ".join(f"?s <urn:p{i}> ?o{i} ." for i in range(3000)) + " FROM_ }"
    with pytest.raises(QueryError, match="malformed SPARQL"):
        parse(text)  # parses 3,000 patterns deep, then fails on the last token
    assert check_query(SUM_OF_ONES) == "SELECT"
    # On the big stack every query process uses, Oxigraph answers (see the next test).
    value = run_isolated(lambda: next(iter(ox.Store().query(SUM_OF_ONES)))["n"].value, timeout=120)
    assert value == "8000"


SUM_OF_ONES = "SELECT (" + " + ".join("1" for _ in range(8000)) + " AS ?n) WHERE {}"


@pytest.mark.slow  # 4 s of a process recursing until it dies: CI
def test_the_long_sum_kills_a_process_that_runs_it_on_the_main_threads_stack():
    """Why query processes run on a big stack: on the main thread's, Oxigraph recursing 8,000
    levels deep kills its process."""
    run = f"import pyoxigraph as ox; list(ox.Store().query({SUM_OF_ONES!r}))"
    crashed = subprocess.run([sys.executable, "-c", run], capture_output=True, timeout=120)
    assert crashed.returncode == -signal.SIGSEGV


def test_bindings_go_where_the_parser_says_and_hold_only_terms():
    text = "SELECT * { ?s ?p ?o { SELECT * WHERE { ?a ?b ?c } } }"
    bound = bind_values(text, {"o": '"x"@fr'})
    assert bound == 'SELECT * { VALUES (?o) { ("x"@fr) }  ?s ?p ?o { SELECT * WHERE { ?a ?b ?c } } }'
    for term in ('"x" } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o', "<a b>", '"a"@fr }'):
        with pytest.raises(QueryError, match="not an RDF term"):
            bind_values("SELECT * WHERE { ?s ?p ?o }", {"o": term})
    with pytest.raises(QueryError, match="not a variable name"):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {"o) { } SERVICE": "<urn:x>"})


# The second line of defence -------------------------------------------------------------------


def test_a_query_process_has_no_network_even_if_the_check_were_bypassed(listener):
    text = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"

    def unchecked() -> str:
        try:
            list(ox.Store().query(text))
        except OSError as error:
            return str(error)
        return "no error"

    assert "unreachable" in run_isolated(unchecked, timeout=30).lower()
    assert listener.settle() == 0
    run_isolated(unchecked, timeout=30, network=True)  # the control: with network it connects
    assert listener.settle() == 1


def test_the_server_workers_have_no_network(listener):
    text = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    pool = WorkerPool(ox.Store(), lambda store, query: list(store.query(query)), 1, 10.0)
    try:
        assert pool.sandbox is None
        with pytest.raises(OSError, match=r"(?i)unreachable"):
            pool.call(text)
    finally:
        pool.close()
    assert listener.settle() == 0


def test_deny_network_says_why_it_cannot():
    status = run_isolated(deny_network, timeout=30)
    assert status is None  # here (Linux, root in CI) the sandbox is in force
    twice = run_isolated(
        lambda: (deny_network(), socket.socket().connect_ex(("127.0.0.1", 9)))[1], timeout=30
    )
    assert twice != 0


# Property test: random spacing, comments, escapes, Unicode spaces and nesting ------------------

PLAIN = [" ", "\t", "\n", "\r\n"]
SPACES = [
    *PLAIN * 4,
    "\r",
    "\u00a0",
    "\u2003",
    "\u2028",
    "\u2029",
    "\u3000",
    "\u0085",
    "\x0b",
    "\x0c",
    "\ufeff",
    "\u200b",
]
ESCAPES = [
    "\\u0022",
    "\\u0027",
    "\\u000A",
    "\\u000D",
    "\\u003E",
    "\\u0023",
    "\\U00000022",
    "\\\\",
    '\\"',
    "\\'",
]
ODD = [*SPACES, *ESCAPES, "#", "'", '"', "<", ">", "{", "}", "'''", '"""', ".", "a"]


# The strategies below are made once each (functools.cache): making a strategy anew for each
# draw took two thirds of the property test's time.


@functools.cache
def pieces(most: int, alphabet: tuple[str, ...] = tuple(ODD)) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet), max_size=most).map("".join)


@functools.cache
def spacing(plain: bool) -> st.SearchStrategy[str]:
    """White space and comments: odd ones (Unicode spaces, lone CR, escapes) or plain ones."""
    ends = ["\n", "\r\n"] if plain else ["\n", "\r", "\r\n", "\u2028", "\u0085"]
    body = pieces(4, ("a", " ", "'", '"', "{", "}", "<") if plain else tuple(ODD))
    comment = st.builds(lambda text, end: "#" + text + end, body, st.sampled_from(ends))
    return st.lists(
        st.one_of(st.sampled_from(PLAIN if plain else SPACES), comment), min_size=1, max_size=3
    ).map("".join)


@functools.cache
def keyword(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(word, upper, strict=True))
    )


@st.composite
def hostile_queries(draw, url: str) -> str:
    plain = draw(st.booleans())
    sp = lambda: draw(spacing(plain))  # noqa: E731
    odd = draw(pieces(3, ("a", "b", " ") if plain else tuple(ODD)))
    service = draw(keyword("SERVICE"))
    depth = draw(st.integers(0, 3))
    inner = f"{service}{sp()}<{url}>{sp()}{{ ?s ?p ?o }}"
    for _ in range(depth):
        inner = draw(
            st.sampled_from(["{{ {} }}", "OPTIONAL {{ {} }}", "FILTER EXISTS {{ {} }}", "MINUS {{ {} }}"])
        ).format(inner)
    skeleton = draw(
        st.sampled_from(
            [
                "SELECT * WHERE {{{sp}{inner}{sp}}}",
                "SELECT * WHERE {{ #{odd}{sp}{inner} }}",
                "SELECT * WHERE {{ ?s ?p <urn:a{odd}'> .{sp}{inner} }} #'",
                'SELECT * WHERE {{ ?s ?p "a{odd} , " .{sp}{inner} }} #{odd} }}',
                "SELECT * WHERE {{ ?s ?p '{odd}' .{sp}{inner}{sp}}}",
                "SELECT * WHERE {{ ?s ?p '''{odd}''' .{sp}{inner} }}",
                "SELECT * WHERE {{ ?s ?p ?o{sp}}} #{odd}{sp}{inner}",
                # SERVICE inside a string or a comment, for both parsers: harmless, to be accepted.
                'SELECT * WHERE {{ ?s ?p "{inner}" }}',
                "SELECT * WHERE {{ ?s ?p '''{sp}{inner}{sp}''' }}",
                "SELECT * WHERE {{ ?s ?p ?o }} # {inner}",
                "SELECT * WHERE {{{sp}# {inner}\n ?s ?p ?o }}",
            ]
        )
    )
    return skeleton.format(sp=sp(), inner=inner, odd=odd)


def test_property_no_accepted_query_reaches_a_server(listener):
    """Whatever the spacing, comments, escapes and nesting: a query the check accepts has no
    SERVICE in rdflib's parse tree, and Oxigraph, running it unchecked, connects nowhere."""
    seen: Counter[str] = Counter()

    @settings(max_examples=400, deadline=None, derandomize=True, database=None)
    @given(hostile_queries(listener.url))
    def check(text: str) -> None:
        try:
            check_query(text)
        except QueryError:
            seen["refused"] += 1
            seen["refused, and the engine would have connected"] += engine_connects(text, listener)
            return
        seen["accepted"] += 1
        assert not engine_connects(text, listener), repr(text)
        if "service" in text.casefold():
            tree = parse(text)  # the oracle: the parser's own tree
            assert "ServiceGraphPattern" not in repr(tree), repr(text)

    check()
    # The generator makes real attacks and harmless texts alike, or the test proves nothing.
    assert seen["refused, and the engine would have connected"] > 20, seen
    assert seen["accepted"] > 10, seen
