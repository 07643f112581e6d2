"""Пользователи: list, search, block with a reason (modal), unblock."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from wtforms import SelectField

from admin_app.badges import status_formatter
from admin_app.base_view import S7ModelView
from admin_app.form_actions import Field, FormAction
from admin_app.helpers import run_service
from core.clock import utcnow
from core.models import Role, User
from core.services import auth, xp

BLOCK = FormAction(
    name="block", label="Заблокировать", title="Заблокировать пользователя",
    fields=(Field("reason", "Причина блокировки", kind="textarea", required=True),),
    submit_label="Заблокировать", danger=True, success="Пользователь заблокирован",
    service=lambda c: auth.block_user(c.session, actor=c.actor, user_id=c.pk, reason=c.values["reason"], now=c.now),
)
UNBLOCK = FormAction(
    name="unblock", label="Разблокировать", title="Разблокировать пользователя", fields=(),
    submit_label="Разблокировать", success="Пользователь разблокирован",
    service=lambda c: auth.unblock_user(c.session, actor=c.actor, user_id=c.pk, now=c.now),
)

ADJUST_XP = FormAction(
    name="adjust-xp", label="Начислить / списать XP", title="Начислить или списать XP",
    fields=(Field("amount", "Количество XP", kind="number", required=True,
                  help=f"Положительное — начислить, отрицательное — списать (не более {xp.MAX_ADJUSTMENT})"),
            Field("reason", "Причина", kind="textarea", required=True,
                  help="Пользователь увидит причину в уведомлении; запись попадёт в журнал действий")),
    submit_label="Сохранить", success="XP изменены",
    service=lambda c: xp.adjust_xp(c.session, actor=c.actor, user_id=c.pk, amount=c.values["amount"],
                                   reason=c.values["reason"], now=c.now, thresholds=c.settings.xp_thresholds),
)


ROLE_STYLES = {Role.USER: ("Пользователь", "bg-secondary"), Role.SUPPORT: ("Поддержка", "bg-azure"),
               Role.ADMIN: ("Администратор", "bg-purple")}


class UserAdmin(S7ModelView, model=User):
    name = "Пользователь"
    name_plural = "Пользователи"
    icon = "fa-solid fa-user"
    form_actions = (BLOCK, UNBLOCK, ADJUST_XP)
    can_create = False
    can_delete = False
    column_list: ClassVar[list[Any]] = [User.email, User.full_name, User.role, User.experience_points,
                                        User.is_blocked, User.created_at]
    column_details_exclude_list: ClassVar[list[Any]] = [User.password_hash, User.token_version]
    column_searchable_list: ClassVar[list[Any]] = [User.email, User.full_name]
    column_sortable_list: ClassVar[list[Any]] = [User.email, User.created_at, User.experience_points]
    column_default_sort: ClassVar[list[Any]] = [(User.created_at, True)]
    form_columns: ClassVar[list[Any]] = [User.full_name, User.role]
    form_overrides: ClassVar[dict[str, Any]] = {"role": SelectField}
    form_args: ClassVar[dict[str, Any]] = {"role": {"choices": [
        (Role.USER, "Пользователь"), (Role.SUPPORT, "Поддержка (только чтение)"), (Role.ADMIN, "Администратор")]}}
    column_formatters: ClassVar[dict[Any, Any]] = {User.role: status_formatter(ROLE_STYLES, "role")}
    column_formatters_detail: ClassVar[dict[Any, Any]] = column_formatters
    column_labels: ClassVar[dict[Any, str]] = {
        User.email: "Эл. почта", User.full_name: "Имя", User.role: "Роль", User.experience_points: "XP",
        User.is_blocked: "Заблокирован", User.blocked_reason: "Причина блокировки",
        User.created_at: "Зарегистрирован",
    }

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        return await run_service(request, lambda s, actor: auth.admin_edit_user(
            s, actor=actor, user_id=pk, values=data, now=utcnow()))
