"""Notifications: newest first, unread count, read, read-all; others' notifications are 404."""

from datetime import timedelta

from core.clock import utcnow
from core.services import notifications
from tests.factories import token_for


def test_list_read_and_read_all(app, client, make, session):
    user, other = make.student(), make.student()
    now = utcnow()
    for i in range(3):
        notifications.notify(session, user_id=user.id, type="TEST", title=f"T{i}", message="м",
                             now=now + timedelta(seconds=i))
    foreign = notifications.notify(session, user_id=other.id, type="TEST", title="чужое", message="м", now=now)
    session.flush()
    headers = token_for(app, user)
    body = client.get("/api/notifications?limit=2", headers=headers).json()
    assert [n["title"] for n in body["items"]] == ["T2", "T1"]
    assert body["unreadCount"] == 3 and body["total"] == 3
    first = body["items"][0]["id"]
    assert client.post(f"/api/notifications/{first}/read", headers=headers).json()["readAt"]
    assert client.get("/api/notifications", headers=headers).json()["unreadCount"] == 2
    assert client.post(f"/api/notifications/{foreign.id}/read", headers=headers).status_code == 404
    assert client.post("/api/notifications/read-all", headers=headers).json() == {"updated": 2}
    assert client.get("/api/notifications", headers=headers).json()["unreadCount"] == 0


def test_limit_bounds(app, client, make):
    headers = token_for(app, make.student())
    assert client.get("/api/notifications?limit=101", headers=headers).status_code == 422
    assert client.get("/api/notifications?limit=abc", headers=headers).status_code == 422


def test_notify_admins_writes_one_per_admin(session, make):
    a1, a2 = make.admin(), make.admin()
    make.student()
    from sqlalchemy import select

    from core.models import Notification, User

    admins = session.scalars(select(User.id).where(User.role == "ADMIN")).all()
    count = notifications.notify_admins(session, type="X", title="t", message="m", now=utcnow())
    session.flush()
    assert count == len(admins)
    assert session.scalar(select(Notification).where(Notification.user_id == a1.id, Notification.type == "X"))
    assert session.scalar(select(Notification).where(Notification.user_id == a2.id, Notification.type == "X"))
