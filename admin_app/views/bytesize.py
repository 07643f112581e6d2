"""ByteSize: create/edit with a video upload and a preview player; publish/unpublish (POST, audited)."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import Session

from admin_app.form_actions import FormAction
from admin_app.views.video_upload import VideoUploadView
from core.clock import utcnow
from core.models import ByteSizeItem, User
from core.services import bytesize
from core.storage import Storage

ByteSizeItem.upload = None  # unmapped: see video_upload.py


def _set_published(published: bool) -> Any:
    return lambda c: bytesize.set_published(c.session, c.storage, actor=c.actor, item_id=c.pk,
                                            published=published, now=c.now)


PUBLISH = FormAction(
    name="publish", label="Опубликовать", title="Опубликовать в ленте ByteSize", fields=(),
    submit_label="Опубликовать", success="Видео опубликовано", service=_set_published(True),
)
UNPUBLISH = FormAction(
    name="unpublish", label="Снять с публикации", title="Скрыть из ленты ByteSize", fields=(),
    submit_label="Снять с публикации", success="Видео снято с публикации", danger=True,
    service=_set_published(False),
)


class ByteSizeAdmin(VideoUploadView, model=ByteSizeItem):
    name = "Видео ByteSize"
    name_plural = "ByteSize"
    icon = "fa-solid fa-clapperboard"
    form_actions = (PUBLISH, UNPUBLISH)
    column_list: ClassVar[list[Any]] = [ByteSizeItem.title, ByteSizeItem.is_published, ByteSizeItem.video_url,
                                        ByteSizeItem.created_at]
    column_searchable_list: ClassVar[list[Any]] = [ByteSizeItem.title, ByteSizeItem.video_url]
    column_sortable_list: ClassVar[list[Any]] = [ByteSizeItem.title, ByteSizeItem.created_at,
                                                 ByteSizeItem.is_published]
    column_default_sort: ClassVar[list[Any]] = [(ByteSizeItem.created_at, True)]
    # Publishing goes through the actions (audited, re-verifies the video), not the form.
    form_columns: ClassVar[list[Any]] = [ByteSizeItem.title, ByteSizeItem.description, ByteSizeItem.video_url,
                                         ByteSizeItem.cover_image_url]
    form_args: ClassVar[dict[str, dict[str, Any]]] = {
        "video_url": {"description": "Ссылка на загруженное видео (/api/media/…). Внешние ссылки не принимаются."},
        "cover_image_url": {"description": "Необязательно: ссылка на загруженное изображение (/api/media/…)."},
    }
    column_labels: ClassVar[dict[Any, str]] = {
        ByteSizeItem.title: "Название", ByteSizeItem.description: "Описание", ByteSizeItem.video_url: "Видео",
        ByteSizeItem.cover_image_url: "Обложка", ByteSizeItem.is_published: "Опубликовано",
        ByteSizeItem.created_at: "Создано", ByteSizeItem.updated_at: "Изменено", ByteSizeItem.created_by_id: "Автор",
    }

    def create_row(self, session: Session, storage: Storage, actor: User, data: dict[str, Any]) -> ByteSizeItem:
        return bytesize.create_item(session, storage, actor=actor, fields=_fields(data), now=utcnow())

    def update_row(self, session: Session, storage: Storage, actor: User, pk: str,
                   data: dict[str, Any]) -> ByteSizeItem:
        return bytesize.update_item(session, storage, actor=actor, item_id=pk, fields=_fields(data), now=utcnow())


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    """The form's fields; publishing is not one of them (the actions do it)."""
    return {k: data[k] for k in ("title", "description", "video_url", "cover_image_url") if k in data}
