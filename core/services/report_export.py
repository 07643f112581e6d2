"""A report table as a file: CSV for Excel, or a PDF with the title, the filters, a chart and the table.

CSV: UTF-8 with a BOM (Excel then reads Cyrillic right), `;` between cells and decimal commas (what
Excel expects in a Russian locale), every cell neutralised against formulas and quoted when it holds
a `;`, a quote or a line break (core/csv_export.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.csv_export import iter_csv
from core.services.report_filters import ExportFormat
from core.services.report_pdf import render_report_pdf
from core.services.report_table import ReportTable

CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def display(value: Any) -> str:
    """A cell as people read it: dd.mm.yyyy dates, decimal commas, empty for no value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Да" if value else "Нет"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value)


def truncation_note(table: ReportTable) -> str | None:
    if not table.truncated:
        return None
    return f"Показано строк: {len(table.rows)} из {table.total}. Уточните фильтры, чтобы выгрузить остальные."


def report_csv(table: ReportTable) -> bytes:
    rows = [[display(v) for v in table.cells(r)] for r in table.rows]
    note = truncation_note(table)
    if note:
        rows.append([note])
    text = "".join(iter_csv([label for _, label in table.columns], rows, delimiter=";"))
    return ("\ufeff" + text).encode("utf-8")


def export_report(table: ReportTable, *, fmt: ExportFormat, subject: str, now: datetime) -> ExportFile:
    """The file of a report table (`subject`: the club, or "Все кружки")."""
    stem = f"report-{table.view.value}-{now:%Y%m%d-%H%M}"
    if fmt == ExportFormat.CSV:
        return ExportFile(report_csv(table), CSV_TYPE, stem + ".csv")
    cells = [[display(v) for v in table.cells(r)] for r in table.rows]
    pdf = render_report_pdf(title=f"{table.title} — {subject}", filters_text=table.filters.describe(),
                            generated=f"Сформирован {now:%d.%m.%Y %H:%M} UTC", note=truncation_note(table),
                            headers=[label for _, label in table.columns], rows=cells, chart=table.chart)
    return ExportFile(pdf, PDF_TYPE, stem + ".pdf")
