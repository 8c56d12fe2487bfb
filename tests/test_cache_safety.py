"""The cache loses nothing of the user's, heals itself, and never stops a command (issue 11,
finding 3): it deletes only folders it made, rebuilds a damaged entry with a one-line
notice, and loads in memory when it cannot write (a full or read-only disk)."""

from __future__ import annotations

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
    args: list[str], cache: Path | str, limit_file_size: int | None = None
) -> subprocess.CompletedProcess:
    def limited() -> None:
        if limit_file_size is not None:  # a full disk, for this process only
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

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
