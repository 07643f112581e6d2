"""The layers, from the imports themselves (parsed, not executed): `core` imports no outer package;
the doors (`admin_app`, `public_api`) and `jobs` never import each other or the composition root
`s7`, which is the only place that wires them together. Lazy imports inside functions and
`import_module("…")` strings count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTER = ("admin_app", "public_api", "jobs", "s7")
# package → the top-level packages of this project it must never import
FORBIDDEN = {
    "core": set(OUTER),
    "admin_app": {"public_api", "jobs", "s7"},
    "public_api": {"admin_app", "jobs", "s7"},
    "jobs": {"admin_app", "public_api", "s7"},
}


def _imported(source: str, module: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in a module's source, lazy ones and import_module strings
    included; `module` is its dotted name (for relative imports)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")[: -node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value.split(":")[0]))
    return found


def _violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for line, name in _imported(path.read_text(encoding="utf-8"), module):
            if name.split(".")[0] in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports(package: str) -> None:
    assert (ROOT / package).is_dir()
    assert _violations(package) == []


def test_the_check_sees_lazy_relative_and_string_imports() -> None:
    """The parser itself: a rule that cannot see an import would pass vacuously."""
    source = ("from importlib import import_module\n"
              "def f():\n    from public_api.media import routes\n    import jobs.worker\n"
              "    return import_module('s7.app')\n"
              "from ...public_api import http\n")
    names = [name for _, name in _imported(source, "admin_app.views.probe")]
    assert {"public_api.media", "jobs.worker", "s7.app", "public_api"} <= set(names)
