"""OpenAPI: every route of the app is documented with its request and response shapes; refs resolve."""

from __future__ import annotations

import re

from starlette.routing import Route

SKIP = {"/api/openapi.json", "/api/docs"}


def _walk_refs(node, found):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                found.add(value)
            else:
                _walk_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk_refs(value, found)


def test_every_route_is_documented_with_shapes(app, client):
    schema = client.get("/api/openapi.json").json()
    missing: list[str] = []
    for route in app.routes:
        if not isinstance(route, Route) or route.path in SKIP:
            continue
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            op = schema["paths"].get(path, {}).get(method.lower())
            if op is None:
                missing.append(f"{method} {path}: not documented")
                continue
            ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
            if not any("content" in r for r in ok.values()):
                missing.append(f"{method} {path}: no response shape")
            meta = getattr(route, "api_meta", None)
            if meta is not None and meta.body is not None and "requestBody" not in op:
                missing.append(f"{method} {path}: no request body")
            if meta is not None and meta.response is None and meta.status != 204:
                missing.append(f"{method} {path}: @api without response model")
    assert missing == []


def test_every_schema_reference_resolves(client):
    schema = client.get("/api/openapi.json").json()
    refs: set[str] = set()
    _walk_refs(schema["paths"], refs)
    _walk_refs(schema["components"]["schemas"], refs)
    names = set(schema["components"]["schemas"])
    assert {r.rsplit("/", 1)[1] for r in refs} <= names
    assert "Error" in names


def test_operation_ids_are_handler_names(client):  # type: ignore[no-untyped-def]
    """Unique, stable, code-friendly operationIds (`create_course`, `approve_subscription`), never path-derived."""
    schema = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids), [i for i in ids if "/" in i or "{" in i]
    assert {"create_course", "approve_subscription", "login", "me", "bytesize_feed"} <= set(ids)
    assert not [name for name in schema["components"]["schemas"] if "__" in name]  # one model per name


def _patterns(node, found):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for value in node.values():
            _patterns(value, found)
    elif isinstance(node, list):
        for value in node:
            _patterns(value, found)


def test_every_pattern_compiles_in_python_and_in_the_validators_engine(client):  # type: ignore[no-untyped-def]
    """Schemathesis validates with jsonschema-rs (a Rust engine) and generates with Python `re`: a pattern
    either one refuses is silently not generated from, and the schema stops telling the truth."""
    import jsonschema_rs

    found: set[str] = set()
    _patterns(client.get("/api/openapi.json").json(), found)
    assert len(found) > 5
    for pattern in found:
        re.compile(pattern)
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
