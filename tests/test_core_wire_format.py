"""Core does not build the API's wire format: no dict literal in core/ has camelCase keys, except
error details, audit/notification data and the listed exceptions (see docs/decisions.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAMEL = re.compile(r"[a-z]+[A-Z][A-Za-z]*")
# Keyword arguments whose dicts are not the API's response bodies: error details (documented in
# docs/errors.md), audit rows and notification metadata (stored JSON).
ALLOWED_KEYWORDS = {"details", "data", "meta"}
# (file, enclosing function or assigned name) still writing camelCase, with the reason.
ALLOWED = {
    ("core/services/limits.py", "KINDS"),  # `details.limit` names the limit that was hit
    ("core/services/limits.py", "_offered"),  # `details.upgrade`: an error has no response model
    ("core/services/attendance.py", "_bad"),  # `details.records` of invalid_attendance: an error body
    ("core/services/quiz_taking.py", "grade_answers"),  # `details.answers` of invalid_answers: an error body
    ("core/services/quiz_grading.py", "_check_grades"),  # `details.answers` of invalid_answers: an error body
}


def _violations(path: Path, root: Path = ROOT) -> list[str]:
    rel = str(path.relative_to(root))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed_dicts: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ALLOWED_KEYWORDS:
            allowed_dicts |= {id(d) for d in ast.walk(node.value) if isinstance(d, ast.Dict)}
        owner = node.name if isinstance(node, ast.FunctionDef) else (
            node.targets[0].id if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) else None)
        if owner and (rel, owner) in ALLOWED:
            allowed_dicts |= {id(d) for d in ast.walk(node) if isinstance(d, ast.Dict)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and id(node) not in allowed_dicts:
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            camel = [k for k in keys if CAMEL.fullmatch(k)]
            if camel:
                found.append(f"{rel}:{node.lineno}: {camel}")
    return found


def test_core_builds_no_camel_case_dicts():
    problems = [v for p in sorted((ROOT / "core").rglob("*.py")) for v in _violations(p)]
    assert problems == [], "serialise in public_api's response models instead"


def test_the_check_finds_a_camel_case_builder(tmp_path):
    sample = tmp_path / "core" / "services" / "limits.py"
    sample.parent.mkdir(parents=True)
    sample.write_text('def item_out(x):\n    return {"id": x.id, "createdAt": x.created_at}\n'
                      'def raise_it(x):\n    raise Invalid(details={"maxBytes": 1})\n', encoding="utf-8")
    assert _violations(sample, root=tmp_path) == ["core/services/limits.py:2: ['createdAt']"]
