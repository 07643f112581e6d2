"""Builders for plans, subscriptions, clubs, classes and mentors (auto-discovered by `make`)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import (
    ClassEnrollment,
    ClubClass,
    ClubMentor,
    Kruzhok,
    PaymentKind,
    Subscription,
    SubscriptionPlan,
    User,
)
from core.services import payment_requests
from s7.seed_clubs import free_payment_comment as _free_comment
from tests.factories import make_user, unique


def make_plan(session: Session, **overrides: Any) -> SubscriptionPlan:
    values: dict[str, Any] = {"code": unique("PLAN_").upper()[:40], "title": "Тестовый тариф", "price": 500,
                              "currency": "KZT", "duration_days": 30, "max_kruzhoks": 1,
                              "max_classes_per_kruzhok": 2, "max_students_per_class": 30, "is_active": True,
                              "created_at": utcnow()}
    values.update(overrides)
    plan = SubscriptionPlan(**values)
    session.add(plan)
    session.flush()
    return plan


def default_plan(session: Session, code: str = "ONETIME_PURCHASE") -> SubscriptionPlan:
    return session.scalars(select(SubscriptionPlan).where(SubscriptionPlan.code == code)).one()


def make_subscription(session: Session, user: User | None = None, **overrides: Any) -> Subscription:
    """An ACTIVE ONETIME subscription expiring in 365 days unless overridden."""
    user = user or make_user(session)
    now = utcnow()
    plan = default_plan(session, overrides.pop("type", "ONETIME_PURCHASE"))
    values: dict[str, Any] = {"user_id": user.id, "plan_id": plan.id, "type": plan.code, "status": "ACTIVE",
                              "amount": plan.price, "currency": "KZT", "payment_comment": _free_comment(session),
                              "max_kruzhoks": 1, "max_classes_per_kruzhok": 2, "max_students_per_class": 30,
                              "created_at": now, "confirmed_at": now, "expires_at": now + timedelta(days=365)}
    values.update(overrides)
    if values["status"] == "PENDING":
        values.update(confirmed_at=None, expires_at=overrides.get("expires_at"))
    sub = Subscription(**values)
    session.add(sub)
    session.flush()
    if not payment_requests.is_code_taken(session, sub.payment_comment):
        payment_requests.claim_code(session, code=sub.payment_comment, kind=PaymentKind.SUBSCRIPTION,
                                    request_id=sub.id, now=now)
    return sub


def make_mentor_user(session: Session, **overrides: Any) -> User:
    """A user with an ACTIVE subscription (a mentor by subscription)."""
    user = make_user(session, **{"full_name": "Ментор Тестовый", **overrides})
    make_subscription(session, user)
    return user


def make_club(session: Session, owner: User | None = None, **overrides: Any) -> Kruzhok:
    owner = owner or make_mentor_user(session)
    values: dict[str, Any] = {"owner_id": owner.id, "title": unique("Кружок "), "description": "Описание",
                              "timezone": "Asia/Almaty", "created_at": utcnow()}
    values.update(overrides)
    club = Kruzhok(**values)
    session.add(club)
    session.flush()
    return club


def _free_join_code(session: Session) -> str:
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if session.scalar(select(ClubClass.id).where(ClubClass.join_code == code)) is None:
            return code


def make_class(session: Session, club: Kruzhok | None = None, **overrides: Any) -> ClubClass:
    club = club or make_club(session)
    values: dict[str, Any] = {"kruzhok_id": club.id, "name": unique("Класс "), "join_code": _free_join_code(session),
                              "created_at": utcnow()}
    values.update(overrides)
    klass = ClubClass(**values)
    session.add(klass)
    session.flush()
    return klass


def make_enrollment(session: Session, klass: ClubClass, student: User | None = None,
                    **overrides: Any) -> ClassEnrollment:
    student = student or make_user(session, full_name="Ученик Тестовый")
    values: dict[str, Any] = {"class_id": klass.id, "student_id": student.id, "status": "ACTIVE",
                              "joined_at": utcnow()}
    values.update(overrides)
    enrollment = ClassEnrollment(**values)
    session.add(enrollment)
    session.flush()
    return enrollment


def make_mentor(session: Session, club: Kruzhok, user: User | None = None) -> ClubMentor:
    """Assign `user` (a new one by default) as a mentor of `club`."""
    user = user or make_user(session, full_name="Ментор Назначенный")
    mentor = ClubMentor(kruzhok_id=club.id, user_id=user.id, created_at=utcnow())
    session.add(mentor)
    session.flush()
    return mentor
