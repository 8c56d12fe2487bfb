"""Do the named queries give the same answers on Virtuoso 7 as on csi-graph's embedded store?

Starts Virtuoso (Debian's ``virtuoso-opensource``: ``virtuoso-t``, ``isql-vt``) on
127.0.0.1, on free ports, with a database of its own in a temporary folder; publishes the
shipped data (and any PATHS) with ``csi-graph publish``; runs ``benchmarks/same_answers.py``
against its SPARQL endpoint; stops it and deletes the folder::

    python benchmarks/virtuoso.py              # exits 0 when every query gives the same answers
    python benchmarks/virtuoso.py --keep DIR   # keep the database folder DIR for a look

Virtuoso's default graph is the union of all its graphs, so the data goes into one named
graph (``csi-graph publish --graph``): a triple stated in two files then counts once, as in
the embedded store's merge. ``tests/test_virtuoso.py`` runs this in CI.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GRAPH = "https://w3id.org/csi-graph/graph/all"
# The user and password of a fresh Virtuoso database (local to the temporary folder).
ADMIN = ("dba", "dba")

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 4
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 300
"""


@dataclass(frozen=True)
class Virtuoso:
    folder: Path
    sql_port: int
    http_port: int

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint (Virtuoso refuses blank nodes in ``INSERT DATA``)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def isql(self, statement: str) -> str:
        """Run one SQL statement as the database administrator (``isql-vt``)."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", *ADMIN, f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt {statement!r} failed: {done.stdout}{done.stderr}")
        return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_virtuoso(folder: Path, timeout: float = 180.0) -> Iterator[Virtuoso]:
    """Virtuoso serving a new database in ``folder`` on 127.0.0.1; stopped when the block ends."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    folder.mkdir(parents=True, exist_ok=True)
    server = Virtuoso(folder.resolve(), _free_port(), _free_port())
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=server.folder, sql_port=server.sql_port, http_port=server.http_port))
    log = (folder / "server.out").open("w")
    process = subprocess.Popen(
        ["virtuoso-t", "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(server, process, timeout)
        # The anonymous SPARQL user may write: the Graph Store Protocol and SPARQL Update.
        server.isql('grant SPARQL_UPDATE to "SPARQL";')
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait(server: Virtuoso, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{server.sparql}?query=ASK%7B%7D", timeout=5) as response:
                response.read()
                return
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (server.folder / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"Virtuoso did not start: {log}") from None
            time.sleep(0.5)


def publish(server: Virtuoso, paths: list[str]) -> None:
    """``csi-graph publish`` into one named graph, with the Graph Store Protocol."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "csi_graph",
            "publish",
            "--endpoint",
            server.graph_store,
            "--graph",
            GRAPH,
            "-q",
            *paths,
        ],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", help="RDF files published and loaded besides the shipped data")
    parser.add_argument("--keep", metavar="DIR", help="put the database in DIR and keep it")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="csi-graph-virtuoso-"))
    try:
        with running_virtuoso(folder) as server:
            publish(server, args.paths)
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from same_answers import main as same_answers

            return same_answers([server.sparql, *args.paths])
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
