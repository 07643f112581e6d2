"""Media doctor: why a stored media URL does or does not play, and the fixes (SPEC §3).

Every media-URL column is scanned and each reference classified:

    ok              canonical form, object stored, right kind
    non_canonical   an accepted legacy form (/media/…, absolute URL…): fixable by `fix_non_canonical`
    missing_object  the URL's object is not in storage (or is private, or the value is no media URL)
    wrong_type      e.g. a video column pointing at an image
    empty           a published ByteSize item without a video
    external        an absolute URL to another site (YouTube…): cannot play in our player
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from core.errors import ExternalUrl, Invalid
from core.models import (
    AuditAction,
    ByteSizeItem,
    CertificateRequest,
    Course,
    Lesson,
    MediaObject,
    Purchase,
    Subscription,
    User,
)
from core.services import audit, media_materials, payment_proofs
from core.services.media import CANONICAL_PREFIX, content_type_of, kind_of_key
from core.services.media_urls import key_of
from core.services.permissions import require_admin, require_staff
from core.storage.base import Storage

STATUSES = ("ok", "non_canonical", "missing_object", "wrong_type", "empty", "external")
# An upload younger than this is not an orphan yet: the admin may be about to save it into a row.
ORPHAN_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Column:
    name: str
    model: Any
    attr: str
    kinds: tuple[str, ...]
    label: Any
    must_have_value: Any = None  # SQL condition under which an empty value is a problem


COLUMNS = (
    Column("course_lessons.video_url", Lesson, "video_url", ("video",), Lesson.title),
    Column("bytesize_items.video_url", ByteSizeItem, "video_url", ("video",), ByteSizeItem.title,
           ByteSizeItem.is_published),
    Column("bytesize_items.cover_image_url", ByteSizeItem, "cover_image_url", ("image",), ByteSizeItem.title),
    Column("courses.cover_url", Course, "cover_url", ("image",), Course.title),
    Column("subscriptions.payment_proof_url", Subscription, "payment_proof_url", ("image", "document"),
           Subscription.payment_comment),
    Column("course_purchases.payment_proof_url", Purchase, "payment_proof_url", ("image",), Purchase.sender_code),
)
# Columns that may hold a public media URL and so keep an object from being an orphan.
EXTRA_REFERENCES = ((CertificateRequest, "certificate_url"),)


@dataclass
class Reference:
    column: str
    row_id: str
    label: str
    value: str | None
    status: str
    canonical: str | None = None
    key: str | None = None
    reason: str = ""


@dataclass
class Report:
    counts: dict[str, int]
    rows: list[Reference] = field(default_factory=list)

    def problems(self) -> list[Reference]:
        return [r for r in self.rows if r.status != "ok"]

    def to_dict(self, *, include_ok: bool = False) -> dict[str, Any]:
        rows = self.rows if include_ok else self.problems()
        return {"counts": self.counts, "rows": [asdict(r) for r in rows]}


def _value_present(col: Column) -> Any:
    value = getattr(col.model, col.attr)
    return (value.is_not(None)) & (func.trim(value) != "")


def _query(col: Column) -> Any:
    condition = _value_present(col)
    if col.must_have_value is not None:
        condition = or_(condition, col.must_have_value)
    return (select(col.model.id, col.label, getattr(col.model, col.attr)).where(condition)
            .order_by(col.model.id))


def count_references(session: Session) -> int:
    return (sum(session.scalar(select(func.count()).select_from(_query(col).subquery())) or 0 for col in COLUMNS)
            + media_materials.count_material_references(session))


class _Resolver:
    """Answers "is this key stored, public, and of which kind" with one storage listing and batched rows."""

    def __init__(self, session: Session, storage: Storage) -> None:
        self.session = session
        self.storage = storage
        self.stored = set(storage.iter_keys())
        self._private: set[str] | None = None
        self.rows: dict[str, MediaObject | None] = {}

    @property
    def private(self) -> set[str]:
        """Private keys (listed once, only when a payment screenshot is met)."""
        if self._private is None:
            self._private = set(self.storage.iter_keys(private=True))
        return self._private

    def row(self, key: str) -> MediaObject | None:
        if key not in self.rows:
            self.rows[key] = self.session.scalars(select(MediaObject).where(MediaObject.key == key)).one_or_none()
        return self.rows[key]

    def prefetch(self, keys: list[str]) -> None:
        missing = [k for k in set(keys) if k not in self.rows]
        for i in range(0, len(missing), 500):
            batch = missing[i:i + 500]
            found = {m.key: m for m in self.session.scalars(select(MediaObject).where(MediaObject.key.in_(batch)))}
            for key in batch:
                self.rows[key] = found.get(key)


def classify(value: str | None, *, kinds: tuple[str, ...], required: bool, resolver: _Resolver) -> Reference:
    """Classify one stored value (column/row fields are filled by the caller)."""
    ref = Reference(column="", row_id="", label="", value=value, status="ok")
    if value is None or not value.strip():
        ref.status, ref.reason = ("empty", "нет видео у опубликованного элемента") if required else ("ok", "")
        return ref
    if (proof := payment_proofs.key_of_proof(value)) is not None:
        return _classify_proof(ref, proof, resolver)
    try:
        key = key_of(value)
    except ExternalUrl:
        ref.status, ref.reason = "external", "внешняя ссылка, не файл платформы"
        return ref
    except Invalid:
        ref.status, ref.reason = "missing_object", "значение не является ссылкой на медиафайл"
        return ref
    ref.key, ref.canonical = key, CANONICAL_PREFIX + key
    row = resolver.row(key)
    if key not in resolver.stored or (row is not None and row.is_private):
        ref.status, ref.reason = "missing_object", "файла нет в хранилище"
    elif (kind := kind_of_key(key, row)) not in kinds:
        ref.status, ref.reason = "wrong_type", f"тип файла: {kind or 'неизвестен'}, нужен: {'/'.join(kinds)}"
    elif value != ref.canonical:
        ref.status, ref.reason = "non_canonical", "ссылка в старом формате (исправимо)"
    return ref


def _classify_proof(ref: Reference, key: str, resolver: _Resolver) -> Reference:
    """A payment screenshot (`/api/payments/proof/<key>`): a PRIVATE image, served by its own endpoint."""
    ref.key, ref.canonical = key, payment_proofs.proof_url(key)
    row = resolver.row(key)
    if key not in resolver.private or row is None or not row.is_private:
        ref.status, ref.reason = "missing_object", "скриншота нет в закрытом хранилище"
    elif row.content_type not in payment_proofs.MIMES:
        ref.status, ref.reason = "wrong_type", f"тип файла: {row.content_type}, нужен: JPEG/PNG/WebP"
    elif ref.value != ref.canonical:
        ref.status, ref.reason = "non_canonical", "ссылка в старом формате (исправимо)"
    return ref


def _iter_column(session: Session, col: Column) -> Iterator[tuple[str, str, str | None, bool]]:
    required_expr = col.must_have_value if col.must_have_value is not None else None
    stmt = _query(col)
    if required_expr is not None:
        stmt = stmt.add_columns(required_expr)
    for row in session.execute(stmt.execution_options(yield_per=1000)):
        yield row[0], str(row[1] or ""), row[2], bool(row[3]) if required_expr is not None else False


def scan(session: Session, storage: Storage, *, actor: User | None,
         progress: Callable[[int], None] | None = None) -> Report:
    """Classify every media reference in the database (read-only)."""
    require_staff(actor)
    resolver = _Resolver(session, storage)
    counts: Counter[str] = Counter({s: 0 for s in STATUSES})
    rows: list[Reference] = []
    for col in COLUMNS:
        batch = list(_iter_column(session, col))
        keys = []
        for _, _, value, _ in batch:
            try:
                if value:
                    keys.append(payment_proofs.key_of_proof(value) or key_of(value))
            except Invalid:
                pass
        resolver.prefetch(keys)
        for row_id, label, value, required in batch:
            ref = classify(value, kinds=col.kinds, required=required, resolver=resolver)
            ref.column, ref.row_id, ref.label = col.name, row_id, label
            counts[ref.status] += 1
            rows.append(ref)
            if progress:
                progress(1)
    for column, row_id, label, key, status, reason in media_materials.scan_materials(session, storage):
        rows.append(Reference(column=column, row_id=row_id, label=label, value=key, status=status, key=key,
                              reason=reason))
        counts[status] += 1
        if progress:
            progress(1)
    return Report(counts=dict(counts), rows=rows)


def fix_non_canonical(session: Session, *, actor: User | None, now: datetime) -> int:
    """Rewrite every accepted legacy form to the canonical URL (the key is unchanged). Audited."""
    actor = require_staff(actor)
    changes: list[dict[str, str]] = []
    for col in COLUMNS:
        attr = getattr(col.model, col.attr)
        for row_id, value in session.execute(select(col.model.id, attr).where(_value_present(col))):
            try:
                proof = payment_proofs.key_of_proof(value)
                canonical = payment_proofs.proof_url(proof) if proof else CANONICAL_PREFIX + key_of(value)
            except Invalid:
                continue
            if canonical != value:
                session.execute(update(col.model).where(col.model.id == row_id).values({col.attr: canonical}))
                changes.append({"column": col.name, "id": row_id, "from": value, "to": canonical})
    if changes:
        audit.record(session, actor=actor, action=AuditAction.MEDIA_FIX_NON_CANONICAL, entity="media", entity_id=None,
                     now=now, data={"count": len(changes), "changes": changes[:500]})
    return len(changes)


def referenced_keys(session: Session) -> set[str]:
    keys: set[str] = set()
    pairs = [(c.model, c.attr) for c in COLUMNS] + list(EXTRA_REFERENCES)
    for model, attr in pairs:
        column = getattr(model, attr)
        for (value,) in session.execute(select(column).where(column.is_not(None))):
            try:
                keys.add(key_of(value))
            except Invalid:
                continue
    return keys | media_materials.material_keys(session) | payment_proofs.referenced_proof_keys(session)


@dataclass(frozen=True)
class Orphan:
    key: str
    size: int
    content_type: str
    has_row: bool


@dataclass(frozen=True)
class OrphanReport:
    objects: list[Orphan]

    @property
    def count(self) -> int:
        return len(self.objects)

    @property
    def total_size(self) -> int:
        return sum(o.size for o in self.objects)


@dataclass(frozen=True)
class Purged:
    keys: list[str]
    total_size: int

    @property
    def count(self) -> int:
        return len(self.keys)


def find_orphans(session: Session, storage: Storage, *, actor: User | None, now: datetime) -> OrphanReport:
    """Public objects referenced by no row (older than ORPHAN_GRACE), with their total size."""
    require_staff(actor)
    referenced = referenced_keys(session)
    candidates = sorted(k for k in storage.iter_keys() if k not in referenced)
    rows = {m.key: m for m in session.scalars(select(MediaObject).where(MediaObject.key.in_(candidates)))} \
        if candidates else {}
    orphans = []
    for key in candidates:
        row = rows.get(key)
        if row is not None and row.created_at is not None and _aware(row.created_at) > now - ORPHAN_GRACE:
            continue
        size = row.size if row is not None else (storage.size(key) or 0)
        orphans.append(Orphan(key=key, size=size, content_type=content_type_of(key, row), has_row=row is not None))
    return OrphanReport(objects=orphans)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def purge_orphans(session: Session, storage: Storage, *, actor: User | None, now: datetime,
                  keys: list[str] | None = None) -> Purged:
    """Delete orphaned objects (recomputed now, never trusted from the caller; optionally only
    `keys`) and their rows. ADMIN only; audited."""
    actor = require_admin(actor)
    found = find_orphans(session, storage, actor=actor, now=now).objects
    if keys is not None:
        wanted = set(keys)
        found = [o for o in found if o.key in wanted]
    doomed = [o.key for o in found]
    total_size = sum(o.size for o in found)
    if doomed:
        for row in session.scalars(select(MediaObject).where(MediaObject.key.in_(doomed))):
            session.delete(row)
        session.flush()
        audit.record(session, actor=actor, action=AuditAction.MEDIA_PURGE_ORPHANS, entity="media", entity_id=None,
                     now=now, data={"count": len(doomed), "totalSize": total_size, "keys": doomed[:1000]})
        for key in doomed:
            storage.delete(key)
    return Purged(keys=doomed, total_size=total_size)
