"""The store: one embedded Oxigraph store, its anchor graph, the persistent cache, the loader's options.

Every named query of the library, and the representative workload of
``benchmarks/queries/``, runs on the shipped data plus 10k synthetic triples loaded two
ways — every file copied into the default graph, and the synthetic file kept apart as the
"anchor" graph (what a big file gets, see ``csi_graph.store``); the answers must be the
same multisets.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from conftest import ROOT, SYNTHETIC

from csi_graph import cache, loader
from csi_graph.agreement import bound_query, differences
from csi_graph.cli import cli
from csi_graph.errors import CsiError, InputError
from csi_graph.loader import load
from csi_graph.queries import library

WORKLOAD = ROOT / "benchmarks" / "queries"


def named_queries():
    """The library's named queries and the benchmark workload, by name."""
    return {**library(), **{f"workload/{name}": q for name, q in library(WORKLOAD).items()}}


def test_workload_exercises_the_main_sparql_features():
    texts = " ".join(q.text for q in library(WORKLOAD).values())
    for feature in (
        "GROUP BY",
        "OPTIONAL",
        "REGEX",
        "CONSTRUCT",
        "ASK",
        "SUM(",
        "containedInPlace* ?within",
        "NOT EXISTS",
        "MAX(",
    ):
        assert feature in texts, feature


@pytest.fixture(scope="module")
def both_layouts(synthetic_10k):
    copied = load([synthetic_10k.path])
    assert copied.store.anchor is None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "ANCHOR_BYTES", synthetic_10k.path.stat().st_size - 1)
        anchored = load([synthetic_10k.path])
    assert anchored.store.anchor is not None and anchored.store.anchor.value == loader.graph_name(
        synthetic_10k.path
    )
    return copied, anchored


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_same_answers_with_and_without_an_anchor_graph(both_layouts, name):
    copied, anchored = both_layouts
    named = named_queries()[name]
    text = bound_query(named, copied.graph_names)
    reference = copied.execute(text, named.form)
    assert differences(reference, anchored.execute(text, named.form)) == []
    assert reference.rows or reference.triples or reference.boolean is not None, (
        "an empty answer proves little"
    )


def test_both_layouts_hold_the_same_graphs_and_merge(both_layouts):
    copied, anchored = both_layouts
    assert [(g.name, g.display, g.role, g.triples) for g in copied.graphs] == [
        (g.name, g.display, g.role, g.triples) for g in anchored.graphs
    ]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    merged = copied.query(count).to_dicts()
    assert anchored.query(count).to_dicts() == merged
    assert merged[0]["n"] < len(copied), (
        "the synthetic file repeats shipped triples: the merge counts them once"
    )

    def named(dataset):  # blank nodes get fresh labels at each load
        quads = list(dataset.store.merged_quads())
        return len(quads), sorted(str(q) for q in quads if "_:" not in str(q))

    assert named(copied) == named(anchored)


def test_a_query_with_its_own_dataset_sees_the_whole_merge(synthetic_10k, monkeypatch):
    """FROM overrides the default graph a query runs on: the anchor is then copied in, once."""
    monkeypatch.setattr(loader, "ANCHOR_BYTES", synthetic_10k.path.stat().st_size - 1)
    anchored = load([synthetic_10k.path])
    graph = loader.graph_name(synthetic_10k.path)
    text = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
    assert anchored.query(text).to_dicts() == [
        {"n": next(g.triples for g in anchored.graphs if g.name == graph)}
    ]
    assert anchored.store.anchor is None
    assert (
        anchored.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").to_dicts()
        == load([synthetic_10k.path]).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").to_dicts()
    )


def test_a_from_in_a_comment_or_a_string_keeps_the_anchor(synthetic_10k, monkeypatch):
    """Only a real FROM copies the anchor in: "from" in a comment or a string (as in the
    descriptions of the named queries) leaves the layout as it is, with the same answers."""
    text = (
        "# every triple, from every file\n"
        'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != "from" && ?o != <urn:from>) }'
    )
    expected = load([synthetic_10k.path]).query(text).to_dicts()
    monkeypatch.setattr(loader, "ANCHOR_BYTES", synthetic_10k.path.stat().st_size - 1)
    anchored = load([synthetic_10k.path])
    assert anchored.query(text).to_dicts() == expected
    assert anchored.query("themes").rows
    assert anchored.store.anchor is not None


def test_rdflib_is_no_longer_a_store():
    with pytest.raises(CsiError, match="unknown store 'rdflib': csi-graph keeps its data in Oxigraph"):
        load(store="rdflib")


def test_syntax_errors_give_file_line_and_column(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text('<a:x> <a:p> <a:o> .\n<a:x> <a:p> "x .\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load([broken], contracts=False)
    assert str(raised.value).startswith(f"{broken}:2:13: ")


def test_to_rdflib_gives_the_merge_of_the_graphs_of_a_role(shipped):
    data = {quad.triple for name in shipped.names("data") for quad in shipped.store.quads(name)}
    assert len(shipped.to_rdflib("data")) == len(data) > 0
    assert len(shipped.to_rdflib()) == sum(1 for _ in shipped.store.merged_quads())


# -- the persistent cache -----------------------------------------------------------


def test_second_load_opens_the_cache_without_parsing(tmp_path, monkeypatch, synthetic_10k):
    first = load([synthetic_10k.path], cache=tmp_path)
    entries = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1 and (entries[0] / "manifest.json").is_file()

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "_load_file", no_parsing)
    second = load([synthetic_10k.path], cache=tmp_path)
    assert [(g.name, g.display, g.role, g.triples) for g in second.graphs] == [
        (g.name, g.display, g.role, g.triples) for g in first.graphs
    ]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert second.query(query).to_dicts() == first.query(query).to_dicts()


def test_a_cache_entry_holds_what_a_load_in_memory_holds(tmp_path, monkeypatch, synthetic_10k):
    """Small files reach the entry through an in-memory store, big ones straight (see
    cache._fill_staged): the entry has the same graphs, in the same order, and the same quads."""
    # The synthetic file counts as big, so that both ways are taken in one entry.
    monkeypatch.setattr(cache, "ANCHOR_BYTES", synthetic_10k.path.stat().st_size - 1)
    cached = load([synthetic_10k.path], cache=tmp_path)
    in_memory = load([synthetic_10k.path])
    assert isinstance(cached.store.store, type(in_memory.store.store)) and cached.store.read_only
    assert [(g.name, g.display, g.role, g.triples) for g in cached.graphs] == [
        (g.name, g.display, g.role, g.triples) for g in in_memory.graphs
    ]
    assert len({g.role for g in cached.graphs}) == 3

    def quads(dataset):  # blank nodes get fresh labels at each load
        every = list(dataset.store.store) + [  # the anchor of an in-memory load is not in the default graph
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in (dataset.store.quads(dataset.store.anchor.value) if dataset.store.anchor else ())
        ]
        return len(set(every)), sorted({str(q) for q in every if "_:" not in str(q)})

    assert quads(cached) == quads(in_memory)


def test_changed_content_gets_a_new_entry(tmp_path):
    data = tmp_path / "data" / "contract.ttl"
    data.parent.mkdir()
    data.write_text(SYNTHETIC.read_text(encoding="utf-8"), encoding="utf-8")
    store_dir = tmp_path / "cache"
    load([data], contracts=False, cache=store_dir)
    load([data], contracts=False, cache=store_dir)
    assert len(list(store_dir.iterdir())) == 1
    data.write_text(
        data.read_text(encoding="utf-8").replace('"Alice Exemple"', '"Alice Exemple-Deux"'), encoding="utf-8"
    )
    changed = load([data], contracts=False, cache=store_dir)
    assert len(list(store_dir.iterdir())) == 2
    names = changed.query(
        'SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n FILTER(STRSTARTS(?n, "Alice")) }'
    )
    assert [row["n"] for row in names] == ["Alice Exemple-Deux"]


def test_parse_error_leaves_no_entry_behind(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a:x> <a:p> .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl:1:13: "):
        load([broken], contracts=False, cache=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_damaged_entry_is_rebuilt(tmp_path):
    store_dir = tmp_path / "cache"
    load([SYNTHETIC], contracts=False, cache=store_dir)
    (entry,) = list(store_dir.iterdir())
    (entry / "manifest.json").write_text("{not json", encoding="utf-8")
    again = load([SYNTHETIC], contracts=False, cache=store_dir)
    assert json.loads((entry / "manifest.json").read_text(encoding="utf-8"))["graphs"]
    assert len(again) == len(load([SYNTHETIC], contracts=False))


def test_least_recently_used_entries_are_evicted(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    store_dir = tmp_path / "cache"
    for n in range(4):
        data = tmp_path / f"c{n}.ttl"
        data.write_text(f"<https://example.org/s> <https://example.org/p> {n} .\n", encoding="utf-8")
        load([data], contracts=False, cache=store_dir)
    assert len(list(store_dir.iterdir())) == 2


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("CSI_GRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() == tmp_path / "xdg" / "csi-graph"
    assert cache.cache_root(tmp_path / "given") == tmp_path / "given"


# -- the command line -------------------------------------------------------------


def test_validate_output_is_the_same_with_or_without_the_cache_and_on_both_engines(
    runner, tmp_path, monkeypatch
):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "CACHE_FROM_BYTES", 0)
    broken = tmp_path / "broken.ttl"
    text = SYNTHETIC.read_text(encoding="utf-8")
    party = "csi:committedBy <party/testville-2030/state> ;"
    broken.write_text(
        text.replace(party, "csi:committedBy <organisation/prefecture/99> ; csi:comittedBy <x> ;"),
        encoding="utf-8",
    )
    reference = runner.invoke(cli, ["validate", str(broken), "-f", "json"])
    assert reference.exit_code == 1
    assert json.loads(reference.stdout)["counts"] == {"violation": 2, "warning": 1, "info": 1}
    for options in ([], ["--no-cache"]):
        for engine in ("auto", "sparql", "pyshacl"):
            result = runner.invoke(cli, [*options, "validate", str(broken), "-f", "json", "--engine", engine])
            assert result.exit_code == 1, result.output
            assert result.stdout == reference.stdout, (options, engine)
    # validate scans the graph: it loads in memory, no store is cached (the folder may hold the
    # SHACL-SPARQL verdicts file, shacl-queries.json, which a process writes once)
    cached = (tmp_path / "cache").iterdir() if (tmp_path / "cache").exists() else ()
    assert [p.name for p in cached if p.is_dir()] == []


def test_info_uses_the_cache_above_the_threshold_and_says_the_same(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path))
    # The shipped data grows with every contract: the threshold is set just above today's input.
    files = loader.source_files([SYNTHETIC], contracts=True)
    monkeypatch.setattr(loader, "CACHE_FROM_BYTES", loader.input_size(path for path, _ in files))
    reference = runner.invoke(cli, ["info", str(SYNTHETIC), "-f", "json"])
    assert list(tmp_path.iterdir()) == [], "inputs up to the threshold are parsed, not cached"
    monkeypatch.setattr(loader, "CACHE_FROM_BYTES", 0)
    first = runner.invoke(cli, ["info", str(SYNTHETIC), "-f", "json"])
    assert len(list(tmp_path.iterdir())) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "_load_file", no_parsing)
    second = runner.invoke(cli, ["info", str(SYNTHETIC), "-f", "json"])
    assert reference.exit_code == first.exit_code == second.exit_code == 0, second.output
    assert first.stdout == second.stdout == reference.stdout
    no_cache = runner.invoke(cli, ["--no-cache", "info", str(SYNTHETIC)])
    assert no_cache.exit_code != 0 and "parsed again" in no_cache.output


def test_there_is_no_store_option(runner):
    result = runner.invoke(cli, ["--store", "rdflib", "info"])
    assert result.exit_code == 2 and "No such option '--store'" in result.output


@pytest.mark.parametrize(
    ("arguments", "cache"),
    [
        (["compare", "-f", "json"], True),
        (["export", "-f", "nt"], True),
        (["--no-cache", "export", "-f", "nt"], False),
        (["validate"], False),  # hundreds of queries: in memory
        (["info"], True),
    ],
)
def test_every_command_loads_through_the_one_loader(runner, tmp_path, monkeypatch, arguments, cache):
    """The global --cache reaches every command that runs a few queries (above a megabyte of input)."""
    calls = []
    real = loader.load

    def recording(*args, **kwargs):
        calls.append(kwargs.get("cache"))
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load", recording)
    monkeypatch.setattr(loader, "CACHE_FROM_BYTES", 0)
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path / "cache"))
    result = runner.invoke(cli, [a.replace("{tmp}", str(tmp_path)) for a in arguments])
    assert result.exit_code == 0, result.output
    assert calls == [cache]
