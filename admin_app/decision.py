"""The summary card at the top of a details page that asks for a decision: who, what, how much, the
sender code and since when — next to the Одобрить / Отклонить buttons (admin_app/templates/s7/details.html)."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from admin_app.base_view import local_datetime
from admin_app.home import span
from core.clock import utcnow

Row = tuple[str, "str | Markup | None"]


def since(moment: datetime | None, *, waiting: bool) -> Markup:
    if moment is None:
        return Markup("—")
    text = local_datetime(moment)
    if not waiting:
        return text
    return Markup("{} · <b>ждёт {}</b>").format(text, span((utcnow() - moment).total_seconds()))


def card(title: str, status: Markup, rows: list[Row]) -> Markup:
    cells = Markup("").join(
        Markup('<div class="col-sm-6 col-lg-4"><div class="text-secondary small">{}</div><div class="fs-3">{}</div>'
               "</div>").format(label, "—" if value in (None, "") else value) for label, value in rows)
    return Markup('<div class="d-flex align-items-center gap-2 mb-2"><h3 class="card-title m-0">{}</h3>{}</div>'
                  '<div class="row g-3 s7-card-rows">{}</div>').format(title, status, cells)
