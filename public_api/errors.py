"""The single mapping from errors to the HTTP error body of SPEC §2."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.errors import RateLimited, ServiceError

log = logging.getLogger("s7.api")

HTTP_MESSAGES = {
    400: ("bad_request", "Некорректный запрос"),
    401: ("unauthorized", "Требуется вход в систему"),
    403: ("forbidden", "Недостаточно прав для этого действия"),
    404: ("not_found", "Не найдено"),
    405: ("method_not_allowed", "Метод не поддерживается"),
    413: ("payload_too_large", "Файл слишком большой"),
    415: ("unsupported_media_type", "Неподдерживаемый тип файла"),
}


def error_response(status: int, code: str, message: str, details: dict | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}},
                        status_code=status, headers=headers)


def service_error_response(error: ServiceError) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return error_response(error.http_status, error.code, error.message, error.details, headers)


async def on_service_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return service_error_response(exc)


async def on_http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = HTTP_MESSAGES.get(exc.status_code, ("http_error", "Ошибка запроса"))
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Внутренняя ошибка сервера. Мы уже разбираемся.")


EXCEPTION_HANDLERS = {
    ServiceError: on_service_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
