"""The PDF layout of many sessions: split into column groups (never narrower than the minimum), each
group a section repeating the names; the reusable table cuts what does not fit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium

from core.services.attendance_matrix import Matrix, MatrixRow
from core.services.attendance_pdf import SESSIONS_PER_PAGE, render_matrix_pdf
from core.services.pdf_fonts import Document
from core.services.pdf_table import fit_text
from core.services.schedule import SessionView

BASE = datetime(2026, 9, 1, 10, tzinfo=UTC)


def _session(i: int) -> SessionView:
    start = BASE + timedelta(days=2 * i)
    return SessionView(id=f"s{i}", kruzhok_id="k", class_id="c", class_name="7А", program_lesson_id=None,
                       lesson_title=f"Урок {i}", starts_at=start, ends_at=start + timedelta(hours=1),
                       local_date=start.date(), time_range="", timezone="Asia/Almaty", duration=60, location=None,
                       mentor_notes=None, status="COMPLETED", auto_send_quiz=True, in_progress=False)


def test_many_sessions_are_split_into_column_groups():
    sessions = [_session(i) for i in range(SESSIONS_PER_PAGE * 2 + 3)]
    students = [MatrixRow(student_id="u1", full_name="Жанар Әбілқызы", enrollment_status="REMOVED",
                          cells={s.id: "present" for s in sessions}, percent=100.0)]
    matrix = Matrix(kruzhok_id="k", kruzhok_title="Кружок", class_id="c", class_name="7А",
                    date_from=date(2026, 9, 1), date_to=date(2026, 12, 31), sessions=sessions, students=students,
                    sessions_held=len(sessions), class_average=100.0)
    doc = pdfium.PdfDocument(render_matrix_pdf(matrix))
    texts = [page.get_textpage().get_text_range() for page in doc]
    assert len(texts) == 3
    total = len(sessions)
    assert f"Занятия 1–{SESSIONS_PER_PAGE} из {total}" in texts[0]
    assert f"занятия {2 * SESSIONS_PER_PAGE + 1}–{total} из {total}" in texts[2]
    assert all("Жанар Әбілқызы (выбыл)" in t for t in texts)
    # Each session's date heads exactly one column of one page.
    headed = [f"{s.starts_at.astimezone(ZoneInfo('Asia/Almaty')):%d.%m.%Y %H:%M} · {s.lesson_title}" for s in sessions]
    assert all(sum(t.count(day) for t in texts) == 1 for day in headed)
    doc.close()


def test_fit_text_cuts_with_an_ellipsis():
    pdf = Document(landscape=True, title="t")
    pdf.add_page()
    pdf.set_font("Roboto", "", 8)
    long = "Очень длинное название урока про датчики и моторы"
    cut = fit_text(pdf, long, 20)
    assert cut.endswith("…") and long.startswith(cut[:-1]) and pdf.get_string_width(cut) <= 20
    assert fit_text(pdf, "Урок", 20) == "Урок"
    assert fit_text(pdf, long, 0.5) == ""
    pdf.output()  # closes the font files
