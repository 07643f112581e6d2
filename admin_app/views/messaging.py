"""Уведомления, Журнал действий, Почта (outbox): read-only views."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from sqladmin import ModelView

from admin_app.badges import status_formatter
from admin_app.base_view import ReadOnlyView
from admin_app.filters import status_filter
from core.models import AuditEvent, EmailOutbox, EmailStatus, Notification

EMAIL_STYLES = {EmailStatus.PENDING: ("В очереди", "bg-yellow"), EmailStatus.SENT: ("Отправлено", "bg-green"),
                EmailStatus.SENT_TO_LOG: ("Записано в журнал", "bg-azure"),
                EmailStatus.FAILED: ("Не отправлено", "bg-red")}


class NotificationAdmin(ReadOnlyView, model=Notification):
    name = "Уведомление"
    name_plural = "Уведомления"
    icon = "fa-solid fa-bell"
    column_list: ClassVar[list[Any]] = [Notification.created_at, Notification.user_id, Notification.type,
                                        Notification.title, Notification.read_at]
    column_searchable_list: ClassVar[list[Any]] = [Notification.title, Notification.type]
    column_default_sort: ClassVar[list[Any]] = [(Notification.created_at, True)]
    column_labels: ClassVar[dict[Any, str]] = {
        Notification.created_at: "Создано", Notification.user_id: "Пользователь", Notification.type: "Тип",
        Notification.title: "Заголовок", Notification.message: "Текст", Notification.read_at: "Прочитано",
    }


# Entities the services name that are not one model view's model (or not by its class name).
OTHER_ENTITIES = {"media": "Медиафайл", "bytesize": "ByteSize", "question": "Вопрос урока",
                  "bank_statement": "Банковская выписка", "statement": "Банковская выписка"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _entity(model: AuditEvent, _attr: Any) -> str:
    """The entity an audit row stores ("User", "program_lesson"…) as the back-office names it."""
    from admin_app.setup import VIEWS

    names = dict(OTHER_ENTITIES)
    for v in VIEWS:
        if isinstance(v, type) and issubclass(v, ModelView):
            for key in (v.model.__name__, _snake(v.model.__name__), str(getattr(v.model, "__tablename__", ""))):
                names.setdefault(key, str(v.name))
    return names.get(model.entity, model.entity)


class AuditAdmin(ReadOnlyView, model=AuditEvent):
    name = "Событие"
    name_plural = "Журнал действий"
    icon = "fa-solid fa-clipboard-list"
    column_list: ClassVar[list[Any]] = [AuditEvent.at, AuditEvent.actor_id, AuditEvent.action, AuditEvent.entity,
                                        AuditEvent.entity_id]
    column_searchable_list: ClassVar[list[Any]] = [AuditEvent.action, AuditEvent.entity_id]
    column_default_sort: ClassVar[list[Any]] = [(AuditEvent.at, True)]
    column_labels: ClassVar[dict[Any, str]] = {
        AuditEvent.at: "Время", AuditEvent.actor_id: "Кто", AuditEvent.action: "Действие",
        AuditEvent.entity: "Объект", AuditEvent.entity_id: "ID объекта", AuditEvent.data: "Данные",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {AuditEvent.entity: _entity}
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters


class OutboxAdmin(ReadOnlyView, model=EmailOutbox):
    name = "Письмо"
    name_plural = "Почта (очередь)"
    icon = "fa-solid fa-envelope"
    column_list: ClassVar[list[Any]] = [EmailOutbox.created_at, EmailOutbox.to_addr, EmailOutbox.subject,
                                        EmailOutbox.status, EmailOutbox.attempts, EmailOutbox.sent_at]
    column_default_sort: ClassVar[list[Any]] = [(EmailOutbox.created_at, True)]
    column_filters: ClassVar[list[Any]] = [status_filter(EmailOutbox.status, EMAIL_STYLES)]
    column_labels: ClassVar[dict[Any, str]] = {
        EmailOutbox.created_at: "Создано", EmailOutbox.to_addr: "Кому", EmailOutbox.subject: "Тема",
        EmailOutbox.status: "Статус", EmailOutbox.attempts: "Попыток", EmailOutbox.sent_at: "Отправлено",
        EmailOutbox.last_error: "Последняя ошибка",
    }
    column_formatters: ClassVar[dict[Any, Any]] = {EmailOutbox.status: status_formatter(EMAIL_STYLES)}
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters
