"""Back-office Программы / Уроки программ / Тесты / Вопросы save through the services (CSRF, real HTTP)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Program, ProgramLesson, Quiz, QuizQuestion
from tests.admin.helpers import ORIGIN, csrf_of, login


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    assert login(client, make.admin()).status_code == 302
    return client


def _post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_of(client), **data, "save": "Save"}, headers=ORIGIN,
                       follow_redirects=False)


def test_create_program_lesson_quiz_and_question_through_the_forms(admin_client, session):  # type: ignore[no-untyped-def]
    assert _post(admin_client, "/admin/program/create", {"title": "Программа А", "description": "",
                                                          "is_published": "y"}).status_code == 302
    program = session.scalar(select(Program).where(Program.title == "Программа А"))
    assert _post(admin_client, "/admin/quiz/create", {"title": "Тест А", "pass_percent": "60"}).status_code == 302
    quiz = session.scalar(select(Quiz).where(Quiz.title == "Тест А"))
    r = _post(admin_client, "/admin/program-lesson/create", {
        "program": program.id, "title": "Урок 1", "order_index": "", "description": "Сборка",
        "quiz": quiz.id, "xp_reward": "100"})
    assert r.status_code == 302, re.findall(r"(?:invalid-feedback|alert)[^<]*<?[^<]{0,300}", r.text)
    lesson = session.scalar(select(ProgramLesson).where(ProgramLesson.title == "Урок 1"))
    assert (lesson.program_id, lesson.quiz_id, lesson.xp_reward, lesson.order_index) == (program.id, quiz.id, 100, 0)
    r = _post(admin_client, "/admin/quiz-question/create", {
        "quiz": quiz.id, "type": "multiple", "text": "Что из этого датчики?",
        "options": "Гироскоп\nМотор\nДатчик цвета", "correct": "Гироскоп\nДатчик цвета", "order_index": ""})
    assert r.status_code == 302, re.findall(r"(?:invalid-feedback|alert)[^<]*<?[^<]{0,300}", r.text)
    question = session.scalar(select(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id))
    assert question.options == ["Гироскоп", "Мотор", "Датчик цвета"]
    assert question.correct == ["Гироскоп", "Датчик цвета"]
    page = admin_client.get(f"/admin/quiz-question/edit/{question.id}")
    assert "Гироскоп\nМотор\nДатчик цвета" in page.text
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"program.create", "quiz.create", "program_lesson.create", "quiz_question.create"} <= actions
    for identity in ("program", "program-lesson", "quiz", "quiz-question"):
        assert admin_client.get(f"/admin/{identity}/list").status_code == 200


@pytest.mark.parametrize("path, data, message", [
    ("/admin/program/create", {"title": "   "}, "Заполните поле «Название»"),
    ("/admin/quiz/create", {"title": "Т", "pass_percent": "0"}, "не меньше 1"),
    ("/admin/quiz/create", {"title": "Т", "pass_percent": "500"}, "не больше 100"),
    ("/admin/program-lesson/create", {"program": "", "title": "У", "xp_reward": "5"}, "Выберите программу"),
    ("/admin/program-lesson/create", {"program": "PROGRAM", "title": "У", "xp_reward": "100000"}, "не больше 1000"),
    ("/admin/program-lesson/create", {"program": "PROGRAM", "title": "У", "xp_reward": "-5"}, "не меньше 0"),
    ("/admin/program-lesson/create", {"program": "PROGRAM", "title": "У", "quiz": "нет", "xp_reward": "0"},
     "Тест не найден"),
    ("/admin/quiz-question/create", {"quiz": "QUIZ", "type": "single", "text": "?", "options": "А\nБ",
                                     "correct": "А\nБ"}, "ровно один"),
    ("/admin/quiz-question/create", {"quiz": "QUIZ", "type": "text", "text": "?", "options": "А",
                                     "correct": "А"}, "нет вариантов"),
])
def test_bad_input_is_a_russian_400_and_nothing_is_saved(admin_client, session, make, path, data, message):  # type: ignore[no-untyped-def]
    from core.clock import utcnow
    from core.services import programs, quizzes

    admin = make.admin()
    program = programs.create_program(session, actor=admin, fields={"title": "Есть"}, now=utcnow())
    quiz = quizzes.create_quiz(session, actor=admin, fields={"title": "Есть"}, now=utcnow())
    session.commit()
    data = {k: v.replace("PROGRAM", program.id).replace("QUIZ", quiz.id) for k, v in data.items()}
    counts = [session.scalar(select(__import__("sqlalchemy").func.count()).select_from(m))
              for m in (Program, ProgramLesson, Quiz, QuizQuestion)]
    r = _post(admin_client, path, data)
    assert r.status_code == 400, r.text[-1500:]
    assert message in r.text
    session.expire_all()
    assert counts == [session.scalar(select(__import__("sqlalchemy").func.count()).select_from(m))
                      for m in (Program, ProgramLesson, Quiz, QuizQuestion)]
