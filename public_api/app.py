"""Assemble the public API routes from the resource modules."""

from __future__ import annotations

from importlib import import_module

from starlette.routing import BaseRoute, Route

from public_api import health
from public_api.openapi import schema_routes

# Resource modules, each exposing a `routes` list. Add new modules here.
RESOURCE_MODULES = [
    "public_api.users",
    "public_api.notifications",
    "public_api.media",
    "public_api.media_upload",
    "public_api.courses",
    "public_api.bytesize",
    "public_api.subscriptions",
    "public_api.clubs",
]


def api_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in RESOURCE_MODULES:
        routes.extend(import_module(name).routes)
    documented = [r for r in routes if isinstance(r, Route)]
    return [*health.routes, *schema_routes(documented), *routes]
