""""Check one URL": everything support needs to know about a URL a user pasted, including a real
ranged GET against the serving path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ExternalUrl, Invalid
from core.models import User
from core.services.media import CANONICAL_PREFIX, content_type_of, find_object, kind_of_key
from core.services.media_doctor import COLUMNS
from core.services.media_urls import key_of
from core.services.permissions import require_staff
from core.storage.base import Storage

# serve(url, headers) -> a response with .status_code, .headers and .content (an httpx client's get).
Serve = Callable[[str, dict[str, str]], Any]
PROBE_RANGE = "bytes=0-1023"


def _references(session: Session, key: str) -> list[dict[str, str]]:
    found = []
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for col in COLUMNS:
        attr = getattr(col.model, col.attr)
        for row_id, label, value in session.execute(
                select(col.model.id, col.label, attr).where(attr.like(pattern, escape="\\")).limit(100)):
            try:
                if key_of(value) == key:
                    found.append({"column": col.name, "id": row_id, "label": str(label or ""), "value": value})
            except Invalid:
                continue
    return found


def probe_url(serve: Serve, url: str) -> dict[str, Any] | None:
    """A real ranged GET of the canonical form of `url` (None when it is not one of our media URLs).

    Call it OUTSIDE any transaction: on SQLite an open transaction holds the write lock (BEGIN
    IMMEDIATE) and the serving path, which opens its own, would wait for it."""
    try:
        canonical = CANONICAL_PREFIX + key_of(url)
    except Invalid:
        return None
    try:
        answer = serve(canonical, {"Range": PROBE_RANGE})
    except Exception as exc:  # noqa: BLE001 - report, do not raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    status = answer.status_code
    result = {"status": status, "contentType": answer.headers.get("content-type"),
              "contentRange": answer.headers.get("content-range"), "bytes": len(answer.content or b""),
              "ok": status in (200, 206) or (status in (302, 307) and bool(answer.headers.get("location")))}
    if status in (302, 307):
        result["location"] = answer.headers.get("location")
    return result


def check_url(session: Session, storage: Storage, url: str, *, actor: User | None,
              probe: dict[str, Any] | None = None) -> dict[str, Any]:
    """Canonical form, existence, size, type and referencing rows of one URL, with the result of
    `probe_url` (the real ranged GET, done by the caller before its transaction) when given."""
    require_staff(actor)
    result: dict[str, Any] = {"input": url, "canonical": None, "key": None, "exists": False, "size": None,
                              "contentType": None, "kind": None, "isPrivate": False, "references": [],
                              "serve": None, "verdict": ""}
    try:
        key = key_of(url)
    except ExternalUrl:
        result["verdict"] = "Внешняя ссылка: такой файл не воспроизводится нашим плеером. Загрузите файл."
        return result
    except Invalid as exc:
        result["verdict"] = exc.message
        return result
    canonical = CANONICAL_PREFIX + key
    row = find_object(session, key)
    size = storage.size(key)
    result.update(canonical=canonical, key=key, exists=size is not None, size=size,
                  contentType=content_type_of(key, row), kind=kind_of_key(key, row),
                  isPrivate=bool(row and row.is_private), references=_references(session, key))
    result["serve"] = probe
    if result["isPrivate"]:
        result["verdict"] = "Это закрытый файл: по публичной ссылке он не отдаётся."
    elif size is None:
        result["verdict"] = "Файла нет в хранилище: загрузите видео заново и сохраните новую ссылку."
    elif result["serve"] is not None and not result["serve"]["ok"]:
        result["verdict"] = "Файл есть, но сервер не отдаёт его: проверьте настройки раздачи."
    elif url.strip() != canonical:
        result["verdict"] = "Файл на месте; ссылка в старом формате — исправьте её на каноническую."
    else:
        result["verdict"] = "Всё в порядке: файл на месте и отдаётся."
    return result
