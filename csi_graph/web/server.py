"""Running the web application: the listening socket, uvicorn, and the limits that hold it up.

:func:`serve` is what ``csi-graph serve`` calls once the data is loaded. It binds the
socket first (a taken port is a clear error, not a traceback), starts the query workers,
says on one line where it listens and whether the workers' network sandbox is in force,
then runs uvicorn with the connection limits of :mod:`csi_graph.web.http`.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Callable

from csi_graph.dataset import Dataset
from csi_graph.errors import CsiError
from csi_graph.web.app import Settings, create_app
from csi_graph.web.http import ConnectionLimits, protocol_class, raise_file_limit

log = logging.getLogger("csi_graph.web")
BACKLOG = 2048  # connections the kernel queues before the server accepts them
KEEP_ALIVE = 5.0  # seconds an idle kept-alive connection stays open


def listen(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` (0: any free port); CsiError if it cannot."""
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP
    # (without it, Nagle's algorithm holds each response body ~40 ms).
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise CsiError(
            f"cannot listen on {host}:{port}: {error.strerror} (choose another --port or --host)"
        ) from None
    listener.listen(BACKLOG)
    return listener


def serve(
    dataset: Dataset,
    settings: Settings,
    limits: ConnectionLimits,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Serve ``dataset`` until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    listener = listen(host, port)
    allowed = raise_file_limit(limits.max_connections)
    if allowed < limits.max_connections:
        say(
            f"Note: at most {allowed} connections (the open-file limit, ulimit -n, leaves no room for "
            f"{limits.max_connections})"
        )
        limits = ConnectionLimits(
            allowed, limits.max_per_client, limits.header_timeout, limits.max_header_bytes
        )
    app = create_app(dataset, settings)
    bound = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    say(
        f"Serving {len(dataset)} triples at http://{shown}:{bound}/ (SPARQL endpoint /sparql, query page /query); "
        "Ctrl-C to stop"
    )
    sandbox = app.state.site.pool.sandbox
    say(
        "Query workers: no network access (own network namespace): SERVICE cannot reach any host"
        if sandbox is None
        else f"Query workers: network sandbox NOT in force ({sandbox}); SERVICE is refused by the "
        "query check alone"
    )
    say(
        f"Limits: {settings.time_limit:g} s and {settings.max_rows} rows per query, {limits.max_connections} "
        f"connections, {limits.header_timeout:g} s to send a request"
    )
    sys.stdout.flush()
    config = uvicorn.Config(
        app,
        log_level="info",
        access_log=access_log,
        lifespan="on",
        http=protocol_class(limits),
        timeout_keep_alive=int(KEEP_ALIVE),
        backlog=BACKLOG,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[listener])
