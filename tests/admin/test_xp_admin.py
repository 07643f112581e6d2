"""Back-office «Начислить / списать XP»: a modal form on the user, through xp.adjust_xp (CSRF, audited)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import AuditEvent, XpEvent
from tests.admin.helpers import ORIGIN, csrf_of, login
from tests.xp_ledger import assert_xp_matches_ledger

URL = "/admin/user/form-action/adjust-xp"


def _post(client, data):
    return client.post(URL, data={"csrf_token": csrf_of(client), **data}, headers=ORIGIN, follow_redirects=True)


def test_detail_page_offers_the_xp_modal(client, make):
    student = make.student()
    login(client, make.admin())
    page = client.get(f"/admin/user/details/{student.id}").text
    assert "Начислить / списать XP" in page and "Количество XP" in page and URL in page


def test_grant_then_removal_change_xp_and_are_audited(client, make, session):
    student = make.student()
    login(client, make.admin())
    assert "XP изменены" in _post(client, {"pks": student.id, "amount": "120", "reason": "Победа в олимпиаде"}).text
    assert "XP изменены" in _post(client, {"pks": student.id, "amount": "-20", "reason": "Исправление"}).text
    session.expire_all()
    assert student.experience_points == 100
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "xp.adjust", AuditEvent.entity_id == student.id)) == 2
    assert_xp_matches_ledger(session, [student.id])


def test_bad_input_shows_a_russian_error_and_changes_nothing(client, make, session):
    student = make.student()
    login(client, make.admin())
    for data, message in (({"amount": "100000", "reason": "Много"}, "Количество XP"),
                          ({"amount": "abc", "reason": "Буквы"}, "Количество XP"),
                          ({"amount": "-5", "reason": "Штраф"}, "Нельзя списать больше XP"),
                          ({"amount": "5", "reason": ""}, "Заполните поле «Причина»")):
        page = _post(client, {"pks": student.id, **data}).text
        assert message in page, data
    assert session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == student.id)) == 0


def test_support_cannot_adjust_xp(client, make, session):
    student = make.student()
    login(client, make.support())
    r = client.post(URL, data={"csrf_token": csrf_of(client), "pks": student.id, "amount": "5", "reason": "Бонус"},
                    headers=ORIGIN, follow_redirects=False)
    assert r.status_code in (302, 303, 403)
    assert session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == student.id)) == 0
