"""Courses, lessons and enrolment at the service layer (SPEC §3 bug 1, §4)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.clock import utcnow
from core.errors import Forbidden, Invalid, NotFound, Unauthorized
from core.models import AuditEvent, Course, CourseEnrollment
from core.services import courses, lessons
from core.storage import make_storage
from tests.courses_helpers import upload


@pytest.fixture
def storage(settings):  # type: ignore[no-untyped-def]
    return make_storage(settings)


@pytest.fixture
def course_tree(session, storage, make):  # type: ignore[no-untyped-def]
    admin = make.admin()
    now = utcnow()
    course = courses.create_course(session, storage, actor=admin, now=now,
                                   fields={"title": "Курс", "is_published": True, "is_free": False, "price": 5000})
    module = courses.create_module(session, actor=admin, course_id=course.id, title="Модуль", order_index=None,
                                   now=now)
    first = lessons.create_lesson(session, storage, actor=admin, module_id=module.id, now=now,
                                  fields={"title": "Урок 1", "content": "Текст"})
    preview = lessons.create_lesson(session, storage, actor=admin, module_id=module.id, now=now,
                                    fields={"title": "Урок 0", "is_free_preview": True, "order_index": 0})
    first.order_index = 1
    video = upload(session, storage, admin)
    for lesson in (first, preview):
        lessons.update_lesson(session, storage, actor=admin, lesson_id=lesson.id, now=now,
                              fields={"video_url": f"/api/media/{video.key}"})
    return {"admin": admin, "course": course, "module": module, "lesson": first, "preview": preview,
            "video": video}


def test_saving_a_lesson_never_changes_the_course(session, storage, course_tree):  # type: ignore[no-untyped-def]
    admin, course, lesson = course_tree["admin"], course_tree["course"], course_tree["lesson"]
    assert course.is_published and not course.is_free and course.price == 5000
    lessons.update_lesson(session, storage, actor=admin, lesson_id=lesson.id, now=utcnow(),
                          fields={"title": "Новое название", "video_url": f"media/{course_tree['video'].key}"})
    session.flush()
    session.expire_all()
    fresh = session.get(Course, course.id)
    assert (fresh.is_published, fresh.is_free, fresh.price) == (True, False, 5000)


def test_lesson_video_url_is_stored_canonical(session, storage, course_tree):  # type: ignore[no-untyped-def]
    key = course_tree["video"].key
    lesson = lessons.update_lesson(session, storage, actor=course_tree["admin"], lesson_id=course_tree["lesson"].id,
                                   now=utcnow(), fields={"video_url": f"https://s7robotics.kz/media/{key}"})
    assert lesson.video_url == f"/api/media/{key}"


@pytest.mark.parametrize("value,code", [
    ("https://www.youtube.com/watch?v=abc", "external_url_not_allowed"),
    ("/api/media/0123456789abcdef0123456789abcdef.mp4", "media_not_found"),
    ("../../etc/passwd", "invalid_media_url"),
])
def test_bad_lesson_video_urls_are_refused(session, storage, course_tree, value, code):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as info:
        lessons.update_lesson(session, storage, actor=course_tree["admin"], lesson_id=course_tree["lesson"].id,
                              now=utcnow(), fields={"video_url": value})
    assert info.value.code == code


def test_an_image_is_not_a_lesson_video(session, storage, course_tree):  # type: ignore[no-untyped-def]
    image = upload(session, storage, course_tree["admin"], kind="image")
    with pytest.raises(Invalid) as info:
        lessons.update_lesson(session, storage, actor=course_tree["admin"], lesson_id=course_tree["lesson"].id,
                              now=utcnow(), fields={"video_url": f"/api/media/{image.key}"})
    assert info.value.code == "wrong_media_type"


def test_null_video_url_clears_and_is_audited(session, storage, course_tree):  # type: ignore[no-untyped-def]
    lesson = lessons.update_lesson(session, storage, actor=course_tree["admin"], lesson_id=course_tree["lesson"].id,
                                   now=utcnow(), fields={"video_url": None})
    assert lesson.video_url is None
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == lesson.id,
                                                     AuditEvent.action == "lesson.update")
                            .order_by(AuditEvent.at.desc())).first()
    assert event is not None and event.data["videoUrl"] is None


def test_only_admins_edit_lessons(session, storage, course_tree, make):  # type: ignore[no-untyped-def]
    for actor, error in ((None, Unauthorized), (make.student(), Forbidden), (make.support(), Forbidden)):
        with pytest.raises(error):
            lessons.update_lesson(session, storage, actor=actor, lesson_id=course_tree["lesson"].id, now=utcnow(),
                                  fields={"title": "x"})


def _lessons(page: courses.CoursePage) -> dict[str, courses.LessonOutline]:
    return {lesson.title: lesson for module in page.modules for lesson in module.lessons}


def test_paid_course_outline_hides_video_except_free_preview(session, course_tree, make):  # type: ignore[no-untyped-def]
    page = courses.get_course(session, actor=make.student(), course_id=course_tree["course"].id)
    by_title = _lessons(page)
    assert [lesson.title for lesson in page.modules[0].lessons] == ["Урок 0", "Урок 1"]
    assert by_title["Урок 1"].video_url is None and by_title["Урок 1"].locked is True
    assert by_title["Урок 1"].content is None
    assert by_title["Урок 0"].video_url == f"/api/media/{course_tree['video'].key}"
    assert by_title["Урок 0"].locked is False
    anonymous = courses.get_course(session, actor=None, course_id=course_tree["course"].id)
    assert _lessons(anonymous)["Урок 1"].video_url is None


def test_enrolled_student_and_admin_see_every_video(session, course_tree, make):  # type: ignore[no-untyped-def]
    student = make.student()
    courses.admin_enroll(session, actor=course_tree["admin"], course_id=course_tree["course"].id,
                         user_id=student.id, now=utcnow())
    for actor in (student, course_tree["admin"]):
        page = courses.get_course(session, actor=actor, course_id=course_tree["course"].id)
        assert _lessons(page)["Урок 1"].video_url == f"/api/media/{course_tree['video'].key}"


def test_free_course_videos_are_for_everyone(session, storage, course_tree):  # type: ignore[no-untyped-def]
    courses.update_course(session, storage, actor=course_tree["admin"], course_id=course_tree["course"].id,
                          fields={"is_free": True, "price": 0}, now=utcnow())
    page = courses.get_course(session, actor=None, course_id=course_tree["course"].id)
    assert _lessons(page)["Урок 1"].video_url == f"/api/media/{course_tree['video'].key}"


def test_unpublished_course_is_404_except_for_admins(session, storage, course_tree, make):  # type: ignore[no-untyped-def]
    courses.update_course(session, storage, actor=course_tree["admin"], course_id=course_tree["course"].id,
                          fields={"is_published": False}, now=utcnow())
    for actor in (None, make.student(), make.support()):
        with pytest.raises(NotFound):
            courses.get_course(session, actor=actor, course_id=course_tree["course"].id)
    assert courses.get_course(session, actor=course_tree["admin"], course_id=course_tree["course"].id)


def test_enrolling_in_a_paid_course_requires_payment(session, course_tree, make):  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden) as info:
        courses.enroll(session, actor=make.student(), course_id=course_tree["course"].id, now=utcnow())
    assert info.value.code == "payment_required"
    assert info.value.details["purchaseUrl"].endswith("/purchase")


def test_enrolment_is_idempotent(session, storage, course_tree, make):  # type: ignore[no-untyped-def]
    courses.update_course(session, storage, actor=course_tree["admin"], course_id=course_tree["course"].id,
                          fields={"is_free": True, "price": 0}, now=utcnow())
    student = make.student()
    first, created = courses.enroll(session, actor=student, course_id=course_tree["course"].id, now=utcnow())
    again, created_again = courses.enroll(session, actor=student, course_id=course_tree["course"].id, now=utcnow())
    assert created and not created_again and first.id == again.id
    count = session.scalars(select(CourseEnrollment).where(CourseEnrollment.user_id == student.id)).all()
    assert len(count) == 1


def test_paid_course_needs_a_price(session, storage, make):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        courses.create_course(session, storage, actor=make.admin(), now=utcnow(),
                              fields={"title": "Платный", "is_free": False, "price": 0})


def test_catalogue_lists_published_courses_only(session, storage, course_tree):  # type: ignore[no-untyped-def]
    hidden = courses.create_course(session, storage, actor=course_tree["admin"], now=utcnow(),
                                   fields={"title": "Черновик"})
    items, _ = courses.list_courses(session, page=courses.Page(100, 0))
    ids = {item.course.id: item for item in items}
    assert hidden.id not in ids
    assert ids[course_tree["course"].id].lessons_count == 2
