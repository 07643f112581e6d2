"""GET /api/courses/{id}: who sees a lesson's video/content (SPEC §4) — caller × course × lesson.

Video is shown to ADMINs, enrolled students, anyone on a free course, anyone on a free-preview
lesson. SUPPORT is not an admin here (it sees what a student sees). Unpublished: 404 but for ADMIN.
"""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.models import Course, CourseEnrollment, Lesson, Module
from tests.factories import token_for

VIDEO = "/media/" + "e" * 32 + ".mp4"  # stored legacy form: returned canonical
CANONICAL = "/api/media/" + "e" * 32 + ".mp4"
CALLERS = ["anonymous", "student", "enrolled", "support", "admin"]


def _course(session, *, published: bool, free: bool) -> Course:  # type: ignore[no-untyped-def]
    course = Course(title="Курс", is_published=published, is_free=free, price=0 if free else 5000)
    module = Module(title="М", order_index=0)
    module.lessons.append(Lesson(title="Платный урок", order_index=0, video_url=VIDEO, content="Текст"))
    module.lessons.append(Lesson(title="Пробный урок", order_index=1, video_url=VIDEO, content="Текст",
                                 is_free_preview=True))
    course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def _headers(app, make, session, course, who):  # type: ignore[no-untyped-def]
    if who == "anonymous":
        return {}
    user = {"student": make.student, "enrolled": make.student, "support": make.support, "admin": make.admin}[who]()
    if who == "enrolled":
        session.add(CourseEnrollment(course_id=course.id, user_id=user.id, created_at=utcnow()))
        session.flush()
    return token_for(app, user)


# (published, free) → caller → (status, [paid lesson open, preview lesson open])
EXPECTED = {
    (True, False): {"anonymous": (200, [False, True]), "student": (200, [False, True]),
                    "enrolled": (200, [True, True]), "support": (200, [False, True]), "admin": (200, [True, True])},
    (True, True): {who: (200, [True, True]) for who in CALLERS},
    (False, False): {**{who: (404, None) for who in CALLERS}, "admin": (200, [True, True])},
    (False, True): {**{who: (404, None) for who in CALLERS}, "admin": (200, [True, True])},
}


@pytest.mark.parametrize("who", CALLERS)
@pytest.mark.parametrize(("published", "free"), list(EXPECTED))
def test_course_page_access_matrix(app, client, make, session, published, free, who) -> None:  # type: ignore[no-untyped-def]
    course = _course(session, published=published, free=free)
    status, opened = EXPECTED[(published, free)][who]
    response = client.get(f"/api/courses/{course.id}", headers=_headers(app, make, session, course, who))
    assert response.status_code == status, response.text
    if status != 200:
        assert response.json()["error"]["code"] == "not_found"
        return
    body = response.json()
    assert body["isEnrolled"] is (who == "enrolled")
    for lesson, is_open in zip(body["modules"][0]["lessons"], opened, strict=True):
        assert lesson["locked"] is (not is_open)
        assert lesson["videoUrl"] == (CANONICAL if is_open else None)
        assert lesson["content"] == ("Текст" if is_open else None)
