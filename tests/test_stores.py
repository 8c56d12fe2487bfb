"""The stores: automatic choice, same answers on rdflib and Oxigraph, the persistent cache.

Every named query of the library, and the representative workload of
``benchmarks/queries/``, runs on both stores over the shipped data plus 10k synthetic
triples; the answers must be the same multisets.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, SYNTHETIC

from csi_graph import cache, loader
from csi_graph.agreement import bound_query, differences
from csi_graph.cli import cli
from csi_graph.errors import InputError
from csi_graph.loader import choose_store, load
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
        "+ ?within",
        "NOT EXISTS",
        "MAX(",
    ):
        assert feature in texts, feature


@pytest.fixture(scope="module")
def both_stores(synthetic_10k):
    return {kind: load([synthetic_10k.path], store=kind) for kind in ("rdflib", "oxigraph")}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_same_answers_on_rdflib_and_oxigraph(both_stores, name):
    named = named_queries()[name]
    text = bound_query(named, both_stores["rdflib"].graph_names)
    reference = both_stores["rdflib"].execute(text)
    fast = both_stores["oxigraph"].execute(text)
    assert differences(reference, fast) == []
    assert reference.rows or reference.triples or reference.boolean is not None, (
        "an empty answer proves little"
    )


def test_stores_hold_the_same_graphs(both_stores):
    assert [(g.name, g.role, g.triples) for g in both_stores["rdflib"].graphs] == [
        (g.name, g.role, g.triples) for g in both_stores["oxigraph"].graphs
    ]


def test_auto_store_follows_the_size_of_the_input(monkeypatch, tmp_path):
    small = load()
    assert small.store.name == "rdflib"
    assert choose_store("auto", [SYNTHETIC]) == "rdflib"
    monkeypatch.setattr(loader, "AUTO_OXIGRAPH_BYTES", SYNTHETIC.stat().st_size - 1)
    assert choose_store("auto", [SYNTHETIC]) == "oxigraph"
    assert load([SYNTHETIC], contracts=False).store.name == "oxigraph"
    assert choose_store("rdflib", [SYNTHETIC]) == "rdflib"


def test_unknown_store_is_a_usage_error():
    with pytest.raises(Exception, match="unknown store 'mongo'; use one of auto, rdflib, oxigraph"):
        load(store="mongo")


@pytest.mark.parametrize("store", ["rdflib", "oxigraph"])
def test_syntax_errors_give_file_line_and_column_on_both_stores(tmp_path, store):
    broken = tmp_path / "broken.ttl"
    broken.write_text('<a:x> <a:p> <a:o> .\n<a:x> <a:p> "x .\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load([broken], contracts=False, store=store)
    assert str(raised.value).startswith(f"{broken}:2:13: ")


# -- the persistent cache -----------------------------------------------------------


def test_second_load_opens_the_cache_without_parsing(tmp_path, monkeypatch, synthetic_10k):
    first = load([synthetic_10k.path], store="oxigraph", cache=tmp_path)
    entries = [p for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1 and (entries[0] / "manifest.json").is_file()

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "_load_file", no_parsing)
    second = load([synthetic_10k.path], store="oxigraph", cache=tmp_path)
    assert [(g.name, g.display, g.role, g.triples) for g in second.graphs] == [
        (g.name, g.display, g.role, g.triples) for g in first.graphs
    ]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert second.execute(query).rows == first.execute(query).rows


def test_changed_content_gets_a_new_entry(tmp_path):
    data = tmp_path / "data" / "contract.ttl"
    data.parent.mkdir()
    data.write_text(SYNTHETIC.read_text(encoding="utf-8"), encoding="utf-8")
    store_dir = tmp_path / "cache"
    load([data], contracts=False, store="oxigraph", cache=store_dir)
    load([data], contracts=False, store="oxigraph", cache=store_dir)
    assert len(list(store_dir.iterdir())) == 1
    data.write_text(
        data.read_text(encoding="utf-8").replace('"Alice Exemple"', '"Alice Exemple-Deux"'), encoding="utf-8"
    )
    changed = load([data], contracts=False, store="oxigraph", cache=store_dir)
    assert len(list(store_dir.iterdir())) == 2
    names = changed.query(
        'SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n FILTER(STRSTARTS(?n, "Alice")) }'
    )
    assert [row["n"] for row in names] == ["Alice Exemple-Deux"]


def test_parse_error_leaves_no_entry_behind(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a:x> <a:p> .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.ttl:1:13: "):
        load([broken], contracts=False, store="oxigraph", cache=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_damaged_entry_is_rebuilt(tmp_path):
    store_dir = tmp_path / "cache"
    load([SYNTHETIC], contracts=False, store="oxigraph", cache=store_dir)
    (entry,) = list(store_dir.iterdir())
    (entry / "manifest.json").write_text("{not json", encoding="utf-8")
    again = load([SYNTHETIC], contracts=False, store="oxigraph", cache=store_dir)
    assert json.loads((entry / "manifest.json").read_text(encoding="utf-8"))["graphs"]
    assert len(again) == len(load([SYNTHETIC], contracts=False, store="oxigraph"))


def test_least_recently_used_entries_are_evicted(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    store_dir = tmp_path / "cache"
    for n in range(4):
        data = tmp_path / f"c{n}.ttl"
        data.write_text(f"<https://example.org/s> <https://example.org/p> {n} .\n", encoding="utf-8")
        load([data], contracts=False, store="oxigraph", cache=store_dir)
    assert len(list(store_dir.iterdir())) == 2


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("CSI_GRAPH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() == tmp_path / "xdg" / "csi-graph"
    assert cache.cache_root(tmp_path / "given") == tmp_path / "given"


# -- the command line -------------------------------------------------------------


def test_validate_output_is_the_same_on_every_store_and_engine(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path / "cache"))
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
    for options in (
        ["--store", "oxigraph"],  # builds the cache
        ["--store", "oxigraph"],  # opens it
        ["--store", "oxigraph", "--no-cache"],
        ["--store", "rdflib"],
    ):
        for engine in ("auto", "sparql", "pyshacl"):
            result = runner.invoke(cli, [*options, "validate", str(broken), "-f", "json", "--engine", engine])
            assert result.exit_code == 1, result.output
            assert result.stdout == reference.stdout, (options, engine)
    assert not (tmp_path / "cache").exists()  # validate scans the graph: it loads in memory


def test_info_uses_the_cache_and_says_the_same(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path))
    reference = runner.invoke(cli, ["info", str(SYNTHETIC), "-f", "json"])
    first = runner.invoke(cli, ["--store", "oxigraph", "info", str(SYNTHETIC), "-f", "json"])
    assert len(list(tmp_path.iterdir())) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "_load_file", no_parsing)
    second = runner.invoke(cli, ["--store", "oxigraph", "info", str(SYNTHETIC), "-f", "json"])
    assert reference.exit_code == first.exit_code == second.exit_code == 0, second.output
    assert first.stdout == second.stdout == reference.stdout
    no_cache = runner.invoke(cli, ["--store", "oxigraph", "--no-cache", "info", str(SYNTHETIC)])
    assert no_cache.exit_code != 0 and "parsed again" in no_cache.output


def test_store_option_is_checked(runner):
    result = runner.invoke(cli, ["--store", "mongo", "info"])
    assert result.exit_code == 2
    assert re.search(
        r"Invalid value for '--store': 'mongo' is not one of 'auto', 'rdflib', 'oxigraph'", result.output
    )


@pytest.mark.parametrize(
    ("arguments", "store", "cache"),
    [
        (["compare", "-f", "json"], "auto", True),  # nothing said: auto
        (["--store", "rdflib", "compare", "-f", "json"], "rdflib", True),  # the global option
        (["--store", "rdflib", "compare", "-f", "json", "--store", "oxigraph"], "oxigraph", True),  # its own
        (["export", "-f", "nt"], "auto", True),
        (["--no-cache", "export", "-f", "nt", "--store", "oxigraph"], "oxigraph", False),
        (["site", "{tmp}/site"], "oxigraph", False),  # many queries: Oxigraph in memory
        (["info"], "auto", True),
    ],
)
def test_every_command_loads_through_the_one_loader(runner, tmp_path, monkeypatch, arguments, store, cache):
    """The global --store/--cache reach every command; a command's own --store wins."""
    calls = []
    real = loader.load

    def recording(*args, **kwargs):
        calls.append((kwargs.get("store"), kwargs.get("cache")))
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "load", recording)
    monkeypatch.setenv("CSI_GRAPH_CACHE_DIR", str(tmp_path / "cache"))
    result = runner.invoke(cli, [a.replace("{tmp}", str(tmp_path)) for a in arguments])
    assert result.exit_code == 0, result.output
    assert calls == [(store, cache)]
