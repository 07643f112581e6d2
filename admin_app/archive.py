"""«Деактивировать» / «Вернуть»: the back-office's answer to "delete" for rows with history.

Both are form actions (a dialog that POSTs with the CSRF token) calling `deletion.set_active`;
views whose model has `is_active` or `archived_at` list them in `form_actions`.
"""

from __future__ import annotations

from typing import Any

from admin_app.form_actions import ActionCall, FormAction
from core.services import deletion


def _set_active(model: type[Any], active: bool) -> Any:
    def service(call: ActionCall) -> Any:
        return deletion.set_active(call.session, actor=call.actor, model=model, pk=call.pk, active=active,
                                   now=call.now)

    return service


def archive_actions(model: type[Any]) -> tuple[FormAction, FormAction]:
    return (
        FormAction(name="deactivate", label="Деактивировать", title="Деактивировать запись", fields=(),
                   submit_label="Деактивировать", success="Запись деактивирована, история сохранена",
                   danger=True, service=_set_active(model, False)),
        FormAction(name="restore", label="Вернуть", title="Вернуть запись", fields=(), submit_label="Вернуть",
                   success="Запись снова активна", service=_set_active(model, True)),
    )
