"""Queries that can be stopped: worker processes, each killed when its query overruns.

Neither rdflib nor Oxigraph can interrupt a running query from another thread, so the
server runs every visitor's query in a worker process and kills that process when the
time limit passes. Workers are forked from a *zygote*: a single-threaded process forked
when the pool starts, before the web server runs any thread, that holds the loaded
dataset. A new worker thus has the dataset at once (copy-on-write, no reloading), and a
fork never copies a lock that another thread was holding. As a backstop, a worker arms
an interval timer before each query whose default action ends the process, so no query
outlives its limit even if the server itself has gone.

The zygote moves into a network namespace of its own before forking any worker
(:func:`csi_graph.isolation.deny_network`): a query that slipped past the safety check
could still not connect anywhere. :attr:`WorkerPool.sandbox` says whether that worked, and
``csi-graph serve`` says it at start-up. Each query runs on a big stack
(:func:`~csi_graph.isolation.on_big_stack`), so a deeply nested one cannot crash its worker.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from csi_graph.errors import CsiError
from csi_graph.isolation import BACKSTOP_GRACE, deny_network, on_big_stack, sendable


class PoolError(CsiError):
    """A query that could not be answered: ``code`` says why (timeout, busy, crashed)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class _Worker:
    pid: int
    conn: Connection


class WorkerPool:
    """``size`` worker processes that run ``handler(state, request)`` within ``time_limit`` seconds.

    ``state`` (the loaded dataset) is inherited by the workers through fork; requests and
    answers are pickled. :meth:`call` blocks, so an async server calls it from a thread.
    With ``isolate`` (the default) the workers have no network; :attr:`sandbox` is ``None``
    when that is in force, else the reason it is not.
    """

    def __init__(
        self,
        state: Any,
        handler: Callable[[Any, Any], Any],
        size: int,
        time_limit: float,
        *,
        isolate: bool = True,
    ) -> None:
        self.size = size
        self.time_limit = time_limit
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._zygote_lock = threading.Lock()
        self._closed = False
        parent, child = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the zygote
            parent.close()
            _zygote(child, state, handler, time_limit, isolate)
        child.close()
        self._zygote_pid = pid
        self._zygote = parent
        status = _receive_line(parent)
        self.sandbox: str | None = None if status == "isolated" else status
        for _ in range(size):
            self._idle.put(self._spawn())

    def call(self, request: Any, wait: float | None = None) -> Any:
        """Run ``request`` in an idle worker; raise :class:`PoolError` on timeout or crash.

        ``wait`` bounds the time spent waiting for an idle worker (default: the time limit).
        An exception raised by the handler comes back and is raised here.
        """
        if self._closed:
            raise PoolError("closed", "the query service is shutting down")
        try:
            worker = self._idle.get(timeout=self.time_limit if wait is None else wait)
        except queue.Empty:
            raise PoolError(
                "busy", "every query worker is busy with other queries; try again in a moment"
            ) from None
        healthy = False
        try:
            worker.conn.send(request)
            if not worker.conn.poll(self.time_limit):
                raise PoolError(
                    "timeout",
                    f"the query ran longer than the {self.time_limit:g} s limit and was stopped",
                )
            ok, answer = worker.conn.recv()
            healthy = True
        except (EOFError, OSError):
            raise PoolError("crashed", "the query stopped its worker process (out of memory?)") from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)
        if not ok:
            raise answer
        return answer

    def close(self) -> None:
        """Stop every worker and the zygote."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            _kill(worker.pid)
            worker.conn.close()
        _kill(self._zygote_pid)
        self._zygote.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._zygote_pid, 0)

    def _replace(self, worker: _Worker) -> None:
        _kill(worker.pid)
        worker.conn.close()
        # If the zygote is gone (OSError), the pool shrinks and later calls say "busy".
        if not self._closed:
            with contextlib.suppress(OSError):
                self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._zygote_lock:
            self._zygote.sendall(b"s")
            data, fds, _flags, _addr = socket.recv_fds(self._zygote, 16, 1)
        if not fds:
            raise OSError("the query zygote did not answer")
        return _Worker(int(data.decode()), Connection(fds[0]))


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _zygote(
    sock: socket.socket, state: Any, handler: Callable[[Any, Any], Any], limit: float, isolate: bool
) -> None:
    """Leave the network, say whether that worked, then fork a worker each time the pool asks;
    never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    try:
        reason = deny_network() if isolate else "turned off"
        sock.sendall(((reason or "isolated").replace("\n", " ") + "\n").encode())
        while sock.recv(1) == b"s":
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                sock.close()
                theirs.close()
                _serve(Connection(ours.detach()), state, handler, limit)
            ours.close()
            socket.send_fds(sock, [str(pid).encode()], [theirs.fileno()])
            theirs.close()
    finally:
        os._exit(0)


def _serve(conn: Connection, state: Any, handler: Callable[[Any, Any], Any], limit: float) -> None:
    """A worker's loop: answer requests until the pool closes the connection; never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                break
            # SIGALRM's default action ends the process: a hard stop even inside native code.
            signal.setitimer(signal.ITIMER_REAL, limit + BACKSTOP_GRACE)
            try:
                answer: tuple[bool, Any] = (True, on_big_stack(handler, state, request))
            except Exception as error:  # sent back and raised in the server
                answer = (False, sendable(error))
            signal.setitimer(signal.ITIMER_REAL, 0)
            conn.send(answer)
    finally:
        os._exit(0)


def _receive_line(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace").strip() or "the query zygote did not start"
