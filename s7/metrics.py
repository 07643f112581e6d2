"""Prometheus metrics: request counts and latency histograms per route template (`/api/courses/{course_id}`,
never the raw path), served at `/metrics` to a caller presenting `METRICS_TOKEN` (empty = no endpoint).

Several uvicorn workers: set `PROMETHEUS_MULTIPROC_DIR` to an empty directory (prometheus-client's own
multiprocess mode), so any worker answers with the sum of all; without it each scrape shows the
process that happened to answer.
"""

from __future__ import annotations

import functools
import hmac
import os
import time
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.wiring import settings_of
from public_api.openapi import register_path

REQUESTS = Counter("s7_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("s7_http_request_duration_seconds", "Time to answer an HTTP request (until the last byte)",
                    ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


@functools.lru_cache(maxsize=4096)  # labels() takes a lock and builds a key: once per combination
def _counter(method: str, route: str, status: int) -> Any:
    return REQUESTS.labels(method, route, str(status))


@functools.lru_cache(maxsize=2048)
def _histogram(method: str, route: str) -> Any:
    return LATENCY.labels(method, route)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = route_template(scope)
            method = scope.get("method", "GET")
            _counter(method, route, status).inc()
            _histogram(method, route).observe(time.perf_counter() - started)


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


async def metrics(request: Request) -> Response:
    token = settings_of(request.app.state).metrics_token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if not token:
        return Response(status_code=404)
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


routes = [Route("/metrics", metrics, methods=["GET"], name="metrics")]
register_path("/metrics", "GET", {
    "summary": "Метрики Prometheus (запросы и задержки по маршрутам); Authorization: Bearer METRICS_TOKEN",
    "tags": ["health"], "operationId": "metrics",
    "responses": {"200": {"description": "Текст в формате Prometheus", "content": {"text/plain": {"schema": {
        "type": "string"}}}}, "401": {"description": "Нет или неверный токен"},
        "404": {"description": "METRICS_TOKEN не задан"}}})
