"""The cache loses nothing of the user's, heals itself, and never stops a command (issue 11,
finding 3): it deletes only folders it made, rebuilds a damaged entry with a one-line
notice, and loads in memory when it cannot write (a full or read-only disk). The same for
the search's text index in an entry (csi_graph/textindex.py): a damaged index is rebuilt with
a notice, an edited query never reads an old one, and a read-only or full disk leaves the
search to SPARQL or to an index not kept, with a one-line notice."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from csi_graph.cache import KEEP, MANIFEST, MARKER
from csi_graph.loader import CACHE_FROM_BYTES, load


def tiny(folder: Path, number: int) -> Path:
    """A small synthetic Turtle file (for these tests only), different for each number."""
    path = folder / f"tiny-{number}.ttl"
    path.write_text(
        f'<urn:test:thing-{number}> <http://www.w3.org/2000/01/rdf-schema#label> "thing {number}" .\n'
    )
    return path


def cached(path: Path, root: Path):
    return load([path], contracts=False, store="oxigraph", cache=root)


def entries(root: Path) -> list[Path]:
    return [
        child for child in root.iterdir() if (child / MARKER).is_file() and not child.name.startswith(".")
    ]


def test_eviction_deletes_only_what_the_cache_made(tmp_path):
    root = tmp_path / "my-folder"
    mine = []
    for name in ("photos", "thesis", "0123456789abcdef0123456789abcdef"):  # the last looks like a key
        folder = root / name
        folder.mkdir(parents=True)
        (folder / MANIFEST).write_text('{"my": "own file"}')
        (folder / "precious.txt").write_text("keep me")
        os.utime(folder / MANIFEST, (0, 0))  # older than any entry: first in line for eviction
        mine.append(folder)
    for number in range(KEEP + 3):
        cached(tiny(tmp_path, number), root)
    assert len(entries(root)) == KEEP
    for folder in mine:
        assert (folder / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "damage",
    ["truncate a store file", "delete a store file", "break the manifest", "wrong graph in the manifest"],
)
def test_a_damaged_entry_is_rebuilt_with_a_notice(tmp_path, caplog, damage):
    root, source = tmp_path / "cache", tiny(tmp_path, 1)
    expected = len(cached(source, root))
    (entry,) = entries(root)
    store_files = sorted((entry / "store").glob("*.sst"), key=lambda p: p.stat().st_size)
    if damage == "truncate a store file":
        with open(store_files[-1], "r+b") as handle:
            handle.truncate(store_files[-1].stat().st_size // 2)
    elif damage == "delete a store file":
        store_files[-1].unlink()
    elif damage == "break the manifest":
        (entry / MANIFEST).write_text('{"format": 3, "graphs": [')
    else:
        manifest = json.loads((entry / MANIFEST).read_text())
        manifest["graphs"][0]["file"] = 99
        (entry / MANIFEST).write_text(json.dumps(manifest))
    with caplog.at_level("WARNING"):
        healed = cached(source, root)
    assert len(healed) == expected
    assert [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()] != []
    assert "rebuilding it" in caplog.text
    caplog.clear()
    again = cached(source, root)  # the rebuilt entry is whole: no notice the next time
    assert len(again) == expected and "damaged" not in caplog.text


def run_cli(
    args: list[str], cache: Path | str, limit_file_size: int | None = None, no_dac_override: bool = False
) -> subprocess.CompletedProcess:
    def limited() -> None:
        if limit_file_size is not None:  # a full disk, for this process only
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
        if no_dac_override:  # root without its power to write in any folder
            libc = ctypes.CDLL(None, use_errno=True)
            for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
                libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone after exec

    env = {**os.environ, "CSI_GRAPH_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-m", "csi_graph", *args],
        env=env,
        preexec_fn=limited,
        capture_output=True,
        text=True,
        timeout=300,
    )


def big_input(folder: Path) -> Path:
    """A synthetic N-Triples file just above the size from which commands use the cache."""
    path = folder / "big.nt"
    line = '<urn:test:s{0}> <urn:test:p> "a value long enough to fill the file quickly {0}" .\n'
    count = CACHE_FROM_BYTES // len(line.format(0)) + 1_000
    path.write_text("".join(line.format(i) for i in range(count)), encoding="utf-8")
    assert path.stat().st_size > CACHE_FROM_BYTES
    return path


def test_a_full_disk_loads_in_memory(tmp_path):
    big = big_input(tmp_path)
    result = run_cli(["info", "-f", "json", str(big)], tmp_path / "cache", limit_file_size=100_000)
    assert result.returncode == 0, result.stderr
    assert "File too large): loading in memory" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(result.stdout)["contracts"]
    assert not entries(tmp_path / "cache")  # the half-built entry was removed


def test_a_read_only_place_loads_in_memory(tmp_path):
    result = run_cli(["info", "-f", "json", str(big_input(tmp_path))], "/proc/csi-graph-cache")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("csi-graph: cannot write the cache in /proc/csi-graph-cache (")
    assert json.loads(result.stdout)["contracts"]


# The search's text index in an entry (csi_graph/textindex.py) ------------------------------------


def index_of(dataset) -> Path:
    (index,) = dataset.cache_entry.glob("search-en-*.index")
    return index


def searched(root: Path, text: str = "fictif"):
    """The invented contract opened from the cache at ``root``, and its search for ``text``."""
    from conftest import SYNTHETIC

    dataset = load([SYNTHETIC], contracts=False, cache=root)
    return dataset, dataset.query("search", text=text)


def by_sparql(text: str = "fictif"):
    from conftest import SYNTHETIC

    return load([SYNTHETIC], contracts=False).query("search", text=text)


def damage_index(index: Path, damage: str) -> None:
    lines = index.read_bytes().split(b"\n")
    if damage == "truncate it":
        index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
    elif damage == "not an index":
        index.write_bytes(b"\x00\xff" * 100)
    elif damage == "rows that do not parse":
        index.write_bytes(b"\n".join([*lines[:5], *(b"<not an IRI" for _ in lines[5:-1]), b""]))
    else:  # texts that are not texts
        count = len(json.loads(lines[3]))
        index.write_bytes(b"\n".join([*lines[:3], json.dumps(list(range(count))).encode(), *lines[4:]]))


@pytest.mark.parametrize(
    "damage", ["truncate it", "not an index", "rows that do not parse", "texts that are not texts"]
)
def test_a_damaged_search_index_is_rebuilt_with_a_notice(tmp_path, caplog, damage):
    root, expected = tmp_path / "cache", by_sparql().rows
    dataset, first = searched(root)
    assert first.rows == expected and expected
    index = index_of(dataset)
    damage_index(index, damage)
    with caplog.at_level("WARNING"):
        _, healed = searched(root)
    assert healed.rows == expected
    (notice,) = [record.getMessage() for record in caplog.records]
    assert notice.startswith(f"csi-graph: search index {index} is damaged (") and notice.endswith(
        "): rebuilding it"
    )
    caplog.clear()
    again, answer = searched(root)  # rebuilt whole, and the entry is not damaged by it
    assert answer.rows == expected and caplog.text == "" and index_of(again) == index


def test_an_edited_query_never_reads_an_old_index(tmp_path, monkeypatch):
    """search.rq edited (its order reversed): the index of the old text is left alone."""
    import shutil

    from csi_graph import queries

    root = tmp_path / "cache"
    dataset, before = searched(root)
    old = index_of(dataset)
    edited = tmp_path / "queries"
    shutil.copytree(queries.queries_dir(), edited)
    search = edited / "search.rq"
    reversed_order = "ORDER BY DESC(?identifier) DESC(?party) DESC(?commitment)"
    search.write_text(search.read_text().replace("ORDER BY ?identifier ?party ?commitment", reversed_order))
    monkeypatch.setattr(queries, "queries_dir", lambda: edited)
    queries._bundled.cache_clear()
    try:
        dataset, after = searched(root)
        assert after.rows == by_sparql().rows == before.rows[::-1] and len(before.rows) > 1
        (new,) = [path for path in dataset.cache_entry.glob("search-en-*.index") if path != old]
        assert old.is_file() and new.read_bytes() != old.read_bytes()
    finally:
        queries._bundled.cache_clear()


def test_an_entry_with_an_index_opens_whole_and_is_evicted_whole(tmp_path, caplog):
    root = tmp_path / "cache"
    dataset, _ = searched(root)
    entry = dataset.cache_entry
    with caplog.at_level("WARNING"):
        assert searched(root)[0].cache_entry == entry  # the index is not one of the store's files
    assert caplog.text == ""
    os.utime(entry / MANIFEST, (0, 0))  # the least recently used
    for number in range(KEEP):
        cached(tiny(tmp_path, number), root)
    assert not entry.exists()


def search_command(big: Path, cache: Path, *options: str, **limits) -> subprocess.CompletedProcess:
    arguments = [*options, "query", "search", "-p", "text", "vidéo", "-f", "csv", "--data", str(big)]
    return run_cli(arguments, cache, **limits)


def test_a_read_only_entry_searches_without_an_index(tmp_path):
    big, cache = big_input(tmp_path), tmp_path / "cache"
    assert run_cli(["info", "-f", "json", str(big)], cache).returncode == 0  # the entry, no index
    expected = search_command(big, cache, "--no-cache")
    (entry,) = entries(cache)
    entry.chmod(0o555)
    try:
        result = search_command(big, cache, no_dac_override=True)
    finally:
        entry.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr
        == f"csi-graph: cannot write the search index in {entry} (Permission denied): searching without it\n"
    )
    assert result.stdout == expected.stdout and result.stdout.count("\n") > 1
    assert not list(entry.glob("search-*"))


def test_a_full_disk_searches_without_keeping_the_index(tmp_path):
    big, cache = big_input(tmp_path), tmp_path / "cache"
    assert run_cli(["info", "-f", "json", str(big)], cache).returncode == 0
    expected = search_command(big, cache, "--no-cache")
    (entry,) = entries(cache)
    files = sorted(entry.iterdir())
    result = search_command(big, cache, limit_file_size=1_000)
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "File too large; nothing was changed there: the search index answers this search" in result.stderr
    assert result.stdout == expected.stdout and result.stdout.count("\n") > 1
    assert sorted(entry.iterdir()) == files  # no index, no temporary file left
    assert search_command(big, cache).stdout == expected.stdout  # with room again, it is built
    assert len(list(entry.glob("search-en-*.index"))) == 1


def test_an_index_written_into_an_evicted_entry_does_not_bring_it_back(tmp_path):
    """The index is written with write_atomic(make_folder=False): if another process evicted
    the entry meanwhile, the write fails (and the search goes on) rather than leaving a folder
    without the cache's marker, which the cache could never delete nor rebuild."""
    from csi_graph.errors import CsiError
    from csi_graph.files import write_atomic

    evicted = tmp_path / "0123456789abcdef0123456789abcdef"
    with pytest.raises(CsiError, match="No such file or directory"):
        write_atomic(evicted / "search-en-0123456789abcdef.index", b"rows", make_folder=False)
    assert list(tmp_path.iterdir()) == []


def test_the_database_is_closed_before_its_files_are_measured(tmp_path, monkeypatch):
    """The manifest records the sizes of a closed database: RocksDB holds a lock on an open
    one, so opening the folder again, in this process, fails while anything still holds it."""
    import pyoxigraph as ox

    import csi_graph.cache as cache

    measure, opened = cache._sizes, []

    def opening_first(folder: Path) -> dict[str, int]:
        ox.Store(str(folder))  # OSError if the building store were still open
        opened.append(folder)
        return measure(folder)

    monkeypatch.setattr(cache, "_sizes", opening_first)
    cached(tiny(tmp_path, 1), tmp_path / "cache")
    assert len(opened) == 1
