"""The single mapping from errors to the HTTP error body of SPEC §2."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.errors import ErrorCode, RateLimited, ServiceError

log = logging.getLogger("s7.api")

HTTP_MESSAGES = {
    400: (ErrorCode.BAD_REQUEST, "Некорректный запрос"),
    401: (ErrorCode.UNAUTHORIZED, "Требуется вход в систему"),
    403: (ErrorCode.FORBIDDEN, "Недостаточно прав для этого действия"),
    404: (ErrorCode.NOT_FOUND, "Не найдено"),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "Метод не поддерживается"),
    413: (ErrorCode.PAYLOAD_TOO_LARGE, "Файл слишком большой"),
    415: (ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Неподдерживаемый тип файла"),
}


def error_response(status: int, code: ErrorCode, message: str, details: dict | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code.value, "message": message, "details": details or {}}},
                        status_code=status, headers=headers)


def service_error_response(error: ServiceError) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return error_response(error.http_status, error.code, error.message, error.details, headers)


async def on_service_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return service_error_response(exc)


async def on_http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = HTTP_MESSAGES.get(exc.status_code, (ErrorCode.HTTP_ERROR, "Ошибка запроса"))
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, ErrorCode.INTERNAL_ERROR, "Внутренняя ошибка сервера. Мы уже разбираемся.")


EXCEPTION_HANDLERS = {
    ServiceError: on_service_error,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
