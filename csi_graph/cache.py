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

The cache owns only what it made: every entry (and every folder being built) holds a
:data:`MARKER` file, and nothing without it is ever deleted, so pointing
``CSI_GRAPH_CACHE_DIR`` at a folder of one's own loses nothing. A damaged entry — a file
truncated or missing (the manifest records each file's size), a manifest that does not
read, a store that does not open — is rebuilt, with a one-line notice. When the cache
cannot be written (full or read-only disk), the data is loaded in memory instead, with a
one-line notice; the command goes on.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import traceback
import weakref
from collections.abc import Callable
from pathlib import Path

from csi_graph import __version__
from csi_graph.dataset import Dataset, GraphInfo
from csi_graph.loader import input_size
from csi_graph.store import ANCHOR_BYTES, Store

FORMAT = 3  # bump when the layout of an entry changes
KEEP = 4  # entries kept; a million-triple entry takes about 300 MB
MANIFEST = "manifest.json"
MARKER = ".csi-graph-cache"  # in every folder the cache made, and may therefore delete
_MARKER_TEXT = "A csi-graph cache entry: csi-graph may delete this folder.\n"
_ENTRY_NAME = re.compile(r"[0-9a-f]{32}")
_VOLATILE = ("LOCK", "LOG")  # RocksDB files that may change while an entry is in use
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
    dataset = _open(entry, files, key)
    if dataset is not None:
        return dataset
    try:
        root.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=root))
        (building / MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    except OSError as error:
        return _in_memory(files, fill, f"cannot write the cache in {root} ({_reason(error)})")
    try:
        store = Store(building / "store")
        graphs = _fill_staged(store, files, fill)
        store.flush()
        # Close the database (which may still write) before its files are measured. Dropping
        # the last reference does; a full collection (a quarter of a second in a process that
        # holds much, such as a notebook's) only if something still holds the store.
        alive = weakref.ref(store)
        del store
        if alive() is not None:
            gc.collect()
        manifest = {
            "format": FORMAT,
            "key": key,
            "graphs": [_entry(info, files) for info in graphs],
            "files": _sizes(building / "store"),
        }
        (building / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        try:
            building.rename(entry)
        except OSError:  # another process built the same entry meanwhile
            _remove(building)
    except OSError as error:  # the disk, not the data: an input error is an InputError
        _forget(error)
        store = None
        _remove(building)
        return _in_memory(files, fill, f"cannot write the cache in {root} ({_reason(error)})")
    except BaseException as error:
        _forget(error)
        store = None  # noqa: F841 - as above
        _remove(building)
        raise
    _evict(root, keep=entry)
    dataset = _open(entry, files, key)
    if dataset is None:  # unreadable right after writing: do not fail the command for it
        return _in_memory(files, fill, None)
    return dataset


def _fill_staged(store: Store, files: list[tuple[Path, str]], fill: Filler) -> list[GraphInfo]:
    """Fill the on-disk ``store``: files under :data:`~csi_graph.store.ANCHOR_BYTES` through
    an in-memory store first, written to disk in one pass; larger files straight to disk.

    Each bulk load on disk writes and syncs new database files: for the shipped data's 55
    small files, 3,000 syncs and 3 to 12 s of waiting for the disk, where one pass over
    their 28,000 quads takes 0.2 s. A big file gains nothing from the detour (at 300,000
    triples the two ways take the same time), so it still goes straight to disk.
    """
    small = [f for f in files if input_size([f[0]]) <= ANCHOR_BYTES]
    big = [f for f in files if f not in small]
    staging = Store()
    graphs = fill(staging, small) if small else []
    graphs += fill(store, big) if big else []
    if small:
        store.store.bulk_extend(iter(staging.store))
    order = {path: index for index, (path, _) in enumerate(files)}
    return sorted(graphs, key=lambda info: order[info.path])  # stable: a file's graphs keep their order


def _forget(error: BaseException) -> None:
    """Close a half-built database before its folder goes: the traceback's frames still hold
    the store, and RocksDB could write into the folder while it is removed."""
    traceback.clear_frames(error.__traceback__)
    gc.collect()


def _in_memory(files: list[tuple[Path, str]], fill: Filler, notice: str | None) -> Dataset:
    if notice:
        log.warning("csi-graph: %s: loading in memory", notice)
    store = Store()
    return Dataset(store, fill(store, files))


def _open(entry: Path, files: list[tuple[Path, str]], key: str) -> Dataset | None:
    """The entry's dataset, or None if there is none; a damaged entry is removed (and rebuilt)."""
    manifest = entry / MANIFEST
    if not entry.is_dir():
        return None
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        if recorded.get("format") != FORMAT or recorded.get("key") != key:
            raise ValueError("written by another version of csi-graph")
        changed = [name for name, size in recorded["files"].items() if _size(entry / "store" / name) != size]
        if changed:
            raise ValueError(f"{changed[0]} is missing or truncated")
        graphs = [
            GraphInfo(g["name"], files[g["file"]][0], files[g["file"]][1], g["role"], g["triples"])
            for g in recorded["graphs"]
        ]
        store = Store(entry / "store", read_only=True)
        os.utime(manifest)  # most recently used
    except Exception as error:  # OSError, ValueError, KeyError... and whatever RocksDB raises
        log.warning("csi-graph: cache entry %s is damaged (%s): rebuilding it", entry, _reason(error))
        _remove(entry)
        return None
    return Dataset(store, graphs, cache_entry=entry)


def _entry(info: GraphInfo, files: list[tuple[Path, str]]) -> dict:
    index = next(i for i, (path, _) in enumerate(files) if path == info.path)
    return {"name": info.name, "file": index, "role": info.role, "triples": info.triples}


def _sizes(store: Path) -> dict[str, int]:
    return {
        path.relative_to(store).as_posix(): path.stat().st_size
        for path in sorted(store.rglob("*"))
        if path.is_file() and not path.name.startswith(_VOLATILE)
    }


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _ours(folder: Path) -> bool:
    try:
        return (folder / MARKER).read_text(encoding="utf-8") == _MARKER_TEXT
    except (OSError, UnicodeDecodeError):
        return False


def _remove(folder: Path) -> None:
    """Delete a folder the cache made; anything else is left alone."""
    if _ours(folder):
        shutil.rmtree(folder, ignore_errors=True)


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _evict(root: Path, keep: Path) -> None:
    """Delete the least recently used entries beyond :data:`KEEP`, and stale builds: only
    folders the cache made (named by a key, holding the marker)."""
    entries = []
    for child in root.iterdir():
        if not _ours(child):
            continue
        if child.name.startswith(".build-"):
            try:
                stale = child.stat().st_mtime < os.path.getmtime(keep) - 24 * 3600
            except OSError:
                stale = False
            if stale:
                _remove(child)
        elif _ENTRY_NAME.fullmatch(child.name) and (child / MANIFEST).is_file():
            entries.append(((child / MANIFEST).stat().st_mtime, child))
    entries.sort(reverse=True)
    for _, child in entries[KEEP:]:
        if child != keep:
            _remove(child)
