"""The two texts SQLAdmin's main.js writes in English (its locale does not reach scripts) appear in
Russian in a real browser: the textarea character counter and the delete confirmation."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.models import Course
from core.services import auth
from tests.browser.conftest import admin_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_and_course(live_server):  # type: ignore[no-untyped-def]
    with live_server.db.transaction() as session:
        admin, _ = auth.ensure_admin(session, email="admin@s7.kz", password=PASSWORD, full_name="Админ",
                                     now=utcnow())
        course = Course(title="Основы робототехники", is_published=False, is_free=True, created_at=utcnow())
        session.add(course)
        session.flush()
        return admin.email, course.id


def test_character_counter_and_delete_confirmation_are_russian(page, live_server, admin_and_course):
    from playwright.sync_api import expect

    email, course_id = admin_and_course
    admin_login(page, live_server, email)
    page.goto(f"{live_server.url}/admin/course/edit/{course_id}")
    area = page.locator("textarea").first
    area.fill("Привет")
    label = page.locator(".chars-count-label").first
    expect(label).to_contain_text("Символов: 6")
    assert "character" not in label.inner_text().lower()

    page.goto(f"{live_server.url}/admin/course/list")
    page.locator(f'a[data-bs-target="#modal-delete"][data-pk="{course_id}"]').click()
    text = page.locator("#modal-delete-text")
    expect(text).to_contain_text("Удалить безвозвратно")
    expect(text).to_contain_text(course_id)
    assert "permanently" not in text.inner_text().lower()
