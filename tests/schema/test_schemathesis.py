"""Schemathesis against /api/openapi.json, in-process through the ASGI app, as every role.

Positive cases (schema-valid) must not get a 5xx, and a 4xx only when it is a business refusal listed in
tests/schema/refusals.py. Negative cases (schema-violating) must be refused with a 4xx. Deterministic:
hypothesis runs derandomized with no example database, a bounded number of examples per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation

from s7.seed import DEMO_STUDENTS, seed_demo
from tests.factories import token_for
from tests.schema.refusals import EXCLUDED, REFUSALS

POSITIVE_EXAMPLES = 4
NEGATIVE_EXAMPLES = 2


def _refused_for(op_id: str, status: int, code: str, text: str) -> str | None:
    for (op, st, cd, contains), reason in REFUSALS.items():
        if op in (op_id, "*") and st == status and cd in (code, "*") and contains in text:
            return reason
    return None


def _only_unknown_query(operation: Any, case: Any) -> bool:
    """The case's only violation can be query parameters the operation does not declare."""
    declared = {p["name"] for p in operation.definition.raw.get("parameters", []) if p.get("in") == "query"}
    return bool(set(case.query or {}) - declared)


def _only_headers(case: Any) -> bool:
    """The case breaks the schema only in its headers (a missing Authorization), which the run replaces."""
    negative = {location for location, info in case.meta.components.items() if info.mode.is_negative}
    return negative == {ParameterLocation.HEADER}


def _error_code(response: Any) -> str:
    try:
        body = response.json()
    except Exception:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code", "")) if isinstance(error, dict) else ""


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") not in EXCLUDED:
            yield operation


def _run(operation: Any, mode: GenerationMode, examples: int, headers: dict[str, str], who: str,
         problems: list[str], ids: dict[str, str] | None = None) -> None:
    op_id = operation.definition.raw.get("operationId", operation.label)

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        for name, value in (ids or {}).items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        try:
            response = case.call(headers=dict(headers))
        except Exception as exc:  # an exception leaking out of the app is a server error
            problems.append(f"{who} {op_id} {mode.value}: raised {exc!r} for {case.as_curl_command()}")
            return
        status, code = response.status_code, _error_code(response)
        refused = status >= 400 and _refused_for(op_id, status, code, response.text) is not None
        where = f"{who} {op_id} {mode.value}: {status} {code}"
        if status >= 500:
            problems.append(f"{where} server error: {case.as_curl_command()} → {response.text[:200]}")
        elif mode is GenerationMode.POSITIVE and status >= 400 and not refused:
            problems.append(f"{where} schema-valid request rejected: {case.as_curl_command()} → "
                            f"{response.text[:200]}")
        elif (mode is GenerationMode.NEGATIVE and status < 400 and not _only_unknown_query(operation, case)
              and not (headers and _only_headers(case))):
            problems.append(f"{where} schema-violating request accepted: {case.as_curl_command()}")

    try:
        check()
    except Unsatisfiable:
        # Nothing in the operation can be made schema-violating (no parameters, no body).
        assert mode is GenerationMode.NEGATIVE, f"{op_id}: no schema-valid case could be generated"


@pytest.fixture
def role_headers(app, db, settings, session) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    from core.services import auth
    from s7.seed import DEMO_ADMIN, DEMO_MENTOR

    seed_demo(db, settings=settings)
    users = {who: auth.find_user_by_email(session, email) for who, email in
             (("admin", DEMO_ADMIN[0]), ("mentor", DEMO_MENTOR[0]), ("student", DEMO_STUDENTS[0][0]))}
    return {"anonymous": {}, **{who: token_for(app, user) for who, user in users.items()}}


@pytest.fixture
def demo_ids(role_headers, db, settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    summary = seed_demo(db, settings=settings)  # idempotent: the ids of the rows role_headers seeded
    return {"course_id": summary["course"], "program_id": summary["program"], "kruzhok_id": summary["club"]["id"]}


def test_the_schema_tells_the_truth(app, role_headers, demo_ids) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    problems: list[str] = []
    for operation in _operations(schema):
        for who, headers in role_headers.items():
            _run(operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, headers, who, problems)
            _run(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, headers, who, problems)
            if set(demo_ids) & {p["name"] for p in operation.definition.raw.get("parameters", [])}:
                # The same operation on a demo row: the handler runs past its "not found".
                _run(operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, headers, who, problems, demo_ids)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
