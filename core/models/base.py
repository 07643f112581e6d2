"""Declarative base, string UUID keys and a UTC-aware timestamp type for both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC; always returned timezone-aware (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class IdMixin:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(default=_utcnow, nullable=False)


def check_in(column: str, values: type[StrEnum], *, name: str) -> CheckConstraint:
    """`column IN ('A','B',…)` built from an enum, in the enum's order (the migrations hold the same text)."""
    listed = ",".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name, info={"enum": values})


def fk(target: str, *, ondelete: str = "RESTRICT", nullable: bool = False, index: bool = True) -> Any:
    """A string-UUID foreign key. RESTRICT by default: history (attendance, scores, payments, XP) is
    never deleted by a cascade; children without history are deleted with their parent by core/services/deletion.py
    (docs/decisions.md "History that cannot be deleted")."""
    from sqlalchemy import ForeignKey

    return mapped_column(String(36), ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)
