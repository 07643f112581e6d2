"""Settings: every documented variable exists with the documented default, and the documented forms parse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| (`[A-Z0-9_]+`(?:, `[A-Z0-9_]+`)*) \| ([^|]*) \|", line)
        if m:
            for name in re.findall(r"`([A-Z0-9_]+)`", m.group(1)):
                rows[name] = m.group(2).strip()
    return rows


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)  # no .env


def test_readme_documents_every_setting_with_its_default(clean_env):
    rows = _readme_rows()
    fields = {name.upper() for name in Settings.model_fields}
    assert set(rows) == fields
    defaults = Settings()
    for name, documented in rows.items():
        value = getattr(defaults, name.lower())
        if documented == "*(empty)*":
            assert value == "", name
        else:
            literal = documented.strip("`")
            if isinstance(value, bool):
                shown = str(value).lower()
            elif isinstance(value, list):
                shown = "[" + ",".join(map(str, value)) + "]"
            else:
                shown = str(value)
            if isinstance(value, Path):
                assert Path(literal) == value, name
            else:
                assert literal == shown, (name, literal, shown)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("100,500", [100, 500]), ("[100, 300]", [100, 300]), ("250", [250]), (" 100 , 500 ", [100, 500])],
)
def test_xp_thresholds_documented_forms(clean_env, monkeypatch, raw, expected):
    monkeypatch.setenv("XP_THRESHOLDS", raw)
    assert Settings().xp_thresholds == expected
