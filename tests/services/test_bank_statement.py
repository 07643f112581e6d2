"""«Сверка с выпиской»: upload, column choice, matching against PENDING requests, «Одобрить все совпавшие»."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from core.clock import utcnow
from core.errors import FileTooLarge, Forbidden, Invalid
from core.models import (
    AuditEvent,
    BankStatement,
    BankStatementLine,
    CourseEnrollment,
    EmailOutbox,
    Notification,
    Purchase,
    Subscription,
)
from core.services import bank_statement, purchases, statement_parse
from tests.factories_statements import (
    bulk_pending,
    free_code,
    make_pending_purchase,
    make_pending_subscription,
    statement_csv,
    statement_line,
)

TZ = "Asia/Almaty"
COLUMNS = {"date": "Дата", "amount": "Сумма", "comment": "Комментарий"}


def _upload(session, admin, lines, **kwargs):  # type: ignore[no-untyped-def]
    return bank_statement.upload_statement(session, actor=admin, file_name="выписка.csv",
                                           data=statement_csv(lines, **kwargs), now=utcnow())


def _matched(session, admin, lines, columns=COLUMNS):  # type: ignore[no-untyped-def]
    upload = _upload(session, admin, lines)
    bank_statement.match_statement(session, actor=admin, statement_id=upload.statement.id, columns=columns,
                                   now=utcnow())
    return upload.statement


def _lines(session, statement) -> dict[int, BankStatementLine]:  # type: ignore[no-untyped-def]
    session.flush()
    session.expire_all()
    rows = session.scalars(select(BankStatementLine).where(BankStatementLine.statement_id == statement.id))
    return {line.line_no: line for line in rows}


def _approve(session, admin, statement):  # type: ignore[no-untyped-def]
    return bank_statement.approve_matched(session, actor=admin, statement_id=statement.id, now=utcnow(), timezone=TZ)


def _count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_exact_amounts_match_requests_of_both_kinds(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    sub = make_pending_subscription(session)
    buy = make_pending_purchase(session)
    amount = f"{sub.amount:,}.00".replace(",", " ")  # «2 000.00»
    statement = _matched(session, admin, [statement_line(amount, f"Оплата {sub.payment_comment}"),
                                          statement_line(f"{buy.amount} ₸", f"курс, код:{buy.sender_code};")])
    lines = _lines(session, statement)
    assert [(lines[n].status, lines[n].request_kind, lines[n].request_id) for n in (2, 3)] == [
        ("MATCHED", "SUBSCRIPTION", sub.id), ("MATCHED", "PURCHASE", buy.id)]
    assert lines[2].amount_minor == sub.amount * 100 and lines[2].date_text == "01.12.2026"
    assert buy.user.email in lines[3].request_label


def test_a_different_amount_is_listed_with_both_amounts(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    buy = make_pending_purchase(session)
    statement = _matched(session, admin, [statement_line("1 500,50", f"{buy.sender_code}")])
    line = _lines(session, statement)[2]
    assert (line.status, line.request_id) == ("AMOUNT_MISMATCH", buy.id)
    assert line.note == f"В выписке 1500,50 ₸, в заявке {buy.amount} ₸"


def test_a_code_inside_a_longer_number_is_not_a_match(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    short = make_pending_purchase(session, code=free_code(session, 4))
    long = make_pending_subscription(session)
    amount = f"{long.amount}"
    statement = _matched(session, admin, [
        statement_line(amount, f"счёт 12{long.payment_comment}"),  # the code is the tail of a longer number
        statement_line(amount, f"{long.payment_comment}9"),
        statement_line(f"{short.amount}", f"тел 8701{short.sender_code}"),
        statement_line(f"{short.amount}", f"№{short.sender_code}, Иванов"),
    ])
    lines = _lines(session, statement)
    assert [lines[n].status for n in (2, 3, 4, 5)] == ["UNMATCHED", "UNMATCHED", "UNMATCHED", "MATCHED"]
    assert lines[5].request_id == short.id


def test_unreadable_amounts_empty_comments_and_repeats(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    sub = make_pending_subscription(session)
    other = make_pending_subscription(session)
    amount = f"{sub.amount}"
    statement = _matched(session, admin, [
        statement_line("две тысячи", sub.payment_comment),
        statement_line(amount, ""),
        statement_line(amount, f"{sub.payment_comment}"),
        statement_line(amount, f"повтор {sub.payment_comment}"),
        statement_line(amount, f"{sub.payment_comment} {other.payment_comment}"),
    ])
    lines = _lines(session, statement)
    assert [lines[n].status for n in range(2, 7)] == ["INVALID", "UNMATCHED", "MATCHED", "UNMATCHED", "UNMATCHED"]
    assert lines[2].note == "Сумма «две тысячи» не распознана"
    assert lines[5].note.startswith("Заявка уже сопоставлена строке 4")
    assert "нескольких заявок" in lines[6].note


def test_approve_all_approves_each_matched_request_once(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    sub, buy = make_pending_subscription(session), make_pending_purchase(session)
    rows = [statement_line(f"{sub.amount}", sub.payment_comment), statement_line(f"{buy.amount}", buy.sender_code),
            statement_line("100", "чужой перевод")]
    statement = _matched(session, admin, rows)
    first = _approve(session, admin, statement)
    assert (first.approved, first.skipped) == (2, 0)
    session.flush()
    session.expire_all()
    assert (session.get(Subscription, sub.id).status, session.get(Purchase, buy.id).status) == ("ACTIVE", "APPROVED")
    assert _count(session, CourseEnrollment, CourseEnrollment.user_id == buy.user_id) == 1
    assert [line.status for line in _lines(session, statement).values()] == ["APPROVED", "APPROVED", "UNMATCHED"]

    again = _approve(session, admin, statement)  # a double click
    assert (again.approved, again.skipped) == (0, 0)
    reupload = _upload(session, admin, rows)  # the same file uploaded again
    assert reupload.reused and reupload.statement.id == statement.id
    bank_statement.match_statement(session, actor=admin, statement_id=statement.id, columns=COLUMNS, now=utcnow())
    assert _approve(session, admin, statement).approved == 0

    for user_id, kind in ((sub.user_id, "SUBSCRIPTION_APPROVED"), (buy.user_id, "PURCHASE_APPROVED")):
        assert _count(session, Notification, Notification.user_id == user_id, Notification.type == kind) == 1
    assert _count(session, EmailOutbox, EmailOutbox.to_addr.in_([sub.user.email, buy.user.email])) == 2
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id)).all()
    assert sorted(a for a in actions if a.endswith(".approve")) == ["purchase.approve", "subscription.approve"]
    assert actions.count("statement.approve_all") == 3 and actions.count("statement.upload") == 1


def test_another_statement_with_the_same_transfer_approves_nothing_twice(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    sub = make_pending_subscription(session)
    line = statement_line(f"{sub.amount}", sub.payment_comment)
    first = _matched(session, admin, [line])
    second = _matched(session, admin, [line, statement_line("5", "ещё строка")])  # an overlapping export
    assert _approve(session, admin, first).approved == 1
    result = _approve(session, admin, second)
    assert (result.approved, result.skipped) == (0, 1)
    assert _lines(session, second)[2].note == "Заявка уже была одобрена раньше: пропущена"
    assert _count(session, Notification, Notification.user_id == sub.user_id,
                  Notification.type == "SUBSCRIPTION_APPROVED") == 1


def test_a_request_rejected_after_matching_is_skipped(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    sub, buy = make_pending_subscription(session), make_pending_purchase(session)
    statement = _matched(session, admin, [statement_line(f"{sub.amount}", sub.payment_comment),
                                          statement_line(f"{buy.amount}", buy.sender_code)])
    purchases.reject_purchase(session, actor=admin, purchase_id=buy.id, reason="Нет перевода", now=utcnow())
    result = _approve(session, admin, statement)
    assert (result.approved, result.skipped, result.skipped_lines) == (1, 1, [3])
    line = _lines(session, statement)[3]
    assert (line.status, line.note) == ("UNMATCHED", "Заявка уже отклонена: пропущена, проверьте вручную")
    assert session.get(Purchase, buy.id).status == "REJECTED"


def _state(session) -> tuple[int, int, int, list[str]]:  # type: ignore[no-untyped-def]
    session.flush()
    session.expire_all()
    return (_count(session, BankStatement), _count(session, BankStatementLine), _count(session, AuditEvent),
            sorted(session.scalars(select(BankStatementLine.status)).all()))


@pytest.mark.parametrize(("columns", "field", "message"), [
    ({**COLUMNS, "amount": "Сумма в валюте"}, "amount", "Столбца «Сумма в валюте» нет в этой выписке"),
    ({**COLUMNS, "comment": ""}, "comment", "Выберите столбец «Комментарий к платежу»"),
    ({**COLUMNS, "date": None}, "date", "Выберите столбец «Дата»"),
    ({**COLUMNS, "comment": "Сумма"}, "comment", "Сумма и комментарий должны быть в разных столбцах"),
    ({**COLUMNS, "amount": "Сумма\x00"}, "amount", "нет в этой выписке"),
])
def test_a_missing_or_wrong_column_changes_nothing(session, make, columns, field, message) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    upload = _upload(session, admin, [statement_line("2000", "12345678")])
    before = _state(session)
    with pytest.raises(Invalid) as error:
        bank_statement.match_statement(session, actor=admin, statement_id=upload.statement.id, columns=columns,
                                       now=utcnow())
    assert error.value.details["fields"][0]["field"] == field and message in error.value.message
    assert _state(session) == before and before[3] == ["NEW"]


def test_a_statement_without_the_amount_column_cannot_be_matched(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    upload = _upload(session, admin, [("01.12.2026", "12345678")], header=("Дата", "Комментарий"))
    with pytest.raises(Invalid) as error:
        bank_statement.match_statement(session, actor=admin, statement_id=upload.statement.id, columns=COLUMNS,
                                       now=utcnow())
    assert "Столбца «Сумма» нет в этой выписке" in error.value.message


@pytest.mark.parametrize("data", [
    statement_csv([statement_line("2000", f"платёж {i}") for i in range(50_000)]),
    "Date;Amount;Comment\r\n01.12.2026;2000;Café Müller reçu\r\n".encode("cp1252"),
    "только одна колонка\r\n".encode(),
])
def test_a_bad_file_is_refused_and_nothing_is_stored(session, make, data) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    before = _state(session)
    with pytest.raises(Invalid) as error:
        bank_statement.upload_statement(session, actor=admin, file_name="x.csv", data=data, now=utcnow())
    assert error.value.code == "invalid_statement"
    assert _state(session) == before


def test_a_file_over_the_size_limit_is_413(session, make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FileTooLarge):
        bank_statement.upload_statement(session, actor=make.admin(), file_name="x.csv",
                                        data=b"a;b\r\n" * (statement_parse.MAX_BYTES // 5 + 1), now=utcnow())


def test_support_and_users_may_not_upload_match_or_approve(session, make) -> None:  # type: ignore[no-untyped-def]
    upload = _upload(session, make.admin(), [statement_line("2000", "12345678")])
    for actor in (make.support(), make.student()):
        with pytest.raises(Forbidden):
            bank_statement.upload_statement(session, actor=actor, file_name="x.csv", data=b"a;b\n1;2\n", now=utcnow())
        with pytest.raises(Forbidden):
            bank_statement.match_statement(session, actor=actor, statement_id=upload.statement.id, columns=COLUMNS,
                                           now=utcnow())
        with pytest.raises(Forbidden):
            bank_statement.approve_matched(session, actor=actor, statement_id=upload.statement.id, now=utcnow(),
                                           timezone=TZ)


def test_the_column_choice_is_remembered_by_header_names(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    header = ("Дата операции", "Приход", "Расход", "Детали платежа")
    first = _upload(session, admin, [("01.12.2026", "2000", "", "код 12345678")], header=header).statement
    guessed = bank_statement.suggest_columns(session, actor=admin, statement=first)
    assert guessed == {"date": "Дата операции", "amount": "Приход", "comment": "Детали платежа"}
    chosen = {"date": "Дата операции", "amount": "Расход", "comment": "Детали платежа"}
    bank_statement.match_statement(session, actor=admin, statement_id=first.id, columns=chosen, now=utcnow())
    # the next month's export: same names, another order, one more column
    later = _upload(session, admin, [("Примечание", "Детали платежа", "Расход", "Приход", "Дата операции")],
                    header=("Примечание", "Детали платежа", "Расход", "Приход", "Дата операции")).statement
    assert bank_statement.suggest_columns(session, actor=admin, statement=later) == chosen
    assert bank_statement.suggest_columns(session, actor=admin, statement=first) == chosen


def test_unmatched_lines_of_the_last_matched_statement_are_counted(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    sub = make_pending_subscription(session)
    _matched(session, admin, [statement_line("1", "старая выписка")] * 3)
    statement = _matched(session, admin, [statement_line(f"{sub.amount}", sub.payment_comment),
                                          statement_line("1", sub.payment_comment), statement_line("1", "?"),
                                          statement_line("x", "?")])
    assert bank_statement.unmatched_line_count(session) == 2  # one other amount, one without a code
    report = bank_statement.statement_report(session, actor=admin, statement_id=statement.id)
    assert report.counts == {"MATCHED": 1, "AMOUNT_MISMATCH": 1, "UNMATCHED": 1, "INVALID": 1}
    assert [line.line_no for line in report.lines["UNMATCHED"]] == [4]


def test_10000_lines_against_1000_pending_requests_in_a_fixed_number_of_queries(session, make,  # type: ignore[no-untyped-def]
                                                                               count_queries) -> None:
    admin = make.admin()
    codes = bulk_pending(session, 1000)
    formats = ("{:,}.00", "{} ₸", "{},00", "{}")
    lines = [statement_line(formats[i % 4].format(amount).replace(",", " ", 1 if i % 4 == 0 else 0),
                            f"Перевод Kaspi, код {code}, Плательщик {i}") for i, (code, amount) in enumerate(codes)]
    lines += [statement_line(f"{1000 + i}", f"Поступление по договору 1{i:07d}") for i in range(9000)]
    data = statement_csv(lines)
    started = time.perf_counter()
    with count_queries() as uploaded:
        upload = bank_statement.upload_statement(session, actor=admin, file_name="big.csv", data=data, now=utcnow())
        session.flush()
    middle = time.perf_counter()
    with count_queries() as matched:
        bank_statement.match_statement(session, actor=admin, statement_id=upload.statement.id, columns=COLUMNS,
                                       now=utcnow())
        session.flush()
    done = time.perf_counter()
    print(f"\n10 000 lines vs 1 000 pending: upload {middle - started:.2f} s ({uploaded()} queries), "
          f"match {done - middle:.2f} s ({matched()} queries)")
    assert uploaded() <= 8 and matched() <= 10
    counts = dict(session.execute(select(BankStatementLine.status, func.count())
                                  .where(BankStatementLine.statement_id == upload.statement.id)
                                  .group_by(BankStatementLine.status)).all())
    assert counts == {"MATCHED": 1000, "UNMATCHED": 9000}


def test_approve_all_counts_notifications_once_per_request(session, make) -> None:  # type: ignore[no-untyped-def]
    admin = make.admin()
    subs = [make_pending_subscription(session) for _ in range(3)]
    statement = _matched(session, admin, [statement_line(f"{s.amount}", s.payment_comment) for s in subs])
    before = _count(session, Notification, Notification.type == "SUBSCRIPTION_APPROVED")
    assert _approve(session, admin, statement).approved == 3
    assert _approve(session, admin, statement).approved == 0
    assert _count(session, Notification, Notification.type == "SUBSCRIPTION_APPROVED") == before + 3
    assert {s.status for s in session.scalars(select(Subscription).where(
        Subscription.id.in_([s.id for s in subs])))} == {"ACTIVE"}
