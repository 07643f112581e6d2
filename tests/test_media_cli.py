"""`s7 media-doctor` end to end through the console entry point: stdout is clean JSON, --fix is audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Course, Lesson, Module
from core.settings import get_settings
from core.storage import make_storage
from s7.cli import main
from tests import factories_media as fm


@pytest.fixture
def legacy_lesson(cli_env):  # type: ignore[no-untyped-def]  # noqa: F811
    assert main(["migrate"]) == 0
    assert main(["create-admin", "--email", "boss@s7.kz", "--password", "long-password"]) == 0
    storage = make_storage(get_settings())
    key = "1699999999-Lesson.MP4"
    storage.save_bytes(key, fm.mp4_bytes(), content_type="video/mp4")
    with cli_env.transaction() as session:
        course = Course(title="Курс", is_published=True, is_free=True, price=0)
        module = Module(title="М", order_index=0)
        module.lessons.append(Lesson(title="Урок", order_index=0, video_url=f"https://s7robotics.kz/uploads/{key}"))
        module.lessons.append(Lesson(title="Пропал", order_index=1, video_url="/media/" + "f" * 32 + ".mp4"))
        course.modules.append(module)
        session.add(course)
        session.flush()
        return module.lessons[0].id, key


def test_json_output_is_valid_and_fix_is_audited(cli_env, legacy_lesson, capsys):  # type: ignore[no-untyped-def]  # noqa: F811
    lesson_id, key = legacy_lesson
    capsys.readouterr()
    assert main(["media-doctor", "--json", "--orphans"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["non_canonical"] == 1 and report["counts"]["missing_object"] == 1
    assert report["orphans"]["count"] == 0

    assert main(["media-doctor", "--fix", "--json"]) == 0
    fixed = json.loads(capsys.readouterr().out)
    # Every normalisable value is rewritten (same key), the missing one too — and it is still reported.
    assert fixed["fixed"] == 2 and fixed["counts"]["non_canonical"] == 0
    assert fixed["counts"]["missing_object"] == 1
    with cli_env.transaction() as session:
        assert session.get(Lesson, lesson_id).video_url == f"/api/media/{key}"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "media.fix_non_canonical")).one()
        assert event.data["count"] == 2

    assert main(["media-doctor"]) == 0
    text = capsys.readouterr().out
    assert "нет файла" in text and "Пропал" in text


def test_unknown_actor_is_a_clear_error(cli_env, legacy_lesson, capsys):  # type: ignore[no-untyped-def]  # noqa: F811
    assert main(["media-doctor", "--fix", "--as", "nobody@s7.kz"]) == 2
    assert "Нет сотрудника" in capsys.readouterr().err
