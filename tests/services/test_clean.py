"""The shared cleaning rules (core/services/clean.py), and the same values refused by both doors."""

from __future__ import annotations

import pytest

from core.errors import Invalid
from core.models import Course, Module
from core.services import clean
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.factories import token_for


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), ("7", 7), (" 42 ", 42), (2**31 - 1, 2**31 - 1), (3.0, 3),
])
def test_clean_int_accepts_integers_in_range(value: object, expected: int) -> None:
    assert clean.clean_int(value, field="n", label="Число") == expected


@pytest.mark.parametrize("value", [-1, "-1", 2**31, str(10**20), 10**40, True, None, "", "abc", 1.5, "1e3",
                                   float("inf"), float("nan")])
def test_clean_int_refuses_what_no_integer_column_takes(value: object) -> None:
    with pytest.raises(Invalid) as caught:
        clean.clean_int(value, field="n", label="Число")
    assert caught.value.details["fields"][0]["field"] == "n"
    assert "«Число»" in caught.value.message


@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b", "a\x01b", "a\x1b[31m", "a\x7fb", "a\nb", "a\tb",
                                   "Я" * 201, "", "   ", 5])
def test_clean_title_refuses_unstorable_control_long_and_empty(value: object) -> None:
    with pytest.raises(Invalid) as caught:
        clean.clean_title(value)
    assert caught.value.code == "validation_error" and caught.value.message.startswith(("«Название»", "Заполните"))


def test_multiline_text_keeps_line_breaks_but_not_other_controls() -> None:
    assert clean.clean_text(" строка 1\r\n\tстрока 2 ", field="c", label="Текст", max_length=50,
                            multiline=True) == "строка 1\r\n\tстрока 2"
    assert clean.clean_text("", field="c", label="Текст", max_length=5, required=False) is None
    for bad in ("a\x00b", "a\x0bb", "a\x1fb"):
        with pytest.raises(Invalid):
            clean.clean_text(bad, field="c", label="Текст", max_length=50, multiline=True)


def test_get_row_treats_unusable_ids_as_missing(session, make) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL a NUL inside the query parameter would be a driver error, not "not found"."""
    user = make.student()
    assert clean.get_row(session, type(user), user.id) is user
    for key in ("", None, "abc\x00", "x" * 65, "\ud800", 5):
        assert clean.get_row(session, type(user), key) is None
    with pytest.raises(Invalid) as caught:
        clean.require_row(session, type(user), "abc\x00", field="user", missing="Выберите", unknown="Нет такого")
    assert caught.value.message == "Нет такого"


@pytest.mark.parametrize(("field", "value"), [("title", "Робот\x01"), ("title", "Я" * 201),
                                              ("orderIndex", -1), ("orderIndex", 2**31)])
def test_both_doors_refuse_the_same_module_input(app, client, make, session, field, value):  # type: ignore[no-untyped-def]
    admin = make.admin()
    course = Course(title="Курс", is_published=False, is_free=True, price=0)
    session.add(course)
    session.flush()
    api = client.post(f"/api/admin-courses/{course.id}/modules", headers=token_for(app, admin),
                      json={"title": "Модуль", **{field: value}})
    assert api.status_code == 422, api.text
    login(client, admin)
    form = {"course": course.id, "title": "Модуль", "order_index": "1",
            {"title": "title", "orderIndex": "order_index"}[field]: str(value)}
    page = client.post("/admin/module/create", headers=ORIGIN, follow_redirects=False,
                       data={"csrf_token": csrf_of(client), **form, "save": "Save"})
    assert page.status_code == 400
    session.expire_all()
    assert session.query(Module).filter(Module.course_id == course.id).count() == 0
