"""One-step "upload the video and save its URL" for back-office forms (lessons, ByteSize).

SQLADMIN_NOTES "Files": the form base class adds an `upload` FileField; the model class carries a
plain, unmapped `upload = None` attribute (SQLAdmin reads `getattr(obj, "upload")` when no file is
chosen); the field never reaches the model.

The file is stored and a typed URL verified in `insert_model`/`update_model`, BEFORE SQLAdmin opens
its own session: on SQLite that session holds the write lock from its first SELECT, so storing the
upload (which writes a MediaObject row in our own transaction) inside `on_model_change` would wait
on it. `on_model_change` still pops any leftover `upload` key. Service errors raised here become
the form's error message (SQLAdmin renders the edit page with status 400), never a 500.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from wtforms.fields import FileField

from admin_app.base_view import RussianForm, S7ModelView
from admin_app.helpers import db_of, run_service, settings_of
from core import wiring
from core.clock import utcnow
from core.services import audit
from core.services.media import canonical_or_none, require_media_url, store_upload
from core.storage import Storage

VIDEO_ACCEPT = "video/mp4,video/webm,video/quicktime"


class VideoUploadForm(RussianForm):
    upload = FileField("Загрузить видео (файл)", render_kw={"accept": VIDEO_ACCEPT},
                       description="Выберите файл — он загрузится и сохранится в поле «Видео» при сохранении.")


def storage_of(request: Request) -> Storage:
    """The app's storage (create_app builds it; mount_admin hands it to the admin app)."""
    return wiring.storage_of(request.app.state)


class VideoUploadView(S7ModelView):
    """Base view for models with a `video_url` column filled from an upload or a typed URL."""

    form_base_class = VideoUploadForm
    edit_template = "s7/media_edit.html"
    details_template = "s7/media_details.html"
    entity: ClassVar[str] = ""

    def preview_url(self, obj: Any) -> str | None:
        return canonical_or_none(getattr(obj, "video_url", None)) if obj is not None else None

    def clean_video_url(self, session: Session, storage: Storage, value: Any) -> Any:
        """Normalise + verify a typed URL by the same service rule as the API (views name their model's rule)."""
        return require_media_url(session, storage, value, field="videoUrl", kinds=("video",))

    def clean_extra(self, session: Session, storage: Storage, data: dict[str, Any]) -> None:
        """Other media fields to verify (ByteSize's cover)."""

    async def _prepare(self, request: Request, data: dict[str, Any]) -> None:
        upload = data.pop("upload", None)
        storage = storage_of(request)
        has_file = isinstance(upload, UploadFile) and bool(upload.filename)
        if has_file:
            settings = settings_of(request)
            actor = await run_service(request, lambda s, a: a)  # short read; the upload runs outside it

            def store() -> str:
                with db_of(request).transaction() as session:
                    row = store_upload(session, storage, stream=upload.file, filename=upload.filename,
                                       declared_type=upload.content_type, actor=actor, now=utcnow(),
                                       max_bytes=settings.media_max_bytes)
                    return f"/api/media/{row.key}"

            from starlette.concurrency import run_in_threadpool

            data["video_url"] = await run_in_threadpool(store)

        def verify(session: Any, _actor: Any) -> None:
            if not has_file:
                data["video_url"] = self.clean_video_url(session, storage, data.get("video_url"))
            self.clean_extra(session, storage, data)

        await run_service(request, verify)

    async def insert_model(self, request: Request, data: dict) -> Any:
        await self._prepare(request, data)
        return await super().insert_model(request, data)

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        await self._prepare(request, data)
        return await super().update_model(request, pk, data)

    async def on_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        data.pop("upload", None)

    async def after_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        action = f"{self.entity}.{'create' if is_created else 'update'}"
        await run_service(request, lambda s, a: audit.record(
            s, actor=a, action=action, entity=self.entity, entity_id=str(model.id), now=utcnow(),
            data={"via": "admin", "videoUrl": model.video_url, "title": getattr(model, "title", None)}))


__all__ = ["VideoUploadForm", "VideoUploadView", "storage_of"]
