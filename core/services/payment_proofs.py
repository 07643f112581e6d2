"""Payment screenshots: a user attaches an image of the Kaspi transfer to a payment request.

    begin_upload      a signed-in user, at most PAYMENT_PROOF uploads an hour (429 beyond)
    store_proof       JPEG/PNG/WebP only (sniffed from the bytes, not the name or the header: 415),
                      at most `max_bytes` (413), stored PRIVATELY under a random key → `proof_url`
    clean_proof_url   `paymentProofUrl` of a request (subscription or course purchase): only the URL
                      of the caller's own proof (422 `invalid_payment_proof` otherwise); stored canonical
    proof_for_view    the file for its uploader or an ADMIN; anybody else 404 (nothing tells it exists)

Proofs are MediaObject rows with `is_private` and an image type, uploaded by the user; they are never
served by /api/media (private storage), only by `GET /api/payments/proof/{key}` and the back-office.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ErrorCode, NotFound, field_error
from core.models import MediaObject, Purchase, Subscription, User
from core.services import ratelimit
from core.services.media import Only, find_object, store_object
from core.services.media_sniff import TYPES
from core.services.media_urls import KEY_RE
from core.services.permissions import require_user
from core.storage.base import Storage

PREFIX = "/api/payments/proof/"
EXTS = ("jpg", "png", "webp")
MIMES = frozenset(TYPES[ext].mime for ext in EXTS)
ONLY_IMAGES = Only(EXTS, "Скриншот оплаты должен быть изображением JPEG, PNG или WebP.")
MSG_URL = ("Прикрепите скриншот оплаты, загруженный через форму оплаты: "
           "ссылка должна вести на ваш загруженный скриншот.")
MSG_NOT_FOUND = "Скриншот оплаты не найден"
_PATH_RE = re.compile(re.escape(PREFIX) + r"(" + KEY_RE.pattern + r")")


def proof_url(key: str) -> str:
    return PREFIX + key


def key_of_proof(value: Any) -> str | None:
    """The key of a proof URL (`/api/payments/proof/<key>`, also as an absolute http(s) URL), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower().startswith(("http://", "https://")):
        try:
            parts = urlsplit(text)
        except ValueError:
            return None
        if parts.query or parts.fragment:
            return None
        text = parts.path
    found = _PATH_RE.fullmatch(text)
    return found.group(1) if found else None


def _is_proof(row: MediaObject | None) -> bool:
    return row is not None and row.is_private and row.content_type in MIMES


def begin_upload(session: Session, *, actor: User | None, now: datetime) -> User:
    """Who may upload: any signed-in user, within the hourly limit (counted per attempt)."""
    actor = require_user(actor)
    ratelimit.hit(session, "payment_proof_upload", actor.id, now=now)
    return actor


def store_proof(session: Session, storage: Storage, *, uploader: User, stream: Iterable[bytes] | IO[bytes],
                filename: str | None, declared_type: str | None, max_bytes: int, now: datetime) -> MediaObject:
    """Stream the screenshot into private storage (nothing remains on 413/415/a broken upload)."""
    return store_object(session, storage, stream=stream, filename=filename, declared_type=declared_type,
                        uploader=uploader, now=now, max_bytes=max_bytes, private=True, only=ONLY_IMAGES)


def clean_proof_url(session: Session, *, actor: User, value: Any, field: str = "paymentProofUrl") -> str | None:
    """None for no proof; the canonical URL of the caller's own proof; 422 for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    key = key_of_proof(value)
    row = find_object(session, key) if key is not None else None
    if not _is_proof(row) or row is None or row.uploaded_by_id != actor.id:
        raise field_error(field, MSG_URL, code=ErrorCode.INVALID_PAYMENT_PROOF)
    return proof_url(row.key)


@dataclass(frozen=True)
class ProofFile:
    key: str
    content_type: str
    size: int
    filename: str


def proof_for_view(session: Session, *, actor: User | None, key: str) -> ProofFile:
    """The screenshot for its uploader or an ADMIN (401 anonymous; 404 for everybody else)."""
    actor = require_user(actor)
    row = find_object(session, key) if isinstance(key, str) and KEY_RE.fullmatch(key) else None
    if row is None or not _is_proof(row) or (row.uploaded_by_id != actor.id and not actor.is_admin):
        raise NotFound(MSG_NOT_FOUND)
    return ProofFile(key=row.key, content_type=row.content_type, size=row.size,
                     filename=f"payment-proof.{row.key.rsplit('.', 1)[-1]}")


def request_proof_key(session: Session, model: type[Subscription] | type[Purchase], request_id: str) -> str | None:
    """The proof key a payment request (subscription or purchase) points at (None: no proof, or a
    legacy value that is no proof)."""
    return key_of_proof(session.scalar(select(model.payment_proof_url).where(model.id == request_id)))


def referenced_proof_keys(session: Session) -> set[str]:
    """Proof keys used by a request of either kind: the media doctor never counts them as orphans."""
    keys: set[str] = set()
    for column in (Subscription.payment_proof_url, Purchase.payment_proof_url):
        values = session.scalars(select(column).where(column.like(PREFIX + "%")))
        keys.update(key for key in (key_of_proof(v) for v in values) if key is not None)
    return keys
