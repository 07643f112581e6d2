"""A table drawn into a PDF (fpdf2) that continues over pages with its header repeated.

    columns = [Column("Ученик", 60), Column("04.12 Урок 1", 9, align="C", vertical=True)]
    draw_table(pdf, columns, [["Анна", Cell("+", fill=GREEN)]], on_new_page=draw_title)

Cells are one line: a text wider than its column is cut with «…» (a table is for scanning, not for
reading paragraphs). Vertical headers (rotated 90°) let many narrow columns carry a readable title.
The document's font must be registered (`core/services/pdf_fonts.Document`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from fpdf import FPDF

from core.services.pdf_fonts import FAMILY

Rgb = tuple[int, int, int]
HEADER_FILL: Rgb = (225, 232, 245)
BORDER: Rgb = (150, 150, 150)
ELLIPSIS = "…"


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # mm
    align: Literal["L", "C", "R"] = "L"
    vertical: bool = False  # the header's text rotated 90°, read bottom to top


@dataclass(frozen=True)
class Cell:
    text: str
    fill: Rgb | None = None
    color: Rgb = (0, 0, 0)
    bold: bool = False


def fit_text(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with «…») so that it fits `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits together with the ellipsis
        middle = (low + high + 1) // 2
        if pdf.get_string_width(text[:middle] + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""


def _lines(pdf: FPDF, text: str, width: float, line: float) -> list[str]:
    """`text` wrapped to `width` mm (at most 3 lines)."""
    lines = pdf.multi_cell(width, line, text, dry_run=True, output="LINES")
    return [str(x) for x in lines][:3] if isinstance(lines, list) else [text]


def _header_height(pdf: FPDF, columns: Sequence[Column], line: float, max_vertical: float) -> float:
    height = line + 2
    for column in columns:
        if column.vertical:
            height = max(height, min(max_vertical, pdf.get_string_width(column.title) + 3))
        else:
            height = max(height, len(_lines(pdf, column.title, column.width, line)) * line + 2)
    return height


def _draw_header(pdf: FPDF, columns: Sequence[Column], *, height: float, line: float, font_size: float) -> None:
    pdf.set_font(FAMILY, "B", font_size)
    pdf.set_fill_color(*HEADER_FILL)
    pdf.set_text_color(0, 0, 0)
    x, y = pdf.l_margin, pdf.get_y()
    for column in columns:
        pdf.rect(x, y, column.width, height, style="DF")
        if column.vertical:
            title = fit_text(pdf, column.title, height - 3)
            base_x = x + column.width / 2 + font_size * 0.3528 * 0.35  # centre the cap height
            with pdf.rotation(90, base_x, y + height - 1.5):
                pdf.text(base_x, y + height - 1.5, title)
        else:
            lines = _lines(pdf, column.title, column.width, line)
            top = y + (height - len(lines) * line) / 2
            for number, text in enumerate(lines):
                pdf.set_xy(x, top + number * line)
                pdf.cell(column.width, line, fit_text(pdf, text, column.width - 1), align=column.align)
        x += column.width
    pdf.set_xy(pdf.l_margin, y + height)


def draw_table(pdf: FPDF, columns: Sequence[Column], rows: Sequence[Sequence[str | Cell]], *,
               font_size: float = 8, row_height: float = 5.5, max_vertical_header: float = 40,
               on_new_page: Callable[[FPDF], None] | None = None) -> int:
    """Draw the header and the rows from the current position; a row that does not fit starts a new
    page (after `on_new_page(pdf)`, e.g. a running title) with the header drawn again. Returns the
    number of pages added. Automatic page breaks must be off (the table breaks itself)."""
    line = font_size * 0.3528 * 1.25
    pdf.set_draw_color(*BORDER)
    pdf.set_line_width(0.2)
    pdf.set_font(FAMILY, "B", font_size)
    header = _header_height(pdf, columns, line, max_vertical_header)
    bottom = pdf.h - pdf.b_margin
    added = 0

    def new_page() -> None:
        nonlocal added
        pdf.add_page()
        added += 1
        if on_new_page is not None:
            on_new_page(pdf)
        _draw_header(pdf, columns, height=header, line=line, font_size=font_size)

    if pdf.get_y() + header + row_height > bottom:
        new_page()
    else:
        _draw_header(pdf, columns, height=header, line=line, font_size=font_size)
    for row in rows:
        if pdf.get_y() + row_height > bottom:
            new_page()
        y = pdf.get_y()
        x = pdf.l_margin
        for column, value in zip(columns, row, strict=True):
            cell = value if isinstance(value, Cell) else Cell(value)
            pdf.set_font(FAMILY, "B" if cell.bold else "", font_size)
            pdf.set_text_color(*cell.color)
            if cell.fill is not None:
                pdf.set_fill_color(*cell.fill)
            pdf.set_xy(x, y)
            pdf.cell(column.width, row_height, fit_text(pdf, cell.text, column.width - 1.5), border=1,
                     align=column.align, fill=cell.fill is not None)
            x += column.width
        pdf.set_xy(pdf.l_margin, y + row_height)
    pdf.set_text_color(0, 0, 0)
    return added
