"""Every error code is registered once in core.errors.ErrorCode, with the status it is used with,
and docs/errors.md (the API's error reference) is generated from that registry."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

from core import errors, errors_doc
from core.errors import ErrorCode, ServiceError

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "public_api", "admin_app", "jobs", "s7")
REGISTERED = {c.value for c in ErrorCode}


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _all_subclasses(cls: type) -> list[type]:
    out: list[type] = []
    for sub in cls.__subclasses__():
        out += [sub, *_all_subclasses(sub)]
    return out


def _import_everything() -> None:
    for name in PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)


def _error_class_statuses() -> dict[str, int]:
    return {cls.__name__: cls.http_status for cls in [ServiceError, *_all_subclasses(ServiceError)]}


def _code_member(node: ast.expr) -> str | None:
    """`ErrorCode.X` → "X"."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ErrorCode":
        return node.attr
    return None


def _code_members(node: ast.expr) -> list[str]:
    """The members an expression can evaluate to (`A if c else B` → both)."""
    if isinstance(node, ast.IfExp):
        return _code_members(node.body) + _code_members(node.orelse)
    member = _code_member(node)
    return [member] if member else []


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _problems_in(path: Path, statuses: dict[str, int], root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root)
    problems: list[str] = []
    for node in ast.walk(tree):
        member = _code_member(node) if isinstance(node, ast.expr) else None
        if member is not None and member not in ErrorCode.__members__:
            problems.append(f"{where}:{node.lineno}: ErrorCode.{member} is not registered")
        if isinstance(node, ast.Call):
            name = _called_name(node)
            for kw in node.keywords:
                if kw.arg != "code":
                    continue
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    problems.append(f"{where}:{node.lineno}: code={kw.value.value!r}: use an ErrorCode member")
                expected = 422 if name == "field_error" else statuses.get(name or "")
                for member in _code_members(kw.value):
                    if member in ErrorCode.__members__ and expected is not None \
                            and ErrorCode[member].status != expected:
                        problems.append(f"{where}:{node.lineno}: {name}(code=ErrorCode.{member}) answers "
                                        f"{expected}, the registry says {ErrorCode[member].status}")
            if name == "error_response" and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant):
                member = _code_member(node.args[1])
                if member is None:
                    problems.append(f"{where}:{node.lineno}: error_response needs an ErrorCode member")
                elif member in ErrorCode.__members__ and ErrorCode[member].status != node.args[0].value:
                    problems.append(f"{where}:{node.lineno}: error_response({node.args[0].value}, "
                                    f"ErrorCode.{member}) but the registry says {ErrorCode[member].status}")
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "code" for s in sides):
                for s in sides:
                    if isinstance(s, ast.Constant) and isinstance(s.value, str):
                        problems.append(f"{where}:{node.lineno}: compares .code with {s.value!r}: use ErrorCode")
        if isinstance(node, ast.ClassDef) and path.name != "errors.py":
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
            if bases & set(statuses):
                problems.append(f"{where}:{node.lineno}: error class {node.name} belongs in core/errors.py")
    return problems


def test_every_error_class_lives_in_core_errors_with_a_registered_code_of_its_status():
    _import_everything()
    for cls in [ServiceError, *_all_subclasses(ServiceError)]:
        assert cls.__module__ == errors.__name__, f"{cls.__module__}.{cls.__name__} belongs in core/errors.py"
        assert isinstance(cls.code, ErrorCode), f"{cls.__name__}.code is not an ErrorCode"
        assert cls.code.status == cls.http_status, f"{cls.__name__}: {cls.http_status} vs {cls.code}"


def test_every_code_used_in_the_sources_is_registered_with_its_status():
    statuses = _error_class_statuses()
    problems = [p for path in _sources() for p in _problems_in(path, statuses)]
    assert problems == []


def test_http_layer_codes_match_their_status():
    from public_api.errors import HTTP_MESSAGES

    for status, (code, _message) in HTTP_MESSAGES.items():
        assert code.status == status, code


def test_codes_the_tests_expect_are_registered():
    pattern = re.compile(r"""(?:\.code|\[["']code["']\])\s*==\s*["']([a-z_]+)["']""")
    expected = {m for p in (ROOT / "tests").rglob("*.py") for m in pattern.findall(p.read_text(encoding="utf-8"))}
    assert expected, "the pattern no longer finds the tests' expectations"
    assert expected - REGISTERED == set()


@pytest.mark.parametrize("source", [
    'raise Conflict("x", code="made_up")',
    "raise Conflict('x', code=ErrorCode.NOT_A_CODE)",
    "raise Conflict('x', code=ErrorCode.EMAIL_TAKEN if a else ErrorCode.INVALID_TOKEN)",
    "raise Forbidden('x', code=ErrorCode.EMAIL_TAKEN)",
    "raise field_error('f', 'x', code=ErrorCode.CLASS_FULL)",
    "return error_response(404, ErrorCode.RANGE_NOT_SATISFIABLE, 'x')",
    "if error.code == 'already_member': pass",
    "class Mine(NotFound):\n    pass",
])
def test_the_source_check_catches(tmp_path, source):
    # The check itself can fail: each of these lines is one way to use a code wrongly.
    path = tmp_path / "module.py"
    path.write_text(source + "\n", encoding="utf-8")
    assert _problems_in(path, _error_class_statuses(), root=tmp_path) != []


def test_the_source_check_accepts_a_registered_code_of_the_right_status(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("raise Conflict('x', code=ErrorCode.EMAIL_TAKEN)\n"
                    "raise field_error('f', 'x', code=ErrorCode.MEDIA_NOT_FOUND)\n", encoding="utf-8")
    assert _problems_in(path, _error_class_statuses(), root=tmp_path) == []


def test_registry_values_are_unique_snake_case():
    assert len(REGISTERED) == len(ErrorCode)
    assert all(re.fullmatch(r"[a-z][a-z_]*", c) for c in REGISTERED)
    assert all(c.meaning and 400 <= c.status < 600 for c in ErrorCode)


def test_error_reference_is_up_to_date():
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert doc == errors_doc.render(), "docs/errors.md is stale: run `python -m core.errors_doc`"
    assert all(f"`{code.value}`" in doc for code in ErrorCode)
