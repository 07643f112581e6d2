"""«Сверка с выпиской» through real HTTP: upload → columns → results → «Одобрить все совпавшие» (CSRF),
bad files as a Russian 400 with nothing stored, ADMIN only."""

from __future__ import annotations

import html
import io
import re

import openpyxl
from sqlalchemy import func, select

from core.models import AuditEvent, BankStatement, BankStatementLine, Notification, Purchase, Subscription
from tests.admin.helpers import EVIL, ORIGIN, csrf_of, login, multipart
from tests.factories_statements import make_pending_purchase, make_pending_subscription, statement_csv, statement_line

PAGE = "/admin/bank-statement"


def _upload(client, data: bytes, name: str = "выписка.csv", token: str | None = None):  # type: ignore[no-untyped-def]
    token = token if token is not None else csrf_of(client)
    body, headers = multipart([("csrf_token", token), ("op", "upload"), ("file", (name, data, "text/csv"))])
    return client.post(PAGE, content=body, headers=headers, follow_redirects=False)


def _post(client, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(PAGE, data={"csrf_token": csrf_of(client), **data}, headers=ORIGIN, follow_redirects=False)


def _selected(page: str, column: str) -> str | None:
    block = re.search(rf'<select[^>]*name="{column}".*?</select>', page, re.S)
    assert block, column
    chosen = re.search(r'<option value="([^"]*)" selected>', block.group(0))
    return html.unescape(chosen.group(1)) if chosen else None


def _count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_upload_choose_columns_see_results_and_approve_all(client, make, session) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    sub, buy = make_pending_subscription(session), make_pending_purchase(session)
    other = make_pending_purchase(session)
    data = statement_csv([statement_line(f"{sub.amount},00", f"Оплата кружка {sub.payment_comment}"),
                          statement_line(f"{buy.amount} тг", f"Курс {buy.sender_code}"),
                          statement_line("1", f"Курс {other.sender_code}"),
                          statement_line("500", "перевод без кода")],
                         header=("Дата операции", "Сумма, тг", "Назначение платежа"), encoding="cp1251")
    page = client.get(PAGE)
    assert page.status_code == 200 and "Сверка с выпиской" in page.text and 'enctype="multipart/form-data"' in page.text

    uploaded = _upload(client, data)
    assert uploaded.status_code == 303 and uploaded.headers["location"].endswith("&step=columns")
    columns = client.get(uploaded.headers["location"]).text
    assert "Выписка загружена, строк: 4." in columns and "Windows-1251" in columns
    assert [_selected(columns, c) for c in ("date", "amount", "comment")] == [
        "Дата операции", "Сумма, тг", "Назначение платежа"]  # guessed from the names
    statement_id = session.scalar(select(BankStatement.id).where(BankStatement.file_name == "выписка.csv"))

    matched = _post(client, {"op": "match", "statement": statement_id, "date": "Дата операции",
                             "amount": "Сумма, тг", "comment": "Назначение платежа"})
    assert matched.status_code == 303
    results = client.get(matched.headers["location"]).text
    assert "Сверка выполнена: совпало 2, другая сумма 1, без совпадений 1." in results
    assert "Совпали: код и сумма заявки (2)" in results and "Код заявки, но другая сумма (1)" in results
    assert "Одобрить все совпавшие (2)" in results and 'data-s7-confirm="Одобрить совпавшие заявки (2)?' in results
    assert sub.user.email in results and "Подписка" in results and "перевод без кода" in results

    approved = _post(client, {"op": "approve", "statement": statement_id})
    assert approved.status_code == 303
    assert "Одобрено заявок: 2." in client.get(approved.headers["location"]).text
    session.expire_all()
    assert (session.get(Subscription, sub.id).status, session.get(Purchase, buy.id).status,
            session.get(Purchase, other.id).status) == ("ACTIVE", "APPROVED", "PENDING")

    again = _post(client, {"op": "approve", "statement": statement_id})  # a double click
    assert "ничего не изменено" in client.get(again.headers["location"]).text
    reupload = _upload(client, data)
    assert reupload.headers["location"] == f"{PAGE}?statement={statement_id}"
    assert "уже загружалась" in client.get(reupload.headers["location"]).text
    assert _count(session, Notification, Notification.user_id.in_([sub.user_id, buy.user_id]),
                  Notification.type.in_(["SUBSCRIPTION_APPROVED", "PURCHASE_APPROVED"])) == 2
    assert _count(session, BankStatement) == 1


def test_the_next_statement_opens_with_the_remembered_columns(client, make, session) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    header = ("Когда", "Приход", "Расход", "Текст")
    first = _upload(client, statement_csv([("01.12.2026", "2000", "", "код 12345678")], header=header))
    statement_id = first.headers["location"].split("statement=")[1].split("&")[0]
    _post(client, {"op": "match", "statement": statement_id, "date": "Когда", "amount": "Приход", "comment": "Текст"})
    book = openpyxl.Workbook()
    for row in (("Текст", "Расход", "Приход", "Когда"), ("код 1", 0, 100, "02.12.2026")):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    second = _upload(client, out.getvalue(), name="декабрь.xlsx")
    page = client.get(second.headers["location"]).text
    assert "XLSX" in page
    assert [_selected(page, c) for c in ("date", "amount", "comment")] == ["Когда", "Приход", "Текст"]


def test_bad_files_are_a_russian_400_and_nothing_is_stored(client, make, session) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    cases = {
        "больше 20 000 строк": statement_csv([statement_line("2000", f"п {i}") for i in range(50_000)]),
        "кодировку": "Date;Amount;Comment\r\n01.12.2026;2000;Café Müller reçu\r\n".encode("cp1252"),
        "не найдена таблица": "одна колонка\r\n".encode(),
        "XLS (Excel 97–2003)": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
    }
    for message, data in cases.items():
        answer = _upload(client, data)
        assert answer.status_code == 400, message
        assert message in html.unescape(re.search(r'id="statement-error">(.*?)</div>', answer.text, re.S).group(1))
    body, headers = multipart([("csrf_token", csrf_of(client)), ("op", "upload"),
                               ("file", ("", b"", "application/octet-stream"))])  # a browser's "no file chosen"
    no_file = client.post(PAGE, content=body, headers=headers)
    assert no_file.status_code == 400 and "Выберите файл выписки" in no_file.text
    assert _count(session, BankStatement) == 0 and _count(session, AuditEvent) == 0


def test_a_missing_column_redisplays_the_choice_with_an_error(client, make, session) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    uploaded = _upload(client, statement_csv([("01.12.2026", "код 12345678")], header=("Дата", "Комментарий")))
    statement_id = uploaded.headers["location"].split("statement=")[1].split("&")[0]
    answer = _post(client, {"op": "match", "statement": statement_id, "date": "Дата", "amount": "Сумма",
                            "comment": "Комментарий"})
    assert answer.status_code == 400
    assert "Столбца «Сумма» нет в этой выписке" in html.unescape(answer.text)
    assert 'id="statement-columns"' in answer.text
    assert set(session.scalars(select(BankStatementLine.status))) == {"NEW"}
    unknown = _post(client, {"op": "approve", "statement": "00000000-0000-4000-8000-00000000dead"})
    assert "Выписка не найдена" in client.get(unknown.headers["location"]).text
    assert client.get(f"{PAGE}?statement=abc%00").status_code == 404


def test_csrf_and_origin_are_required(client, make, session) -> None:  # type: ignore[no-untyped-def]
    login(client, make.admin())
    data = statement_csv([statement_line("2000", "12345678")])
    assert _upload(client, data, token="forged").status_code == 403
    body, headers = multipart([("csrf_token", csrf_of(client)), ("op", "upload"),
                               ("file", ("x.csv", data, "text/csv"))])
    assert client.post(PAGE, content=body, headers={**headers, **EVIL}).status_code == 403
    assert client.post(PAGE, data={"op": "approve", "statement": "x"}, headers=ORIGIN).status_code == 403
    assert _count(session, BankStatement) == 0


def test_support_cannot_open_or_use_the_page(client, make, session) -> None:  # type: ignore[no-untyped-def]
    login(client, make.support())
    assert client.get(PAGE).status_code == 403
    assert "Сверка с выпиской" not in client.get("/admin/").text
    assert _upload(client, statement_csv([statement_line("2000", "12345678")])).status_code == 403
    assert _post(client, {"op": "approve", "statement": "x"}).status_code == 403
    assert _count(session, BankStatement) == 0
