"""Russian everywhere: every page of every registered view (list, details of a row, create and edit
forms, CSV export, custom pages), as ADMIN and as SUPPORT, shows no raw column name and none of
SQLAdmin's English texts. The raw names come from the models themselves, so a view added later is
checked the same way."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from starlette.routing import Route

from core.models.base import Base
from tests.admin.helpers import fill_every_view, login, model_views


def _raw_names() -> set[str]:
    names = {c.key for t in Base.metadata.tables.values() for c in t.columns}
    names |= {a.key for m in Base.registry.mappers for a in m.attrs}
    return {n.lower() for n in names if len(n) > 1}


RAW = _raw_names()
# SQLAdmin texts its `ru` locale leaves English (templates) or that a page must never show untranslated.
ENGLISH = ["Number of characters", "This will permanently delete", "Select operation", "Enter value",
           "Current:", "[Clear]", "Go Back", "Please confirm", "Apply Filter", "Clear filter", "Showing",
           "Save and continue", "Save and add another", "Logout", "Export", "Actions", "Search", "Filters",
           "Delete", "Edit", "Cancel", "Column", "Value", "Import", "No items found", "Select all"]


class _Visible(HTMLParser):
    """Text nodes and the attributes a user reads (placeholder, title), without scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _problems(where: str, texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        key = re.sub(r"\s+", "_", text.strip().strip(":").lower())
        if key in RAW:
            found.append(f"{where}: raw column name {text!r}")
        for english in ENGLISH:
            if english.lower() in text.lower() and not re.search("[а-яё]", text.lower()):
                found.append(f"{where}: English {text!r}")
    return found


def _page(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200, f"{url} -> {r.status_code}"
    if r.headers["content-type"].startswith("text/csv"):
        return next(csv.reader(io.StringIO(r.text)))
    parser = _Visible()
    parser.feed(r.text)
    return parser.texts


def _pages(app, session, role: str) -> list[str]:  # type: ignore[no-untyped-def]
    urls = ["/admin/"]
    for view in model_views():
        ident = view.identity
        pk = session.execute(select(view.pk_columns[0]).limit(1)).scalar()
        assert pk is not None, f"no demo row for {ident}: the demo seed (or fill_every_view) must fill it"
        urls += [f"/admin/{ident}/list", f"/admin/{ident}/details/{pk}", f"/admin/{ident}/export/csv"]
        if role == "admin":
            urls += [f"/admin/{ident}/edit/{pk}"] if view.can_edit else []
            urls += [f"/admin/{ident}/create"] if view.can_create else []
    # Custom pages (BaseView): every GET route of the back-office without path parameters.
    model_paths = tuple(f"/{v.identity}/" for v in model_views())
    admin_only = {f"view-{v.identity}" for v in app.state.admin.views if getattr(v, "admin_only", False)}
    for route in app.state.admin.admin.routes:
        if isinstance(route, Route) and "{" not in route.path and "GET" in (route.methods or ()) \
                and route.path not in ("/login", "/logout", "/") and not route.path.startswith(model_paths):
            if role == "support" and route.name in admin_only:
                continue  # an ADMIN-only page («Сверка с выпиской»): its own tests check SUPPORT's 403
            urls.append(f"/admin{route.path}")
    return urls


@pytest.mark.parametrize("role", ["admin", "support"])
def test_every_page_of_every_view_is_russian(app, client, db, settings, session, make, role):  # type: ignore[no-untyped-def]
    fill_every_view(db, settings, session, make)
    login(client, make.admin() if role == "admin" else make.support())
    problems: list[str] = []
    for url in _pages(app, session, role):
        problems += _problems(url, _page(client, url))
    assert problems == [], "\n".join(problems)


def test_the_walk_catches_a_raw_name_and_an_english_text():
    assert _problems("x", ["user_id", "Payment Method", "Number of characters: 3"]) == [
        "x: raw column name 'user_id'", "x: raw column name 'Payment Method'",
        "x: English 'Number of characters: 3'"]
    assert _problems("x", ["Пользователь", "Экспорт"]) == []
