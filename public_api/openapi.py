"""OpenAPI 3.1 schema built from the route metadata and pydantic models, plus a human docs page."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from core.services.clean import INT_MAX, INT_MIN
from public_api.http import ApiMeta, body_is_required

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
        "required": ["code", "message", "details"]}},
    "required": ["error"],
}
EXTRA_PATHS: dict[str, dict[str, Any]] = {}


def register_path(path: str, method: str, operation: dict[str, Any]) -> None:
    """Document a route not built with `api()` (uploads, media streaming)."""
    EXTRA_PATHS.setdefault(path, {})[method.lower()] = operation


class ApiJsonSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema plus the rules `public_api/validation.py` applies to every request value:
    integers fit a 32-bit column, floats stay within ±1e15, no string holds a NUL character."""

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        result = super().int_schema(schema)
        if "exclusiveMinimum" not in result:
            result.setdefault("minimum", INT_MIN)
        if "exclusiveMaximum" not in result:
            result.setdefault("maximum", INT_MAX)
        return result

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        result = super().float_schema(schema)
        if "exclusiveMinimum" not in result:
            result.setdefault("minimum", -1e15)
        if "exclusiveMaximum" not in result:
            result.setdefault("maximum", 1e15)
        return result

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        result = super().str_schema(schema)
        result.setdefault("pattern", NO_NUL)
        return result


NO_NUL = "^[^\\x00]*$"


def _schema_of(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {"$ref": f"#/components/schemas/{tp.__name__}"}
    schema = TypeAdapter(tp).json_schema(ref_template="#/components/schemas/{model}", by_alias=True,
                                         schema_generator=ApiJsonSchema)
    defs.update(schema.pop("$defs", {}))
    return schema


def build_schema(routes: list[Route]) -> dict[str, Any]:
    metas: list[ApiMeta] = [r.api_meta for r in routes if hasattr(r, "api_meta")]
    models: set[type[BaseModel]] = set()
    for m in metas:
        for tp in (m.body, m.query, m.response):
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                models.add(tp)
    _, top = models_json_schema([(c, "serialization") for c in sorted(models, key=lambda c: c.__name__)],
                                ref_template="#/components/schemas/{model}", by_alias=True,
                                schema_generator=ApiJsonSchema)
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    for model in models:  # request models are validated by alias too
        defs.setdefault(model.__name__,
                        model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}",
                                                schema_generator=ApiJsonSchema))
    paths: dict[str, dict[str, Any]] = {}
    for m in metas:
        op: dict[str, Any] = {
            "summary": m.summary, "tags": [m.tag], "operationId": m.name,
            "responses": {str(m.status): {"description": "OK"},
                          "default": {"description": "Ошибка", "content": {"application/json": {
                              "schema": {"$ref": "#/components/schemas/Error"}}}}},
        }
        params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string", "pattern": NO_NUL}}
                  for p in re.findall(r"{(\w+)(?::\w+)?}", m.path)]
        if m.query is not None:
            # The model's own schema per field: bounds, lengths and patterns included.
            query_schema = m.query.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}",
                                                     schema_generator=ApiJsonSchema)
            defs.update(query_schema.pop("$defs", {}))
            for name, info in m.query.model_fields.items():
                alias = info.alias or name
                field_schema = dict(query_schema.get("properties", {}).get(alias) or _schema_of(info.annotation, defs))
                field_schema.pop("title", None)
                params.append({"name": alias, "in": "query", "required": info.is_required(),
                               "schema": field_schema})
        if params:
            op["parameters"] = params
        if m.body is not None:
            op["requestBody"] = {"required": body_is_required(m.method, m.body), "content": {"application/json": {
                "schema": _schema_of(m.body, defs)}}}
        if m.response is not None:
            op["responses"][str(m.status)]["content"] = {"application/json": {
                "schema": _schema_of(m.response, defs)}}
        if m.auth != "none":
            op["security"] = [{"bearer": []}, {}] if m.auth == "optional" else [{"bearer": []}]
        if m.auth == "admin":
            op["description"] = "Только для администраторов (роль ADMIN)."
        paths.setdefault(re.sub(r"{(\w+):\w+}", r"{\1}", m.path), {})[m.method.lower()] = op
    for path, ops in EXTRA_PATHS.items():
        paths.setdefault(path, {}).update(ops)
        for op in ops.values():  # path values pass `check_input` too: no NUL
            for param in op.get("parameters", []):
                if param["in"] == "path" and param["schema"].get("type") == "string":
                    param["schema"].setdefault("pattern", NO_NUL)
    defs["Error"] = ERROR_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": "S7 Robotics API", "version": "1.0.0"},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": defs,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def schema_routes(api_routes: list[Route]) -> list[Route]:
    cache: dict[str, Any] = {}

    def get_schema() -> dict[str, Any]:
        if "schema" not in cache:
            cache["schema"] = build_schema(api_routes)
        return cache["schema"]

    async def openapi_json(_request: Request) -> JSONResponse:
        return JSONResponse(get_schema())

    async def docs(_request: Request) -> HTMLResponse:
        return HTMLResponse(render_docs(get_schema()))

    return [Route("/api/openapi.json", openapi_json, methods=["GET"]), Route("/api/docs", docs, methods=["GET"])]


def render_docs(schema: dict[str, Any]) -> str:
    parts = ["<!doctype html><html lang='ru'><head><meta charset='utf-8'><title>S7 Robotics API</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}"
             "details{border:1px solid #ddd;border-radius:6px;margin:.4em 0;padding:.4em .8em}"
             "summary{cursor:pointer}code.m{display:inline-block;width:4.5em;font-weight:bold}"
             "pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:12px}</style></head><body>",
             "<h1>S7 Robotics API</h1><p>Машиночитаемая схема: <a href='/api/openapi.json'>/api/openapi.json</a>. "
             "Авторизация: заголовок <code>Authorization: Bearer &lt;token&gt;</code>. Ошибки: "
             "<code>{\"error\": {\"code\", \"message\", \"details\"}}</code>.</p>"]
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            ok: dict[str, Any] = next((r for s, r in op["responses"].items() if s != "default"), {})
            resp = ok.get("content", {}).get("application/json", {}).get("schema")
            parts.append(f"<details><summary><code class='m'>{method.upper()}</code> <code>{html.escape(path)}</code>"
                         f" — {html.escape(op.get('summary', ''))}</summary>")
            if body:
                parts.append(f"<p>Тело запроса:</p><pre>{html.escape(json.dumps(body, ensure_ascii=False))}</pre>")
            if resp:
                parts.append(f"<p>Ответ:</p><pre>{html.escape(json.dumps(resp, ensure_ascii=False))}</pre>")
            parts.append("</details>")
    parts.append("</body></html>")
    return "".join(parts)
