"""Uploaded bank statements («Сверка с выпиской») and their lines with the match result.

A statement is recognised by the SHA-256 of its file (a second upload of the same file reopens it).
Its lines keep the raw cells (the admin picks the date, amount and comment columns after the upload)
and, once matched, the parsed values and the PENDING payment request they point to.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, CreatedMixin, IdMixin, UTCDateTime, check_in, fk
from .payments import PaymentKind


class StatementLineStatus(StrEnum):
    NEW = "NEW"  # uploaded; the columns are not chosen yet
    MATCHED = "MATCHED"  # a PENDING request's sender code with exactly its amount
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"  # a PENDING request's sender code, another amount
    UNMATCHED = "UNMATCHED"  # no PENDING request's sender code (or several requests, or one already taken)
    INVALID = "INVALID"  # the amount cannot be read
    APPROVED = "APPROVED"  # its request was approved by «Одобрить все совпавшие»


class BankStatement(IdMixin, CreatedMixin, Base):
    __tablename__ = "bank_statements"

    file_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    file_name: Mapped[str] = mapped_column(String(200), nullable=False)
    source: Mapped[str] = mapped_column(String(80), nullable=False)  # e.g. "CSV, Windows-1251, «;»"
    headers: Mapped[list[Any]] = mapped_column(nullable=False)
    line_count: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by_id: Mapped[str] = fk("users.id", index=False)
    # The columns the admin chose (header names), remembered for the next statement.
    date_column: Mapped[str | None] = mapped_column(String(100))
    amount_column: Mapped[str | None] = mapped_column(String(100))
    comment_column: Mapped[str | None] = mapped_column(String(100))
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    matched_by_id: Mapped[str | None] = fk("users.id", nullable=True, index=False)


class BankStatementLine(IdMixin, Base):
    __tablename__ = "bank_statement_lines"
    __table_args__ = (
        UniqueConstraint("statement_id", "line_no", name="uq_bank_statement_lines_statement_line"),
        check_in("status", StatementLineStatus, name="status"),
        check_in("request_kind", PaymentKind, name="request_kind"),
        Index("ix_bank_statement_lines_statement_status", "statement_id", "status"),
    )

    statement_id: Mapped[str] = fk("bank_statements.id", index=False)
    line_no: Mapped[int] = mapped_column(Integer, nullable=False)  # the row number in the file
    cells: Mapped[list[Any]] = mapped_column(nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=StatementLineStatus.NEW)
    date_text: Mapped[str | None] = mapped_column(String(40))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)  # in tiyn (1/100 of the currency unit)
    comment: Mapped[str | None] = mapped_column(String(500))
    request_kind: Mapped[str | None] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(36), index=True)  # no FK: one of two tables
    request_amount: Mapped[int | None] = mapped_column(Integer)
    request_label: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(300))
