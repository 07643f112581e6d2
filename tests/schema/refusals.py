"""What the schemathesis run (tests/schema/test_schemathesis.py) lets pass, each with its reason.

REFUSALS: a schema-valid request the server may refuse for a business reason the schema cannot express.
Each entry: (operationId or "*", HTTP status, error code or "*", text the error body must contain or "")
→ reason. Anything else refused (4xx) for a schema-valid request fails the run.
EXCLUDED: operations not generated at all → reason.
UNKNOWN_QUERY_PARAMETERS_IGNORED: negative cases that only add undeclared query parameters may succeed.
HEADERS_SET_BY_THE_RUN: negative cases that only break the headers are not judged for a role with a token.
"""

from __future__ import annotations

REFUSALS: dict[tuple[str, int, str, str], str] = {
    ("*", 401, "*", ""): "no token or an expired one: the caller must log in (anonymous role)",
    ("*", 403, "*", ""): "the caller's role or relation to the object does not allow it",
    ("*", 404, "*", ""): "generated path ids and keys name no row",
    ("*", 429, "*", ""): "rate limits (login attempts per IP and per account)",
    ("change_password", 422, "wrong_password", ""): "the current password must be the account's own",
    ("login", 401, "*", ""): "wrong email or password",
    ("register", 409, "email_taken", ""): "the address is already registered (the run may generate it twice)",
    ("*", 422, "invalid_media_url", ""):
        "a media URL (video, cover) must name an uploaded file (/api/media/<key>) or an allowed external URL",
    ("*", 422, "media_not_found", ""): "a media URL's key must name a file that is in the storage",
    ("*", 422, "validation_error", "Укажите цену платного курса"):
        "a paid course needs a price above 0 (a rule across two fields: isFree and price)",
    ("*", 422, "validation_error", "пароль слишком распространён"):
        "a new password must not be one of the most common passwords (a blocklist, not a syntax)",
    ("*", 422, "validation_error", "Пароль не должен совпадать с email"):
        "a password must differ from the account's email (a rule across two fields)",
    ("create_club", 422, "validation_error", "Неизвестный часовой пояс"):
        "a club's time zone must be one the server's time zone database knows (the IANA list changes with tzdata)",
}

EXCLUDED: dict[str, str] = {}

UNKNOWN_QUERY_PARAMETERS_IGNORED = (
    "undeclared query parameters are ignored, not refused: cache busters and tracking parameters must "
    "not break a link (OpenAPI does not forbid them)"
)

HEADERS_SET_BY_THE_RUN = (
    "a negative case whose only violation is a missing Authorization header is sent with the role's token "
    "(the run sets it), so it is no longer schema-violating; the anonymous role still expects the 401"
)
