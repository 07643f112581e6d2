"""XP thresholds create exactly one certificate request (SPEC §7); manual adjustments; the backfill."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import Forbidden, Invalid, NotFound
from core.models import AuditEvent, CertificateRequest, Notification, User, XpEvent, XpSource
from core.services import course_progress, xp, xp_thresholds
from tests.factories_learning import questions_of
from tests.xp_ledger import assert_xp_matches_ledger


def _requests(session, user):
    return session.scalars(select(CertificateRequest).where(CertificateRequest.user_id == user.id)
                           .order_by(CertificateRequest.threshold_xp)).all()


def _admin_notes(session, admin):
    return session.scalars(select(Notification).where(Notification.user_id == admin.id,
                                                      Notification.type == "CERTIFICATE_REQUEST")).all()


def _answer_all(session, course, student, count):
    for q in questions_of(course)[:count]:
        course_progress.answer_question(session, actor=student, course_id=course.id, question_id=q.id,
                                        answer=q.correct_answer, now=utcnow())


def test_crossing_100_creates_one_pending_request_and_notifies_every_admin(session, make):
    admins = [make.admin(), make.admin()]
    course = make.course(title="Роботы для начинающих")
    student = make.student(full_name="Айгерим Нурланова")
    _answer_all(session, course, student, 4)
    assert _requests(session, student) == []
    _answer_all(session, course, student, 6)  # 5th answer crosses 100, 6th brings 120
    [request] = _requests(session, student)
    assert (request.status, request.total_xp, request.threshold_xp) == ("PENDING", 100, 100)
    assert request.course_id == course.id and request.kruzhok_id is None
    assert "Достигнут порог 100 XP" in request.task_description
    assert "правильные ответы на вопросы курсов — 5 (+100 XP)" in request.task_description
    assert "«Роботы для начинающих»" in request.task_description
    for admin in admins:
        [note] = _admin_notes(session, admin)
        assert note.title == "Новый запрос на сертификат"
        assert note.message == "Пользователь Айгерим Нурланова достиг 100 XP и запросил сертификат"
        assert note.meta == {"certificateRequestId": request.id, "userId": student.id, "totalXP": 100}
    assert session.get(User, student.id).experience_points == 120
    assert_xp_matches_ledger(session, [student.id])


def test_one_award_crossing_two_thresholds_creates_both(session, make):
    student = make.student()
    xp.award_xp(session, user_id=student.id, amount=250, reason="тест", source="ADJUSTMENT", source_key="t:1",
                now=utcnow(), thresholds=[200, 100, 500])
    assert [(r.threshold_xp, r.total_xp) for r in _requests(session, student)] == [(100, 250), (200, 250)]
    assert_xp_matches_ledger(session, [student.id])


def test_a_correction_and_a_recross_never_create_a_second_request(session, make):
    admin = make.admin()
    student = make.student()
    xp.award_xp(session, user_id=student.id, amount=100, reason="a", source="ATTENDANCE", source_key="t:a",
                now=utcnow())
    xp.adjust_xp(session, actor=admin, user_id=student.id, amount=-30, reason="Ошибочная отметка", now=utcnow())
    xp.award_xp(session, user_id=student.id, amount=50, reason="b", source="ATTENDANCE", source_key="t:b",
                now=utcnow())
    assert len(_requests(session, student)) == 1
    assert len(_admin_notes(session, admin)) == 1
    amounts = session.scalars(select(XpEvent.amount).where(XpEvent.user_id == student.id)
                              .order_by(XpEvent.created_at, XpEvent.amount)).all()
    assert sorted(amounts) == [-30, 50, 100]
    assert_xp_matches_ledger(session, [student.id])


def test_starting_at_the_threshold_is_not_a_crossing(session, make):
    assert xp_thresholds.crossed(100, 120, [100]) == []
    assert xp_thresholds.crossed(99, 100, [100]) == [100]
    assert xp_thresholds.crossed(0, 99, [100]) == []


def test_admin_grant_and_removal_are_audited_and_notify_the_user(session, make):
    admin = make.admin()
    student = make.student()
    xp.adjust_xp(session, actor=admin, user_id=student.id, amount="40", reason="  Олимпиада,  1 место ",
                 now=utcnow())
    xp.adjust_xp(session, actor=admin, user_id=student.id, amount=-15, reason="Повторное начисление",
                 now=utcnow())
    assert session.get(User, student.id).experience_points == 25
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "xp.adjust",
                                                      AuditEvent.entity_id == student.id)
                             .order_by(AuditEvent.at)).all()
    assert [e.data["amount"] for e in events] == [40, -15]
    assert events[0].data["reason"] == "Олимпиада, 1 место"
    notes = session.scalars(select(Notification.message).where(Notification.user_id == student.id,
                                                               Notification.type == "XP_ADJUSTED")).all()
    assert sorted(notes) == ["Начислено 40 XP. Причина: Олимпиада, 1 место",
                             "Списано 15 XP. Причина: Повторное начисление"]
    assert_xp_matches_ledger(session, [student.id])


def test_an_admin_grant_over_the_threshold_creates_the_request(session, make):
    admin = make.admin()
    student = make.student()
    xp.adjust_xp(session, actor=admin, user_id=student.id, amount=150, reason="Перенос с old-платформы",
                 now=utcnow())
    [request] = _requests(session, student)
    assert "начисления администратора — 1 (+150 XP)" in request.task_description


@pytest.mark.parametrize("amount", [0, 10_001, -10_001, "abc", "", None, True, 1.5, "5.5", "1e3"])
def test_bad_amount_is_422_and_changes_nothing(session, make, amount):
    admin = make.admin()
    student = make.student()
    with pytest.raises(Invalid) as err:
        xp.adjust_xp(session, actor=admin, user_id=student.id, amount=amount, reason="Причина", now=utcnow())
    assert "Количество XP" in err.value.message
    assert session.scalar(select(func.count()).select_from(XpEvent).where(XpEvent.user_id == student.id)) == 0


def test_removal_below_zero_missing_reason_unknown_user_and_non_admin_are_refused(session, make):
    admin = make.admin()
    student = make.student()
    xp.adjust_xp(session, actor=admin, user_id=student.id, amount=10, reason="Бонус", now=utcnow())
    with pytest.raises(Invalid, match="сейчас 10 XP"):
        xp.adjust_xp(session, actor=admin, user_id=student.id, amount=-11, reason="Штраф", now=utcnow())
    with pytest.raises(Invalid, match="причину"):
        xp.adjust_xp(session, actor=admin, user_id=student.id, amount=5, reason="  ", now=utcnow())
    with pytest.raises(NotFound):
        xp.adjust_xp(session, actor=admin, user_id="nope", amount=5, reason="Бонус", now=utcnow())
    with pytest.raises(Forbidden):
        xp.adjust_xp(session, actor=make.support(), user_id=student.id, amount=5, reason="Бонус", now=utcnow())
    assert session.get(User, student.id).experience_points == 10
    assert_xp_matches_ledger(session, [student.id])


def test_backfill_creates_missing_requests_once(session, make):
    admin = make.admin()
    old = make.student(experience_points=140)  # crossed before the threshold hook existed
    below = make.student(experience_points=60)
    now = utcnow()
    assert xp_thresholds.backfill_requests(session, thresholds=[100], now=now) >= 1
    assert xp_thresholds.backfill_requests(session, thresholds=[100], now=now) == 0
    [request] = _requests(session, old)
    assert (request.total_xp, request.threshold_xp, request.status) == (140, 100, "PENDING")
    assert _requests(session, below) == []
    assert [n.meta["userId"] for n in _admin_notes(session, admin)].count(old.id) == 1



def test_a_batch_award_crossing_a_threshold_creates_its_request_at_once(session, make):
    admin = make.admin()
    near = make.student()
    xp.award_xp(session, user_id=near.id, amount=60, reason="a", source=XpSource.ADJUSTMENT, source_key=f"b{near.id}",
                now=utcnow())
    awards = [xp.XpAward(user_id=near.id, amount=50, reason="Посещение", source_key=f"att:{near.id}")]
    xp.award_xp_many(session, awards=awards, source=XpSource.ATTENDANCE, now=utcnow(), thresholds=[100])
    [request] = _requests(session, near)
    assert (request.total_xp, request.threshold_xp, request.status) == (110, 100, "PENDING")
    assert [n.meta["userId"] for n in _admin_notes(session, admin)].count(near.id) == 1
    # Nothing left for the backfill, and a retry of the same batch awards and requests nothing more.
    assert xp_thresholds.backfill_requests(session, thresholds=[100], now=utcnow()) == 0
    assert xp.award_xp_many(session, awards=awards, source=XpSource.ATTENDANCE, now=utcnow(), thresholds=[100]) == set()
    assert len(_requests(session, near)) == 1
    assert_xp_matches_ledger(session, [near.id])
