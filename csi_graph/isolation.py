"""Running work that may misbehave: without network, in a process that can be killed, on a big stack.

The SPARQL safety check (:func:`csi_graph.sparql.check_query`) refuses ``SERVICE``; this
module is the second line of defence. :func:`deny_network` moves the calling process into a
new, empty network namespace (Linux): it has no interface but a loopback that is down, so
even a request the check missed cannot connect anywhere, not even to 127.0.0.1. The
server's query workers (:mod:`csi_graph.web.pool`) and the command line's query process
(:func:`run_isolated`) call it.

:func:`run_isolated` runs a function in a forked child and waits for its answer; at the
time limit or on Ctrl-C the child is killed (``SIGKILL`` ends native code too, which neither
Python's ``KeyboardInterrupt`` nor a thread can). :func:`on_big_stack` runs a function in a
thread whose stack is :data:`~csi_graph.limits.STACK_BYTES`, so that a deeply nested query
ends in an error or a time-out, never in a stack overflow.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import pickle
import signal
import socket
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from typing import Any, TypeVar

from csi_graph.errors import EXIT_INTERNAL, CsiError
from csi_graph.limits import STACK_BYTES

T = TypeVar("T")
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
# Time a child gets beyond its limit before its own timer ends it (the parent kills it first).
BACKSTOP_GRACE = 2.0


class WorkTimeout(CsiError):
    """Work that ran past its time limit and was stopped."""


class WorkCrashed(CsiError):
    """Work whose process died (out of memory, or a bug in a native library)."""

    exit_code = EXIT_INTERNAL


def deny_network() -> str | None:
    """Put this process in a new network namespace with no usable interface.

    Returns ``None`` once checked (a connection to 127.0.0.1 fails with "network is
    unreachable"), else why not: not Linux, or neither ``CLONE_NEWNET`` (root) nor
    ``CLONE_NEWUSER | CLONE_NEWNET`` (unprivileged user namespaces) is permitted. Call it
    in a single-threaded process (a fresh fork): a user namespace requires one.
    """
    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux (this is {sys.platform})"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as error:
        return f"cannot call unshare(): {error}"
    reasons = []
    for flags, name in ((CLONE_NEWNET, "CLONE_NEWNET"), (CLONE_NEWUSER | CLONE_NEWNET, "CLONE_NEWUSER")):
        if libc.unshare(flags) == 0:
            return _verify_no_network()
        reasons.append(f"{name}: {os.strerror(ctypes.get_errno())}")
    return "unshare() refused (" + "; ".join(reasons) + ")"


def _verify_no_network() -> str | None:
    for family, address in ((socket.AF_INET, ("127.0.0.1", 9)), (socket.AF_INET6, ("::1", 9))):
        try:
            probe = socket.socket(family, socket.SOCK_STREAM)
        except OSError:  # no IPv6 at all: nothing to reach either
            continue
        with probe:
            code = probe.connect_ex(address)
        if code not in (errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EHOSTUNREACH):
            return f"a new network namespace still reaches {address[0]} ({os.strerror(code)})"
    return None


def on_big_stack(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a thread with a :data:`~csi_graph.limits.STACK_BYTES` stack.

    Oxigraph and rdflib's SPARQL parser recurse once per level of a query; on the default
    stack a few thousand levels crash the process, on this one they end in an error or
    at the time limit. The stack is virtual memory, touched only as deep as it is used.
    Exceptions are raised in the caller.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:
            outcome["error"] = error

    with _STACK_LOCK:
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name="csi-graph-big-stack", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


_STACK_LOCK = threading.Lock()


def run_isolated(
    function: Callable[[], T],
    *,
    timeout: float | None,
    network: bool = False,
    what: str = "the query",
    memory: int | None = None,
    quiet: bool = False,
) -> T:
    """``function()`` in a forked child process; its result (pickled) or exception comes back.

    The child runs without network (:func:`deny_network`) unless ``network``, on a big stack,
    with at most ``memory`` more bytes of address space if given, and with its standard error
    sent to /dev/null if ``quiet`` (a native library dying of hunger prints there). It is killed when
    ``timeout`` seconds pass (:class:`WorkTimeout`), and when the user presses Ctrl-C
    (``KeyboardInterrupt`` is raised here once it is gone). A child that dies without an
    answer raises :class:`WorkCrashed`. Where there is no ``fork`` (Windows), the function
    runs in this process, on a big stack, without those bounds.
    """
    if not hasattr(os, "fork"):
        return on_big_stack(function)
    reader, writer = Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        reader.close()
        _child(writer, function, timeout, network, memory, quiet)
    writer.close()
    try:
        if not reader.poll(timeout):
            raise WorkTimeout(f"{what} ran longer than {timeout:g} s and was stopped")
        ok, value = reader.recv()
    except (EOFError, OSError):
        status = _reap(pid, kill=False)
        raise WorkCrashed(f"{what} stopped its process ({_death(status, memory)})") from None
    finally:
        reader.close()
        _reap(pid, kill=True)
    if not ok:
        raise value
    return value


def _child(
    writer: Connection,
    function: Callable[[], Any],
    timeout: float | None,
    network: bool,
    memory: int | None,
    quiet: bool,
) -> None:
    try:
        if quiet:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and kills us
        if timeout is not None:  # a backstop if the parent itself is gone: SIGALRM's default ends us
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_REAL, timeout + BACKSTOP_GRACE)
        if not network:
            deny_network()  # where it cannot be done, the parser's check still stands
        if memory is not None:
            _limit_memory(memory)
        try:
            answer: tuple[bool, Any] = (True, on_big_stack(function))
        except BaseException as error:
            answer = (False, sendable(error))
        try:
            writer.send(answer)
        except Exception as error:  # an unpicklable result
            writer.send((False, CsiError(f"{type(error).__name__}: {error}")))
    finally:
        os._exit(0)


def _limit_memory(extra: int) -> None:
    import resource

    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    ceiling = pages * os.sysconf("SC_PAGE_SIZE") + STACK_BYTES + extra
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def sendable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else a :class:`CsiError` that says what it was."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return CsiError(f"{type(error).__name__}: {error}")
    return error


def _reap(pid: int, *, kill: bool) -> int:
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


def _death(status: int, memory: int | None) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if number in (signal.SIGSEGV, signal.SIGABRT, signal.SIGKILL, signal.SIGBUS):
            hint = "out of memory" if memory is not None or number == signal.SIGKILL else "a crash"
            return f"killed by {name}: {hint}"
        return f"killed by {name}"
    return f"exit status {os.WEXITSTATUS(status)}"
