"""The menu is in groups: every registered view is in one of them (a new view must be placed in
admin_app/menu.py or declare `category`), the groups come in their order, and SUPPORT sees the same groups."""

from __future__ import annotations

import re

from admin_app.menu import GROUPS
from tests.admin.helpers import login


def test_every_registered_view_is_in_a_group(app):  # type: ignore[no-untyped-def]
    loose = [f"{type(v).__name__} ({v.identity})" for v in app.state.admin.views if v.category not in GROUPS]
    assert loose == [], "place these views in admin_app/menu.py CATEGORY_OF"


def test_menu_shows_the_groups_in_order(client, make):  # type: ignore[no-untyped-def]
    login(client, make.admin())
    page = client.get("/admin/").text
    shown = [g for g in GROUPS if re.search(rf">\s*{g}\s*<", page)]
    used = {v.category for v in client.app.state.admin.views}
    assert shown == [g for g in GROUPS if g in used]
    assert sorted(shown, key=page.index) == shown
    assert "Оплаты курсов" in page and "Подписки" in page


def test_support_sees_the_menu_and_every_group_it_may_read(client, make):  # type: ignore[no-untyped-def]
    login(client, make.support())
    page = client.get("/admin/").text
    assert all(g in page for g in ("Обучение", "Кружки", "Платежи", "Система"))
