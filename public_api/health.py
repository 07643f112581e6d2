"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.wiring import db_of, storage_of
from public_api.openapi import register_path


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _check(request: Request) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        db_of(request.app.state).ping()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not raise
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        storage_of(request.app.state).ping()
        checks["storage"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["storage"] = f"error: {type(exc).__name__}"
    return checks


async def readyz(request: Request) -> JSONResponse:
    checks = await run_in_threadpool(_check, request)
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ok" if ok else "error", "checks": checks}, status_code=200 if ok else 503)


routes = [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]

_STATUS: dict[str, Any] = {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok", "error"]}},
           "required": ["status"]}
_READY = {**_STATUS, "properties": {**_STATUS["properties"], "checks": {
    "type": "object", "additionalProperties": {"type": "string"},
    "description": "database/storage: ok или error: <тип ошибки>"}}}
register_path("/healthz", "GET", {
    "summary": "Процесс жив", "tags": ["health"], "operationId": "healthz",
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": _STATUS}}}}})
register_path("/readyz", "GET", {
    "summary": "База данных и хранилище доступны", "tags": ["health"], "operationId": "readyz",
    "responses": {code: {"description": text, "content": {"application/json": {"schema": _READY}}}
                  for code, text in (("200", "Готов"), ("503", "База данных или хранилище недоступны"))}})
