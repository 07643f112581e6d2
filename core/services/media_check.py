""""Check one URL": everything support needs to know about a URL a user pasted, including a real
ranged GET against the serving path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
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


@dataclass(frozen=True)
class Probe:
    """The answer of the real ranged GET (or the error that prevented it)."""

    ok: bool
    status: int | None = None
    content_type: str | None = None
    content_range: str | None = None
    bytes: int = 0
    location: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class RowReference:
    column: str
    id: str
    label: str
    value: str


@dataclass(frozen=True)
class UrlCheck:
    input: str
    verdict: str
    canonical: str | None = None
    key: str | None = None
    exists: bool = False
    size: int | None = None
    content_type: str | None = None
    kind: str | None = None
    is_private: bool = False
    references: list[RowReference] = field(default_factory=list)
    serve: Probe | None = None


def _references(session: Session, key: str) -> list[RowReference]:
    found = []
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    for col in COLUMNS:
        attr = getattr(col.model, col.attr)
        for row_id, label, value in session.execute(
                select(col.model.id, col.label, attr).where(attr.like(pattern, escape="\\")).limit(100)):
            try:
                if key_of(value) == key:
                    found.append(RowReference(column=col.name, id=row_id, label=str(label or ""), value=value))
            except Invalid:
                continue
    return found


def probe_url(serve: Serve, url: str) -> Probe | None:
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
        return Probe(ok=False, error=f"{type(exc).__name__}: {exc}")
    status = answer.status_code
    redirect = status in (302, 307)
    location = answer.headers.get("location") if redirect else None
    return Probe(ok=status in (200, 206) or (redirect and bool(location)), status=status,
                 content_type=answer.headers.get("content-type"), content_range=answer.headers.get("content-range"),
                 bytes=len(answer.content or b""), location=location)


def check_url(session: Session, storage: Storage, url: str, *, actor: User | None,
              probe: Probe | None = None) -> UrlCheck:
    """Canonical form, existence, size, type and referencing rows of one URL, with the result of
    `probe_url` (the real ranged GET, done by the caller before its transaction) when given."""
    require_staff(actor)
    try:
        key = key_of(url)
    except ExternalUrl:
        return UrlCheck(input=url,
                        verdict="Внешняя ссылка: такой файл не воспроизводится нашим плеером. Загрузите файл.")
    except Invalid as exc:
        return UrlCheck(input=url, verdict=exc.message)
    canonical = CANONICAL_PREFIX + key
    row = find_object(session, key)
    size = storage.size(key)
    result = UrlCheck(input=url, verdict="", canonical=canonical, key=key, exists=size is not None, size=size,
                      content_type=content_type_of(key, row), kind=kind_of_key(key, row),
                      is_private=bool(row and row.is_private), references=_references(session, key), serve=probe)
    if result.is_private:
        verdict = "Это закрытый файл: по публичной ссылке он не отдаётся."
    elif size is None:
        verdict = "Файла нет в хранилище: загрузите видео заново и сохраните новую ссылку."
    elif probe is not None and not probe.ok:
        verdict = "Файл есть, но сервер не отдаёт его: проверьте настройки раздачи."
    elif url.strip() != canonical:
        verdict = "Файл на месте; ссылка в старом формате — исправьте её на каноническую."
    else:
        verdict = "Всё в порядке: файл на месте и отдаётся."
    return replace(result, verdict=verdict)
