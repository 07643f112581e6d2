"""Private lesson materials, streamed (never through /api/media):
GET /api/programs/lessons/{lesson_id}/materials/{kind} — the program lesson's current file, after the
download rule of core/services/program_materials.py;
GET /api/kruzhok/lesson/{session_id}/materials/{kind} — the file a session used (its snapshot), after
the rule of core/services/session_materials.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from core.clock import utcnow
from core.errors import ErrorCode
from core.services import program_materials, session_materials
from core.services.program_materials import MaterialFile
from core.wiring import db_of, storage_of
from public_api.errors import error_response
from public_api.http import resolve_actor
from public_api.openapi import register_path


def _authorised(request: Request, find: Callable[..., MaterialFile], **ids: str) -> MaterialFile:
    with db_of(request.app.state).transaction() as session:
        actor = resolve_actor(session, request, "required")
        return find(session, actor=actor, kind=request.path_params["kind"], now=utcnow(), **ids)


async def _serve(request: Request, find: Callable[..., MaterialFile], **ids: str) -> Response:
    found = await run_in_threadpool(_authorised, request, find, **ids)  # ServiceErrors → the app's error handler
    storage = storage_of(request.app.state)
    headers = {"Content-Length": str(found.size), "Cache-Control": "private, no-store",
               "Content-Disposition": program_materials.content_disposition(found.filename)}
    if found.size == 0:
        return Response(b"", media_type=found.content_type, headers=headers)
    try:
        chunks = await run_in_threadpool(storage.open_range, found.key, 0, found.size - 1, private=True)
    except FileNotFoundError:
        return error_response(404, ErrorCode.NOT_FOUND, "Файл материала не найден в хранилище")
    return StreamingResponse(chunks, headers=headers, media_type=found.content_type)


async def download_material(request: Request) -> Response:
    return await _serve(request, program_materials.material_for_download, lesson_id=request.path_params["lesson_id"])


async def download_session_material(request: Request) -> Response:
    return await _serve(request, session_materials.material_for_session,
                        session_id=request.path_params["session_id"])


def _document() -> None:
    binary: dict[str, Any] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    register_path("/api/programs/lessons/{lesson_id}/materials/{kind}", "GET", {
        "summary": "Скачать материал урока программы (сценарий PDF/DOCX или презентацию PDF/PPTX)",
        "tags": ["programs"], "operationId": "download_program_material",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "lesson_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "kind", "in": "path", "required": True,
             "schema": {"type": "string", "enum": ["scenario", "presentation"]}}],
        "responses": {"200": {"description": "Файл (attachment)", "content": binary},
                      "401": {"description": "Нет входа"},
                      "404": {"description": "Нет такого урока/материала или нет доступа к нему"}}})
    register_path("/api/kruzhok/lesson/{session_id}/materials/{kind}", "GET", {
        "summary": "Скачать материал занятия таким, каким он был на занятии (после замены файла в уроке — "
                   "прежний файл); занятие, которое ещё не прошло, — текущий материал урока",
        "description": "Владелец и менторы кружка, администраторы; ученик — если у него есть отметка на "
                       "занятии или он состоял в классе во время занятия. Остальным — 404.",
        "tags": ["schedule"], "operationId": "download_session_material",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "kind", "in": "path", "required": True,
             "schema": {"type": "string", "enum": ["scenario", "presentation"]}}],
        "responses": {"200": {"description": "Файл (attachment)", "content": binary},
                      "401": {"description": "Нет входа"},
                      "404": {"description": "Нет такого занятия/материала или нет доступа к нему"}}})


_document()

routes = [Route("/api/programs/lessons/{lesson_id}/materials/{kind}", download_material, methods=["GET"],
                name="program_material"),
          Route("/api/kruzhok/lesson/{session_id}/materials/{kind}", download_session_material, methods=["GET"],
                name="session_material")]
