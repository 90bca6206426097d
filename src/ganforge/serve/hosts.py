"""The Host header names the server answers to, against DNS rebinding.

A page on another site can point its own domain at 127.0.0.1 and then read this server's
answers as its own: the browser sends that domain in the Host header. So the server
answers only to the names it was started for: the address it listens on and the --host
name; localhost, 127.0.0.1 and [::1] when it listens on loopback (or on every interface);
the machine's own name and addresses when it listens on every interface; and the names
given with --allow-host (e.g. the public name of a reverse proxy in front of it).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable

from ganforge.errors import ConfigError

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
ANY_HOST = "*"  # --allow-host '*': answer to any name (turns the check off)

# A DNS name or IPv4 address, optionally with a leading "*." wildcard, or a bracketed IPv6.
_NAME = re.compile(r"(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*"
                   r"|\[[0-9a-f:.]+\]")


def checked_name(name: str) -> str:
    """An --allow-host value, lower-cased; one clear line when it is not a host name."""
    lowered = name.strip().lower()
    if lowered == ANY_HOST or (len(lowered) <= 253 and _NAME.fullmatch(lowered)):
        return lowered
    shown = name if len(name) <= 60 else name[:60] + "..."
    raise ConfigError(f"--allow-host {shown!r}: not a host name (like proxy.example.org, "
                      "*.example.org, 10.0.0.5 or [fe80::1]; '*' for any)")


def shown_address(address: str) -> str:
    """An IP address as it appears in a Host header: IPv6 in brackets."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return f"[{ip}]" if ip.version == 6 else str(ip)


def allowed_hosts(host: str, sock: socket.socket, extra: Iterable[str] = ()) -> list[str]:
    """The Host names a server started with `--host host` and listening on `sock` accepts."""
    address = sock.getsockname()[0]
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    names = [shown_address(address)]
    try:
        names.append(shown_address(host))
    except ValueError:
        names.append(host.lower())  # a name, not an address
    if ip.is_loopback or ip.is_unspecified:
        names.extend(LOOPBACK_NAMES)
    if ip.is_unspecified:
        names.extend(_own_names())
    names.extend(checked_name(name) for name in extra)
    return list(dict.fromkeys(names))


def _own_names() -> list[str]:
    """This machine's name, full name and the addresses its name resolves to."""
    name = socket.gethostname()
    names = [name.lower(), socket.getfqdn().lower()]
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError:
        return names
    return names + [shown_address(str(info[4][0])) for info in infos]
