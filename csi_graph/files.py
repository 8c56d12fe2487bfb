"""Reading and writing files so that nothing is ever half-written, lost or silently skipped.

:func:`write_atomic` is the one writer of output files: a temporary file in the same folder,
then a rename, so readers see the old file or the new one, never a part. The new file gets
the mode the umask gives (0644 under the usual 022; ``mkstemp`` alone would give 0600), or
the mode of the file it replaces. A device, FIFO or socket given as output (``-o /dev/null``,
``-o /dev/stdout``) is written to, never replaced by a regular file; a symbolic link is
followed, so the file it points to is replaced and the link stays.

:func:`check_readable` and :func:`files_under` refuse what would otherwise block or be
skipped without a word: a FIFO (reading it waits for a writer for ever), an unreadable
folder, a symbolic link that points nowhere.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from csi_graph.errors import CsiError, InputError


def write_atomic(path: str | Path, content: str | bytes, *, make_folder: bool = True) -> None:
    """Write ``content`` to ``path``: readers see the old file or the new one, never a part.

    The folder is made if missing, unless ``make_folder`` is false: a file written into a
    folder that someone else may delete meanwhile (a cache entry) must not bring it back.
    """
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        existing = target.stat()
    except (FileNotFoundError, NotADirectoryError):
        existing = None
    except OSError as error:
        raise write_error(target, error) from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        if stat.S_ISDIR(existing.st_mode):
            raise CsiError(f"{target}: is a folder; give a file name")
        _write_in_place(target, data)  # /dev/null, /dev/stdout, a FIFO: write to it, never replace it
        return
    target = target.resolve() if target.is_symlink() else target  # replace what the link points to
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
    try:
        if make_folder:
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise write_error(target, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(target, error) from None
        raise


def _write_in_place(target: Path, data: bytes) -> None:
    try:
        with open(target, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise write_error(target, error) from None


def write_error(target: Path, error: OSError) -> CsiError:
    """A clear message for a write that failed: full or read-only disk, name too long... (the
    writers here leave what was there before untouched, so the message can say so)."""
    reason = error.strerror or str(error)
    return CsiError(f"{target}: cannot write: {reason}; nothing was changed there")


def _umask() -> int:
    """The process's umask, read without changing it (Linux), else by setting it back at once."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_readable(path: Path, display: str | None = None) -> None:
    """Refuse, with a clear :class:`InputError`, a path that is not a regular file one can read."""
    shown = display or str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(shown, f"a symbolic link to {os.readlink(path)}, which does not exist") from None
        raise InputError(shown, "no such file or directory") from None
    except OSError as error:
        raise InputError(shown, f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(shown, "is a folder; give a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise InputError(shown, f"is {kind}, not a regular file: save the data to a file first")


def _unseen(folder: Path, seen: set[tuple[int, int]]) -> bool:
    try:
        info = folder.stat()
    except OSError:
        return True  # os.walk will report it
    return (info.st_dev, info.st_ino) not in seen


def files_under(folder: Path, suffixes: Iterable[str]) -> list[Path]:
    """Every regular file under ``folder`` whose extension is one of ``suffixes``, in a stable order.

    A sub-folder that cannot be read, or a symbolic link with one of those extensions that
    points nowhere, is an :class:`InputError`: data is never skipped in silence.
    """
    wanted = {suffix.lower() for suffix in suffixes}
    found: list[Path] = []

    def refuse(error: OSError) -> None:
        raise InputError(str(error.filename or folder), f"cannot read this folder: {error.strerror or error}")

    seen: set[tuple[int, int]] = set()
    for current, folders, names in os.walk(folder, onerror=refuse, followlinks=True):
        here = os.stat(current)
        seen.add((here.st_dev, here.st_ino))
        folders[:] = [name for name in folders if _unseen(Path(current) / name, seen)]  # no link loops
        for name in names:
            path = Path(current) / name
            if path.suffix.lower() not in wanted:
                continue
            check_readable(path)
            found.append(path)
    return sorted(found)


BOM = b"\xef\xbb\xbf"


def starts_with_bom(path: Path) -> bool:
    """Whether a file begins with a UTF-8 byte-order mark (as some Windows editors write)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(3) == BOM
    except OSError:
        return False  # reading it will say what is wrong


# Folders written as a whole (package, site): built aside, then swapped in ---------------------


def build_folder(target: Path) -> Path:
    """A new, empty folder beside ``target`` to build its next content in (``.NAME.tmp-PID-…``).

    Folders of builds that were killed are cleaned up first (:func:`remove_stale_builds`).
    """
    import secrets

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_builds(target)
        building = target.parent / f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        building.mkdir()
    except OSError as error:
        raise write_error(target, error) from None
    return building


def remove_stale_builds(target: Path) -> None:
    """Clean up after builds that were killed (their process is gone).

    A half-built folder (``.NAME.tmp-PID-…``) is removed. A previous version moved aside
    (``.NAME.old-PID-…``) by a build killed just before the new one took its place is put
    back if nothing took its place, so that even then nothing is lost.
    """
    import re
    import shutil

    if not target.parent.is_dir():
        return
    pattern = re.compile(re.escape(f".{target.name}.") + r"(tmp|old)-(\d+)-[0-9a-f]{8}")
    for path in sorted(target.parent.iterdir()):
        match = pattern.fullmatch(path.name)
        if not match or not path.is_dir() or _alive(int(match[2])):
            continue
        if match[1] == "old" and not target.exists():
            os.rename(path, target)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def install_folder(building: Path, target: Path) -> None:
    """Move a finished folder into place; the old one is removed only once the new one is there."""
    import secrets
    import shutil

    building.chmod(0o777 & ~_umask())  # mkdir gave the umask's mode already; keep it explicit
    if not target.exists():
        os.rename(building, target)
        return
    aside = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(target, aside)
    try:
        os.rename(building, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


_NEVER_REPLACED = (".git", ".hg", ".svn", ".bzr", "_darcs", ".jj")


def refuse_to_replace(folder: Path) -> None:
    """Refuse to replace, even when told to (``--force``), a folder whose loss would hurt:
    a version-control working copy, the home folder, the root of a file system."""
    resolved = folder.resolve()
    held = next((name for name in _NEVER_REPLACED if (resolved / name).exists()), None)
    if held is not None:
        raise CsiError(
            f"{folder} holds a {held} folder: --force never replaces a repository; write into a new "
            "folder (or a sub-folder) instead"
        )
    if resolved == Path.home().resolve() or resolved.parent == resolved or os.path.ismount(resolved):
        raise CsiError(f"{folder} is a home folder or a file-system root: --force never replaces one")
