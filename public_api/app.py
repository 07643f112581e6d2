"""Assemble the public API routes from the resource modules."""

from __future__ import annotations

from types import ModuleType

from starlette.routing import BaseRoute, Route

from public_api import (
    bytesize,
    certificate_issue,
    certificates,
    checkin,
    club_quizzes,
    clubs,
    courses,
    health,
    invitations,
    media,
    media_upload,
    missions,
    notifications,
    payment_proofs,
    program_materials,
    programs,
    purchases,
    reports,
    schedule,
    subscriptions,
    users,
)
from public_api.openapi import schema_routes

# Resource modules, each exposing a `routes` list. Add new modules here (and to the import above).
RESOURCE_MODULES: list[ModuleType] = [
    users,
    notifications,
    media,
    media_upload,
    courses,
    missions,
    bytesize,
    subscriptions,
    purchases,
    payment_proofs,
    clubs,
    invitations,
    schedule,
    checkin,
    programs,
    program_materials,
    certificates,
    certificate_issue,
    club_quizzes,
    reports,
]


def api_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for module in RESOURCE_MODULES:
        routes.extend(module.routes)
    documented = [r for r in routes if isinstance(r, Route)]
    return [*health.routes, *schema_routes(documented), *routes]
