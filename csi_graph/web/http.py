"""The HTTP connection limits of ``csi-graph serve``: what holds a public server up on its own.

uvicorn, left to itself, keeps a connection that never sends a request open for ever,
accepts as many as the process has file descriptors, and buffers a request head of any
size: about 1,100 idle connections, or one 150 MB header, stall every other visitor.
:func:`protocol_class` makes uvicorn's HTTP protocol (httptools) enforce, per connection:

* a **connection limit**, in all and per client address: past it, a new connection gets
  ``503 Service Unavailable`` at once and is closed;
* a **header timeout**: the request line and headers must arrive within so many seconds
  of the connection (or of the previous response), else ``408 Request Timeout`` and the
  connection is closed — the cure for idle and slow-header ("slowloris") connections;
* a **header size limit**: past so many bytes of request line and headers, ``431`` and
  the connection is closed before the rest is read.

Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``; the time
to send a body is bounded in :mod:`csi_graph.web.app`. This mirrors what nginx
(``client_header_timeout``, ``large_client_header_buffers``, ``limit_conn``) and Jetty
(``idleTimeout``, ``requestHeaderSize``) do in front of Fuseki.
"""

from __future__ import annotations

import json
import logging
import resource
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from csi_graph.limits import (
    SERVE_CLIENT_TIMEOUT,
    SERVE_MAX_CONNECTIONS,
    SERVE_MAX_HEADER,
    SERVE_MAX_PER_CLIENT,
)

log = logging.getLogger("uvicorn.error")
# File descriptors kept for everything but client connections (workers, logs, data files).
RESERVED_FDS = 64


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int = SERVE_MAX_CONNECTIONS  # open connections in all
    max_per_client: int = SERVE_MAX_PER_CLIENT  # open connections from one client address (0: no limit)
    header_timeout: float = SERVE_CLIENT_TIMEOUT  # seconds to receive a request line and headers
    max_header_bytes: int = SERVE_MAX_HEADER  # bytes of request line and headers


def raise_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted`` connections; return how many fit.

    The soft limit is often 1,024 where the hard one is far higher: servers raise it.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + RESERVED_FDS
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - RESERVED_FDS))


def protocol_class(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """An httptools protocol for uvicorn (``Config(http=...)``) that enforces ``limits``."""

    per_client: dict[str, int] = {}

    class GuardedProtocol(HttpToolsProtocol):
        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._head_bytes = 0
            self._in_head = True
            self._address = self.client[0] if self.client else ""
            per_client[self._address] = per_client.get(self._address, 0) + 1
            self._counted = True
            if len(self.connections) > limits.max_connections:
                self._refuse(503, "too many connections to this server; try again in a moment")
            elif limits.max_per_client and per_client[self._address] > limits.max_per_client:
                self._refuse(503, "too many connections from your address; close some and try again")
            else:
                self._header_timer = self.loop.call_later(limits.header_timeout, self._header_timeout)

        def connection_lost(self, exc) -> None:  # type: ignore[override]
            if getattr(self, "_counted", False):
                self._counted = False
                left = per_client.get(self._address, 1) - 1
                if left:
                    per_client[self._address] = left
                else:
                    per_client.pop(self._address, None)
            self._cancel_header_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > limits.max_header_bytes:
                    self._refuse(
                        431,
                        f"the request line and headers are longer than {limits.max_header_bytes} bytes "
                        "(send a long query with POST)",
                    )
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if not self._in_head:  # the next request on a kept-alive connection
                self._in_head, self._head_bytes = True, 0
                self._header_timer = self.loop.call_later(limits.header_timeout, self._header_timeout)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self._cancel_header_timer()
            super().on_headers_complete()

        def _header_timeout(self) -> None:
            self._header_timer = None
            if self._in_head and not self.transport.is_closing():
                self._refuse(408, f"no complete request within {limits.header_timeout:g} s")

        def _cancel_header_timer(self) -> None:
            timer = getattr(self, "_header_timer", None)
            if timer is not None:
                timer.cancel()
                self._header_timer = None

        def _refuse(self, status: int, message: str) -> None:
            """Answer ``status`` in the server's JSON error shape, and close the connection."""
            self._cancel_header_timer()
            reasons = {
                408: "Request Timeout",
                431: "Request Header Fields Too Large",
                503: "Service Unavailable",
            }
            codes = {408: "timeout", 431: "too-large", 503: "busy"}
            body = json.dumps(
                {"error": {"status": status, "code": codes[status], "message": message}}
            ).encode()
            head = (
                f"HTTP/1.1 {status} {reasons[status]}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n"
                + ("retry-after: 5\r\n" if status == 503 else "")
                + "\r\n"
            )
            if not self.transport.is_closing():
                self.transport.write(head.encode() + body)
                self.transport.close()

    return GuardedProtocol
