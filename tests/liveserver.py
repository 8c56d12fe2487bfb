"""Start a real ``csi-graph serve`` process on 127.0.0.1 for the end-to-end and browser tests."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIXTURE_QUERIES = Path(__file__).resolve().parent / "fixtures" / "queries"


def oxigraph_command() -> str:
    """The ``oxigraph`` server binary of the test extra (next to this Python if not on PATH)."""
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    assert Path(found).exists(), "the oxigraph server comes with the test extra: pip install -e '.[test]'"
    return found


@contextmanager
def running_oxigraph(command: str, location: Path | None = None, timeout: float = 30.0) -> Iterator[str]:
    """``oxigraph serve`` (or ``serve-read-only``) on a store folder, or in memory (``serve``
    without ``location``): yields the base URL; stops it after."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    where = ["--location", str(location)] if location is not None else []
    process = subprocess.Popen(
        [oxigraph_command(), command, *where, "--bind", bind],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://{bind}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    raise RuntimeError(
                        f"oxigraph {command} did not start: {process.stderr.read().decode()}"
                    ) from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    *args: str, timeout: float = 60.0, log_path: Path | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """``csi-graph serve --port 0 ARGS``: yields the process and its base URL; stops it after.

    The server's log (stderr) goes to ``log_path`` if given, else to a temporary file.
    """
    command = [sys.executable, "-m", "csi_graph", "serve", "--port", "0", "--no-access-log", *args]
    # The log goes to a file, not a pipe: the server never blocks on a full pipe.
    with open(log_path, "w+") if log_path else tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            url = _announced_url(process, log, timeout)
            _wait_until_up(url, timeout)
            yield process, url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _announced_url(process: subprocess.Popen, log, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            log.seek(0)
            raise AssertionError(f"csi-graph serve stopped: {log.read()}")
        match = re.search(r"at (http://\S+?)/ ", line)
        if match:
            return match.group(1)
    raise AssertionError("csi-graph serve did not say where it listens")


def _wait_until_up(url: str, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def stat_fields(pid: int | str) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command's name (state first), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def cpu_seconds(pid: int) -> float:
    """User and system time of a process so far (0 once it is gone)."""
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def descendants(pid: int) -> set[int]:
    """Process ids below ``pid`` (children, their children...), read from /proc; zombies left out."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        fields = stat_fields(entry) if entry.isdigit() else None
        if fields and fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def settle(self, seconds: float = 0.2) -> int:
        """The connections so far, after ``seconds`` for any in flight to be accepted."""
        time.sleep(seconds)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()
