"""«Сверка с выпиской»: a bank statement approves the PENDING payment requests it proves (ADMIN only).

    upload_statement   the file is read (statement_parse) and kept with its lines; the same file
                       again (same SHA-256) reopens the statement it already is
    suggest_columns    the date/amount/comment columns to pre-select: the statement's own choice, else
                       the last choice whose header names this file has, else a guess from the names
    match_statement    the chosen columns are read and every line is matched (statement_match) against
                       all PENDING subscriptions and course purchases, loaded once: a fixed number of
                       queries whatever the size of the statement
    approve_matched    «Одобрить все совпавшие»: each MATCHED line's request through the same approve
                       service as a single approve (its lock and status check make it exactly once:
                       a request that is no longer PENDING is skipped), the line marked APPROVED
    statement_report   the lines by result for the page; `unmatched_line_count` for the home page
The statement row is locked (FOR UPDATE) by match and approve, so two runs on one statement queue up.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import Conflict, ErrorCode, FileTooLarge, NotFound, field_error
from core.models import (
    AuditAction,
    BankStatement,
    BankStatementLine,
    Course,
    PaymentKind,
    Purchase,
    PurchaseStatus,
    Subscription,
    SubscriptionPlan,
    SubscriptionStatus,
    User,
    new_id,
)
from core.models import StatementLineStatus as S
from core.services import audit, clean, purchases, statement_match, statement_parse, subscriptions
from core.services.permissions import require_admin
from core.services.statement_match import Pending
from core.texts import money

COLUMNS = ("date", "amount", "comment")
COLUMN_LABELS = {"date": "Дата", "amount": "Сумма", "comment": "Комментарий к платежу"}
GUESSES = {"date": ("дата", "date"), "amount": ("сумма", "amount", "кредит", "приход"),
           "comment": ("коммент", "назначение", "описание", "детали", "comment", "purpose", "details")}
ATTENTION = (S.UNMATCHED, S.AMOUNT_MISMATCH)  # what «строки без совпадений» counts
DECIDED_AS_PAID = {SubscriptionStatus.ACTIVE, SubscriptionStatus.EXPIRED, PurchaseStatus.APPROVED}
NOT_FOUND = "Выписка не найдена"


@dataclass(frozen=True)
class Upload:
    statement: BankStatement
    reused: bool  # the same file was uploaded before: its statement is reopened, nothing is stored again


def upload_statement(session: Session, *, actor: User | None, file_name: Any, data: bytes, now: datetime) -> Upload:
    """Store a statement file and its lines. 413 `file_too_large`; 422 `invalid_statement`."""
    actor = require_admin(actor)
    if len(data) > statement_parse.MAX_BYTES:
        raise FileTooLarge(f"Файл выписки больше {statement_parse.MAX_BYTES // (1024 * 1024)} МБ: выгрузите выписку "
                           "за более короткий период.", details={"maxBytes": statement_parse.MAX_BYTES})
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(BankStatement).where(BankStatement.file_hash == digest))
    if existing is not None:
        return Upload(existing, True)
    table = statement_parse.read_table(data)
    statement = BankStatement(id=new_id(), file_hash=digest, file_name=_file_name(file_name), source=table.source,
                              headers=table.headers, line_count=len(table.rows), uploaded_by_id=actor.id,
                              created_at=now)
    try:
        with session.begin_nested():  # the same file uploaded at the same moment: one statement
            session.add(statement)
            session.flush()
    except IntegrityError:
        again = session.scalar(select(BankStatement).where(BankStatement.file_hash == digest))
        if again is None:
            raise
        return Upload(again, True)
    if table.rows:
        session.execute(insert(BankStatementLine), [
            {"id": new_id(), "statement_id": statement.id, "line_no": number, "cells": cells, "status": S.NEW}
            for number, cells in table.rows])
    audit.record(session, actor=actor, action=AuditAction.STATEMENT_UPLOAD, entity="bank_statement",
                 entity_id=statement.id, now=now,
                 data={"fileName": statement.file_name, "lines": statement.line_count, "source": table.source})
    return Upload(statement, False)


def _file_name(value: Any) -> str:
    name = re.split(r"[\\/]", str(value or ""))[-1]
    return statement_parse.clean_cell(name, 200) or "выписка"


def get_statement(session: Session, *, actor: User | None, statement_id: Any) -> BankStatement:
    require_admin(actor)
    statement = clean.get_row(session, BankStatement, statement_id)
    if statement is None:
        raise NotFound(NOT_FOUND)
    return statement


def latest_statement(session: Session, *, actor: User | None) -> BankStatement | None:
    """The most recently uploaded statement (the page opens on it)."""
    require_admin(actor)
    return session.scalar(select(BankStatement).order_by(BankStatement.created_at.desc(), BankStatement.id).limit(1))


def recent_statements(session: Session, *, actor: User | None, limit: int = 10) -> list[BankStatement]:
    require_admin(actor)
    return list(session.scalars(select(BankStatement).order_by(BankStatement.created_at.desc(), BankStatement.id)
                                .limit(limit)))


def preview_lines(session: Session, *, actor: User | None, statement: BankStatement,
                  limit: int = 5) -> list[BankStatementLine]:
    """The first lines of the file, shown next to the column choice."""
    require_admin(actor)
    return list(session.scalars(select(BankStatementLine).where(BankStatementLine.statement_id == statement.id)
                                .order_by(BankStatementLine.line_no).limit(limit)))


def suggest_columns(session: Session, *, actor: User | None, statement: BankStatement) -> dict[str, str]:
    """{date, amount, comment} → header name to pre-select ("" when nothing fits)."""
    require_admin(actor)
    headers = list(statement.headers)
    own = _choice_of(statement)
    if all(own.values()):
        return own
    last = session.scalar(select(BankStatement).where(BankStatement.matched_at.is_not(None))
                          .order_by(BankStatement.matched_at.desc()).limit(1))
    remembered = _choice_of(last) if last is not None else {}
    choice: dict[str, str] = {}
    for column in COLUMNS:
        name = remembered.get(column) or ""
        if name not in headers:
            name = next((h for h in headers if any(w in h.lower() for w in GUESSES[column])), "")
        choice[column] = name
    return choice


def _choice_of(statement: BankStatement) -> dict[str, str]:
    return {"date": statement.date_column or "", "amount": statement.amount_column or "",
            "comment": statement.comment_column or ""}


def _locked(session: Session, statement_id: Any) -> BankStatement:
    statement = None if clean.get_row(session, BankStatement, statement_id) is None else session.scalar(
        select(BankStatement).where(BankStatement.id == statement_id).with_for_update()
        .execution_options(populate_existing=True))
    if statement is None:
        raise NotFound(NOT_FOUND)
    return statement


def _column(headers: list[str], value: Any, column: str) -> int:
    label = COLUMN_LABELS[column]
    name = str(value if value is not None else "").strip()
    if not name:
        raise field_error(column, f"Выберите столбец «{label}»")
    if name not in headers:
        raise field_error(column, f"Столбца «{name[:100]}» нет в этой выписке: выберите столбец «{label}» из списка")
    return headers.index(name)


def load_pending(session: Session) -> dict[str, Pending]:
    """Every PENDING request of both kinds by sender code: two queries."""
    subs = session.execute(
        select(Subscription.id, Subscription.payment_comment, Subscription.amount, Subscription.currency,
               Subscription.type, SubscriptionPlan.title, User.full_name, User.email)
        .join(User, User.id == Subscription.user_id)
        .outerjoin(SubscriptionPlan, SubscriptionPlan.id == Subscription.plan_id)
        .where(Subscription.status == SubscriptionStatus.PENDING)).all()
    buys = session.execute(
        select(Purchase.id, Purchase.sender_code, Purchase.amount, Purchase.currency, Course.title,
               User.full_name, User.email)
        .join(User, User.id == Purchase.user_id).join(Course, Course.id == Purchase.course_id)
        .where(Purchase.status == PurchaseStatus.PENDING)).all()
    pending: dict[str, Pending] = {}
    for sid, code, amount, currency, plan_code, plan_title, name, email in subs:
        label = f"Подписка «{plan_title or plan_code}» — {name}, {email}"
        pending[code] = Pending(PaymentKind.SUBSCRIPTION, sid, code, amount, currency, label[:300])
    for pid, code, amount, currency, title, name, email in buys:
        label = f"Курс «{title}» — {name}, {email}"
        pending[code] = Pending(PaymentKind.PURCHASE, pid, code, amount, currency, label[:300])
    return pending


def match_statement(session: Session, *, actor: User | None, statement_id: Any, columns: dict[str, Any],
                    now: datetime) -> BankStatement:
    """Read the chosen columns and match every line (not those already APPROVED); the choice is
    remembered. 404; 422 a missing or unknown column, or the same column for amount and comment."""
    actor = require_admin(actor)
    statement = _locked(session, statement_id)
    headers = list(statement.headers)
    at = {column: _column(headers, columns.get(column), column) for column in COLUMNS}
    if at["amount"] == at["comment"]:
        raise field_error("comment", "Сумма и комментарий должны быть в разных столбцах")
    rows = session.execute(select(BankStatementLine.id, BankStatementLine.line_no, BankStatementLine.cells)
                           .where(BankStatementLine.statement_id == statement.id,
                                  BankStatementLine.status != S.APPROVED)
                           .order_by(BankStatementLine.line_no)).all()
    lines = [_line(number, cells, at) for _, number, cells in rows]
    results = statement_match.match_lines(lines, load_pending(session))
    if rows:
        session.execute(update(BankStatementLine), [
            _values(row_id, _cell(cells, at["date"])[:40], line, result)
            for (row_id, _, cells), line, result in zip(rows, lines, results, strict=True)])
    statement.date_column, statement.amount_column, statement.comment_column = (
        headers[at["date"]], headers[at["amount"]], headers[at["comment"]])
    statement.matched_at, statement.matched_by_id = now, actor.id
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    audit.record(session, actor=actor, action=AuditAction.STATEMENT_MATCH, entity="bank_statement",
                 entity_id=statement.id, now=now, data={"columns": _choice_of(statement), "counts": counts})
    return statement


def _cell(cells: list[Any], index: int) -> str:
    return str(cells[index]) if index < len(cells) else ""


def _line(number: int, cells: list[Any], at: dict[str, int]) -> statement_match.Line:
    amount_text = _cell(cells, at["amount"])
    return statement_match.Line(line_no=number, amount_minor=statement_parse.parse_amount(amount_text),
                                amount_text=amount_text, comment=_cell(cells, at["comment"]))


def _values(row_id: str, date_text: str, line: statement_match.Line,
            result: statement_match.Result) -> dict[str, Any]:
    request = result.request
    return {"id": row_id, "status": result.status, "amount_minor": line.amount_minor,
            "date_text": date_text or None, "comment": line.comment[:500] or None, "note": result.note,
            "request_kind": request.kind if request else None, "request_id": request.id if request else None,
            "request_amount": request.amount if request else None,
            "request_label": request.label if request else None}


@dataclass
class ApproveResult:
    approved: int = 0
    skipped: int = 0
    skipped_lines: list[int] = field(default_factory=list)


def approve_matched(session: Session, *, actor: User | None, statement_id: Any, now: datetime,
                    timezone: str) -> ApproveResult:
    """«Одобрить все совпавшие»: each MATCHED line's request approved through its approve service (each
    audited, each user notified once); a request decided meanwhile is skipped, never approved twice."""
    actor = require_admin(actor)
    statement = _locked(session, statement_id)
    lines = session.scalars(select(BankStatementLine).where(BankStatementLine.statement_id == statement.id,
                                                            BankStatementLine.status == S.MATCHED)
                            .order_by(BankStatementLine.request_id)).all()  # one lock order: no deadlocks
    result = ApproveResult()
    for line in lines:
        try:
            with session.begin_nested():
                _approve(session, line, actor=actor, now=now, timezone=timezone)
        except NotFound:
            line.status, line.note = S.UNMATCHED, "Заявка не найдена: пропущена"
        except Conflict as error:
            if error.code != ErrorCode.NOT_PENDING:
                raise
            decided = str(error.details.get("status", ""))
            paid = decided in DECIDED_AS_PAID
            line.status = S.APPROVED if paid else S.UNMATCHED
            line.note = ("Заявка уже была одобрена раньше: пропущена" if paid
                         else "Заявка уже отклонена: пропущена, проверьте вручную")
        else:
            line.status, line.note = S.APPROVED, None
            result.approved += 1
            continue
        result.skipped += 1
        result.skipped_lines.append(line.line_no)
    audit.record(session, actor=actor, action=AuditAction.STATEMENT_APPROVE_ALL, entity="bank_statement",
                 entity_id=statement.id, now=now,
                 data={"approved": result.approved, "skipped": result.skipped, "skippedLines": result.skipped_lines})
    return result


def _approve(session: Session, line: BankStatementLine, *, actor: User, now: datetime, timezone: str) -> None:
    if line.request_kind == PaymentKind.SUBSCRIPTION:
        subscriptions.approve_subscription(session, subscription_id=line.request_id or "", actor=actor, now=now,
                                           timezone=timezone)
    else:
        purchases.approve_purchase(session, actor=actor, purchase_id=line.request_id or "", now=now)


@dataclass(frozen=True)
class Report:
    statement: BankStatement
    counts: dict[str, int]
    lines: dict[str, list[BankStatementLine]]  # by status, at most `limit` each, in file order
    limit: int

    def total(self, *statuses: str) -> int:
        return sum(self.counts.get(s, 0) for s in statuses)


def statement_report(session: Session, *, actor: User | None, statement_id: Any, limit: int = 500) -> Report:
    """The statement's lines by result for the page (a query per result, each bounded by `limit`)."""
    statement = get_statement(session, actor=actor, statement_id=statement_id)
    counts = {str(status): int(n) for status, n in session.execute(
        select(BankStatementLine.status, func.count()).where(BankStatementLine.statement_id == statement.id)
        .group_by(BankStatementLine.status)).all()}
    lines: dict[str, list[BankStatementLine]] = {}
    for status in S:
        if counts.get(status):
            lines[status] = list(session.scalars(
                select(BankStatementLine).where(BankStatementLine.statement_id == statement.id,
                                                BankStatementLine.status == status)
                .order_by(BankStatementLine.line_no).limit(limit)))
    return Report(statement=statement, counts=counts, lines=lines, limit=limit)


def unmatched_line_count(session: Session) -> int:
    """Lines of the last matched statement that match no request or differ in amount (the home page
    card «строки выписки без совпадений»); one query."""
    last = (select(BankStatement.id).where(BankStatement.matched_at.is_not(None))
            .order_by(BankStatement.matched_at.desc()).limit(1).scalar_subquery())
    return int(session.scalar(select(func.count()).select_from(BankStatementLine)
                              .where(BankStatementLine.statement_id == last,
                                     BankStatementLine.status.in_(ATTENTION))) or 0)


def amount_text(line: BankStatementLine) -> str:
    return "—" if line.amount_minor is None else statement_match.format_minor(line.amount_minor)


def request_amount_text(line: BankStatementLine) -> str:
    return "—" if line.request_amount is None else money(line.request_amount, "KZT")
