"""Every back-office create and edit form, posted as an ADMIN through real HTTP (CSRF included) with
the inputs the API refuses: each is answered 400 with a Russian message, no SQL or driver text, and
nothing in the database changes. A valid post of the same form saves (302) — through the service,
which writes an audit row.

`FORMS` must name every editable view: adding one without its row here fails
`test_every_editable_view_is_walked`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from admin_app.helpers import ACTION_FAILED, SAVE_FAILED
from core.clock import utcnow
from core.models import (
    AuditEvent,
    ByteSizeItem,
    ClubClass,
    Course,
    DailyMission,
    Kruzhok,
    Lesson,
    Module,
    Program,
    ProgramLesson,
    Quiz,
    QuizQuestion,
    SubscriptionPlan,
    User,
)
from core.services import auth, courses, programs, quizzes
from core.storage import make_storage
from tests.admin.helpers import ORIGIN, csrf_of, login, model_views
from tests.factories_clubs import make_class

NUL_TITLE = "Робот\x00тест"
TOO_BIG = str(2**31)  # one past PostgreSQL INTEGER; SQLite would store it, PostgreSQL would overflow
HUGE = str(10**20)  # past any 64-bit integer: SQLite's driver raises OverflowError
UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"
DB_WORDS = ("SQL", "sqlite", "psycopg", "Integrity", "OverflowError", "INSERT INTO", "UPDATE ", "Traceback",
            "constraint", "DETAIL", "Python int", "(Background on this error")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
RANDOM_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=]{20,}")  # CSRF tokens, CSP nonces, ids: may contain "SQL" by chance


def leaked_words(page: str) -> list[str]:
    """Database words visible on a page, ignoring random tokens (a nonce can spell "SQL")."""
    text = RANDOM_TOKEN.sub(" ", page)
    return [word for word in DB_WORDS if word in text]
ERROR_BLOCK = re.compile(r'class="(?:alert alert-danger|invalid-feedback)"[^>]*>(.*?)</div>', re.S)


@dataclass
class Walk:
    """One view's forms: `build` makes the rows a form needs and returns the valid form data and the
    row to edit; `bad` maps a case name to the fields it overrides."""

    model: type
    build: Callable[[Session, Any, Any, User], tuple[dict[str, str], Any]]
    bad: dict[str, dict[str, str]]
    create: bool = True
    edit: bool = True
    create_only_bad: dict[str, dict[str, str]] = field(default_factory=dict)


def _course(session: Session) -> Course:
    course = Course(title="Курс для форм", is_published=False, is_free=True, price=0)
    session.add(course)
    session.flush()
    return course


def _module(session: Session) -> Module:
    module = Module(course_id=_course(session).id, title="Модуль для форм", order_index=0)
    session.add(module)
    session.flush()
    return module


def _video_url(session: Session, settings: Any, make: Any) -> str:
    return f"/api/media/{make.media(make_storage(settings), 'video').key}"


def _build_user(session, settings, make, admin):  # type: ignore[no-untyped-def]
    target = make.student(full_name="Пользователь формы")
    return {"full_name": "Новое имя", "role": "USER"}, target


def _build_plan(session, settings, make, admin):  # type: ignore[no-untyped-def]
    plan = make.plan(price=500)
    return {"title": "Тариф формы", "price": "700", "duration_days": "30", "max_kruzhoks": "1",
            "max_classes_per_kruzhok": "2", "max_students_per_class": "30", "is_active": "y"}, plan


def _build_club(session, settings, make, admin):  # type: ignore[no-untyped-def]
    club = make.club(title="Кружок формы")
    return {"title": "Кружок после", "description": "Описание", "timezone": "Asia/Almaty", "is_active": "y"}, club


def _build_class(session, settings, make, admin):  # type: ignore[no-untyped-def]
    klass = make_class(session, make.club(), name="Класс формы")
    return {"name": "Класс после", "is_active": "y"}, klass


def _build_course(session, settings, make, admin):  # type: ignore[no-untyped-def]
    return {"title": "Курс формы", "description": "Описание", "cover_url": "", "is_free": "y", "price": "0"}, \
        _course(session)


def _build_module(session, settings, make, admin):  # type: ignore[no-untyped-def]
    module = _module(session)
    return {"course": module.course_id, "title": "Модуль после", "order_index": "2"}, module


def _build_lesson(session, settings, make, admin):  # type: ignore[no-untyped-def]
    module = _module(session)
    lesson = Lesson(module_id=module.id, title="Урок формы", order_index=0)
    session.add(lesson)
    session.flush()
    return {"module": module.id, "title": "Урок после", "order_index": "1", "content": "Текст",
            "video_url": _video_url(session, settings, make)}, lesson


def _build_bytesize(session, settings, make, admin):  # type: ignore[no-untyped-def]
    url = _video_url(session, settings, make)
    item = ByteSizeItem(title="Видео формы", video_url=url, is_published=True)
    session.add(item)
    session.flush()
    return {"title": "Видео после", "description": "Коротко", "video_url": url, "cover_image_url": ""}, item


def _build_program(session, settings, make, admin):  # type: ignore[no-untyped-def]
    program = programs.create_program(session, actor=admin, fields={"title": "Программа формы"}, now=utcnow())
    return {"title": "Программа после", "description": "Описание", "is_published": "y"}, program


def _build_program_lesson(session, settings, make, admin):  # type: ignore[no-untyped-def]
    program = programs.create_program(session, actor=admin, fields={"title": "Программа формы"}, now=utcnow())
    quiz = quizzes.create_quiz(session, actor=admin, fields={"title": "Тест формы"}, now=utcnow())
    lesson = programs.create_program_lesson(session, actor=admin, program_id=program.id,
                                            fields={"title": "Урок формы"}, now=utcnow())
    return {"program": program.id, "title": "Урок после", "order_index": "1", "description": "Текст",
            "quiz": quiz.id, "xp_reward": "100"}, lesson


def _build_quiz(session, settings, make, admin):  # type: ignore[no-untyped-def]
    quiz = quizzes.create_quiz(session, actor=admin, fields={"title": "Тест формы"}, now=utcnow())
    return {"title": "Тест после", "pass_percent": "70"}, quiz


def _build_question(session, settings, make, admin):  # type: ignore[no-untyped-def]
    quiz = quizzes.create_quiz(session, actor=admin, fields={"title": "Тест формы"}, now=utcnow())
    question = quizzes.create_question(session, actor=admin, quiz_id=quiz.id, now=utcnow(), fields={
        "type": "text", "text": "Столица?", "options": [], "correct": ["Астана"]})
    return {"quiz": quiz.id, "type": "single", "text": "Сколько колёс?", "options": "Два\nЧетыре",
            "correct": "Четыре", "order_index": "0"}, question


def _build_mission(session, settings, make, admin):  # type: ignore[no-untyped-def]
    course = _course(session)
    mission = DailyMission(course_id=course.id, title="Миссия формы", target=3, xp_reward=20, is_active=True)
    session.add(mission)
    session.flush()
    return {"course": course.id, "title": "Миссия после", "target": "4", "xp_reward": "25", "is_active": "y"}, \
        mission


TITLE_CASES = {"nul_in_title": {"title": NUL_TITLE}, "control_char_in_title": {"title": "Робот\x01"},
               "title_too_long": {"title": "Я" * 201}}
ORDER_CASES = {"negative_order": {"order_index": "-1"}, "order_past_integer": {"order_index": TOO_BIG},
               "order_past_int64": {"order_index": HUGE}}

FORMS: dict[str, Walk] = {
    "user": Walk(User, _build_user, create=False, bad={
        "nul_in_name": {"full_name": NUL_TITLE}, "name_too_long": {"full_name": "Я" * 201},
        "control_char_in_name": {"full_name": "Имя\x1b[31m"}}),
    "subscription-plan": Walk(SubscriptionPlan, _build_plan, create=False, bad={
        **TITLE_CASES, "negative_price": {"price": "-1"}, "price_past_integer": {"price": TOO_BIG},
        "days_past_int64": {"duration_days": HUGE}, "negative_limit": {"max_kruzhoks": "-5"}}),
    "kruzhok": Walk(Kruzhok, _build_club, create=False, bad={
        **TITLE_CASES, "nul_in_description": {"description": "a\x00b"},
        "description_too_long": {"description": "я" * 5001}, "nul_in_timezone": {"timezone": "Asia/\x00Almaty"},
        "unknown_timezone": {"timezone": "Mars/Olympus"}}),
    "club-class": Walk(ClubClass, _build_class, create=False, bad={
        "nul_in_name": {"name": NUL_TITLE}, "name_too_long": {"name": "Я" * 201}}),
    "course": Walk(Course, _build_course, bad={
        **TITLE_CASES, "negative_price": {"price": "-1", "is_free": ""}, "price_past_integer": {"price": TOO_BIG},
        "price_past_int64": {"price": HUGE}, "nul_in_description": {"description": "a\x00b"},
        "nul_in_cover": {"cover_url": "/api/media/\x00.png"}, "external_cover": {"cover_url": "https://x.example/a.png"}}),
    "module": Walk(Module, _build_module, bad={
        **TITLE_CASES, **ORDER_CASES, "unknown_course": {"course": UNKNOWN_ID},
        "nul_in_course": {"course": "abc\x00"}},
        create_only_bad={"missing_course": {"course": ""}}),
    "lesson": Walk(Lesson, _build_lesson, bad={
        **TITLE_CASES, **ORDER_CASES, "unknown_module": {"module": UNKNOWN_ID},
        "nul_in_content": {"content": "a\x00b"}, "external_video": {"video_url": "https://youtu.be/x"}},
        create_only_bad={"missing_module": {"module": ""}}),
    "daily-mission": Walk(DailyMission, _build_mission, bad={
        **TITLE_CASES, "zero_target": {"target": "0"}, "target_past_max": {"target": "101"},
        "target_past_int64": {"target": HUGE}, "negative_reward": {"xp_reward": "-1"},
        "reward_past_integer": {"xp_reward": TOO_BIG}},
        create_only_bad={"unknown_course": {"course": UNKNOWN_ID}, "missing_course": {"course": ""}}),
    "byte-size-item": Walk(ByteSizeItem, _build_bytesize, bad={
        **TITLE_CASES, "nul_in_description": {"description": "a\x00b"},
        "description_too_long": {"description": "я" * 5001}, "missing_video": {"video_url": ""},
        "nul_in_video": {"video_url": "/api/media/\x00.mp4"}}),
    "program": Walk(Program, _build_program, bad={
        **TITLE_CASES, "nul_in_description": {"description": "a\x00b"},
        "description_too_long": {"description": "я" * 10001}}),
    "program-lesson": Walk(ProgramLesson, _build_program_lesson, bad={
        **TITLE_CASES, **ORDER_CASES, "negative_xp": {"xp_reward": "-1"}, "xp_too_big": {"xp_reward": "1001"},
        "xp_past_int64": {"xp_reward": HUGE}, "unknown_quiz": {"quiz": UNKNOWN_ID}, "nul_in_quiz": {"quiz": "a\x00"},
        "nul_in_description": {"description": "a\x00b"}},
        create_only_bad={"missing_program": {"program": ""}, "unknown_program": {"program": UNKNOWN_ID}}),
    "quiz": Walk(Quiz, _build_quiz, bad={
        **TITLE_CASES, "zero_pass": {"pass_percent": "0"}, "pass_over_100": {"pass_percent": "101"},
        "pass_past_int64": {"pass_percent": HUGE}}),
    "quiz-question": Walk(QuizQuestion, _build_question, bad={
        "nul_in_text": {"text": "a\x00b"}, "empty_text": {"text": "  "},
        "two_correct_single": {"correct": "Два\nЧетыре"},
        "correct_not_an_option": {"correct": "Три"}, "one_option": {"options": "Четыре"},
        "nul_in_option": {"options": "Два\x00\nЧетыре"}, "unknown_type": {"type": "essay"},
        "text_with_options": {"type": "text"}, **ORDER_CASES},
        create_only_bad={"missing_quiz": {"quiz": ""}, "unknown_quiz": {"quiz": UNKNOWN_ID}}),
}


def _editable() -> dict[str, tuple[bool, bool]]:
    return {v.identity: (bool(v.can_create), bool(v.can_edit)) for v in model_views() if v.can_create or v.can_edit}


def test_every_editable_view_is_walked() -> None:
    walked = {identity: (walk.create, walk.edit) for identity, walk in FORMS.items()}
    assert walked == _editable(), "a back-office view can create/edit but is not in FORMS (or FORMS is stale)"


def _snapshot(session: Session) -> tuple[Any, ...]:
    """Every row of every table a form could touch, plus the audit log size."""
    session.expire_all()
    rows = []
    for walk in FORMS.values():
        table = inspect(walk.model).local_table
        rows.append(sorted(tuple(str(v) for v in row) for row in session.execute(select(table)).all()))
    return tuple(rows) + (session.scalar(select(func.count()).select_from(AuditEvent)),)


def _cases() -> list[tuple[str, str, str]]:
    out = []
    for identity, walk in FORMS.items():
        for target in ("create", "edit"):
            if not getattr(walk, target):
                continue
            cases = {**walk.bad, **(walk.create_only_bad if target == "create" else {})}
            out += [(identity, target, case) for case in cases]
    return out


@pytest.fixture
def admin_client(client, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    assert login(client, admin).status_code == 302
    client.admin_user = admin
    return client


def _post(client: Any, identity: str, target: str, row: Any, data: dict[str, str]) -> Any:
    path = f"/admin/{identity}/create" if target == "create" else f"/admin/{identity}/edit/{row.id}"
    return client.post(path, data={"csrf_token": csrf_of(client), **data, "save": "Save"}, headers=ORIGIN,
                       follow_redirects=False)


@pytest.mark.parametrize(("identity", "target", "case"), _cases())
def test_bad_input_is_a_russian_400_and_changes_nothing(admin_client, session, settings, make,  # type: ignore[no-untyped-def]
                                                        identity, target, case):
    walk = FORMS[identity]
    valid, row = walk.build(session, settings, make, admin_client.admin_user)
    bad = {**walk.bad, **walk.create_only_bad}[case]
    before = _snapshot(session)
    response = _post(admin_client, identity, target, row, {**valid, **bad})
    assert response.status_code == 400, response.text[:1500]
    errors = " ".join(ERROR_BLOCK.findall(response.text))
    assert CYRILLIC.search(errors), f"no Russian error message on the page: {errors!r}"
    leaked = leaked_words(response.text)
    assert not leaked, f"database text on the page: {leaked}"
    assert _snapshot(session) == before


@pytest.mark.parametrize(("identity", "target"),
                         [(i, t) for i, w in FORMS.items() for t in ("create", "edit") if getattr(w, t)])
def test_a_valid_form_saves_through_the_service_with_an_audit_row(admin_client, session, settings, make,  # type: ignore[no-untyped-def]
                                                                   identity, target):
    walk = FORMS[identity]
    valid, row = walk.build(session, settings, make, admin_client.admin_user)
    audits = session.scalar(select(func.count()).select_from(AuditEvent))
    response = _post(admin_client, identity, target, row, valid)
    assert response.status_code == 302, response.text[:1500]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audits + 1
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.at.desc()).limit(1))
    assert event.actor_id == admin_client.admin_user.id


RAW_ERRORS = [
    IntegrityError("INSERT INTO course_modules (id) VALUES (?)", {}, Exception("FOREIGN KEY constraint failed")),
    OverflowError("Python int too large to convert to SQLite INTEGER"),
    DBAPIError("UPDATE course_modules SET title=?", {}, Exception("value too long for type character varying(200)")),
]


@pytest.mark.parametrize("raw", RAW_ERRORS, ids=lambda e: type(e).__name__)
def test_a_raw_database_error_below_the_service_is_a_russian_400(admin_client, session, settings, make,  # type: ignore[no-untyped-def]
                                                                 monkeypatch, caplog, raw):
    """The last-resort guard in S7ModelView: whatever a service lets through is logged, not shown."""
    valid, row = _build_module(session, settings, make, admin_client.admin_user)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise raw

    monkeypatch.setattr(courses, "update_module", broken)
    monkeypatch.setattr(courses, "create_module", broken)
    for target in ("create", "edit"):
        caplog.clear()
        response = _post(admin_client, "module", target, row, valid)
        assert response.status_code == 400
        assert SAVE_FAILED in " ".join(ERROR_BLOCK.findall(response.text))
        assert not leaked_words(response.text)
        assert any(r.exc_info and r.exc_info[1] is raw for r in caplog.records), "the real error is not logged"


def test_a_raw_database_error_in_a_form_action_is_a_russian_flash(admin_client, session, make, monkeypatch):  # type: ignore[no-untyped-def]
    target = make.student()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RAW_ERRORS[0]

    monkeypatch.setattr(auth, "block_user", broken)
    response = admin_client.post("/admin/user/form-action/block", headers=ORIGIN,
                                 data={"csrf_token": csrf_of(admin_client), "pks": target.id, "reason": "Спам"})
    assert response.status_code == 200  # followed the 303 back to the list
    assert ACTION_FAILED in response.text
    assert not leaked_words(response.text)
    session.expire_all()
    assert session.get(User, target.id).is_blocked is False


# ---- form actions (modal dialogs): bad input is a Russian flash message, nothing changes -----------

def _pending(session, make):  # type: ignore[no-untyped-def]
    return make.subscription(make.student(), status="PENDING", expires_at=None)


def _pending_purchase(session, make):  # type: ignore[no-untyped-def]
    from core.clock import utcnow
    from core.services import purchases

    course = make.course(is_free=False, price=100)
    return purchases.request_purchase(session, actor=make.student(), course_id=course.id, sender_code="90817263",
                                      now=utcnow())


ACTIONS: dict[tuple[str, str], tuple[Callable[[Session, Any], Any], list[dict[str, str]]]] = {
    ("user", "block"): (lambda s, m: m.student(), [{"reason": "Спам\x00"}, {"reason": "я" * 2001},
                                                   {"pks": UNKNOWN_ID, "reason": "Спам"}]),
    ("user", "unblock"): (lambda s, m: m.student(is_blocked=True, blocked_reason="Спам"),
                          [{"pks": "abc\x00"}, {"pks": UNKNOWN_ID}]),
    ("subscription", "approve"): (_pending, [{"max_kruzhoks": HUGE}, {"max_kruzhoks": "-1"},
                                             {"max_students_per_class": "abc\x00"}, {"pks": UNKNOWN_ID}]),
    ("subscription", "reject"): (_pending, [{"reason": "Нет\x00оплаты"}, {"reason": "я" * 2001},
                                            {"pks": "abc\x00", "reason": "Нет оплаты"}]),
    ("user", "adjust-xp"): (lambda s, m: m.student(), [{"amount": "abc", "reason": "Бонус"},
                                                       {"amount": HUGE, "reason": "Бонус"},
                                                       {"amount": "5", "reason": "Бонус\x00"},
                                                       {"pks": UNKNOWN_ID, "amount": "5", "reason": "Бонус"}]),
    ("purchase", "approve"): (_pending_purchase, [{"pks": UNKNOWN_ID}, {"pks": "abc\x00"}]),
    ("purchase", "reject"): (_pending_purchase, [{"reason": "Нет\x00оплаты"}, {"reason": "я" * 2001},
                                                 {"pks": "abc\x00", "reason": "Нет оплаты"}]),
    ("byte-size-item", "publish"): (lambda s, m: ByteSizeItem(title="Черновик", is_published=False),
                                    [{"pks": UNKNOWN_ID}, {"pks": "abc\x00"}]),
    ("byte-size-item", "unpublish"): (lambda s, m: ByteSizeItem(title="Черновик", is_published=True),
                                      [{"pks": UNKNOWN_ID}]),
    ("certificate-request", "issue"): (lambda s, m: m.certificate_request(), [
        {"generate": "on", "notes": "a\x00b"}, {"generate": "on", "notes": "я" * 2001}, {},
        {"certificate_url": "https://x.kz/" + "a" * 500}, {"generate": "on", "pks": UNKNOWN_ID},
        {"generate": "on", "pks": "abc\x00"}]),
    ("certificate-request", "deny"): (lambda s, m: m.certificate_request(), [
        {"reason": "Нет\x00"}, {"reason": "я" * 2001}, {"pks": "abc\x00", "reason": "Дубль"}]),
    ("certificate-request", "revoke"): (lambda s, m: m.certificate_request(), [
        {"reason": "Ошибка"}, {"reason": "Нет\x00"}]),
    ("certificate-request", "reissue"): (lambda s, m: m.certificate_request(), [
        {"generate": "on"}, {"generate": "on", "notes": "a\x00b"}]),
    **{(identity, name): (build, [{"pks": UNKNOWN_ID}, {"pks": "abc\x00"}])
       for identity, build in (("course", lambda s, m: Course(title="Курс")),
                               ("kruzhok", lambda s, m: m.club()),
                               ("club-class", lambda s, m: make_class(s)),
                               ("subscription-plan", lambda s, m: m.plan()))
       for name in ("deactivate", "restore")},
}


def test_every_form_action_is_walked() -> None:
    declared = {(v.identity, a.name) for v in model_views() for a in getattr(v, "form_actions", ())}
    assert declared == set(ACTIONS), "a form action is not in ACTIONS (or ACTIONS is stale)"


@pytest.mark.parametrize(("identity", "name", "case"),
                         [(i, n, c) for (i, n), (_, cases) in ACTIONS.items() for c in range(len(cases))])
def test_bad_form_action_input_is_a_russian_flash_and_changes_nothing(admin_client, session, make,  # type: ignore[no-untyped-def]
                                                                      identity, name, case):
    build, cases = ACTIONS[(identity, name)]
    row = build(session, make)
    if row not in session:
        session.add(row)
    session.flush()
    before = _snapshot(session)
    data = {"csrf_token": csrf_of(admin_client), "pks": row.id, **cases[case]}
    response = admin_client.post(f"/admin/{identity}/form-action/{name}", data=data, headers=ORIGIN)
    assert response.status_code == 200 and response.history and response.history[0].status_code == 303
    flashes = re.findall(r'text-bg-danger".*?<div class="toast-body">(.*?)</div>', response.text, re.S)
    assert flashes and CYRILLIC.search(" ".join(flashes)), response.text[:1500]
    assert not leaked_words(response.text)
    assert _snapshot(session) == before


# ---- «Сверка с выпиской» (a custom page, not a model view): its forms answer bad input the same way -------

STATEMENT_COLUMNS = {"date": "Дата", "amount": "Сумма", "comment": "Комментарий"}
STATEMENT_BAD: dict[str, dict[str, str]] = {
    "unknown_amount_column": {"amount": "Сумма в валюте"}, "nul_in_column": {"comment": "Коммент\x00арий"},
    "column_too_long": {"date": "Д" * 5000}, "missing_date": {"date": ""},
    "amount_is_comment": {"comment": "Сумма"}, "unknown_op": {"op": "delete"},
}
STATEMENT_BAD_FILES: dict[str, bytes] = {
    "western_encoding": "Date;Amount;Comment\r\n01.12.2026;2000;Café Müller reçu\r\n".encode("cp1252"),
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "one_column": "одна колонка\r\n".encode(),
    "broken_xlsx": b"PK\x03\x04" + b"\x00" * 64, "empty": b"",
}


def _statement_snapshot(session: Session) -> tuple[Any, ...]:
    from core.models import BankStatement, BankStatementLine

    session.expire_all()
    return (session.scalar(select(func.count()).select_from(BankStatement)),
            sorted(session.scalars(select(BankStatementLine.status))),
            session.scalar(select(func.count()).select_from(AuditEvent)))


def _assert_russian_400(response: Any) -> None:
    assert response.status_code == 400, response.text[:1500]
    errors = " ".join(ERROR_BLOCK.findall(response.text))
    assert CYRILLIC.search(errors), f"no Russian error message on the page: {errors!r}"
    assert not leaked_words(response.text)


@pytest.mark.parametrize("case", list(STATEMENT_BAD))
def test_bad_statement_columns_are_a_russian_400_and_change_nothing(admin_client, session, case):  # type: ignore[no-untyped-def]
    from core.services import bank_statement
    from tests.factories_statements import statement_csv, statement_line

    upload = bank_statement.upload_statement(session, actor=admin_client.admin_user, file_name="в.csv", now=utcnow(),
                                             data=statement_csv([statement_line("2000", "12345678")]))
    before = _statement_snapshot(session)
    data = {"csrf_token": csrf_of(admin_client), "op": "match", "statement": upload.statement.id,
            **STATEMENT_COLUMNS, **STATEMENT_BAD[case]}
    _assert_russian_400(admin_client.post("/admin/bank-statement", data=data, headers=ORIGIN))
    assert _statement_snapshot(session) == before


@pytest.mark.parametrize("case", list(STATEMENT_BAD_FILES))
def test_bad_statement_files_are_a_russian_400_and_change_nothing(admin_client, session, case):  # type: ignore[no-untyped-def]
    from tests.admin.helpers import multipart

    before = _statement_snapshot(session)
    body, headers = multipart([("csrf_token", csrf_of(admin_client)), ("op", "upload"),
                               ("file", ("выписка.csv", STATEMENT_BAD_FILES[case], "text/csv"))])
    _assert_russian_400(admin_client.post("/admin/bank-statement", content=body, headers=headers))
    assert _statement_snapshot(session) == before


# «Почему не воспроизводится?» (a custom page): every bad input is a Russian 400 and not even an audit row.
PLAY_CHECK_BAD: dict[str, dict[str, str]] = {
    "unknown_email": {"user": "nobody@example.kz"}, "unknown_id": {"user": UNKNOWN_ID},
    "empty_user": {"user": ""}, "nul_user": {"user": NUL_TITLE}, "long_user": {"user": "a" * 300 + "@x.kz"},
    "unknown_kind": {"kind": "movie"}, "empty_item": {"item": ""}, "unknown_item": {"item": UNKNOWN_ID},
    "nul_item": {"item": NUL_TITLE}, "huge_item": {"item": HUGE * 5},
}


@pytest.mark.parametrize("case", list(PLAY_CHECK_BAD))
def test_bad_play_check_is_a_russian_400_and_changes_nothing(admin_client, session, make, case):  # type: ignore[no-untyped-def]
    course = _course(session)
    module = courses.create_module(session, actor=admin_client.admin_user, course_id=course.id, title="М",
                                   order_index=0, now=utcnow())
    lesson = Lesson(module_id=module.id, title="Урок", order_index=0)
    session.add(lesson)
    session.flush()
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    data = {"csrf_token": csrf_of(admin_client), "user": make.student().email, "kind": "lesson", "item": lesson.id,
            **PLAY_CHECK_BAD[case]}
    _assert_russian_400(admin_client.post("/admin/play-check", data=data, headers=ORIGIN))
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
