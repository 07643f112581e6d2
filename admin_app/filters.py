"""List filters with Russian choices (SQLAdmin's own say "All"/"Yes"/"No"). A choice is a condition
built at request time, so "истекают за 7 дней" and "сегодня" use the same condition as the home card."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select
from starlette.requests import Request

from admin_app.badges import StatusStyles

Condition = Callable[[], ColumnElement[bool]]


class ChoiceFilter:
    has_operator = False
    template = "sqladmin/filters/lookup_filter.html"

    def __init__(self, parameter_name: str, title: str, choices: Mapping[str, tuple[str, Condition]]) -> None:
        self.parameter_name = parameter_name
        self.title = title
        self.choices = choices

    async def lookups(self, request: Request, model: Any, run_query: Callable[[Select], Any]) -> list[tuple[str, str]]:
        return [("__all", "Все"), *((value, label) for value, (label, _) in self.choices.items())]

    async def get_filtered_query(self, query: Select, value: Any, model: Any) -> Select:
        choice = self.choices.get(str(value))
        return query if choice is None else query.where(choice[1]())


def status_filter(column: Any, styles: StatusStyles, title: str = "Статус") -> ChoiceFilter:
    """`?status=PENDING` etc.: one choice per status, labelled as its badge."""
    def equals(value: Any) -> Condition:
        return lambda: column == value

    return ChoiceFilter("status", title, {
        str(value): (label, equals(value)) for value, (label, _colour) in styles.items()})
