"""Client address and scheme from forwarding headers, believed only when the peer is a trusted proxy.

`TRUSTED_PROXIES` (addresses or networks, comma-separated; empty by default because `s7 serve`
faces clients directly) lists the reverse proxies in front of the app. When the TCP peer is one of
them, the client is the right-most address of the `Forwarded: for=` / `X-Forwarded-For` chain that
is NOT a trusted proxy: nginx's `$proxy_add_x_forwarded_for` appends the address it saw to whatever
the client sent, so everything left of that is the client's own (possibly forged) text.
`X-Forwarded-Proto` (or `Forwarded: proto=`) from a trusted peer sets the scheme, so the CSRF origin
check and `Secure` cookies see the https the browser used. From any other peer these headers are
ignored: the per-IP login limit counts the real peer, however many addresses it invents.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)
_PROTO = re.compile(r'(?:^|;)\s*proto\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def _address(token: str) -> str:
    """A chain entry without quotes, brackets or port: `"[2001:db8::1]:443"` → `2001:db8::1`."""
    token = token.strip().strip('"')
    if token.startswith("["):
        return token[1:].split("]", 1)[0]
    if token.count(":") == 1:  # IPv4 with a port
        return token.split(":", 1)[0]
    return token


def _is_in(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _headers(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", []) if key == name]


def forwarded_chain(scope: Scope) -> list[str]:
    """Addresses the request passed through, client first (RFC 7239 `Forwarded`, else X-Forwarded-For)."""
    forwarded = ",".join(_headers(scope, b"forwarded"))
    if forwarded:
        return [_address(m.group(1)) for element in forwarded.split(",") if (m := _FOR.search(element))]
    joined = ",".join(_headers(scope, b"x-forwarded-for"))
    return [_address(item) for item in joined.split(",") if item.strip()]


def forwarded_proto(scope: Scope) -> str | None:
    forwarded = ",".join(_headers(scope, b"forwarded"))
    values = [m.group(1).strip('"') for element in forwarded.split(",") if (m := _PROTO.search(element))]
    if not values:
        values = [v.strip() for v in ",".join(_headers(scope, b"x-forwarded-proto")).split(",") if v.strip()]
    proto = values[-1].lower() if values else None  # the proxy nearest to us set the last one
    return proto if proto in ("http", "https") else None


def client_from(chain: list[str], networks: list[Network]) -> str | None:
    """The right-most address of the chain that is not a trusted proxy (else the left-most)."""
    for address in reversed(chain):
        if not _is_in(address, networks):
            return address[:64] or None
    return chain[0][:64] if chain else None


class TrustedProxyMiddleware:
    def __init__(self, app: ASGIApp, *, trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] in ("http", "websocket") and self.trusted and peer and _is_in(peer[0], self.trusted):
            scope = dict(scope)
            client = client_from(forwarded_chain(scope), self.trusted)
            if client:
                scope["client"] = (client, 0)
            proto = forwarded_proto(scope)
            if proto:
                scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)
