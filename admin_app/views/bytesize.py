"""ByteSize: create/edit with a video upload and a preview player; publish/unpublish (POST, audited)."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request

from admin_app.form_actions import FormAction
from admin_app.views.video_upload import VideoUploadView
from core.models import ByteSizeItem
from core.services import bytesize

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
    entity = "bytesize"
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

    def clean_video_url(self, session: Any, storage: Any, value: Any) -> Any:
        return bytesize.clean_field(session, storage, "video_url", value)

    def clean_extra(self, session: Any, storage: Any, data: dict[str, Any]) -> None:
        if "cover_image_url" in data:
            data["cover_image_url"] = bytesize.clean_field(session, storage, "cover_image_url",
                                                           data["cover_image_url"])

    async def on_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        await super().on_model_change(data, model, is_created, request)
        if is_created:
            model.created_by_id = request.session.get("uid")
