"""Every back-office page satisfies its own Content-Security-Policy in real Chromium (issue 12 item 6),
and the page's fetch wrapper sends the CSRF token to our own origin only (item 13)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from s7.seed import DEMO_ADMIN, seed_demo
from tests.browser.conftest import admin_login
from tests.net import serve_in_thread

pytestmark = pytest.mark.browser

SKIP = re.compile(r"/admin/(logout|.*/export/|.*/delete|.*/preview/|.*/material/|.*/proof/)")  # files, not pages
MAX_PAGES = 80


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{page.url}: {m.text} ({m.location.get('url')})")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.add_init_script("""document.addEventListener('securitypolicyviolation', function (e) {
        console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI); });""")
    return problems


def _pattern(path: str) -> str:
    """One page per kind: /admin/user/details/<id> and /admin/user/details/<other id> are the same page."""
    parts = path.rstrip("/").split("/")
    if len(parts) >= 5 and parts[3] in ("details", "edit"):
        parts = parts[:4]
    return "/".join(parts)


def test_every_back_office_page_satisfies_its_csp(page, live_server):
    seed_demo(live_server.db, settings=live_server.settings)
    problems = _watch(page)
    page.goto(f"{live_server.url}/admin/login")
    assert "script-src 'self' 'nonce-" in (page.context.request.get(f"{live_server.url}/admin/login")
                                           .headers["content-security-policy"])
    admin_login(page, live_server, DEMO_ADMIN[0], DEMO_ADMIN[1])

    queue, seen, visited = [f"{live_server.url}/admin/"], set(), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if _pattern(path) in seen or SKIP.search(path):
            continue
        seen.add(_pattern(path))
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert response.headers["x-frame-options"] == "DENY"
        page.wait_for_load_state("load")
        visited.append(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if href.startswith(live_server.url) and parts.path.startswith("/admin") and not parts.query:
                queue.append(f"{live_server.url}{parts.path}")
    assert problems == [], "\n".join(problems)
    kinds = {p.split("/")[3] for p in visited if p.count("/") >= 3 and p.split("/")[3]}
    assert {"list", "details", "edit", "create"} <= kinds, visited
    assert len(visited) >= 20, visited


def test_the_fetch_wrapper_sends_the_csrf_token_to_our_origin_only(browser, live_server):
    """The CSP's connect-src already blocks other origins; the wrapper must not rely on it."""
    context = browser.new_context(locale="ru-RU", bypass_csp=True)
    page = context.new_page()
    seed_demo(live_server.db, settings=live_server.settings)
    received: list[str | None] = []

    async def record(request: Request) -> PlainTextResponse:
        received.append(request.headers.get("x-csrf-token"))
        return PlainTextResponse("ok")

    other = CORSMiddleware(Starlette(routes=[Route("/probe", record, methods=["POST"])]), allow_origins=["*"],
                           allow_methods=["*"], allow_headers=["*"])
    admin_login(page, live_server, DEMO_ADMIN[0], DEMO_ADMIN[1])
    with serve_in_thread(other, name="uvicorn-other-origin") as other_url:
        status = page.evaluate("url => fetch(url, {method: 'POST'}).then(r => r.status)", f"{other_url}/probe")
        assert status == 200
    assert received == [None]
    # Our own origin does get it: without the token the CSRF check would answer 403.
    same = page.evaluate("fetch('/admin/user/list', {method: 'POST'}).then(r => r.status)")
    assert same != 403
    assert page.evaluate("fetch('/admin/user/list', {method: 'POST', headers: {'X-CSRF-Token': 'forged'}})"
                         ".then(r => r.status)") != 403  # the wrapper's own token replaces a wrong one
    context.close()
