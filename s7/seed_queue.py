"""Demo work queue: something on every card of the back-office home — pending subscription requests and
course payments (waiting a few days), a student just over 100 XP with a pending certificate request, a
week of held sessions with attendance and a session today, a subscription expiring within 7 days, an
email that failed, and a media-doctor scan. Idempotent: each part is skipped when its rows exist."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    Attendance,
    AttendanceStatus,
    ClubClass,
    Course,
    EmailOutbox,
    EmailStatus,
    Kruzhok,
    LessonSession,
    PaymentKind,
    PlanType,
    Purchase,
    SessionStatus,
    Subscription,
    SubscriptionStatus,
    XpEvent,
    XpSource,
)
from core.services import auth, media_doctor, media_scan_log, payment_requests, plans, purchases, subscriptions, xp
from core.settings import Settings
from core.storage import make_storage
from s7.seed_clubs import free_payment_comment
from s7.seed_learning import PAID_TITLE

DEMO_TEACHERS = [("teacher1@s7.local", "teacher12345", "Айгуль Серикова"),
                 ("teacher2@s7.local", "teacher12345", "Ержан Муратов")]
FAILED_SUBJECT = "Ваша подписка одобрена"


def _teachers(session: Session, now: datetime) -> list[Any]:
    found = []
    for email, password, name in DEMO_TEACHERS:
        user = auth.find_user_by_email(session, email)
        if user is None:
            user = auth.register(session, email=email, password=password, full_name=name, now=now)
            session.flush()
        found.append(user)
    return found


def _pending_subscriptions(session: Session, people: list[Any], now: datetime) -> None:
    for days, user in enumerate(people, start=1):
        if session.scalar(select(Subscription.id).where(Subscription.user_id == user.id)) is None:
            sub = subscriptions.request_subscription(session, actor=user, type=PlanType.MONTHLY_SUBSCRIPTION,
                                                     payment_comment=free_payment_comment(session), now=now)
            sub.created_at = now - timedelta(days=days + 1, hours=3)  # waiting a few days already


def _expiring(session: Session, user: Any, admin: Any, now: datetime) -> None:
    if session.scalar(select(Subscription.id).where(Subscription.user_id == user.id)) is not None:
        return
    plan = plans.get_active_plan(session, PlanType.MONTHLY_SUBSCRIPTION)
    code = free_payment_comment(session)
    sub = Subscription(user_id=user.id, plan_id=plan.id, type=plan.code, status=SubscriptionStatus.ACTIVE,
                       amount=plan.price, currency=plan.currency, payment_comment=code,
                       max_kruzhoks=plan.max_kruzhoks, max_classes_per_kruzhok=plan.max_classes_per_kruzhok,
                       max_students_per_class=plan.max_students_per_class, created_at=now - timedelta(days=25),
                       confirmed_at=now - timedelta(days=25), confirmed_by_id=admin.id if admin else None,
                       expires_at=now + timedelta(days=5))
    session.add(sub)
    session.flush()
    payment_requests.claim_code(session, code=code, kind=PaymentKind.SUBSCRIPTION, request_id=sub.id, now=now)


def _second_purchase(session: Session, student: Any, now: datetime) -> None:
    course = session.scalar(select(Course).where(Course.title == PAID_TITLE))
    if course is None or session.scalar(select(Purchase.id).where(Purchase.user_id == student.id)) is not None:
        return
    purchase = purchases.request_purchase(session, actor=student, course_id=course.id,
                                          sender_code=free_payment_comment(session),
                                          payer_full_name=student.full_name, now=now)
    purchase.created_at = now - timedelta(days=3)


def _over_100_xp(session: Session, student: Any, now: datetime) -> None:
    if session.scalar(select(XpEvent.id).where(XpEvent.source_key == "demo:xp-105")) is None:
        xp.award_xp(session, user_id=student.id, amount=105, reason="Демо: активность за месяц",
                    source=XpSource.ADJUSTMENT, source_key="demo:xp-105", now=now - timedelta(days=1))


def _sessions(session: Session, mentor: Any, students: list[Any], now: datetime) -> None:
    club = session.scalar(select(Kruzhok).where(Kruzhok.owner_id == mentor.id))
    if club is None:
        return
    klass = session.scalar(select(ClubClass).where(ClubClass.kruzhok_id == club.id))
    if klass is None:
        return
    if session.scalar(select(LessonSession.id).where(LessonSession.class_id == klass.id)) is not None:
        return
    local_today = now.astimezone(ZoneInfo(club.timezone)).replace(hour=16, minute=0, second=0, microsecond=0)
    marks = [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT]
    for days_ago in range(7, 0, -1):
        held = LessonSession(class_id=klass.id, starts_at=local_today - timedelta(days=days_ago), duration_min=90,
                             location="Каб. 12", status=SessionStatus.COMPLETED, created_by_id=mentor.id,
                             title_snapshot=f"Занятие {8 - days_ago}: датчики и моторы",
                             class_name_snapshot=klass.name, created_at=now - timedelta(days=10))
        session.add(held)
        session.flush()
        for i, student in enumerate(students):
            session.add(Attendance(session_id=held.id, student_id=student.id, status=marks[(i + days_ago) % 3],
                                   marked_at=held.starts_at + timedelta(minutes=95), marked_by_id=mentor.id))
    session.add(LessonSession(class_id=klass.id, starts_at=local_today, duration_min=90, location="Каб. 12",
                              status=SessionStatus.SCHEDULED, created_by_id=mentor.id,
                              title_snapshot="Занятие 8: ультразвуковой датчик", created_at=now - timedelta(days=10)))
    session.flush()


def _failed_email(session: Session, user: Any, now: datetime) -> None:
    if session.scalar(select(EmailOutbox.id).where(EmailOutbox.status == EmailStatus.FAILED)) is None:
        session.add(EmailOutbox(to_addr=user.email, subject=FAILED_SUBJECT, body_text="Подписка одобрена.",
                                status=EmailStatus.FAILED, attempts=5, last_error="SMTP: соединение отклонено",
                                created_at=now - timedelta(hours=20), next_attempt_at=now - timedelta(hours=1)))


def _media_scan(session: Session, admin: Any, settings: Settings, now: datetime) -> None:
    if media_scan_log.last_scan(session) is None and admin is not None:
        report = media_doctor.scan(session, make_storage(settings), actor=admin)
        media_scan_log.record_scan(session, report, actor=admin, now=now)


def seed_queue(session: Session, *, users: dict[str, Any], now: datetime, settings: Settings) -> dict[str, Any]:
    students = [s for s in users.get("students", []) if s is not None]
    admin, mentor = users.get("admin"), users.get("mentor")
    if len(students) < 3 or mentor is None:
        return {}
    teachers = _teachers(session, now)
    _pending_subscriptions(session, teachers, now)
    _expiring(session, students[2], admin, now)
    _second_purchase(session, students[1], now)
    _over_100_xp(session, students[0], now)
    _sessions(session, mentor, students, now)
    _failed_email(session, students[1], now)
    session.flush()
    _media_scan(session, admin, settings, now)
    return {"teachers": [t[0] for t in DEMO_TEACHERS]}
