"""Running the app: check the web extra, bind the socket ourselves, run uvicorn on it.

Binding before uvicorn starts turns "port in use" into one clear line, lets `--port 0` pick
a free port, and gives the real address for the start-up message.
"""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import socket
from typing import Any

from ganforge.errors import ConfigError, GanforgeError

WEB_PACKAGES = ("fastapi", "uvicorn", "pydantic")


def require_web() -> None:
    """Raise one clear line when the optional web dependencies are missing."""
    missing = [name for name in WEB_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise GanforgeError(
            f"ganforge serve needs {', '.join(missing)}: pip install 'ganforge[web]'"
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port)."""
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port must be in 0..65535, got {port}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host!r}: not a known address ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is already in use; choose another with --port"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror})") from None
    return sock


def is_loopback(sock: socket.socket) -> bool:
    """Whether the socket listens only on this machine's loopback interface."""
    return ipaddress.ip_address(sock.getsockname()[0]).is_loopback


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def banner(run: str, sock: socket.socket) -> str:
    """The start-up line: what is served, where, and who can reach it."""
    if is_loopback(sock):
        reach = "local only; use --host 0.0.0.0 to expose"
    else:
        reach = "reachable from other machines, without authentication"
    return f"serving {run} on {url_of(sock)} ({reach})"


def make_server(app: Any, access_log: bool = True, limits: Any = None) -> Any:
    """A uvicorn.Server for `app`; run it with `.run(sockets=[sock])`. `limits`: a
    ganforge.serve.protocol.ConnectionLimits (default: its defaults)."""
    import uvicorn

    from ganforge.serve.protocol import ConnectionLimits

    limits = limits or ConnectionLimits()
    config = uvicorn.Config(app, log_level="info", access_log=access_log,
                            timeout_graceful_shutdown=5, http=limits.protocol(),
                            timeout_keep_alive=limits.keep_alive)
    return uvicorn.Server(config)
