"""The back-office menu in groups (SQLAdmin categories): the ONE place that says which group a view is in.

A view is placed by its identity here; a view not listed may declare `category` itself (one of GROUPS).
tests/admin/test_menu_groups.py fails for a registered view that ends up in no group."""

from __future__ import annotations

from sqladmin import BaseView

# Group → its menu icon, in menu order.
GROUPS: dict[str, str] = {
    "Обучение": "fa-solid fa-graduation-cap",
    "Кружки": "fa-solid fa-people-group",
    "Платежи": "fa-solid fa-wallet",
    "Сертификаты": "fa-solid fa-award",
    "Отчёты": "fa-solid fa-chart-line",
    "Система": "fa-solid fa-gear",
}

CATEGORY_OF: dict[str, str] = {
    # Обучение
    "course": "Обучение", "module": "Обучение", "lesson": "Обучение", "daily-mission": "Обучение",
    "byte-size-item": "Обучение", "program": "Обучение", "program-lesson": "Обучение", "quiz": "Обучение",
    "quiz-question": "Обучение",
    # Кружки
    "kruzhok": "Кружки", "club-class": "Кружки", "lesson-session": "Кружки", "attendance": "Кружки",
    "club-quiz-assignment": "Кружки", "session-checkin": "Кружки", "absence-alert": "Кружки", "invitation": "Кружки",
    # Платежи
    "subscription": "Платежи", "subscription-plan": "Платежи", "purchase": "Платежи",
    "statement": "Платежи", "bank-statement": "Платежи", "statement-line": "Платежи",
    # Сертификаты
    "certificate-request": "Сертификаты",
    # Отчёты
    "reports": "Отчёты",
    # Система
    "user": "Система", "notification": "Система", "email-outbox": "Система", "audit-event": "Система",
    "media-doctor": "Система",
    "play-check": "Система",
}


def category_of(view: type[BaseView]) -> str | None:
    return CATEGORY_OF.get(str(view.identity)) or getattr(view, "category", None) or None


def arrange(views: list[type[BaseView]]) -> list[type[BaseView]]:
    """Put each view in its group (class attributes SQLAdmin's menu reads) and order the views by group,
    keeping their order inside a group. SQLAdmin builds one menu entry per group in first-seen order."""
    order = list(GROUPS)
    for view in views:
        category = category_of(view)
        if category in GROUPS:
            view.category = category
            view.category_icon = GROUPS[category]
    return sorted(views, key=lambda v: order.index(v.category) if v.category in GROUPS else len(order))
