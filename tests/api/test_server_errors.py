"""Unexpected failures: a Russian 500 body without internals, and /readyz reporting broken storage."""

from __future__ import annotations

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from s7.app import create_app


def _boom(_request):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret internal detail /srv/s7/core/x.py")


def test_unexpected_exception_is_russian_500_without_traceback(settings, db, caplog):
    app = create_app(settings, db=db)
    app.router.routes.insert(0, Route("/api/_test/boom", _boom, methods=["GET"]))
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/_test/boom")
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"error": {"code": "internal_error",
                                  "message": "Внутренняя ошибка сервера. Мы уже разбираемся.",
                                  "details": {}}}
    assert "Traceback" not in r.text and "secret" not in r.text
    assert "secret internal detail" in caplog.text  # logged for the operator


def test_readyz_is_503_when_media_root_is_unusable(settings, db, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    broken = settings.model_copy(update={"media_root": blocker / "media"})
    with TestClient(create_app(broken, db=db)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"].startswith("error")


@pytest.mark.parametrize("setting", ["media_root", "private_root"])
def test_readyz_is_503_when_a_storage_root_is_a_file(settings, db, tmp_path, setting):
    blocker = tmp_path / "root-is-a-file"
    blocker.write_text("x")
    with TestClient(create_app(settings, db=db)) as c:  # control: the same settings with real dirs
        assert c.get("/readyz").status_code == 200
    broken = settings.model_copy(update={setting: blocker})
    with TestClient(create_app(broken, db=db)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["storage"].startswith("error")
