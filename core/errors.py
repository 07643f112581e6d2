"""Domain errors raised by services; one mapping turns them into the HTTP error body.

    ServiceError (code, http_status, message, details)
     ├── Invalid          422  validation
     ├── Unauthorized     401  no or bad credentials
     ├── Forbidden        403
     │    └── LimitExceeded 403 limit_exceeded (with the upgrade offer)
     ├── NotFound         404  (also for objects the caller may not see)
     ├── Conflict         409
     ├── RateLimited      429  (retry_after seconds)
     └── BodyTooLarge     413  body_too_large (a request body over its limit)
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    http_status = 400
    code = "bad_request"
    message = "Некорректный запрос"
    # When True the unit of work still commits before the error propagates: a failed login
    # or a wrong join code must leave its rate-limit mark even though the request fails.
    commit_anyway = False

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 details: dict[str, Any] | None = None) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.details = details or {}
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class Invalid(ServiceError):
    http_status = 422
    code = "validation_error"
    message = "Проверьте введённые данные"


class Unauthorized(ServiceError):
    http_status = 401
    code = "unauthorized"
    message = "Требуется вход в систему"


class Forbidden(ServiceError):
    http_status = 403
    code = "forbidden"
    message = "Недостаточно прав для этого действия"


class LimitExceeded(Forbidden):
    code = "limit_exceeded"
    message = "Вы достигли лимита. Обновите подписку для увеличения лимита."


class NotFound(ServiceError):
    http_status = 404
    code = "not_found"
    message = "Не найдено"


class Conflict(ServiceError):
    http_status = 409
    code = "conflict"
    message = "Конфликт с текущим состоянием"


class RateLimited(ServiceError):
    http_status = 429
    code = "rate_limited"
    message = "Слишком много попыток. Попробуйте позже."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))
        self.details.setdefault("retryAfter", self.retry_after)


class BodyTooLarge(ServiceError):
    http_status = 413
    code = "body_too_large"
    message = "Слишком большой запрос: тело запроса превышает допустимый размер"


def field_error(field: str, message: str, code: str = "validation_error") -> Invalid:
    """An `Invalid` error about one field, in the same details shape as request validation."""
    return Invalid(message, code=code, details={"fields": [{"field": field, "message": message}]})
