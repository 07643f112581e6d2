"""What every report returns: a titled table (columns with Russian labels, typed rows), a page of it,
the total, the filters it was built with and its chart. The API, the back-office and the exports all
read this one shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.services.report_charts import ChartData
from core.services.report_filters import ReportFilters, ReportView

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
MAX_EXPORT_ROWS = 5000  # CSV
MAX_PDF_ROWS = 1000  # a PDF table of more rows is slow to draw (≈ 3 s per 1 000) and nobody reads it


@dataclass(frozen=True)
class ReportPage:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    details: bool = True  # per-row details (a lesson's students, a student's timeline, a quiz's questions)


EXPORT_PAGE = ReportPage(limit=MAX_EXPORT_ROWS, offset=0, details=False)
PDF_PAGE = ReportPage(limit=MAX_PDF_ROWS, offset=0, details=False)


@dataclass(frozen=True)
class ReportTable:
    view: ReportView
    title: str
    columns: list[tuple[str, str]]  # (row attribute, Russian label)
    rows: list[Any]  # LessonRow | StudentRow | QuizRow
    total: int
    page: ReportPage
    filters: ReportFilters
    chart: ChartData | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def limit(self) -> int:
        return self.page.limit

    @property
    def offset(self) -> int:
        return self.page.offset

    @property
    def truncated(self) -> bool:
        return self.page.offset + len(self.rows) < self.total

    def cells(self, row: Any) -> list[Any]:
        return [getattr(row, key) for key, _ in self.columns]

    def records(self) -> list[dict[str, Any]]:
        """Rows as {column key: value} (the back-office table)."""
        return [dict(zip([k for k, _ in self.columns], self.cells(r), strict=True)) for r in self.rows]
