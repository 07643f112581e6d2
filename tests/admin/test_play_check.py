"""«Почему не воспроизводится?»: one case per reason through real HTTP as SUPPORT and ADMIN, bad input
answered in Russian (never a 500), one audit row per check, and the API agreeing with every answer."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.models import AuditEvent, ByteSizeItem, Course, CourseEnrollment, Lesson, LessonSession, Module, Purchase
from core.services import program_materials, programs
from tests import factories_media as fm
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.factories import token_for
from tests.factories_clubs import make_class

PAGE = "/admin/play-check"


def _course(session, app, *, published=True, free=False, preview=False, video=True):  # type: ignore[no-untyped-def]
    url = f"/api/media/{fm.make_media(session, app.state.storage, 'video').key}" if video else None
    course = Course(title="Курс про роботов", is_published=published, is_free=free, price=0 if free else 5000)
    module = Module(title="Модуль", order_index=0)
    module.lessons.append(Lesson(title="Урок с видео", order_index=0, video_url=url, is_free_preview=preview))
    course.modules.append(module)
    session.add(course)
    session.flush()
    return course, module.lessons[0]


def _purchase(session, course, user, status, reason=None):  # type: ignore[no-untyped-def]
    code = uuid.uuid4().hex[:8]
    session.add(Purchase(course_id=course.id, user_id=user.id, amount=course.price, sender_code=code,
                         status=status, rejection_reason=reason, created_at=utcnow()))
    session.flush()
    return code


def _program_lesson(session, app, make, *, upload=True):  # type: ignore[no-untyped-def]
    admin = make.admin()
    program = programs.create_program(session, actor=admin, fields={"title": "Программа"}, now=utcnow())
    lesson = programs.create_program_lesson(session, actor=admin, program_id=program.id,
                                            fields={"title": "Урок 1", "xp_reward": 10}, now=utcnow())
    if upload:
        program_materials.attach_material(session, app.state.storage, actor=admin, lesson_id=lesson.id,
                                          kind="presentation", stream=[fm.pdf_bytes()], filename="слайды.pdf",
                                          declared_type="application/pdf", max_bytes=10**6, now=utcnow())
    owner = make.student()
    make.subscription(owner, max_classes_per_kruzhok=5)
    klass = make_class(session, make.club(owner), name="Роботы-1")
    session.add(LessonSession(class_id=klass.id, program_lesson_id=lesson.id, starts_at=utcnow() + timedelta(days=1),
                              duration_min=60))
    session.flush()
    return lesson, klass


# Each case builds its data and returns (user, kind, item id, the expected words of the single fix).
Case = Callable[[Any, Any, Any], tuple[Any, str, str, str]]


def _unpublished(session, app, make):  # type: ignore[no-untyped-def]
    _, lesson = _course(session, app, published=False, free=True)
    return make.student(), "lesson", lesson.id, "не опубликован — опубликуйте курс"


def _not_enrolled(session, app, make):  # type: ignore[no-untyped-def]
    _, lesson = _course(session, app)
    return make.student(), "lesson", lesson.id, "оплаты нет — ученику нужно оплатить курс"


def _pending(session, app, make):  # type: ignore[no-untyped-def]
    course, lesson = _course(session, app)
    user = make.student()
    code = _purchase(session, course, user, "PENDING")
    return user, "lesson", lesson.id, f"Оплата на проверке — одобрите оплату (код {code})"


def _rejected(session, app, make):  # type: ignore[no-untyped-def]
    course, lesson = _course(session, app)
    user = make.student()
    _purchase(session, course, user, "REJECTED", reason="Сумма не совпала")
    return user, "lesson", lesson.id, "Оплата отклонена (Сумма не совпала)"


def _free_preview(session, app, make):  # type: ignore[no-untyped-def]
    _, lesson = _course(session, app, preview=True)
    return make.student(), "lesson", lesson.id, "Воспроизводится"


def _enrolled(session, app, make):  # type: ignore[no-untyped-def]
    course, lesson = _course(session, app)
    user = make.student()
    session.add(CourseEnrollment(course_id=course.id, user_id=user.id, created_at=utcnow()))
    session.flush()
    return user, "lesson", lesson.id, "Воспроизводится"


def _blocked(session, app, make):  # type: ignore[no-untyped-def]
    _, lesson = _course(session, app, free=True)
    return (make.student(is_blocked=True, blocked_reason="Спам"), "lesson", lesson.id,
            "Аккаунт заблокирован — разблокируйте пользователя")


def _missing_file(session, app, make):  # type: ignore[no-untyped-def]
    _, lesson = _course(session, app, free=True)
    app.state.storage.delete(lesson.video_url.rsplit("/", 1)[1])
    return make.student(), "lesson", lesson.id, "Файл видео отсутствует в хранилище — загрузите видео заново"


def _bytesize_unpublished(session, app, make):  # type: ignore[no-untyped-def]
    video = fm.make_media(session, app.state.storage, "video")
    item = ByteSizeItem(title="Байт", video_url=f"/api/media/{video.key}", is_published=False)
    session.add(item)
    session.flush()
    return make.student(), "bytesize", item.id, "Видео ByteSize не опубликовано — опубликуйте его"


def _bytesize_plays(session, app, make):  # type: ignore[no-untyped-def]
    video = fm.make_media(session, app.state.storage, "video")
    item = ByteSizeItem(title="Байт", video_url=f"/api/media/{video.key}", is_published=True)
    session.add(item)
    session.flush()
    return make.student(), "bytesize", item.id, "Воспроизводится"


def _not_in_class(session, app, make):  # type: ignore[no-untyped-def]
    lesson, _ = _program_lesson(session, app, make)
    return (make.student(), "presentation", lesson.id,
            "Ученик не состоит в классе, где проходит этот урок — добавьте его в класс «Роботы-1»")


def _class_student(session, app, make):  # type: ignore[no-untyped-def]
    lesson, klass = _program_lesson(session, app, make)
    user = make.student()
    make.enrollment(klass, user)
    return user, "presentation", lesson.id, "Воспроизводится"


def _material_missing(session, app, make):  # type: ignore[no-untyped-def]
    lesson, klass = _program_lesson(session, app, make, upload=False)
    user = make.student()
    make.enrollment(klass, user)
    return user, "scenario", lesson.id, "Материал не загружен — загрузите файл"


CASES: dict[str, Case] = {
    "course_unpublished": _unpublished, "no_purchase": _not_enrolled, "purchase_pending": _pending,
    "purchase_rejected": _rejected, "free_preview_plays": _free_preview, "enrolled_plays": _enrolled,
    "account_blocked": _blocked, "file_missing": _missing_file, "bytesize_unpublished": _bytesize_unpublished,
    "bytesize_plays": _bytesize_plays, "not_in_class": _not_in_class, "class_student_plays": _class_student,
    "material_not_uploaded": _material_missing,
}
REASON = {"bytesize_unpublished": "item_unpublished"}  # the rest: the case's own name (or "plays")
PLAYS = {"free_preview_plays", "enrolled_plays", "bytesize_plays", "class_student_plays"}


def _check(client, user: str, kind: str, item: str):  # type: ignore[no-untyped-def]
    return client.post(PAGE, data={"csrf_token": csrf_of(client), "user": user, "kind": kind, "item": item},
                       headers=ORIGIN)


def _verdict(page: str) -> tuple[bool, str]:
    match = re.search(r'id="play-result" data-plays="(yes|no)"', page)
    assert match, page[-2000:]
    fix = re.search(r'id="play-fix">\s*<strong>(.*?)</strong>', page, re.S)
    assert fix
    return match.group(1) == "yes", fix.group(1).replace("&#34;", '"').replace("&#39;", "'")


def _api_plays(client, app, session, user, kind: str, item_id: str) -> bool:  # type: ignore[no-untyped-def]
    """What the app itself gets: the lesson's video URL on the course page (or the item in the feed) and
    that URL served; a material downloaded."""
    headers = token_for(app, user)
    if kind in ("scenario", "presentation"):
        return client.get(f"/api/programs/lessons/{item_id}/materials/{kind}", headers=headers).status_code == 200
    if kind == "lesson":
        r = client.get(f"/api/courses/{session.get(Lesson, item_id).module.course_id}", headers=headers)
        if r.status_code != 200:
            return False
        url = next(x["videoUrl"] for m in r.json()["modules"] for x in m["lessons"] if x["id"] == item_id)
    else:
        r = client.get("/api/bytesize?limit=100", headers=headers)
        if r.status_code != 200:
            return False
        url = next((x["videoUrl"] for x in r.json()["items"] if x["id"] == item_id), None)
    return url is not None and client.get(url, headers={"Range": "bytes=0-1023"}).status_code in (200, 206)


@pytest.mark.parametrize("case", list(CASES))
def test_each_reason_gives_its_single_fix_and_the_api_agrees(app, client, session, make, case):  # type: ignore[no-untyped-def]
    user, kind, item_id, fix = CASES[case](session, app, make)
    support = make.support()
    login(client, support)
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    page = _check(client, user.email, kind, item_id)
    assert page.status_code == 200, page.text[-1500:]
    plays, shown = _verdict(page.text)
    assert fix in shown, shown
    assert plays is (case in PLAYS)
    assert f'data-reason="{REASON.get(case, case if not plays else "plays")}"' in page.text
    # read-only: the only change is one audit row of this check, by the support user
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1
    row = session.scalar(select(AuditEvent).where(AuditEvent.action == "play.check"))
    assert (row.actor_id, row.entity, row.entity_id) == (support.id, kind, item_id)
    assert row.data["userId"] == user.id and row.data["plays"] is plays
    client.cookies.clear()
    assert _api_plays(client, app, session, user, kind, item_id) is plays


def test_admin_checks_by_user_id_too(app, client, session, make):  # type: ignore[no-untyped-def]
    user, kind, item_id, fix = _pending(session, app, make)
    login(client, make.admin())
    page = _check(client, user.id, kind, item_id)
    assert page.status_code == 200
    assert fix in _verdict(page.text)[1] and 'data-reason="purchase_pending"' in page.text


def test_two_problems_name_the_first_fix_and_list_the_rest(app, client, session, make):  # type: ignore[no-untyped-def]
    course, lesson = _course(session, app, published=False)
    app.state.storage.delete(lesson.video_url.rsplit("/", 1)[1])
    login(client, make.support())
    page = _check(client, make.student().email, "lesson", lesson.id)
    plays, fix = _verdict(page.text)
    assert not plays and "опубликуйте курс" in fix
    assert "После этого останется ещё: Файл видео отсутствует" in page.text


@pytest.mark.parametrize(("user", "kind", "item", "message"), [
    ("nobody@example.kz", "lesson", "x", "Пользователь «nobody@example.kz» не найден"),
    ("", "lesson", "x", "Заполните поле «E-mail или id пользователя»"),
    ("{student}", "lesson", "", "Заполните поле «Id урока"),
    ("{student}", "lesson", "00000000-0000-4000-8000-00000000dead", "Урок курса с id"),
    ("{student}", "bytesize", "nope", "Видео ByteSize не найдено"),
    ("{student}", "scenario", "nope", "Урок программы не найден"),
    ("{student}", "movie", "nope", "Выберите, что не воспроизводится"),
    ("{student}", "lesson", "урок\x00", "«Id урока, видео или урока программы»"),
    ("a\x00@example.kz", "lesson", "x", "«E-mail или id пользователя»"),
    ("{student}", "lesson", "9" * 300, "Id урока, видео или урока программы"),
])
def test_bad_input_is_a_russian_message_never_a_500(app, client, session, make, user, kind, item, message):  # type: ignore[no-untyped-def]
    student = make.student()
    login(client, make.admin())
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    page = _check(client, user.format(student=student.email), kind, item.format(student=student.email))
    assert page.status_code == 400, page.text[-1500:]
    assert 'id="play-error"' in page.text and message in page.text.replace("&#34;", '"'), page.text[-3000:]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_page_is_for_staff_only_and_needs_csrf(client, make):  # type: ignore[no-untyped-def]
    login(client, make.student())
    assert client.get(PAGE, follow_redirects=False).status_code in (302, 303, 403)
    client.cookies.clear()
    login(client, make.support())
    assert client.get(PAGE).status_code == 200
    assert client.post(PAGE, data={"user": "x", "kind": "lesson", "item": "y"}, headers=ORIGIN).status_code == 403
