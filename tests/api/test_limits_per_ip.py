"""More accounts must not mean more attempts: registrations and wrong join codes are limited per
client IP, and one user's subscription requests notify the admins at most once a day."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.models import Notification, NotificationType
from tests.factories import token_for


@contextmanager
def from_ip(app, ip: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, client=(ip, 40000)) as c:
        yield c


def _register(c: TestClient, i: int) -> int:
    return c.post("/api/auth/register", json={"email": f"burst-{i}-{secrets.token_hex(3)}@example.kz",
                                              "password": "burst-secret-77", "fullName": "Ученик Пробный"}).status_code


def test_registrations_are_limited_per_ip(app):
    with from_ip(app, "203.0.113.60") as burst, from_ip(app, "198.51.100.60") as other:
        assert [_register(burst, i) for i in range(20)] == [201] * 20
        r = burst.post("/api/auth/register", json={"email": "one-more@example.kz", "password": "burst-secret-77",
                                                   "fullName": "Ещё Один"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        assert _register(other, 99) == 201


def test_wrong_join_codes_are_limited_per_ip_whatever_the_account(app, make):
    def wrong(c: TestClient, user, i: int) -> int:  # type: ignore[no-untyped-def]
        return c.post("/api/clubs/join", json={"code": f"98{i:04d}"}, headers=token_for(app, user)).status_code

    users = [make.student() for _ in range(4)]
    with from_ip(app, "203.0.113.61") as guesser, from_ip(app, "198.51.100.61") as other:
        codes = [wrong(guesser, u, n * 10 + i) for n, u in enumerate(users[:3]) for i in range(10)]
        assert codes == [404] * 30  # 10 per account: each account is within its own limit
        assert wrong(guesser, users[3], 31) == 429  # a fresh account from the same address is not
        assert wrong(other, users[3], 32) == 404


def test_one_users_requests_notify_the_admins_once_a_day(app, client, make, session):
    admin = make.admin()
    spammer, other = make.student(), make.student()

    def request(user) -> int:  # type: ignore[no-untyped-def]
        return client.post("/api/subscriptions/request", headers=token_for(app, user),
                           json={"type": "MONTHLY_SUBSCRIPTION",
                                 "paymentComment": f"{secrets.randbelow(10**8):08d}"}).status_code

    assert [request(spammer) for _ in range(3)] == [201] * 3
    assert request(other) == 201
    notes = session.scalars(select(Notification).where(
        Notification.user_id == admin.id, Notification.type == NotificationType.SUBSCRIPTION_REQUEST)).all()
    assert sorted(n.meta["userId"] for n in notes) == sorted([spammer.id, other.id])
    assert "Всего заявок ждут проверки" in notes[0].message
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.type == NotificationType.SUBSCRIPTION_REQUEST, Notification.user_id == admin.id)) == 2
