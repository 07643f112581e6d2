"""Editing a user in the back-office goes through the service: validated, audited, own role kept."""

from sqlalchemy import select

from core.models import AuditEvent, User
from tests.admin.helpers import ORIGIN, csrf_of, login


def _edit(client, pk, **fields):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_of(client), **fields}
    return client.post(f"/admin/user/edit/{pk}", data=data, headers=ORIGIN, follow_redirects=False)


def test_admin_changes_name_and_role_with_an_audit_row(client, make, session):
    admin, target = make.admin(), make.student(full_name="Было")
    version = target.token_version
    login(client, admin)
    r = _edit(client, target.id, full_name="Айгерим Стало", role="SUPPORT")
    assert r.status_code == 302
    session.expire_all()
    user = session.get(User, target.id)
    assert (user.full_name, user.role) == ("Айгерим Стало", "SUPPORT")
    assert user.token_version == version + 1  # a role change revokes the user's tokens
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.edit",
                                                    AuditEvent.entity_id == target.id))
    assert event.actor_id == admin.id and event.data == {"full_name": "Айгерим Стало", "role": "SUPPORT"}


def test_an_admin_cannot_change_their_own_role(client, make, session):
    admin = make.admin(full_name="Админ")
    login(client, admin)
    r = _edit(client, admin.id, full_name="Админ", role="USER")
    assert r.status_code == 400
    assert "Нельзя изменить собственную роль" in r.text
    session.expire_all()
    assert session.get(User, admin.id).role == "ADMIN"


def test_an_unknown_role_or_an_empty_name_changes_nothing(client, make, session):
    admin, target = make.admin(), make.student(full_name="Было")
    login(client, admin)
    assert _edit(client, target.id, full_name="   ", role="USER").status_code == 400
    assert _edit(client, target.id, full_name="Было", role="ROOT").status_code == 400
    session.expire_all()
    user = session.get(User, target.id)
    assert (user.full_name, user.role) == ("Было", "USER")


def test_a_refused_edit_is_not_logged_as_a_server_error(client, make, caplog):
    admin = make.admin(full_name="Админ")
    login(client, admin)
    with caplog.at_level("ERROR", logger="sqladmin.application"):
        assert _edit(client, admin.id, full_name="Админ", role="USER").status_code == 400
    assert not [r for r in caplog.records if r.name == "sqladmin.application"]
