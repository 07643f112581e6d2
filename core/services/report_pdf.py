"""The PDF of a report (landscape A4): title, when it was made, the filters, a bar chart drawn with
fpdf2 primitives, then the table (core/services/pdf_table.py: headings repeated on every page) and
numbered pages (core/services/pdf_fonts.Document).

The chart sits at a fixed place of the first page (CHART_BOX): tests look for its ink there.
"""

from __future__ import annotations

from fpdf import FPDF

from core.services.pdf_fonts import FAMILY, Document
from core.services.pdf_table import Column, draw_table, fit_text
from core.services.report_charts import ChartData

PAGE_W = 297.0
MARGIN = 12.0
ACCENT = (20, 70, 150)
GREY = (110, 110, 110)
CHART_BOX = (MARGIN, 44.0, PAGE_W - 2 * MARGIN, 58.0)  # x, y, w, h in mm
NUMERIC = {"Мин.", "Присутствовали", "Отмечено", "Средний балл", "Посещаемость, %", "Посетил занятий",
           "Отмечен на занятиях", "Оценённых тестов", "XP в кружке", "Назначено", "Попыток", "Оценено", "Сдали, %"}


def _line(pdf: FPDF, text: str, *, size: float, style: str = "", color: tuple[int, int, int] = (0, 0, 0),
          height: float = 6.0) -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.set_text_color(*color)
    width = PAGE_W - 2 * MARGIN
    pdf.set_x(MARGIN)
    pdf.cell(width, height, fit_text(pdf, text, width), new_x="LMARGIN", new_y="NEXT")


def draw_chart(pdf: FPDF, chart: ChartData, box: tuple[float, float, float, float] = CHART_BOX) -> None:
    """Bars with their values above and labels below, an axis and the chart's title."""
    x, y, w, h = box
    pdf.set_draw_color(*GREY)
    pdf.set_font(FAMILY, "B", 9)
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(x, y)
    pdf.cell(w, 5, chart.title)
    plot_top, plot_bottom = y + 10, y + h - 8
    plot_h = plot_bottom - plot_top
    pdf.line(x, plot_bottom, x + w, plot_bottom)
    pdf.line(x, plot_top, x, plot_bottom)
    count = max(1, len(chart.values))
    slot = w / count
    bar_w = max(1.0, slot * 0.6)
    top = chart.max_value or 1.0
    pdf.set_fill_color(*ACCENT)
    pdf.set_font(FAMILY, "", 6 if count > 12 else 7)
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        bar_h = max(0.4, plot_h * min(value, top) / top)
        left = x + i * slot + (slot - bar_w) / 2
        pdf.rect(left, plot_bottom - bar_h, bar_w, bar_h, style="F")
        pdf.set_xy(x + i * slot, plot_bottom - bar_h - 4)
        pdf.cell(slot, 4, f"{value:g}".replace(".", ",") + chart.unit, align="C")
        pdf.set_xy(x + i * slot, plot_bottom + 1)
        pdf.cell(slot, 4, label, align="C")


def _columns(headers: list[str], rows: list[list[str]]) -> list[Column]:
    """Widths from the longest text of each column (bounded), filling the page width."""
    sample = rows[:200]
    weights = [min(40, max(6, len(h) * 0.7, *(len(r[i]) for r in sample))) for i, h in enumerate(headers)]
    width = PAGE_W - 2 * MARGIN
    return [Column(h, width * wgt / sum(weights), align="R" if h in NUMERIC else "L")
            for h, wgt in zip(headers, weights, strict=True)]


def render_report_pdf(*, title: str, filters_text: str, generated: str, note: str | None, headers: list[str],
                      rows: list[list[str]], chart: ChartData | None) -> bytes:
    pdf = Document(landscape=True, title=title, page_numbers=True)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False, margin=14)
    pdf.add_page()
    pdf.set_y(MARGIN)
    _line(pdf, title, size=15, style="B", color=ACCENT, height=9)
    _line(pdf, generated, size=8, color=GREY, height=5)
    _line(pdf, "Фильтры: " + filters_text, size=9, height=6)
    if note:
        _line(pdf, note, size=8, color=(160, 60, 0), height=5)
    if chart is not None:
        draw_chart(pdf, chart)
        pdf.set_y(CHART_BOX[1] + CHART_BOX[3] + 4)
    else:
        pdf.set_y(CHART_BOX[1])
        _line(pdf, "Нет данных для графика", size=9, color=GREY)
    if not rows:
        _line(pdf, "Нет данных для выбранных фильтров", size=10)
        return bytes(pdf.output())

    def running_title(doc: FPDF) -> None:
        doc.set_y(MARGIN)
        _line(doc, f"{title} (продолжение)", size=9, color=GREY)

    draw_table(pdf, _columns(headers, rows), rows, font_size=8, row_height=5.5, on_new_page=running_title)
    return bytes(pdf.output())
