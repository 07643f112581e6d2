"""Domain errors raised by services; one mapping (public_api/errors.py) turns them into the error body.

Every error carries a stable `code` (an `ErrorCode`), its HTTP status and a Russian `message`.
`ErrorCode` is the one registry of codes: docs/errors.md is generated from it
(`python -m core.errors_doc`), and tests/test_error_codes.py fails when a code is used anywhere
without being registered here, or with a status other than the registered one.

    ServiceError                400  bad_request
     ├── Invalid                422  validation_error (details.fields: [{field, message}])
     │    ├── NotMediaUrl       422  invalid_media_url
     │    │    └── ExternalUrl  422  external_url_not_allowed
     │    ├── WrongCurrentPassword 422 wrong_password (the failed attempt is committed)
     │    └── WrongCheckinCode  422  wrong_checkin_code (the failed attempt is committed)
     ├── Unauthorized           401  unauthorized
     │    └── LoginFailed       401  invalid_credentials (the failed attempt is committed)
     ├── Forbidden              403  forbidden
     │    ├── AccountBlocked    403  account_blocked
     │    └── LimitExceeded     403  limit_exceeded (details.upgrade: the upgrade offer)
     ├── NotFound               404  not_found (also for objects the caller may not see)
     │    └── InvalidCode       404  invalid_code (the failed attempt is committed)
     ├── Conflict               409  conflict
     │    └── HasHistory        409  has_history (a delete that would lose history; deactivate instead)
     ├── BodyTooLarge           413  body_too_large (a request body over its limit, details.maxBytes)
     ├── FileTooLarge           413  file_too_large
     ├── UnsupportedMediaType   415  unsupported_media_type
     └── RateLimited            429  rate_limited (details.retryAfter seconds, Retry-After header)

A service raises the class for the status and passes a more precise `code=ErrorCode.…` when the
client can act on it (e.g. `Conflict(…, code=ErrorCode.EMAIL_TAKEN)`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every stable error code of the API and the back-office: value, HTTP status, meaning."""

    status: int
    meaning: str

    def __new__(cls, value: str, status: int, meaning: str) -> ErrorCode:
        member = str.__new__(cls, value)
        member._value_ = value
        member.status = status
        member.meaning = meaning
        return member

    # Generic: the defaults of the classes above.
    BAD_REQUEST = "bad_request", 400, "The request cannot be processed (generic)."
    VALIDATION_ERROR = "validation_error", 422, "A field failed validation; `details.fields` lists `{field, message}`."
    UNAUTHORIZED = "unauthorized", 401, "No credentials, or the endpoint needs a signed-in user."
    FORBIDDEN = "forbidden", 403, "Signed in, but this action is not allowed for the caller."
    LIMIT_EXCEEDED = "limit_exceeded", 403, "A plan limit is reached; `details.upgrade` offers a bigger plan."
    NOT_FOUND = "not_found", 404, "No such object (or the caller may not see it), or no such route."
    CONFLICT = "conflict", 409, "The request conflicts with the current state (generic)."
    RATE_LIMITED = "rate_limited", 429, "Too many attempts; retry after `details.retryAfter` seconds (Retry-After)."

    # Accounts and sessions.
    INVALID_CREDENTIALS = "invalid_credentials", 401, "Wrong email or password (the attempt counts towards the limit)."
    INVALID_TOKEN = "invalid_token", 401, "The token is invalid, expired or was revoked (logout everywhere, block)."
    ACCOUNT_BLOCKED = "account_blocked", 403, "The account is blocked by an administrator."
    EMAIL_TAKEN = "email_taken", 409, "An account with this email already exists."
    CANNOT_BLOCK_SELF = "cannot_block_self", 409, "An administrator cannot block their own account."
    ALREADY_BLOCKED = "already_blocked", 409, "The user is already blocked."
    NOT_BLOCKED = "not_blocked", 409, "The user is not blocked (nothing to unblock)."
    CANNOT_CHANGE_OWN_ROLE = "cannot_change_own_role", 409, "An administrator cannot change their own role."
    WRONG_PASSWORD = "wrong_password", 422, "change-password: the current password is wrong (counts as a failed login)."

    # Subscriptions and plans.
    SUBSCRIPTION_REQUIRED = "subscription_required", 403, "New clubs, classes, invitations need a subscription."
    DUPLICATE_PAYMENT_CODE = "duplicate_payment_code", 409, "This Kaspi sender code was already used by a request."
    NOT_PENDING = "not_pending", 409, "Only a PENDING request can be decided; `details.status` is its status."
    INVALID_PAYMENT_PROOF = "invalid_payment_proof", 422, "paymentProofUrl is not the caller's uploaded screenshot."

    # Courses.
    NOT_ENROLLED = "not_enrolled", 403, "The lesson opens after enrolling in the course."
    PAYMENT_REQUIRED = "payment_required", 403, "The course is paid: buy it to get access."
    COURSE_IS_FREE = "course_is_free", 409, "A free course is not bought: enrol in it instead."
    ALREADY_ENROLLED = "already_enrolled", 409, "The buyer is already enrolled in the course."
    PURCHASE_PENDING = "purchase_pending", 409, "The caller already has a PENDING purchase of this course."
    INVALID_STATEMENT = "invalid_statement", 422, ("A bank statement file cannot be read: not CSV/XLSX, an unknown "
                                                   "encoding, no table, or over the line limit (`details`).")

    # Clubs, classes and membership.
    USER_NOT_FOUND = "user_not_found", 404, "No user with this email (adding a student or a mentor)."
    INVALID_CODE = "invalid_code", 404, "No class with this join code (the attempt counts towards the limit)."
    ALREADY_MENTOR = "already_mentor", 409, "The user already leads or mentors this club."
    IS_MENTOR = "is_mentor", 409, "The club's owner or mentor cannot join it as a student."
    ALREADY_MEMBER = "already_member", 409, "The student is already in this class."
    CLUB_INACTIVE = "club_inactive", 409, "The club accepts no new students: the owner's subscription lapsed."
    CLASS_FULL = "class_full", 409, "The class has no free seats under the owner's plan."
    CODE_GENERATION_FAILED = "code_generation_failed", 409, "No free join code was found; try again."
    INVITATION_ANSWERED = "invitation_answered", 409, "The invitation was already accepted or declined."

    # Schedule and attendance.
    SESSION_NOT_EDITABLE = "session_not_editable", 409, "Only a SCHEDULED lesson session can be edited or cancelled."
    INVALID_ATTENDANCE = "invalid_attendance", 422, "Attendance batch refused; `details.records` lists each bad record."
    SESSION_NOT_RUNNING = "session_not_running", 409, "Self check-in works only while the lesson session is running."
    CHECKIN_CLOSED = "checkin_closed", 409, "Self check-in of this session is not open (not opened, closed, expired)."
    WRONG_CHECKIN_CODE = ("wrong_checkin_code", 422,
                          "The check-in code is wrong or expired (the attempt counts towards the limit).")

    # Club quizzes.
    SESSION_CANCELLED = "session_cancelled", 409, "The lesson session is cancelled: no quiz can be sent for it."
    QUIZ_NOT_SENDABLE = "quiz_not_sendable", 422, "The quiz is archived or has no questions: it cannot be sent."
    OVERDUE = "overdue", 409, "The quiz assignment is past its due time: it can no longer be submitted."
    ALREADY_SUBMITTED = "already_submitted", 409, "The quiz assignment was already submitted (once only)."
    NOT_SUBMITTED = "not_submitted", 409, "Only a SUBMITTED assignment can be graded; `details.status` is its status."
    INVALID_ANSWERS = "invalid_answers", 422, "Quiz answers refused; `details.answers` lists each bad answer."

    # Reports.
    INVALID_REPORT_FILTER = "invalid_report_filter", 422, ("A report filter is wrong: inverted or out-of-range dates, "
                                                           "an unknown id or an id of another club (`details.fields`).")
    UNKNOWN_REPORT_VIEW = "unknown_report_view", 422, "The report view is not one of lessons, students, quizzes."
    UNKNOWN_EXPORT_FORMAT = "unknown_export_format", 422, "The export format is not one of csv, pdf."
    # History (deletion).
    HAS_HISTORY = "has_history", 409, ("A delete refused: rows with history depend on the row (`details.history`); "
                                       "deactivate it instead when `details.canDeactivate`.")

    # Request bodies.
    BODY_TOO_LARGE = "body_too_large", 413, "The request body is over its limit (`details.maxBytes`)."
    INVALID_JSON = "invalid_json", 422, "The body is not a JSON object (malformed, too deep or not an object)."
    PAYLOAD_TOO_LARGE = "payload_too_large", 413, "The HTTP layer refused the body as too large."
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, "The route exists but not with this HTTP method."
    HTTP_ERROR = "http_error", 400, "Any other error of the HTTP layer (the status line carries the status)."
    INTERNAL_ERROR = "internal_error", 500, "An unexpected server error (logged); never caused on purpose."

    # Media: uploads and media URLs in other objects.
    MULTIPART_REQUIRED = "multipart_required", 422, "Uploads are multipart/form-data with a `file` field."
    INVALID_MULTIPART = "invalid_multipart", 422, "The multipart body is malformed."
    FILE_REQUIRED = "file_required", 422, "The multipart body has no `file` field."
    UPLOAD_TRUNCATED = "upload_truncated", 422, "The upload ended before the multipart body was complete."
    EMPTY_FILE = "empty_file", 422, "The uploaded file is empty."
    FILE_TOO_LARGE = "file_too_large", 413, "The file is larger than MEDIA_MAX_BYTES (`details.maxBytes`)."
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415, "The bytes are not an accepted type, or not the named one."
    RANGE_NOT_SATISFIABLE = "range_not_satisfiable", 416, "The requested byte range lies outside the file."
    INVALID_MEDIA_URL = "invalid_media_url", 422, "The value is not a media URL of this platform (/api/media/<key>)."
    EXTERNAL_URL_NOT_ALLOWED = "external_url_not_allowed", 422, "External links (YouTube, Drive…) are refused: upload."
    MEDIA_NOT_FOUND = "media_not_found", 422, "The referenced media file does not exist in storage."
    WRONG_MEDIA_TYPE = "wrong_media_type", 422, "The referenced media file has the wrong kind (e.g. not a video)."
    VIDEO_REQUIRED = "video_required", 422, "A ByteSize item needs a video."

    # Certificates.
    NOT_SENT = "not_sent", 409, "Only an issued (SENT) certificate can be revoked; `details.status` is its status."
    NOT_REISSUABLE = "not_reissuable", 409, "Only a SENT or REVOKED certificate can be re-issued; `details.status`."
    CERTIFICATE_SOURCE_REQUIRED = ("certificate_source_required", 422,
                                   "Issuing needs exactly one of: a PDF `file`, `certificateUrl`, `generate=true`.")

    # Command line.
    NO_ACTOR = "no_actor", 400, "CLI: no staff user to write the audit row as (create an admin or pass --as)."


class ServiceError(Exception):
    http_status = 400
    code: ErrorCode = ErrorCode.BAD_REQUEST
    message = "Некорректный запрос"
    # When True the unit of work still commits before the error propagates: a failed login
    # or a wrong join code must leave its rate-limit mark even though the request fails.
    commit_anyway = False

    def __init__(self, message: str | None = None, *, code: ErrorCode | None = None,
                 details: dict[str, Any] | None = None) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.details = details or {}
        super().__init__(self.message)

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code.value, "message": self.message, "details": self.details}}


class Invalid(ServiceError):
    http_status = 422
    code = ErrorCode.VALIDATION_ERROR
    message = "Проверьте введённые данные"


class NotMediaUrl(Invalid):
    code = ErrorCode.INVALID_MEDIA_URL
    message = ("Некорректная ссылка на медиафайл. Загрузите файл или укажите ссылку вида "
               "/api/media/<ключ>.")


class ExternalUrl(NotMediaUrl):
    """An absolute http(s) URL whose path is not one of our media paths (YouTube, Drive…)."""

    code = ErrorCode.EXTERNAL_URL_NOT_ALLOWED
    message = "Внешние ссылки не принимаются: загрузите файл на платформу."


class WrongCurrentPassword(Invalid):
    """change-password with a wrong current password: counted like a failed login."""

    code = ErrorCode.WRONG_PASSWORD
    message = "Текущий пароль указан неверно"
    commit_anyway = True


class Unauthorized(ServiceError):
    http_status = 401
    code = ErrorCode.UNAUTHORIZED
    message = "Требуется вход в систему"


class LoginFailed(Unauthorized):
    code = ErrorCode.INVALID_CREDENTIALS
    message = "Неверный email или пароль"
    commit_anyway = True  # the failure is counted even though the request fails


class Forbidden(ServiceError):
    http_status = 403
    code = ErrorCode.FORBIDDEN
    message = "Недостаточно прав для этого действия"


class AccountBlocked(Forbidden):
    code = ErrorCode.ACCOUNT_BLOCKED
    message = "Учётная запись заблокирована. Свяжитесь с поддержкой."


class LimitExceeded(Forbidden):
    code = ErrorCode.LIMIT_EXCEEDED
    message = "Вы достигли лимита. Обновите подписку для увеличения лимита."


class NotFound(ServiceError):
    http_status = 404
    code = ErrorCode.NOT_FOUND
    message = "Не найдено"


class InvalidCode(NotFound):
    """A wrong join code: 404, and the failed attempt is committed (it counts towards the rate limit)."""

    code = ErrorCode.INVALID_CODE
    message = "Кружок с таким кодом не найден. Проверьте код у ментора."
    commit_anyway = True


class WrongCheckinCode(Invalid):
    """A wrong self check-in code: 422, and the failed attempt is committed (it counts towards the limit)."""

    code = ErrorCode.WRONG_CHECKIN_CODE
    message = "Неверный или устаревший код. Введите код, который сейчас показывает ментор."
    commit_anyway = True


class Conflict(ServiceError):
    http_status = 409
    code = ErrorCode.CONFLICT
    message = "Конфликт с текущим состоянием"


class BodyTooLarge(ServiceError):
    http_status = 413
    code = ErrorCode.BODY_TOO_LARGE
    message = "Слишком большой запрос: тело запроса превышает допустимый размер"


class FileTooLarge(ServiceError):
    http_status = 413
    code = ErrorCode.FILE_TOO_LARGE
    message = "Файл слишком большой"


class UnsupportedMediaType(ServiceError):
    http_status = 415
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    message = ("Неподдерживаемый тип файла. Допустимы видео MP4, WebM, MOV, изображения JPEG, PNG, "
               "WebP, GIF и документы PDF, DOCX, PPTX.")


class HasHistory(Conflict):
    """A delete refused because rows with history (attendance, scores, payments, XP…) depend on it."""

    code = ErrorCode.HAS_HISTORY
    message = "Удаление невозможно: с записью связана история. Деактивируйте запись вместо удаления."


class RateLimited(ServiceError):
    http_status = 429
    code = ErrorCode.RATE_LIMITED
    message = "Слишком много попыток. Попробуйте позже."

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))
        self.details.setdefault("retryAfter", self.retry_after)


def field_error(field: str, message: str, code: ErrorCode = ErrorCode.VALIDATION_ERROR) -> Invalid:
    """An `Invalid` error about one field, in the same details shape as request validation."""
    return Invalid(message, code=code, details={"fields": [{"field": field, "message": message}]})
