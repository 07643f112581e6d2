"""Reading a bank statement export into a header row and data rows of text cells.

    CSV   encoding: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251 — detected: a file
          that is not valid UTF-8 is taken as Windows-1251 only when the decoded text reads as Russian
          (Cyrillic words, not Latin letters with stray accents), otherwise it is refused;
          delimiter: «;», tab or «,», whichever splits the first rows into the most consistent table
    XLSX  openpyxl in read-only mode, the first sheet; the unpacked size is checked before reading
The header is the first of the first rows with the most filled cells (bank exports put account
details above the table). Empty rows are skipped. Limits: `MAX_BYTES` per file, `MAX_LINES` data
rows (past it the whole file is refused), `MAX_COLUMNS` columns, `MAX_CELL` characters a cell.
Every refusal is `Invalid` with code `invalid_statement` and a Russian message.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import ErrorCode, Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 20_000
MAX_COLUMNS = 50
MAX_CELL = 500
MAX_HEADER = 100
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
HEADER_SCAN = 30
DELIMITERS = (";", "\t", ",")
DELIMITER_NAMES = {";": "«;»", "\t": "табуляция", ",": "«,»"}
MAX_AMOUNT_MINOR = 10**13  # 100 billion in whole units: anything larger is not a payment

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_RUSSIAN_EXTRA = set("«»—–№…“”„’‘\u00a0•")
_MIXED_WORD = re.compile(r"[A-Za-z][А-Яа-яЁё]|[А-Яа-яЁё][A-Za-z]")


def refuse(message: str, reason: str, **details: Any) -> Invalid:
    return Invalid(message, code=ErrorCode.INVALID_STATEMENT, details={"reason": reason, **details})


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the file, one cell per header)
    source: str  # what was detected, for the page: "CSV, Windows-1251, «;»"


def read_table(data: bytes) -> Table:
    """The statement's table, or `invalid_statement` (422) / `file_too_large` (413)."""
    if not data.strip():
        raise refuse("Файл пустой: выберите выгрузку выписки из банка (CSV или XLSX).", "empty")
    if data.startswith(b"PK\x03\x04"):
        return _table(_xlsx_rows(data), "XLSX")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse("Формат XLS (Excel 97–2003) не поддерживается: сохраните выписку как XLSX или CSV.", "xls")
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    return _table(_csv_rows(text, delimiter), f"CSV, {encoding}, {DELIMITER_NAMES[delimiter]}")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a CSV file; Windows-1251 only when the text reads as Russian."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), "UTF-16"
    except UnicodeDecodeError:
        raise _bad_encoding() from None
    if b"\x00" in data:
        raise refuse("Файл не похож на выписку: это не текст CSV и не таблица XLSX.", "binary")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise _bad_encoding() from None
    if not reads_as_russian(text):
        raise _bad_encoding()
    return text, "Windows-1251"


def _bad_encoding() -> Invalid:
    return refuse("Не удалось определить кодировку файла: сохраните выписку в UTF-8 или Windows-1251 "
                  "(или выгрузите её в XLSX).", "encoding")


def reads_as_russian(text: str) -> bool:
    """Non-ASCII characters are Cyrillic letters (and Russian punctuation), and Cyrillic letters are
    not glued to Latin ones: Western text read as Windows-1251 gives «cafй», «Mьller»."""
    other = [c for c in text if ord(c) > 127]
    cyrillic = sum(1 for c in other if _CYRILLIC.match(c))
    if cyrillic == 0:
        return False
    foreign = sum(1 for c in other if not _CYRILLIC.match(c) and c not in _RUSSIAN_EXTRA)
    mixed = len(_MIXED_WORD.findall(text))
    return foreign <= 0.02 * len(other) and mixed <= 0.05 * cyrillic


def sniff_delimiter(text: str) -> str:
    """The delimiter that gives the most rows of one width (≥ 2 columns) among the first rows."""
    sample = text[:65536].splitlines()[:HEADER_SCAN]
    best: tuple[int, int] = (0, 0)
    chosen = ""
    for delimiter in DELIMITERS:
        try:
            widths = Counter(len(row) for row in csv.reader(sample, delimiter=delimiter)
                             if any(cell.strip() for cell in row))
        except csv.Error:
            continue
        width, count = max(((w, c) for w, c in widths.items() if w >= 2), key=lambda wc: (wc[1], wc[0]),
                           default=(0, 0))
        if (count, width) > best:
            best, chosen = (count, width), delimiter
    if not chosen:
        raise refuse("В файле не найдена таблица: нужны столбцы, разделённые «;», «,» или табуляцией.", "no_table")
    return chosen


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error:
        raise refuse(f"Файл CSV повреждён (строка {reader.line_num}): проверьте кавычки в выписке.",
                     "csv", line=reader.line_num) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # only when an XLSX arrives

    damaged = refuse("Файл XLSX повреждён или не является таблицей Excel.", "xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise damaged from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise refuse("Файл XLSX слишком большой в распакованном виде: выгрузите выписку за более короткий "
                     "период.", "xlsx_unpacked")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises KeyError, XML and zip errors for a damaged file
        raise damaged from None
    try:
        if not book.worksheets:
            raise damaged
        sheet = book.worksheets[0]
        try:
            for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                yield number, [xlsx_cell(v) for v in values]
        except Invalid:
            raise
        except Exception:
            raise damaged from None
    finally:
        book.close()


def xlsx_cell(value: Any) -> str:
    """An XLSX cell as the text a person reads in Excel (dates as ДД.ММ.ГГГГ, numbers without «.0»)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y}" if value.time() == time(0) else f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        number = Decimal(repr(value))
        return str(int(number)) if number == number.to_integral_value() else format(number, "f")
    return str(value)


def clean_cell(value: str, limit: int = MAX_CELL) -> str:
    """No control characters (NUL, line breaks: stored and shown on one line), at most `limit` characters."""
    return _CONTROL.sub(" ", value).strip()[:limit]


def _table(rows: Iterable[tuple[int, list[str]]], source: str) -> Table:
    filled: list[tuple[int, list[str]]] = []
    head: tuple[int, list[str]] | None = None
    data: list[tuple[int, list[str]]] = []
    for number, raw in rows:
        cells = [clean_cell(str(c)) for c in raw[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if head is None:
            filled.append((number, cells))
            if len(filled) < HEADER_SCAN:
                continue
            head, data = _split_header(filled)
            continue
        data.append((number, cells))
        if len(data) > MAX_LINES:
            raise too_many_lines()
    if head is None:
        if not filled:
            raise refuse("В файле нет ни одной строки с данными.", "empty")
        head, data = _split_header(filled)
    if len(data) > MAX_LINES:
        raise too_many_lines()
    headers = _header_names(head[1])
    if len(headers) < 2:
        raise refuse("В выписке нет столбцов: нужны хотя бы сумма и комментарий к платежу.", "no_columns")
    width = len(headers)
    return Table(headers=headers, rows=[(n, (c + [""] * width)[:width]) for n, c in data], source=source)


def too_many_lines() -> Invalid:
    return refuse(f"В выписке больше {MAX_LINES:,} строк — загрузите выписку за более короткий период."
                  .replace(",", " "), "too_many_lines", maxLines=MAX_LINES)


def _split_header(filled: list[tuple[int, list[str]]]) -> tuple[tuple[int, list[str]], list[tuple[int, list[str]]]]:
    most = max(sum(1 for c in cells if c) for _, cells in filled)
    at = next(i for i, (_, cells) in enumerate(filled) if sum(1 for c in cells if c) == most)
    return filled[at], filled[at + 1:]


def _header_names(cells: list[str]) -> list[str]:
    """Trailing empty header cells dropped; an empty name becomes «Столбец N», a repeated one «Имя (2)»."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    names: list[str] = []
    for i, cell in enumerate(cells, start=1):
        name = clean_cell(cell, MAX_HEADER) or f"Столбец {i}"
        base, n = name, 2
        while name in names:
            name, n = f"{base[:MAX_HEADER - 5]} ({n})", n + 1
        names.append(name)
    return names


_SPACES = re.compile(r"[\s\u00a0\u202f'’`]")
_CURRENCY = ("₸", "kzt", "тенге", "тг.", "тг", "т.", "т")


def parse_amount(text: str) -> int | None:
    """An amount in minor units (tiyn): «2 000,00», «2000.00», «2 000 ₸», «2,000.50», «-1 500» → int;
    None when it is not a plain amount («abc», «1e5», «2,5,0», a third decimal digit)."""
    s = _SPACES.sub("", text.replace("\u2212", "-")).lower()
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    for mark in _CURRENCY:
        s = s.removesuffix(mark).removeprefix(mark)
    if s[:1] in "+-" and s:
        negative, s = negative or s[0] == "-", s[1:]
    for mark in _CURRENCY:
        s = s.removesuffix(mark).removeprefix(mark)
    if not re.fullmatch(r"[0-9](?:[0-9.,]*[0-9])?", s):
        return None
    units, fraction = _split_decimal(s)
    if units is None or not units.isdigit() or not (fraction == "" or fraction.isdigit()) or len(fraction) > 2:
        return None
    try:
        minor = int(Decimal(units) * 100 + Decimal(fraction.ljust(2, "0")))
    except InvalidOperation:
        return None
    if minor > MAX_AMOUNT_MINOR:
        return None
    return -minor if negative else minor


def _split_decimal(s: str) -> tuple[str | None, str]:
    """(whole units without thousands separators, decimal digits)."""
    last = max(s.rfind("."), s.rfind(","))
    if last < 0:
        return s, ""
    sep = s[last]
    other = "," if sep == "." else "."
    head, tail = s[:last], s[last + 1:]
    if other in head:  # «2,000.50» / «2.000,50»: the last one is the decimal separator
        return (_thousands(head.split(other)) if sep not in head else None), tail
    if s.count(sep) > 1 or (len(tail) == 3 and len(head) <= 3):  # «2.000.000», «2,000»: thousands
        return _thousands(s.split(sep)), ""
    return head, tail


def _thousands(groups: list[str]) -> str | None:
    """«2», «000», «000» → «2000000»; None unless the groups are 1–3 digits then exactly 3 each."""
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        return None
    return "".join(groups)
