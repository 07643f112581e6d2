"""Forwarding headers are believed only from TRUSTED_PROXIES (issue 12 item 4)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.settings import Settings, parse_networks
from s7.proxy import TrustedProxyMiddleware
from tests.live_process import procfile_web, uvicorn_process


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"client": request.client.host if request.client else None, "scheme": request.url.scheme})


def _seen(peer: str, trusted: str, headers: dict[str, str]) -> dict:
    app = TrustedProxyMiddleware(Starlette(routes=[Route("/", _echo)]), trusted=parse_networks(trusted))
    transport = httpx.ASGITransport(app=app, client=(peer, 5555))
    async def go() -> dict:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return (await client.get("/", headers=headers)).json()

    return asyncio.run(go())


@pytest.mark.parametrize(("peer", "trusted", "headers", "client", "scheme"), [
    # nobody trusted (the default): the headers are the client's own text
    ("203.0.113.9", "", {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"}, "203.0.113.9", "http"),
    # an untrusted peer, even with proxies configured
    ("203.0.113.9", "127.0.0.1", {"X-Forwarded-For": "1.2.3.4"}, "203.0.113.9", "http"),
    # nginx appended the real address to a forged one: the right-most untrusted wins
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "1.2.3.4, 198.51.100.7", "X-Forwarded-Proto": "https"},
     "198.51.100.7", "https"),
    # two proxies in a chain
    ("10.0.0.2", "127.0.0.1, 10.0.0.0/8", {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.0.0.3"},
     "198.51.100.7", "http"),
    # several header lines are one chain
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "6.6.6.6, 198.51.100.8"}, "198.51.100.8", "http"),
    # RFC 7239
    ("127.0.0.1", "127.0.0.1", {"Forwarded": 'for=6.6.6.6, for="[2001:db8::1]:4711";proto=https'},
     "2001:db8::1", "https"),
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-For": "198.51.100.9:5000"}, "198.51.100.9", "http"),
    # a trusted peer without headers stays itself; junk in the proto is ignored
    ("127.0.0.1", "127.0.0.1", {"X-Forwarded-Proto": "javascript"}, "127.0.0.1", "http"),
])
def test_client_address_and_scheme(peer, trusted, headers, client, scheme):
    assert _seen(peer, trusted, headers) == {"client": client, "scheme": scheme}


def test_a_bad_trusted_proxies_value_is_refused_at_start():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="127.0.0.1, proxy.local", _env_file=None)  # type: ignore[call-arg]


def test_procfile_web_trusts_only_the_local_proxy():
    web = procfile_web()
    assert "forwarded-allow-ips" not in web and "s7 serve" in web  # s7 serve: uvicorn's own proxy handling off
    assert 'TRUSTED_PROXIES="${TRUSTED_PROXIES-127.0.0.1}"' in web


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_per_ip_limit(tmp_path):
    """A real uvicorn with TRUSTED_PROXIES empty: every attempt claims a new address, and the
    per-IP failed-login limit still fills up, because the peer (127.0.0.1) is what counts."""
    with uvicorn_process(tmp_path, env={"TRUSTED_PROXIES": ""}) as server:
        codes = []
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for attempt in range(80):
                response = client.post("/api/auth/login", headers={"X-Forwarded-For": f"10.9.{attempt}.1"},
                                       json={"email": f"{uuid.uuid4().hex}@example.kz", "password": "wrong-pass"})
                codes.append(response.status_code)
                if response.status_code == 429:
                    break
        assert codes[-1] == 429, codes
        assert set(codes[:-1]) == {401}
