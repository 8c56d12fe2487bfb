"""The cache's text index (csi_graph/textindex.py) gives search.rq's answer, exactly.

Each search on a dataset opened from the cache is compared with the same search by SPARQL
on the same data in memory: the same variables, the same rows (terms), in the same order.
On the shipped data and on generated data, in both label languages and another one, for
texts that match much, little or nothing, with the case rules most likely to differ
(accented capitals, ß, dotted İ, final sigma), for texts cut from the data's own wording,
and for arbitrary text (hypothesis). The failure modes of the index file (damaged,
read-only, stale) are in tests/test_cache_safety.py.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csi_graph import loader, textindex
from csi_graph.cli import cli
from csi_graph.errors import CsiError
from csi_graph.loader import load
from csi_graph.queries import resolve
from csi_graph.results import SELECT_FORMATS

# Texts whose lower-casing is where implementations differ: É and VIDÉO (accented capitals),
# ß (no one-letter upper case), İ (lower-cases to two code points), Σ (final or not).
NEEDLES = ["", "police", "PoLiCe", "Vidéo", "É", "VIDÉO", "ß", "İ", "Σ", "no commitment says zqxv"]
# More for the commitments of tests/fixtures/synthetic-case-rules.ttl, written to trip them.
CASE_NEEDLES = ["ΟΔΟΣ", "ΟΔΟΣ ", "οδος", "οδοσ", "ς", "ΑΣ", "İZMİR", "izmir", "i\u0307", "ẞ", "STRASSE", "ß"]
CASE_NEEDLES += ["\u212a", "K", "300 k", "ǅ", "ǆ", "Ǆ", "ÉTÉ", "été", "\u1c89", "\u1c8a", "\ua7dc", "\u019b"]
LANGS = ["en", "fr"]


def index_files(dataset, lang: str) -> list:
    return sorted(dataset.cache_entry.glob(f"search-{lang}-*.index"))


def same_answer(cached, memory, **params) -> int:
    """Assert the index's answer is SPARQL's; the number of rows."""
    indexed, sparql = cached.query("search", **params), memory.query("search", **params)
    assert indexed.variables == sparql.variables
    assert indexed.rows == sparql.rows, params
    assert indexed.truncated == sparql.truncated
    return len(sparql.rows)


def cut_from(memory) -> list[str]:
    """Pieces of the data's own wordings, some in capitals."""
    texts = sorted({row["wording"] for row in memory.query("search", text="").records() if row["wording"]})
    pieces = []
    for number, text in enumerate(texts[:: max(1, len(texts) // 12)]):
        piece = text[len(text) // 3 : len(text) // 3 + 4 + number % 9]
        pieces.append(piece.upper() if number % 2 else piece)
    return pieces


@pytest.fixture(scope="module")
def shipped_pair(tmp_path_factory, shipped):
    """The shipped data opened from the cache, and in memory."""
    return load(cache=tmp_path_factory.mktemp("cache")), shipped


@pytest.fixture(scope="module")
def generated_pair(tmp_path_factory):
    """A few thousand triples of generated contracts, opened from the cache and in memory."""
    from csi_graph.synthetic import generate

    path = generate(tmp_path_factory.mktemp("generated") / "generated.ttl", triples=3_000, seed=13).path
    cache = tmp_path_factory.mktemp("cache")
    return load([path], contracts=False, cache=cache), load([path], contracts=False)


@pytest.fixture(scope="module")
def case_rules_pair(tmp_path_factory):
    """The invented contract and the commitments of synthetic-case-rules.ttl, cached and in memory."""
    from conftest import FIXTURES, SYNTHETIC

    paths = [SYNTHETIC, FIXTURES / "synthetic-case-rules.ttl"]
    cache = tmp_path_factory.mktemp("cache")
    return load(paths, contracts=False, cache=cache), load(paths, contracts=False)


@pytest.fixture(params=["shipped", "generated"])
def pair(request):
    return request.getfixturevalue(f"{request.param}_pair")


@pytest.mark.parametrize("lang", LANGS)
def test_the_index_gives_sparqls_answer(pair, lang):
    cached, memory = pair
    assert cached.cache_entry is not None and memory.cache_entry is None
    counts = {needle: same_answer(cached, memory, text=needle, lang=lang) for needle in NEEDLES}
    assert len(index_files(cached, lang)) == 1  # answered by the index, built once
    assert counts[""] == len(memory.query("search", text="", lang=lang)) > counts["police"] > 0
    assert counts["no commitment says zqxv"] == 0
    pieces = cut_from(memory)
    assert all(same_answer(cached, memory, text=piece, lang=lang) > 0 for piece in pieces), pieces


@pytest.mark.parametrize("lang", LANGS)
def test_letters_whose_lower_case_is_easy_to_get_wrong(case_rules_pair, lang):
    cached, memory = case_rules_pair
    counts = {
        needle: same_answer(cached, memory, text=needle, lang=lang) for needle in NEEDLES + CASE_NEEDLES
    }
    assert len(index_files(cached, lang)) == 1
    found = {needle for needle, count in counts.items() if count}
    assert {"ΟΔΟΣ", "οδος", "ς", "İZMİR", "i\u0307", "ẞ", "ß", "\u212a", "K", "ǅ", "ǆ", "ÉTÉ"} <= found, (
        counts
    )


@pytest.mark.parametrize("max_rows", [0, 1, 5])
def test_max_rows_cuts_the_index_as_any_query(shipped_pair, max_rows):
    cached, memory = shipped_pair
    same_answer(cached, memory, text="é", max_rows=max_rows)
    assert cached.query("search", text="é", max_rows=max_rows).truncated


def test_other_languages_are_indexed_the_same_way(shipped_pair):
    cached, memory = shipped_pair
    for lang in ("de", "en-GB"):
        assert same_answer(cached, memory, text="vidéo", lang=lang) > 0
        assert len(index_files(cached, lang)) == 1


def test_a_lang_that_is_not_a_tag_is_left_to_sparql(shipped_pair):
    cached, memory = shipped_pair
    before = sorted(cached.cache_entry.iterdir())
    odd = ox.Literal("en", language="fr")  # a term the Python API lets through, not a tag
    assert same_answer(cached, memory, text="vidéo", lang=odd) > 0
    assert sorted(cached.cache_entry.iterdir()) == before  # no index made for it


def test_in_memory_datasets_keep_plain_sparql(shipped):
    assert shipped.cache_entry is None
    assert textindex.search(shipped, {"text": ox.Literal("x"), "lang": ox.Literal("en")}, None) is None


def test_a_users_query_named_search_is_not_answered_by_the_index(shipped_pair, tmp_path):
    cached, memory = shipped_pair
    mine = tmp_path / "search.rq"
    mine.write_text(resolve("search").text.replace("ORDER BY ?identifier", "ORDER BY DESC(?identifier)"))
    from csi_graph.queries import parse_named_query

    named = parse_named_query(mine)
    assert not textindex.answers(named)
    assert cached.query(named, text="vidéo").rows == memory.query(named, text="vidéo").rows
    assert cached.query(named, text="vidéo").rows != cached.query("search", text="vidéo").rows


# Hypothesis: any text --------------------------------------------------------------------------

PIECES = st.builds(
    lambda text, start, length, upper: (
        text[start : start + length].upper() if upper else text[start : start + length]
    ),
    st.sampled_from(["Vidéoprotection", "Police municipale", "Prévention", "LAÏCITÉ", "Œuvre"]),
    st.integers(0, 10),
    st.integers(0, 8),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=12), PIECES))
def test_any_text_gets_sparqls_answer(shipped_pair, text):
    cached, memory = shipped_pair

    def outcome(dataset):  # the rows, or the error (some control characters cannot be bound)
        try:
            result = dataset.query("search", text=text, lang="fr")
        except CsiError as error:
            return type(error), str(error)
        return result.variables, result.rows

    assert outcome(cached) == outcome(memory)


# The index is really used -------------------------------------------------------------------------


def spy(dataset) -> list[str]:
    """The texts of the queries the dataset's store runs from now on (the store runs them)."""
    seen: list[str] = []
    real = dataset.store.query

    def query(text):
        seen.append(text)
        return real(text)

    dataset.store.query = query
    return seen


def test_the_first_search_builds_the_index_and_the_next_ones_read_it(tmp_path, shipped):
    order_by = "ORDER BY ?identifier ?party ?commitment"  # search.rq's own text
    first = load(cache=tmp_path)
    assert not index_files(first, "en")  # loading does not build it
    ran = spy(first)
    same_answer(first, shipped, text="police")
    assert [text for text in ran if order_by in text], "search.rq ran once, for the empty text"
    assert any("LCASE(STR(?haystack)) AS ?text" in text for text in ran)
    (built,) = index_files(first, "en")

    again = load(cache=tmp_path)  # as the next command does: the same entry
    assert again.cache_entry == first.cache_entry
    ran = spy(again)
    same_answer(again, shipped, text="vidéo")
    assert ran and not [text for text in ran if order_by in text or "?haystack" in text], ran
    assert index_files(again, "en") == [built]


def test_the_command_line_answers_alike_in_every_format(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(loader, "CACHE_FROM_BYTES", 0)
    for lang in LANGS:
        for fmt in SELECT_FORMATS:
            arguments = ["query", "search", "-p", "text", "VIDÉO", "--lang", lang, "-f", fmt]
            indexed = runner.invoke(cli, arguments)
            sparql = runner.invoke(cli, ["--no-cache", *arguments])
            assert indexed.exit_code == sparql.exit_code == 0, indexed.output
            assert indexed.stdout == sparql.stdout and indexed.stdout.count("chambery-2021") > 1, (lang, fmt)
            assert indexed.stderr == ""
    (entry,) = [child for child in tmp_path.iterdir() if not child.name.startswith(".")]
    assert sorted(path.name.split("-")[1] for path in entry.glob("search-*.index")) == ["en", "fr"]


@pytest.mark.parametrize("max_rows", [None, 2])
def test_an_answer_goes_through_pickling_read_or_not(shipped_pair, max_rows):
    """The command line sends the answer from its query process to its parent by pickling."""
    import pickle

    cached, memory = shipped_pair
    expected = memory.query("search", text="vidéo", max_rows=max_rows)
    unread = cached.query("search", text="vidéo", max_rows=max_rows)
    read = cached.query("search", text="vidéo", max_rows=max_rows)
    assert read.rows
    for answer in (pickle.loads(pickle.dumps(unread)), pickle.loads(pickle.dumps(read)), unread):
        assert (answer.variables, answer.rows, answer.truncated) == (
            expected.variables,
            expected.rows,
            expected.truncated,
        )
