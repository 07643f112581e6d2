"""What the schemathesis run (tests/schema/test_schemathesis.py) lets pass, each with its reason.

REFUSALS: a schema-valid request the server may refuse for a business reason the schema cannot express.
Each entry: (operationId or "*", HTTP status, error code or "*", text the error body must contain or "")
→ reason. Anything else refused (4xx) for a schema-valid request fails the run.
EXCLUDED: operations not generated at all → reason.
UNKNOWN_QUERY_PARAMETERS_IGNORED: negative cases that only add undeclared query parameters may succeed.
"""

from __future__ import annotations

KNOWN = "known mismatch, issue 11"

REFUSALS: dict[tuple[str, int, str, str], str] = {
    ("*", 401, "*", ""): "no token or an expired one: the caller must log in (anonymous role)",
    ("*", 403, "*", ""): "the caller's role or relation to the object does not allow it",
    ("*", 404, "*", ""): "generated path ids and keys name no row",
    ("*", 429, "*", ""): "rate limits (login attempts per IP and per account)",
    ("change_password", 422, "wrong_password", ""): "the current password must be the account's own",
    ("login", 401, "*", ""): "wrong email or password",
    ("*", 422, "invalid_media_url", ""):
        "a media URL (video, cover) must name an uploaded file (/api/media/<key>) or an allowed external URL",
    ("register", 422, "validation_error", "email"):
        f"email syntax is checked by the service, not declared as a JSON Schema format — {KNOWN}",
    ("update_course", 422, "validation_error", "Укажите цену платного курса"):
        "a paid course needs a price above 0 (a rule across two fields: isFree and price)",
    ("*", 422, "validation_error", "Заполните поле"):
        f"a required text must not be blank after trimming spaces; minLength is not declared — {KNOWN}",
    ("*", 422, "*", "управляющие символы"):
        "stored texts refuse control characters (one-line fields also tabs and line breaks); the per-field "
        f"pattern is not declared — {KNOWN}",
}

EXCLUDED: dict[str, str] = {}

UNKNOWN_QUERY_PARAMETERS_IGNORED = (
    "undeclared query parameters are ignored, not refused: cache busters and tracking parameters must "
    "not break a link (OpenAPI does not forbid them)"
)
