"""Reading bank statement exports: CSV in the encodings and delimiters banks use, XLSX, and bad files."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from core.errors import Invalid
from core.services.statement_parse import MAX_LINES, decode, parse_amount, read_table
from tests.factories_statements import statement_csv

LINES = [("01.12.2026", "2 000,00", "Оплата кружка 48213907"), ("02.12.2026", "8000.00", "курс код 5521")]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_delimiters_are_sniffed(delimiter: str) -> None:
    table = read_table(statement_csv(LINES, delimiter=delimiter))
    assert table.headers == ["Дата", "Сумма", "Комментарий"]
    assert [cells for _, cells in table.rows] == [list(line) for line in LINES]
    assert table.source.startswith("CSV, UTF-8")


def test_semicolon_file_with_decimal_commas_is_not_split_on_commas() -> None:
    table = read_table(statement_csv([("01.12.2026", "2000,00", "код 4821"), ("01.12.2026", "150,50", "x")]))
    assert "«;»" in table.source and table.rows[0][1][1] == "2000,00"


def test_utf8_bom_and_cp1251_are_detected() -> None:
    bom = b"\xef\xbb\xbf" + statement_csv(LINES)
    table = read_table(bom)
    assert table.headers[0] == "Дата" and "UTF-8 (BOM)" in table.source
    windows = read_table(statement_csv(LINES, encoding="cp1251"))
    assert windows.headers == ["Дата", "Сумма", "Комментарий"] and "Windows-1251" in windows.source
    assert windows.rows[0][1][2] == "Оплата кружка 48213907"


def test_utf16_with_bom_from_excel_unicode_text() -> None:
    table = read_table(statement_csv(LINES, delimiter="\t", encoding="utf-16"))
    assert table.headers == ["Дата", "Сумма", "Комментарий"] and "UTF-16" in table.source


def test_western_text_is_not_taken_for_windows_1251() -> None:
    data = "Date;Amount;Comment\r\n01.12.2026;2000;Café Müller paiement reçu\r\n".encode("cp1252")
    with pytest.raises(Invalid) as error:
        decode(data)
    assert error.value.code == "invalid_statement" and "кодировку" in error.value.message


def test_preamble_above_the_table_is_skipped_and_row_numbers_are_the_files() -> None:
    data = statement_csv(LINES, preamble=["Выписка по счёту KZ123", "Период: 01.12.2026 – 02.12.2026", ""])
    table = read_table(data)
    assert table.headers == ["Дата", "Сумма", "Комментарий"]
    assert [number for number, _ in table.rows] == [5, 6]


def test_empty_and_duplicate_headers_get_names_and_short_rows_are_padded() -> None:
    data = statement_csv([("01.12.2026", "100")], header=("Дата", "", "Дата"))
    table = read_table(data)
    assert table.headers == ["Дата", "Столбец 2", "Дата (2)"]
    assert table.rows[0][1] == ["01.12.2026", "100", ""]


def test_control_characters_and_nul_free_cells() -> None:
    data = "Дата;Сумма;Комментарий\r\n01.12.2026;100;\"код\n4821\x1b\"\r\n".encode()
    assert read_table(data).rows[0][1][2] == "код 4821"


def _xlsx(rows: list[tuple[object, ...]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_with_dates_and_numbers() -> None:
    data = _xlsx([("Выписка Kaspi Business",), ("Дата операции", "Сумма", "Детали платежа"),
                  (datetime(2026, 12, 1), 2000, "Оплата 48213907"), (datetime(2026, 12, 1, 9, 30), 2000.5, "код 5521"),
                  (None, None, None)])
    table = read_table(data)
    assert table.source == "XLSX" and table.headers == ["Дата операции", "Сумма", "Детали платежа"]
    assert [cells for _, cells in table.rows] == [["01.12.2026", "2000", "Оплата 48213907"],
                                                  ["01.12.2026 09:30", "2000.5", "код 5521"]]
    assert [number for number, _ in table.rows] == [3, 4]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"PK\x03\x04not really a zip", "xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "xls"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("только одна колонка\r\nи ещё строка\r\n".encode(), "no_table"),
    (bytes(range(128, 256)) * 4, "encoding"),
])
def test_unreadable_files_are_refused_in_russian(data: bytes, reason: str) -> None:
    with pytest.raises(Invalid) as error:
        read_table(data)
    assert error.value.code == "invalid_statement" and error.value.details["reason"] == reason
    assert any("а" <= c <= "я" for c in error.value.message.lower())


def test_50000_lines_are_refused_with_the_limit_in_the_message() -> None:
    lines = [("01.12.2026", "2000", f"платёж {i}") for i in range(50_000)]
    with pytest.raises(Invalid) as error:
        read_table(statement_csv(lines))
    assert error.value.details == {"reason": "too_many_lines", "maxLines": MAX_LINES}
    assert "больше 20 000 строк" in error.value.message


def test_exactly_the_limit_is_accepted() -> None:
    lines = [("01.12.2026", "2000", "x")] * MAX_LINES
    assert len(read_table(statement_csv(lines)).rows) == MAX_LINES


@pytest.mark.parametrize(("text", "minor"), [
    ("2 000,00", 200000), ("2000.00", 200000), ("2 000 ₸", 200000), ("2\u00a0000,50", 200050),
    ("2,000.50", 200050), ("2.000,50", 200050), ("2,000", 200000), ("2.000.000", 200000000),
    ("8000", 800000), ("+2000", 200000), ("-1 500,00", -150000), ("(1 500)", -150000), ("2000 KZT", 200000),
    ("2000тг", 200000), ("0,5", 50), ("2000.5", 200050),
])
def test_amounts_are_read_robustly(text: str, minor: int) -> None:
    assert parse_amount(text) == minor


@pytest.mark.parametrize("text", ["", "abc", "1e5", "2,5,0", "2000.505", "2.000,00,0", "--5", "2 000 руб. 50",
                                  "12,34.56", "9" * 30, "₸", "2,00,000"])
def test_junk_amounts_are_none(text: str) -> None:
    assert parse_amount(text) is None
