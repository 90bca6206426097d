"""uvicorn's h11 protocol with deadlines for reading a request and a cap on connections.

uvicorn (0.54, h11) closes a connection only when it has sat idle `timeout_keep_alive`
seconds after a response: a client that connects and sends nothing, or part of its headers,
or headers and part of the body, holds its connection (and a file descriptor) for ever.
`GuardedH11Protocol` adds what it lacks:

- header deadline: the request line and headers must arrive within `header_timeout` s of
  the connection opening (or of the previous response on a kept-alive connection), else
  the connection is closed;
- body deadline: the body must arrive within `body_timeout` s of the headers, else the
  client gets 408 and the connection is closed;
- connection cap: a connection beyond `max_connections` open ones gets 503 at once and is
  closed, so stalled clients cannot use up the process's file descriptors;
- per-address cap: a connection beyond `max_per_address` open ones from the same client
  address gets the same 503, so one client (200 slow connections) cannot take every slot
  from the others (a reverse proxy's clients share its address: raise it there).
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def _plain_answer(status: str, text: str) -> bytes:
    """A whole HTTP/1.1 answer that closes the connection, written without h11's state."""
    body = text.encode()
    return (f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


_TIMED_OUT = _plain_answer("408 Request Timeout", "request body not sent in time")
_FULL = _plain_answer("503 Service Unavailable", "too many open connections")
_BUSY = _plain_answer("503 Service Unavailable", "too many open connections from your address")


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a client may take to send a request, and how many may be connected."""

    header_timeout: float = 10.0  # seconds from connecting to the end of the headers
    body_timeout: float = 10.0  # seconds from the headers to the end of the body
    keep_alive: float = 5.0  # seconds an idle kept-alive connection stays open
    max_connections: int = 128
    max_per_address: int = 64  # half the slots: a browser opens 6, a load test 32

    def __post_init__(self) -> None:
        for name in ("header_timeout", "body_timeout", "keep_alive"):
            if not 0 < getattr(self, name) <= 3600:
                raise ValueError(f"{name} must be in (0, 3600] seconds, got {getattr(self, name)}")
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, got {self.max_connections}")
        if self.max_per_address < 1:
            raise ValueError(f"max_per_address must be at least 1, got {self.max_per_address}")

    def protocol(self) -> Any:
        """The protocol factory to give uvicorn.Config as `http`."""
        return functools.partial(GuardedH11Protocol, limits=self)


class GuardedH11Protocol(H11Protocol):
    """H11Protocol whose reads of headers and body have deadlines (see the module)."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._limits = limits
        self._deadline: asyncio.TimerHandle | None = None
        self._reading_body = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        answer = _FULL if len(self.connections) > self._limits.max_connections else \
            _BUSY if self._from_same_address() > self._limits.max_per_address else None
        if answer is not None:
            transport.write(answer)
            transport.close()
            return
        self._arm(self._limits.header_timeout, body=False)

    def _from_same_address(self) -> int:
        """Open connections (this one included) from this one's client address."""
        host = self.client[0] if self.client else None
        if host is None:  # a Unix socket or an unknown peer: no address to count by
            return 0
        return sum(1 for c in self.connections
                   if getattr(c, "client", None) and c.client[0] == host
                   and not c.transport.is_closing())

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_state()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_state()

    def _follow_state(self) -> None:
        """Set the deadline for what the client is sending now: headers, body or nothing."""
        if self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        if state is h11.IDLE and (self._deadline is None or self._reading_body):
            self._arm(self._limits.header_timeout, body=False)
        elif state is h11.SEND_BODY and not self._reading_body:
            self._arm(self._limits.body_timeout, body=True)
        elif state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()  # the request is in: the app has it, no deadline while it works

    def _arm(self, seconds: float, body: bool) -> None:
        self._disarm()
        self._reading_body = body
        self._deadline = self.loop.call_later(seconds, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._reading_body and (self.cycle is None or not self.cycle.response_started):
            self.transport.write(_TIMED_OUT)
        self.transport.close()
