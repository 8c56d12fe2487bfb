"""A persistent cache of loaded datasets: parse once, then open in a fraction of a second.

Parsing a million triples takes seconds; opening an Oxigraph store already on disk takes
milliseconds. ``load(..., cache=True)`` therefore keeps each loaded
dataset as an on-disk Oxigraph store, in a folder named by a hash of everything the load
depends on — the *content* of every source file (not its date), its graph name and
format, and the versions of csi-graph and Oxigraph — next to a ``manifest.json`` listing
its named graphs. The same files give the same key, so a repeated command opens the store
read-only instead of parsing; change one byte of one file and a new entry is built.

Entries are built in a temporary folder and renamed into place, so a crash or a parse
error never leaves a half-built entry, and concurrent commands at worst build the same
entry twice. Hits are opened read-only (several processes can share one). The least
recently used entries beyond :data:`KEEP` are deleted. Where: ``$CSI_GRAPH_CACHE_DIR``,
else ``$XDG_CACHE_HOME/csi-graph``, else ``~/.cache/csi-graph``; deleting that folder is
always safe.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from csi_graph import __version__
from csi_graph.dataset import Dataset, GraphInfo
from csi_graph.store import Store

FORMAT = 2  # bump when the layout of an entry changes
KEEP = 4  # entries kept; a million-triple entry takes about 300 MB
MANIFEST = "manifest.json"
log = logging.getLogger(__name__)

Filler = Callable[[Store, list[tuple[Path, str]]], list[GraphInfo]]


def cache_root(setting: bool | str | Path = True) -> Path:
    """The cache folder: ``setting`` if it is a path, else the environment's choice."""
    if not isinstance(setting, bool):
        return Path(setting)
    if os.environ.get("CSI_GRAPH_CACHE_DIR"):
        return Path(os.environ["CSI_GRAPH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "csi-graph"


def cache_key(files: list[tuple[Path, str]], graph_names: list[str]) -> str:
    """A hash of what a load depends on: file contents, graph names, formats, versions."""
    import pyoxigraph

    digest = hashlib.sha256(f"csi-graph-cache {FORMAT} {__version__} {pyoxigraph.__version__}\n".encode())
    for (path, _), name in zip(files, graph_names, strict=True):
        content = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda handle=handle: handle.read(1 << 20), b""):
                content.update(block)
        digest.update(f"{name}\t{path.suffix.lower()}\t{content.hexdigest()}\n".encode())
    return digest.hexdigest()[:32]


def load_cached(files: list[tuple[Path, str]], graph_names: list[str], root: Path, fill: Filler) -> Dataset:
    """The dataset of ``files`` from the cache, built with ``fill`` on a miss."""
    key = cache_key(files, graph_names)
    entry = root / key
    dataset = _open(entry, files)
    if dataset is not None:
        return dataset
    try:
        root.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=root))
    except OSError as error:
        log.warning("csi-graph cache unavailable (%s): loading in memory", error)
        store = Store()
        return Dataset(store, fill(store, files))
    try:
        store = Store(building / "store")
        graphs = fill(store, files)
        store.flush()
        manifest = {"format": FORMAT, "graphs": [_entry(info, files) for info in graphs]}
        (building / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        del store  # closes the database before its folder moves
        try:
            building.rename(entry)
        except OSError:  # another process built the same entry meanwhile
            shutil.rmtree(building, ignore_errors=True)
    except BaseException as error:
        # Close the half-built database before removing its folder: the traceback's frames
        # still hold the store, and RocksDB could write into the folder while it goes.
        store = None
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        shutil.rmtree(building, ignore_errors=True)
        raise
    _evict(root, keep=entry)
    dataset = _open(entry, files)
    if dataset is None:  # unreadable right after writing: do not fail the command for it
        store = Store()
        return Dataset(store, fill(store, files))
    return dataset


def _open(entry: Path, files: list[tuple[Path, str]]) -> Dataset | None:
    manifest = entry / MANIFEST
    if not manifest.is_file():
        return None
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        store = Store(entry / "store", read_only=True)
        graphs = [
            GraphInfo(g["name"], files[g["file"]][0], files[g["file"]][1], g["role"], g["triples"])
            for g in recorded["graphs"]
        ]
        os.utime(manifest)  # most recently used
    except (OSError, ValueError, KeyError, IndexError) as error:
        log.warning("csi-graph cache entry %s is damaged (%s): rebuilding it", entry.name, error)
        shutil.rmtree(entry, ignore_errors=True)
        return None
    return Dataset(store, graphs)


def _entry(info: GraphInfo, files: list[tuple[Path, str]]) -> dict:
    index = next(i for i, (path, _) in enumerate(files) if path == info.path)
    return {"name": info.name, "file": index, "role": info.role, "triples": info.triples}


def _evict(root: Path, keep: Path) -> None:
    """Delete the least recently used entries beyond :data:`KEEP`, and stale builds."""
    entries = []
    for child in root.iterdir():
        if child.name.startswith(".build-"):
            try:
                stale = child.stat().st_mtime < os.path.getmtime(keep) - 24 * 3600
            except OSError:
                stale = False
            if stale:
                shutil.rmtree(child, ignore_errors=True)
        elif (child / MANIFEST).is_file():
            entries.append(((child / MANIFEST).stat().st_mtime, child))
    entries.sort(reverse=True)
    for _, child in entries[KEEP:]:
        if child != keep:
            shutil.rmtree(child, ignore_errors=True)
