"""The attendance matrix (SPEC §10) as a landscape A4 PDF: the `format=pdf` export.

Layout: a title (club, class, period, sessions held, class average, legend), then the table —
students × sessions, a status letter per cell, the student's percentage, a closing row with how
many attended each session and the class average. Long classes continue on the next pages with the
header repeated. Many sessions are split into groups of at most SESSIONS_PER_PAGE columns, each
group a section of its own starting on a new page (names and percentages repeated), rather than
shrunk: a cell stays at least SESSION_MIN_W mm wide and its header readable.
"""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.models import AttendanceStatus, EnrollmentStatus
from core.services.attendance_matrix import Matrix, MatrixRow
from core.services.pdf_fonts import FAMILY, Document
from core.services.pdf_table import Cell, Column, draw_table, fit_text
from core.services.schedule import SessionView

MARGIN = 10.0
NAME_W = 62.0
PERCENT_W = 20.0
SESSION_MIN_W = 8.5
SESSION_MAX_W = 14.0
TABLE_W = 297.0 - 2 * MARGIN
SESSIONS_PER_PAGE = int((TABLE_W - NAME_W - PERCENT_W) // SESSION_MIN_W)
GREY = (110, 110, 110)

# Roboto has no check marks: the letters of a paper class register.
PDF_MARK = {AttendanceStatus.PRESENT: "+", AttendanceStatus.LATE: "о", AttendanceStatus.ABSENT: "н",
            AttendanceStatus.EXCUSED: "у"}
FILL = {AttendanceStatus.PRESENT: (214, 240, 214), AttendanceStatus.LATE: (252, 240, 200),
        AttendanceStatus.ABSENT: (248, 215, 215), AttendanceStatus.EXCUSED: (232, 232, 232)}
LEGEND = ("Обозначения: + присутствовал, о опоздал, н отсутствовал, у отсутствовал по уважительной причине, "
          "пусто — нет отметки. Процент: присутствия и опоздания среди проведённых занятий с отметкой, "
          "без уважительных причин.")


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def _session_title(view: SessionView) -> str:
    title = f"{view.starts_at.astimezone(ZoneInfo(view.timezone)):%d.%m.%Y %H:%M}"
    return f"{title} · {view.lesson_title}" if view.lesson_title else title


def _subject(matrix: Matrix) -> str:
    return f"Кружок «{matrix.kruzhok_title}», класс «{matrix.class_name}»"


def _draw_title(pdf: FPDF, matrix: Matrix) -> None:
    width = pdf.w - 2 * MARGIN
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(width, 8, "Посещаемость", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 11)
    pdf.cell(width, 6, fit_text(pdf, _subject(matrix), width), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(width, 6, f"Период: {matrix.date_from:%d.%m.%Y} — {matrix.date_to:%d.%m.%Y} · "
             f"проведено занятий: {matrix.sessions_held} · средняя посещаемость класса: "
             f"{percent_text(matrix.class_average)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 7.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 3.6, LEGEND, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _running_title(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(pdf.w - 2 * MARGIN, 5, fit_text(pdf, text, pdf.w - 2 * MARGIN), new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.ln(1)


def _student_row(student: MatrixRow, group: list[SessionView]) -> list[str | Cell]:
    removed = student.enrollment_status == EnrollmentStatus.REMOVED
    name = Cell(f"{student.full_name} (выбыл)" if removed else student.full_name,
                color=GREY if removed else (0, 0, 0))
    cells: list[str | Cell] = [name]
    for view in group:
        status = student.cells.get(view.id)
        if status is None:
            cells.append("")
        else:
            mark = AttendanceStatus(status)
            cells.append(Cell(PDF_MARK[mark], fill=FILL[mark]))
    cells.append(percent_text(student.percent))
    return cells


def _total_row(matrix: Matrix, group: list[SessionView]) -> list[str | Cell]:
    attended = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
    counts = [sum(1 for s in matrix.students if s.cells.get(view.id) in attended) for view in group]
    return [Cell("Присутствовали · средний %", bold=True), *[Cell(str(c), bold=True) for c in counts],
            Cell(percent_text(matrix.class_average), bold=True)]


def _groups(sessions: list[SessionView]) -> list[list[SessionView]]:
    if not sessions:
        return [[]]
    return [sessions[i:i + SESSIONS_PER_PAGE] for i in range(0, len(sessions), SESSIONS_PER_PAGE)]


def render_matrix_pdf(matrix: Matrix) -> bytes:
    """The PDF bytes of the matrix (never fails on an empty class or period)."""
    subject = _subject(matrix)
    pdf = Document(landscape=True, title=f"Посещаемость — {subject}", page_numbers=True)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.b_margin = 12  # room for the page number
    pdf.add_page()
    _draw_title(pdf, matrix)
    groups = _groups(matrix.sessions)
    for number, group in enumerate(groups):
        first = number * SESSIONS_PER_PAGE + 1
        part = f" · занятия {first}–{first + len(group) - 1} из {len(matrix.sessions)}" if len(groups) > 1 else ""
        if number:
            pdf.add_page()
            _running_title(pdf, f"Посещаемость — {subject}{part}")
        elif part:
            _running_title(pdf, part.removeprefix(" · ").capitalize())
        width = min(SESSION_MAX_W, (TABLE_W - NAME_W - PERCENT_W) / max(len(group), 1))
        columns = [Column("Ученик", NAME_W), *[Column(_session_title(v), width, align="C", vertical=True)
                                                for v in group], Column("Итого, %", PERCENT_W, align="R")]
        rows = [_student_row(s, group) for s in matrix.students]
        if rows:
            rows.append(_total_row(matrix, group))
        running = f"Посещаемость — {subject}{part} (продолжение)"
        draw_table(pdf, columns, rows, max_vertical_header=50, on_new_page=partial(_running_title, text=running))
        if not matrix.students:
            pdf.set_font(FAMILY, "", 10)
            pdf.set_text_color(*GREY)
            pdf.cell(TABLE_W, 8, "В классе нет учеников за этот период.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
