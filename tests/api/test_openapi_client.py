"""A client generator can use the schema: `openapi-python-client` builds a Python client from the live
`/api/openapi.json`, and login, `me` and a list work through it against a real server."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import httpx

from core.clock import utcnow
from core.models import Notification, NotificationType
from tests.factories import PASSWORD
from tests.live_sqlite import live, live_url  # noqa: F401  (fixtures)

BIN = Path(sys.executable).parent


def test_generated_client_logs_in_and_lists(live, live_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with live.db.transaction() as session:
        session.add(Notification(user_id=live.admin.id, type=NotificationType.SUBSCRIPTION_REQUEST,
                                 title="Новая заявка", message="Проверьте оплату.", created_at=utcnow()))
    schema = tmp_path / "openapi.json"
    schema.write_bytes(httpx.get(f"{live_url}/api/openapi.json", timeout=30).content)
    package = tmp_path / "s7_api_client"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(BIN / "openapi-python-client"), "generate", "--path", str(schema),
                           "--output-path", str(package), "--meta", "none"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    # Every JSON operation is generated; only binary downloads (PDF, media) are left without a parsed body.
    warned = [line for line in done.stdout.splitlines() if line.startswith("WARNING parsing")]
    assert all(("/media/" in w or "/file " in w or "/preview " in w or "/materials/" in w) for w in warned), warned
    sys.path.insert(0, str(tmp_path))
    try:
        client_mod = importlib.import_module("s7_api_client")
        login = importlib.import_module("s7_api_client.api.auth.login")
        me = importlib.import_module("s7_api_client.api.auth.me")
        notifications = importlib.import_module("s7_api_client.api.notifications.list_notifications")
        login_in = importlib.import_module("s7_api_client.models.login_in")

        with client_mod.Client(base_url=live_url) as anonymous:
            auth = login.sync(client=anonymous, body=login_in.LoginIn(email=live.admin.email, password=PASSWORD))
        assert auth is not None and auth.token
        with client_mod.AuthenticatedClient(base_url=live_url, token=auth.token) as client:
            who = me.sync(client=client)
            assert who is not None and who.email == live.admin.email
            listed = notifications.sync(client=client, limit=10)
        assert listed is not None and [n.title for n in listed.items] == ["Новая заявка"]
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "s7_api_client" or m.startswith("s7_api_client.")]:
            del sys.modules[name]
