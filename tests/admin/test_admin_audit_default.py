"""Модули save through `courses.create_module/update_module`: validated like the API and audited."""

from sqlalchemy import select

from core.models import AuditEvent, Course, Module
from tests.admin.helpers import ORIGIN, csrf_of, login


def test_editing_a_module_writes_an_audit_event(client, make, session):
    admin = make.admin()
    course = Course(title="Курс", is_published=True, is_free=True, price=0)
    module = Module(title="Было", order_index=0)
    course.modules.append(module)
    session.add(course)
    session.flush()
    login(client, admin)
    r = client.post(f"/admin/module/edit/{module.id}", headers=ORIGIN, follow_redirects=False,
                    data={"csrf_token": csrf_of(client), "course": course.id, "title": "Стало", "order_index": "1"})
    assert r.status_code == 302, r.text[:500]
    session.expire_all()
    assert session.get(Module, module.id).title == "Стало"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "module.update",
                                                    AuditEvent.entity_id == module.id))
    assert event is not None and event.actor_id == admin.id
    assert event.data == {"title": "Стало", "order_index": 1}
