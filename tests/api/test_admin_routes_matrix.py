"""Every admin-only API route: anonymous → 401, student, mentor and support → 403, admin passes the door."""

import re
import uuid

import pytest

from tests.factories import token_for

ADMIN_ONLY = re.compile(r"^/api/(admin/|admin-courses|subscriptions/\{\w+\}/(approve|reject)|uploads/)")


def _admin_routes(client):
    for path, ops in client.get("/api/openapi.json").json()["paths"].items():
        if ADMIN_ONLY.match(path):
            for method in ops:
                if method.upper() in ("GET", "POST", "PUT", "DELETE"):
                    yield method.upper(), re.sub(r"{\w+}", str(uuid.uuid4()), path)


def test_there_are_admin_routes_to_check(client):
    assert len(list(_admin_routes(client))) >= 10


@pytest.mark.parametrize("who, expected", [("anonymous", 401), ("student", 403), ("support", 403)])
def test_admin_routes_refuse_everyone_else(app, client, make, who, expected):
    headers = {} if who == "anonymous" else token_for(app, make.support() if who == "support" else make.student())
    for method, url in _admin_routes(client):
        r = client.request(method, url, headers=headers, json={})
        assert r.status_code == expected, (method, url, r.status_code, r.text[:200])


def test_admin_gets_past_the_door(app, client, make):
    headers = token_for(app, make.admin())
    for method, url in _admin_routes(client):
        r = client.request(method, url, headers=headers, json={})
        assert r.status_code not in (401, 403, 500), (method, url, r.status_code, r.text[:200])
