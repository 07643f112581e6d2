"""One-step "upload the video and save its URL" for back-office forms (lessons, ByteSize).

SQLADMIN_NOTES "Files": the form base class adds an `upload` FileField; the model class carries a
plain, unmapped `upload = None` attribute (SQLAdmin reads `getattr(obj, "upload")` when no file is
chosen); the field never reaches the model.

Saves go through the model's service (`lessons.*`, `bytesize.*`), which validates every field
(the typed URL included) exactly as for the API and writes the audit row in the same transaction;
SQLAdmin's own insert/update is never used. A chosen file is stored first, in its own transaction
(as the API's upload endpoint does), and its URL handed to the service; when the save then fails,
the stored file is an orphan that the media doctor lists and purges. Service errors become the
form's Russian message (SQLAdmin renders the form again with status 400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request
from wtforms.fields import FileField

from admin_app.base_view import RussianForm, S7ModelView
from admin_app.helpers import run_service, settings_of
from core import wiring
from core.clock import utcnow
from core.models import User
from core.services.media import canonical_or_none, store_upload
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

    def preview_url(self, obj: Any) -> str | None:
        return canonical_or_none(getattr(obj, "video_url", None)) if obj is not None else None

    # Each concrete view saves through its model's service (lessons.*, bytesize.*) by defining these two.
    create_row: Callable[[Session, Storage, User, dict[str, Any]], Any]
    update_row: Callable[[Session, Storage, User, str, dict[str, Any]], Any]

    async def _store_upload(self, request: Request, data: dict[str, Any]) -> None:
        """Store a chosen file and put its URL into `data["video_url"]`; no file keeps the typed URL."""
        upload = data.pop("upload", None)
        if not (isinstance(upload, UploadFile) and upload.filename):
            return
        storage, settings = storage_of(request), settings_of(request)

        def store(session: Session, actor: User) -> str:
            row = store_upload(session, storage, stream=upload.file, filename=upload.filename,
                               declared_type=upload.content_type, actor=actor, now=utcnow(),
                               max_bytes=settings.media_max_bytes)
            return f"/api/media/{row.key}"

        data["video_url"] = await run_service(request, store)

    async def insert_model(self, request: Request, data: dict) -> Any:
        await self._store_upload(request, data)
        storage = storage_of(request)
        return await run_service(request, lambda s, actor: self.create_row(s, storage, actor, data))

    async def update_model(self, request: Request, pk: str, data: dict) -> Any:
        await self._store_upload(request, data)
        storage = storage_of(request)
        return await run_service(request, lambda s, actor: self.update_row(s, storage, actor, pk, data))


__all__ = ["VideoUploadForm", "VideoUploadView", "storage_of"]
