"""Fair login throttling through real HTTP (API and back-office): failures from elsewhere never lock
the owner out; per-IP and per-(email, IP) limits hold; an attacked account alerts once an hour;
unknown and known emails do the same work and get the same answer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.models import AuditEvent, EmailOutbox, Notification, NotificationType
from tests.admin.helpers import ORIGIN
from tests.factories import PASSWORD


@contextmanager
def from_ip(app, ip: str) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, client=(ip, 40000)) as c:
        yield c


def _login(c: TestClient, email: str, password: str) -> int:
    return c.post("/api/auth/login", json={"email": email, "password": password}).status_code


def test_failures_from_another_ip_do_not_lock_the_owner_out_of_the_api(app, make):
    user = make.student()
    with from_ip(app, "203.0.113.5") as attacker, from_ip(app, "198.51.100.7") as owner:
        assert [_login(attacker, user.email, "wrong-pass") for _ in range(5)] == [401] * 5
        assert _login(attacker, user.email, PASSWORD) == 429  # this client is limited …
        assert _login(owner, user.email, PASSWORD) == 200  # … the owner elsewhere is not


def test_failures_from_another_ip_do_not_lock_an_admin_out_of_the_back_office(app, make):
    admin = make.admin()

    def admin_login(c: TestClient, password: str):  # type: ignore[no-untyped-def]
        return c.post("/admin/login", data={"username": admin.email, "password": password},
                      headers=ORIGIN, follow_redirects=False)

    with from_ip(app, "203.0.113.9") as attacker, from_ip(app, "198.51.100.8") as owner:
        for _ in range(6):
            admin_login(attacker, "wrong-pass")
        refused = admin_login(attacker, PASSWORD)
        assert refused.status_code != 302 and "Слишком много" in refused.text
        assert admin_login(owner, PASSWORD).status_code == 302


def test_thirty_failures_from_one_ip_block_that_ip_only(app, make):
    victims = [make.student() for _ in range(6)]
    with from_ip(app, "203.0.113.30") as attacker, from_ip(app, "198.51.100.30") as other:
        codes = [_login(attacker, v.email, f"wrong-{i}") for v in victims for i in range(5)]
        assert codes == [401] * 30
        assert _login(attacker, make.student().email, PASSWORD) == 429
        assert _login(other, victims[0].email, PASSWORD) == 200


def test_an_attacked_account_slows_failing_clients_and_alerts_owner_and_admins_once(app, make, session):
    user, admin = make.student(), make.admin()
    ips = [f"192.0.2.{i}" for i in range(1, 11)]
    for ip in ips:  # 10 clients × 5 failures: the account reaches its limit of 50 per hour
        with from_ip(app, ip) as c:
            assert [_login(c, user.email, "wrong-pass") for _ in range(5)] == [401] * 5
    with from_ip(app, "192.0.2.200") as c:
        assert _login(c, user.email, "wrong-pass") == 401  # a fresh client gets its first try
        r = c.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
        assert r.status_code == 429  # … but having failed, it now waits (back-off), right password or not
        assert int(r.headers["Retry-After"]) > 0
    with from_ip(app, "198.51.100.99") as owner:
        assert _login(owner, user.email, PASSWORD) == 200  # the owner, not having failed, gets in

    def count(model, *where) -> int:  # type: ignore[no-untyped-def]
        return session.scalar(select(func.count()).select_from(model).where(*where))

    attack = Notification.type == NotificationType.LOGIN_ATTACK
    assert count(Notification, Notification.user_id == user.id, attack) == 1
    assert count(Notification, Notification.user_id == admin.id, attack) == 1
    assert count(EmailOutbox, EmailOutbox.to_addr == user.email) == 1
    assert count(AuditEvent, AuditEvent.action == "auth.login_attack", AuditEvent.entity_id == user.id) == 1


def test_unknown_and_known_emails_take_the_same_time_and_answer_the_same(app, make):
    users = [make.student() for _ in range(30)]
    samples: dict[str, list[float]] = {"known": [], "unknown": []}
    answers = set()
    for batch in range(3):  # 10 known + 10 unknown failures per client: below every limit
        with from_ip(app, f"10.1.{batch}.1") as c:
            c.post("/api/auth/login", json={"email": "warm-up@nowhere.kz", "password": "x"})
            for i in range(10):
                known = users[batch * 10 + i].email
                pair = [("known", known), ("unknown", f"ghost-{batch}-{i}@nowhere.kz")]
                for kind, email in pair if i % 2 else pair[::-1]:  # alternate who goes first
                    start = time.perf_counter()
                    r = c.post("/api/auth/login", json={"email": email, "password": "wrong-password"})
                    samples[kind].append(time.perf_counter() - start)
                    answers.add((r.status_code, r.json()["error"]["code"], r.json()["error"]["message"]))
    assert answers == {(401, "invalid_credentials", "Неверный email или пароль")}
    k, u = statistics.median(samples["known"]), statistics.median(samples["unknown"])
    assert abs(k - u) / max(k, u) < 0.2, (k, u)
