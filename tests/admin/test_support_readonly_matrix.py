"""SUPPORT is read-only in EVERY registered view: every create/edit/delete/import URL, every list action
and every form action is refused and changes nothing; an ADMIN's GET to an action URL changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from admin_app.auth import RoleAuthorization
from core.clock import utcnow
from core.models import AuditEvent, BankStatement, Lesson, User
from core.models.base import Base
from core.services import bank_statement
from tests.admin.helpers import ORIGIN, csrf_of, fill_every_view, login, model_views
from tests.factories_statements import make_pending_subscription, statement_csv, statement_line

STATEMENT_PAGE = "/admin/bank-statement"
PLAY_PAGE = "/admin/play-check"


def _snapshot(session) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Every row of every table (contents, not counts: an edit keeps the count)."""
    session.expire_all()
    return {t.name: sorted(repr(tuple(row)) for row in session.execute(select(t)).all())
            for t in Base.metadata.sorted_tables}


def _sample_pk(session, view) -> str:  # type: ignore[no-untyped-def]
    pk_col = view.pk_columns[0]
    value = session.execute(select(pk_col).limit(1)).scalar()
    assert value is not None, f"no row to try in {view.identity}: the fixture must fill every view"
    return str(value)


def _list_actions(view) -> list[str]:  # type: ignore[no-untyped-def]
    instance = view()
    return sorted({*instance._custom_actions_in_list, *instance._custom_actions_in_detail})


@pytest.fixture
def seeded(db, settings, session, make):  # type: ignore[no-untyped-def]
    """The demo data plus one row in the tables the demo leaves empty: every view has a row to attack."""
    fill_every_view(db, settings, session, make)
    _matched_statement(session, make.admin())  # «Сверка с выпиской», a custom page: a statement to act on
    session.flush()
    return session


def _matched_statement(session, admin) -> str:  # type: ignore[no-untyped-def]
    """A statement on «Сверка с выпиской» with one line matching a PENDING request (approve-all would act)."""
    pending = make_pending_subscription(session)
    data = statement_csv([statement_line(f"{pending.amount}", pending.payment_comment)])
    upload = bank_statement.upload_statement(session, actor=admin, file_name="выписка.csv", data=data, now=utcnow())
    bank_statement.match_statement(session, actor=admin, statement_id=upload.statement.id, now=utcnow(),
                                   columns={"date": "Дата", "amount": "Сумма", "comment": "Комментарий"})
    return upload.statement.id


def _statement_posts(session, token: str) -> list[tuple[str, str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Every state-changing request of «Сверка с выпиской» (a custom page, not a model view)."""
    statement_id = session.scalar(select(BankStatement.id).limit(1))
    columns = {"date": "Дата", "amount": "Сумма", "comment": "Комментарий"}
    return [("POST", STATEMENT_PAGE, {"csrf_token": token, "op": "approve", "statement": statement_id}),
            ("POST", STATEMENT_PAGE, {"csrf_token": token, "op": "match", "statement": statement_id, **columns}),
            ("POST", STATEMENT_PAGE, {"csrf_token": token, "op": "upload"})]


def test_support_cannot_change_anything_in_any_view(client, make, seeded):
    session = seeded
    login(client, make.support())
    token = csrf_of(client)
    headers = {**ORIGIN, "X-CSRF-Token": token}
    before = _snapshot(session)
    allowed = RoleAuthorization.support_actions
    refused: list[str] = []
    for view in model_views():
        ident, pk = view.identity, _sample_pk(session, view)
        attempts = [
            ("GET", f"/admin/{ident}/create", None),
            ("POST", f"/admin/{ident}/create", {"csrf_token": token}),
            ("GET", f"/admin/{ident}/edit/{pk}", None),
            ("POST", f"/admin/{ident}/edit/{pk}", {"csrf_token": token}),
            ("DELETE", f"/admin/{ident}/delete?pks={pk}", None),
            ("POST", f"/admin/{ident}/import", {"csrf_token": token}),
        ]
        for name in _list_actions(view):
            if f"action:{name}" not in allowed:
                attempts.append(("GET", f"/admin/{ident}/action/{name}?pks={pk}", None))
        for action in getattr(view, "form_actions", ()):
            if f"action:{action.name}" not in allowed:
                attempts.append(("POST", f"/admin/{ident}/form-action/{action.name}",
                                 {"csrf_token": token, "pks": pk, "reason": "x" * 20}))
        for method, url, data in attempts:
            r = client.request(method, url, data=data, headers=headers, follow_redirects=False)
            if r.status_code != 403:
                refused.append(f"{method} {url} -> {r.status_code}")
    for method, url, data in [("GET", STATEMENT_PAGE, None), *_statement_posts(session, token)]:
        r = client.request(method, url, data=data, headers=headers, follow_redirects=False)
        if r.status_code != 403:
            refused.append(f"{method} {url} {data and data.get('op')} -> {r.status_code}")
    # the cross-club reports are the admins' (SPEC §12): page, lookups and export
    for method, url, data in [("GET", "/admin/reports", None), ("GET", "/admin/reports?lookup=student", None),
                              ("POST", "/admin/reports", {"csrf_token": token, "view": "lessons", "format": "csv"})]:
        r = client.request(method, url, data=data, headers=headers, follow_redirects=False)
        if r.status_code != 403:
            refused.append(f"{method} {url} -> {r.status_code}")
    assert refused == []
    assert _snapshot(session) == before


def test_admin_get_to_any_action_url_changes_nothing(client, make, seeded):
    session = seeded
    login(client, make.admin())
    before = _snapshot(session)
    for view in model_views():
        pk = _sample_pk(session, view)
        for name in _list_actions(view):
            r = client.get(f"/admin/{view.identity}/action/{name}?pks={pk}", follow_redirects=False)
            assert r.status_code in (200, 302, 303), (view.identity, name, r.status_code)
    assert _snapshot(session) == before


def test_support_sees_no_mutating_buttons_on_details_pages(client, make, seeded):
    session = seeded
    login(client, make.support())
    for view in model_views():
        pk = _sample_pk(session, view)
        page = client.get(f"/admin/{view.identity}/details/{pk}")
        assert page.status_code == 200, view.identity
        for action in getattr(view, "form_actions", ()):
            if f"action:{action.name}" not in RoleAuthorization.support_actions:
                assert f'data-s7-open="modal-{action.name}"' not in page.text, (view.identity, action.name)
        assert f"/admin/{view.identity}/edit/" not in page.text, view.identity


def _unsafe_urls(session, view) -> list[tuple[str, str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """The state-changing URLs an ADMIN may use in the view (so a 403 can only come from CSRF)."""
    ident, pk = view.identity, _sample_pk(session, view)
    urls = []
    if view.can_create:
        urls.append(("POST", f"/admin/{ident}/create", {}))
    if view.can_edit:
        urls.append(("POST", f"/admin/{ident}/edit/{pk}", {}))
    if view.can_delete:
        urls.append(("DELETE", f"/admin/{ident}/delete?pks={pk}", {}))
    if view.can_import:
        urls.append(("POST", f"/admin/{ident}/import", {}))
    for action in getattr(view, "form_actions", ()):
        urls.append(("POST", f"/admin/{ident}/form-action/{action.name}", {"pks": pk, "reason": "x" * 20}))
    return urls


@pytest.mark.parametrize("attack", ["no_token", "wrong_token", "cross_site", "no_origin"])
def test_every_admin_post_needs_token_and_same_origin(client, make, seeded, attack):
    session = seeded
    login(client, make.admin())
    token = csrf_of(client)
    before = _snapshot(session)
    urls = [u for view in model_views() for u in _unsafe_urls(session, view)]
    urls.append(("POST", "/admin/media-doctor", {"op": "purge"}))
    urls.append(("POST", PLAY_PAGE, _play_check_form(session)))  # would write its audit row
    urls += [(m, u, {k: v for k, v in d.items() if k != "csrf_token"}) for m, u, d in _statement_posts(session, "")]
    urls.append(("POST", "/admin/reports", {"view": "lessons", "format": "csv"}))  # the export
    passed: list[str] = []
    for method, url, data in urls:
        headers = {"Origin": "https://evil.example"} if attack == "cross_site" else dict(ORIGIN)
        if attack == "no_origin":
            headers = {}
        body = dict(data)
        if attack in ("cross_site", "no_origin"):
            body = {"csrf_token": token, **body}
        elif attack == "wrong_token":
            body = {"csrf_token": "forged", **body}
        r = client.request(method, url, data=body or None, headers=headers, follow_redirects=False)
        if r.status_code != 403:
            passed.append(f"{method} {url} -> {r.status_code}")
    assert passed == []
    assert _snapshot(session) == before
    # control: the same session with the token and our origin is not refused (an empty create
    # form comes back with validation errors)
    creatable = next(v for v in model_views() if v.can_create)
    control = client.post(f"/admin/{creatable.identity}/create", data={"csrf_token": token}, headers=ORIGIN)
    assert control.status_code in (200, 400), control.status_code
    assert _snapshot(session) == before


def _play_check_form(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A valid «Почему не воспроизводится?» form on the demo data: a student and a course lesson."""
    email = session.scalar(select(User.email).where(User.role == "USER").order_by(User.email).limit(1))
    return {"user": email, "kind": "lesson", "item": session.scalar(select(Lesson.id).order_by(Lesson.id).limit(1))}


def test_support_may_use_the_play_check_and_it_only_writes_its_audit_row(client, make, seeded):
    """«Почему не воспроизводится?» is a read-only tool SUPPORT may use: the one change is the audit row."""
    session = seeded
    support = make.support()
    login(client, support)
    before = _snapshot(session)
    r = client.post(PLAY_PAGE, data={"csrf_token": csrf_of(client), **_play_check_form(session)}, headers=ORIGIN)
    assert r.status_code == 200 and 'id="play-result"' in r.text, r.text[-1500:]
    after = _snapshot(session)
    assert {t for t in after if after[t] != before[t]} == {"audit_events"}
    rows = session.scalars(select(AuditEvent).where(AuditEvent.actor_id == support.id)).all()
    assert [row.action for row in rows] == ["play.check"]
