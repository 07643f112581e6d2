"""Builders for «Сверка с выпиской» tests: PENDING requests of both kinds with chosen codes, statement files."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.models import Course, PaymentCode, PaymentKind, Purchase, Subscription, User, new_id
from core.services import payment_requests
from tests.factories import make_student, make_user, unique
from tests.factories_clubs import default_plan, make_subscription

HEADER = ("Дата", "Сумма", "Комментарий")


def free_code(session: Session, digits: int = 8) -> str:
    while True:
        code = f"{secrets.randbelow(10**digits):0{digits}d}"
        if not payment_requests.is_code_taken(session, code):
            return code


def make_pending_subscription(session: Session, *, code: str | None = None, user: User | None = None) -> Subscription:
    """A PENDING ONETIME_PURCHASE request (2000 ₸ unless the plan says otherwise)."""
    return make_subscription(session, user or make_student(session), status="PENDING", expires_at=None,
                             payment_comment=code or free_code(session))


def make_paid_course(session: Session, price: int = 8000) -> Course:
    course = Course(title=f"Курс {unique('c')}", is_published=True, is_free=False, price=price, created_at=utcnow())
    session.add(course)
    session.flush()
    return course


def make_pending_purchase(session: Session, *, course: Course | None = None, code: str | None = None,
                          user: User | None = None) -> Purchase:
    course = course or make_paid_course(session)
    code = code or free_code(session)
    purchase = Purchase(id=new_id(), course_id=course.id, user_id=(user or make_student(session)).id,
                        amount=course.price, currency=course.currency, sender_code=code, status="PENDING",
                        created_at=utcnow())
    session.add(purchase)
    session.flush()
    payment_requests.claim_code(session, code=code, kind=PaymentKind.PURCHASE, request_id=purchase.id, now=utcnow())
    return purchase


def bulk_pending(session: Session, count: int) -> list[tuple[str, int]]:
    """`count` PENDING requests (half subscriptions, half course purchases, each of its own user) inserted
    in a few statements; returns (code, amount) of each. The codes are consecutive 8-digit numbers from
    a random start (a clash with another code fails the insert loudly on the unique index)."""
    now = utcnow()
    plan = default_plan(session)
    course = make_paid_course(session, price=8000)
    password_hash = make_user(session).password_hash
    users = [{"id": new_id(), "email": f"{unique()}@example.kz", "full_name": f"Плательщик {i}", "role": "USER",
              "password_hash": password_hash, "created_at": now} for i in range(count)]
    session.execute(insert(User), users)
    codes: list[tuple[str, int]] = []
    subs: list[dict[str, Any]] = []
    buys: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    start = secrets.randbelow(80_000_000) + 10_000_000
    for i, user in enumerate(users):
        code, request_id = str(start + i), new_id()
        if i % 2:
            subs.append({"id": request_id, "user_id": user["id"], "plan_id": plan.id, "type": plan.code,
                         "status": "PENDING", "amount": plan.price, "currency": "KZT", "payment_method": "KASPI",
                         "payment_comment": code, "max_kruzhoks": 1, "max_classes_per_kruzhok": 2,
                         "max_students_per_class": 30, "duration_days": plan.duration_days, "created_at": now})
            codes.append((code, plan.price))
            kind = PaymentKind.SUBSCRIPTION
        else:
            buys.append({"id": request_id, "course_id": course.id, "user_id": user["id"], "amount": course.price,
                         "currency": "KZT", "sender_code": code, "status": "PENDING", "created_at": now})
            codes.append((code, course.price))
            kind = PaymentKind.PURCHASE
        claims.append({"id": new_id(), "code": code, "kind": kind, "request_id": request_id, "created_at": now})
    session.execute(insert(PaymentCode), claims)
    session.execute(insert(Subscription), subs)
    session.execute(insert(Purchase), buys)
    return codes


def statement_csv(lines: Sequence[Sequence[str]], *, header: Sequence[str] = HEADER, delimiter: str = ";",
                  encoding: str = "utf-8", preamble: Sequence[str] = ()) -> bytes:
    """A bank export: optional preamble lines (account details), the header, the lines."""
    out = io.StringIO(newline="")
    for text in preamble:
        out.write(text + "\r\n")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue().encode(encoding)


def statement_line(amount: str, comment: str, day: int = 0) -> tuple[str, str, str]:
    return (f"{date(2026, 12, 1) + timedelta(days=day):%d.%m.%Y}", amount, comment)
