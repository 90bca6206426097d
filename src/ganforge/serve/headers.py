"""ASGI middleware: security headers on every answer, the API's and errors' included.

- `X-Content-Type-Options: nosniff`: a browser takes a PNG or JSON answer for what its
  Content-Type says, never for a page or script;
- `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` unless the route set
  its own (the page sets one with its nonce): an answer opened in a browser runs nothing
  and no other site can frame it;
- `Cache-Control: no-store` unless the route set its own: answers are made per request;
- `Referrer-Policy: no-referrer`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from ganforge.serve.body_limit import ASGIApp, Message, Receive, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'"
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", API_POLICY.encode()),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Add SECURITY_HEADERS to each response that does not set them itself."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
